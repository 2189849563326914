"""One lab among many: its writes and reports in a database shared with other labs, against
the same lab alone in a database of its own, measured in turns in the same run.

Both databases hold the measured lab (``--partnerships`` partnerships, written through the
domain by ``benchmarks.report_dataset``, many per transaction); the shared one also holds
``--labs`` other labs of as many partnerships each, written the same way (cheaply: real
events, but not through the use cases one by one). Every read model is then projected by
``partnerlab project --once``'s own code. The figures are the median latency of the lab's
report use cases and of a write (a meeting recorded on one of its partnerships) in the
shared database, against the lab alone: the target is at most 1.5 times.

    python -m benchmarks.multi_lab                          # 10 other labs of 1,000
    python -m benchmarks.multi_lab --labs 99 --partnerships 10000   # the issue's full size
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from uuid import UUID

from application.context import Caller
from application.reporting.ports import ReportScope
from benchmarks.report_dataset import TODAY, DatasetWriter
from benchmarks.support import Figure, settings_for, throwaway_database
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime, run_projector

MEASURED = "measured-lab"
REPEAT = 30


def fill(database: str, labs: int, partnerships: int) -> Settings:
    """The measured lab and ``labs`` others, projected; returns the database's settings."""
    settings = settings_for(database, projections_in_process=False)
    runtime = build_runtime(settings, run_projections=False, clock=lambda: TODAY)
    runtime.app.read_models.follower = None  # nothing follows here: no waits
    try:
        started = time.perf_counter()
        DatasetWriter(runtime.app, lab=MEASURED).add(partnerships)
        for n in range(labs):
            DatasetWriter(runtime.app, lab=f"lab-{n:02d}", seed=n).add(partnerships)
        head = runtime.app.read_models.log_head() or 0
        print(
            f"  {labs + 1} labs, {head:,} events written in {time.perf_counter() - started:.0f} s"
        )
    finally:
        runtime.close()
    started = time.perf_counter()
    run_projector(settings, once=True)
    print(f"  read models projected in {time.perf_counter() - started:.0f} s", flush=True)
    return settings


def open_partnerships(runtime: Runtime, count: int) -> list[UUID]:
    rows = runtime.database.query(
        "SELECT id FROM pl_partnerships WHERE lab = %(lab)s AND status = 'open'"
        " ORDER BY id LIMIT %(n)s",
        {"lab": MEASURED, "n": count},
    )
    return [UUID(str(row["id"])) for row in rows]


def operations(runtime: Runtime) -> dict[str, Callable[[], object]]:
    app = runtime.app
    caller = Caller(lab=MEASURED, actor="bench")
    targets = open_partnerships(runtime, REPEAT * 2)
    turn = [0]

    def write() -> None:
        partnership = targets[turn[0] % len(targets)]
        turn[0] += 1
        app.partnerships.record_meeting(caller, partnership, occurred_on=TODAY)

    return {
        "write: record a meeting": write,
        "report: funnel": lambda: app.reports.funnel_report(caller, ReportScope()),
        "report: impact": lambda: app.reports.impact_report(caller, ReportScope()),
        "report: funnel, territory 67": lambda: app.reports.funnel_report(
            caller, ReportScope(territory="67")
        ),
        "report: pipeline": lambda: app.reports.pipeline_report(caller, ReportScope()),
    }


def run(labs: int = 10, partnerships: int = 1_000, repeat: int = REPEAT) -> list[Figure]:
    figures: list[Figure] = []
    with throwaway_database() as alone_db, throwaway_database() as shared_db:
        print(f"the lab alone ({partnerships:,} partnerships):")
        alone_settings = fill(alone_db, 0, partnerships)
        print(f"the lab with {labs} other labs of {partnerships:,} partnerships:")
        shared_settings = fill(shared_db, labs, partnerships)
        runtimes = {
            name: build_runtime(settings, run_projections=False, clock=lambda: TODAY)
            for name, settings in (("alone", alone_settings), ("shared", shared_settings))
        }
        try:
            for runtime in runtimes.values():
                runtime.app.read_models.follower = None  # nothing follows here: no waits
            ops = {name: operations(runtime) for name, runtime in runtimes.items()}
            times: dict[tuple[str, str], list[float]] = {}
            for name in ops["alone"]:
                for where in ops:  # warm-up
                    ops[where][name]()
            for _ in range(repeat):  # in turns, so that both see the same load
                for name in ops["alone"]:
                    for where in ops:
                        started = time.perf_counter()
                        ops[where][name]()
                        times.setdefault((where, name), []).append(time.perf_counter() - started)
        finally:
            for runtime in runtimes.values():
                runtime.close()
    for name in ops["alone"]:
        figures.append(
            Figure(
                "multi-lab",
                f"{name}, with {labs} other labs of {partnerships:,}",
                statistics.median(times["shared", name]) * 1000,
                "ms",
                statistics.median(times["alone", name]) * 1000,
                "the lab alone",
                target=1.5,
                at_most=True,
            )
        )
    for figure in figures:
        print(figure.line())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--labs", type=int, default=10, help="other labs (the issue: 99)")
    parser.add_argument(
        "--partnerships", type=int, default=1_000, help="per lab (the issue: 10,000)"
    )
    args = parser.parse_args()
    run(args.labs, args.partnerships)


if __name__ == "__main__":
    main()
