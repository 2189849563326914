"""What every benchmark needs: a throw-away database, settings for it, the machine, and one
way to print a figure next to the baseline measured in the same run."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from infrastructure.settings import Settings

ADMIN_DSN = os.environ.get(
    "PARTNERLAB_BENCH_POSTGRES_DSN", "postgresql://root@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class Figure:
    """One measured figure and the baseline it is compared with (same run, same server)."""

    benchmark: str
    name: str
    value: float
    unit: str
    baseline: float
    baseline_name: str
    higher_is_better: bool = True
    target: float | None = None
    at_most: bool = False  # the target is a ceiling on the ratio (growth), not a floor

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.value / self.baseline if self.baseline else float("nan")
        return self.baseline / self.value if self.value else float("nan")

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.ratio != self.ratio:  # NaN
            return False
        return self.ratio <= self.target if self.at_most else self.ratio >= self.target

    def target_json(self) -> dict[str, object]:
        """The figure as one target of ``--json``: name, value, baseline, ratio, target, met."""
        return {
            "name": f"{self.benchmark}: {self.name}",
            "value": round(self.value, 4),
            "baseline": round(self.baseline, 4),
            "ratio": round(self.ratio, 4),
            "target": self.target,
            "comparison": "<=" if self.at_most else ">=",
            "met": self.met,
            "unit": self.unit,
            "baseline_name": self.baseline_name,
        }

    def line(self) -> str:
        sign = "<=" if self.at_most else ">="
        target = f"  (target {sign} {self.target:g})" if self.target is not None else ""
        return (
            f"{self.name:<46} {self.value:>10,.1f} {self.unit:<12}"
            f" vs {self.baseline_name} {self.baseline:,.1f}  ratio {self.ratio:.2f}{target}"
        )


@contextmanager
def throwaway_database(prefix: str = "partnerlab_bench") -> Iterator[str]:
    """A database of its own on the PostgreSQL server, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settings_for(database: str, **overrides: object) -> Settings:
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_DSN)
    return Settings(
        postgres_host=str(info.get("host", "127.0.0.1")),
        postgres_port=int(str(info.get("port", 5432))),
        postgres_user=str(info.get("user", "root")),
        postgres_password=str(info.get("password", "")),
        postgres_db=database,
        **overrides,  # type: ignore[arg-type]
    )


def dsn_for(database: str) -> str:
    return psycopg.conninfo.make_conninfo(ADMIN_DSN, dbname=database)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line)
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
            memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    with psycopg.connect(ADMIN_DSN) as connection:
        row = connection.execute("SHOW server_version").fetchone()
        commit = connection.execute("SHOW synchronous_commit").fetchone()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": f"{cpu} x {os.cpu_count()}",
        "memory": memory,
        "python": platform.python_version(),
        "postgresql": f"{row[0] if row else '?'}"
        f" (synchronous_commit={commit[0] if commit else '?'})",
        "load average at start": f"{load:.2f}",
        "commit": _git_head(),
    }


def _git_head() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:
        return "?"
    return result.stdout.strip() or "?"


def rate(count: int, call: Callable[[], object]) -> float:
    """Calls per second of ``call`` run ``count`` times in a row."""
    started = time.perf_counter()
    for _ in range(count):
        call()
    return count / (time.perf_counter() - started)


def median_seconds(repeat: int, call: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def peak_rss_mb(pid: int) -> float:
    """The peak resident set size (VmHWM) of a running process, in MiB."""
    return _status_mb(pid, "VmHWM:")


def rss_mb(pid: int) -> float:
    return _status_mb(pid, "VmRSS:")


def _status_mb(pid: int, field: str) -> float:
    """A size that ``/proc/<pid>/status`` gives in kB (``field``), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


def printed(figures: list[Figure]) -> list[Figure]:
    """Print each figure's line; the figures, for the caller to return."""
    for figure in figures:
        print(figure.line())
    return figures


def quick_command_line(run: Callable[..., object], doc: str | None, quick_help: str) -> None:
    """A benchmark module run on its own: ``--quick`` (``quick_help`` says what it cuts)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    run(quick=parser.parse_args().quick)
