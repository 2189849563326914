"""Memory of a projection rebuild: peak RSS at 100,000 and at 1,000,000 events.

For each size, a throw-away database is filled with real events (``tests.faults.backlog``)
and the read models are built from the first event by the service's own commands, each in a
process of its own whose peak resident set size (``VmHWM``) is followed until it exits:
``partnerlab project --once`` on empty read models (every follower from position 0) and
``partnerlab project --rebuild`` (the reports into a fresh generation). The baseline, in the
same run, is the same command on an empty log: what the process weighs before it reads any
event. Memory must not grow with the log: the ratio of the largest size to the smallest
should stay close to 1.

    python -m benchmarks.memory                        # 100k and 1M events
    python -m benchmarks.memory --sizes 20000 200000   # quicker
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time
from dataclasses import dataclass

from benchmarks.report_rebuild import run_child
from benchmarks.support import Figure, peak_rss_mb, settings_for, throwaway_database
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from tests.faults.backlog import append, prepare
from tests.faults.live import ROOT, child_env

COMMANDS = {"project --once": ["--once"], "project --rebuild": ["--rebuild"]}


@dataclass(frozen=True)
class Run:
    peak_mb: float
    seconds: float


def measure(settings: Settings, args: list[str]) -> Run:
    """Run ``partnerlab project <args>`` and return its peak RSS and duration.

    The peak is the child's own high-water mark (``VmHWM``), read every 20 ms until it exits:
    ``wait4``'s ``ru_maxrss`` would not do, as it counts the memory of the benchmark process
    that spawned it (the child starts as a copy of it until ``exec``).
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "partnerlab.cli", "project", *args],
        cwd=ROOT,
        env=child_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0.0
    while process.poll() is None:
        with contextlib.suppress(OSError, ValueError):
            peak = max(peak, peak_rss_mb(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"project {' '.join(args)} failed: {errors[-2000:]}")
    return Run(peak_mb=peak, seconds=seconds)


def filled(database: str, events: int) -> Settings:
    settings = settings_for(database, projections_in_process=False)
    runtime = build_runtime(settings, run_projections=False)
    runtime.app.read_models.follower = None  # nothing follows here: no waits
    try:
        if events:
            append(runtime.app, prepare(runtime.app), events)
    finally:
        runtime.close()
    return settings


def run(sizes: tuple[int, ...] = (100_000, 1_000_000)) -> list[Figure]:
    figures: list[Figure] = []
    runs: dict[tuple[str, int], Run] = {}
    baselines: dict[int, float] = {}
    for size in (0, *sizes):
        with throwaway_database() as database:
            started = time.perf_counter()
            settings = filled(database, size)
            print(f"{size:>9,} events written in {time.perf_counter() - started:.0f} s")
            if size:
                baseline = run_child(database, "insert")
                baselines[size] = baseline["events"] / baseline["seconds"]
                print(f"{'':>9} raw read + insert {baselines[size]:,.0f} events/s")
            for name, args in COMMANDS.items():
                runs[name, size] = measure(settings, args)
                result = runs[name, size]
                rate = f"{size / result.seconds:,.0f} events/s" if size else ""
                print(
                    f"{'':>9} {name:<18} peak {result.peak_mb:7.1f} MiB"
                    f" in {result.seconds:6.1f} s {rate}"
                )
    for name in COMMANDS:
        empty = runs[name, 0].peak_mb
        for size in sizes:
            figures.append(
                Figure(
                    "memory",
                    f"{name} at {size:,} events: peak RSS",
                    runs[name, size].peak_mb,
                    "MiB",
                    empty,
                    "same on an empty log",
                    higher_is_better=False,
                )
            )
        smallest, largest = min(sizes), max(sizes)
        figures.append(
            Figure(
                "memory",
                f"{name}: peak RSS at {largest:,} vs {smallest:,}",
                runs[name, largest].peak_mb,
                "MiB",
                runs[name, smallest].peak_mb,
                f"at {smallest:,}",
                target=1.2,
                at_most=True,
            )
        )
        # The replay rate: time per event at the largest size against the smallest (a
        # replay that slows down as the tables grow has a ratio above 1).
        figures.append(
            Figure(
                "replay",
                f"{name}: time per event at {largest:,} vs {smallest:,}",
                runs[name, largest].seconds / largest * 1e6,
                "us/event",
                runs[name, smallest].seconds / smallest * 1e6,
                f"at {smallest:,}",
                target=1.5,
                at_most=True,
            )
        )
    largest = max(sizes)
    figures.append(
        Figure(
            "replay",
            f"project --once at {largest:,} events, vs raw read-and-insert",
            largest / runs["project --once", largest].seconds,
            "events/s",
            baselines[largest],
            "raw read + insert",
            target=0.5,
        )
    )
    for figure in figures:
        print(figure.line())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    run(tuple(sorted(parser.parse_args().sizes)))


if __name__ == "__main__":
    main()
