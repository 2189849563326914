"""Progress of long work: a rich bar with rate and estimate on a terminal, a periodic log line
otherwise (a file, a pipe, a container's log).

Commands report ``update(done, total)`` as often as they like; the line is written at the
first update, then at most every ``interval`` seconds, and once at the end.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

DEFAULT_INTERVAL = 10.0


def log_interval() -> float:
    """Seconds between two log lines (``PARTNERLAB_PROGRESS_INTERVAL``, default 10)."""
    try:
        return max(0.0, float(os.environ.get("PARTNERLAB_PROGRESS_INTERVAL", DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


class RateColumn(ProgressColumn):
    """Items per second, e.g. ``1,234 events/s``."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text(f"- {self.unit}/s", style="progress.data.speed")
        return Text(f"{speed:,.0f} {self.unit}/s", style="progress.data.speed")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class ProgressReport:
    """``with ProgressReport("projecting", console) as report: report.update(done, total)``."""

    def __init__(
        self,
        label: str,
        console: Console,
        *,
        unit: str = "events",
        interval: float | None = None,
        terminal: bool | None = None,
    ) -> None:
        self.label = label
        self.console = console
        self.unit = unit
        self.interval = log_interval() if interval is None else interval
        self.terminal = console.is_terminal if terminal is None else terminal
        self.done = 0
        self.total: int | None = None
        self._started = time.monotonic()
        self._start_done: int | None = None
        self._logged_at: float | None = None
        self._logged_done: int | None = None
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressReport:
        if self.terminal:
            self._bar = Progress(
                TextColumn(f"[bold]{self.label}"),
                BarColumn(),
                MofNCompleteColumn(),
                RateColumn(self.unit),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=None)
        return self

    def update(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total
        if self._start_done is None:
            self._start_done = done
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, total=total)
            return
        now = time.monotonic()
        if self._logged_at is None or now - self._logged_at >= self.interval:
            self._log(now)

    def line(self, now: float | None = None) -> str:
        """The log line for the current state (rate since the start, estimate from it)."""
        now = time.monotonic() if now is None else now
        elapsed = max(now - self._started, 1e-9)
        rate = (self.done - (self._start_done or 0)) / elapsed
        parts = [f"{self.label}: {self.done:,}"]
        if self.total:
            parts[0] += f"/{self.total:,} {self.unit} ({100 * self.done / self.total:.0f}%)"
        else:
            parts[0] += f" {self.unit}"
        parts.append(f"{rate:,.0f} {self.unit}/s")
        if self.total and self.done < self.total and rate > 0:
            parts.append(f"about {_duration((self.total - self.done) / rate)} left")
        elif self.total and self.done >= self.total:
            parts.append(f"done in {_duration(elapsed)}")
        return ", ".join(parts)

    def _log(self, now: float) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        self.console.print(f"{stamp} {self.line(now)}", highlight=False, soft_wrap=True)
        self._logged_at = now
        self._logged_done = self.done

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, error, trace)
            return
        if self._logged_done != self.done or self._logged_at is None:
            self._log(time.monotonic())
