"""Report latency at 10,000 and at 100,000 partnerships (PostgreSQL): the larger may cost at
most 3 times the smaller.

Fills a throw-away database through the real application (``benchmarks.report_dataset``),
rebuilds the reports' read model, and times each report use case (the median of repeated
calls, after a warm-up) in three scopes:

- ``now``: the default, answered from the maintained aggregate (the target applies here);
- ``territory``: a filter the aggregate does not hold, answered from the summary rows;
- ``as_of+known_at``: a past date as known at a past time: computed on the exact bitemporal
  path the first time (cold), then kept (``application.reporting.past_reports``);
- the same, forgetting the kept answer before each call (what every first time costs).

    python -m benchmarks.report_latency                       # 10k then 100k partnerships
    python -m benchmarks.report_latency --sizes 2000 20000    # quicker
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial

from application.context import Caller
from application.lab import PartnerLab
from application.reporting.ports import ReportScope
from benchmarks.report_dataset import LAB, TODAY, DatasetWriter
from benchmarks.report_rebuild import settings_for
from benchmarks.support import ADMIN_DSN, Figure, printed, throwaway_database
from infrastructure.reporting.projection import ReportsRebuild
from infrastructure.reporting.store import SqlReportStore
from partnerlab.bootstrap import Runtime, build_runtime

REPEAT = 15


def timed(call: Callable[[], object], repeat: int = REPEAT) -> tuple[float, float]:
    """(the first call, the median of the next ``repeat``)."""
    started = time.perf_counter()
    call()
    cold = time.perf_counter() - started
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return cold, statistics.median(samples)


def measure(runtime: Runtime, known_at: datetime) -> dict[tuple[str, str], tuple[float, float]]:
    app = runtime.app
    caller = Caller(lab=LAB, actor="bench")
    scopes = {
        "now": ReportScope(),
        "territory": ReportScope(territory="67"),
        "as_of+known_at": ReportScope(as_of=date(2020, 12, 31), known_at=known_at),
    }
    reports: dict[str, Callable[[ReportScope], object]] = {
        "signed": lambda s: app.reports.signed_report(caller, s),
        "funnel": lambda s: app.reports.funnel_report(caller, s),
        "time-in-stage": lambda s: app.reports.time_in_stage_report(caller, s),
        "impact": lambda s: app.reports.impact_report(caller, s),
        "pipeline": lambda s: app.reports.pipeline_report(caller, s),
    }
    results: dict[tuple[str, str], tuple[float, float]] = {}
    for scope_name, scope in scopes.items():
        repeat = REPEAT if scope_name == "now" else 5
        for report_name, report in reports.items():
            results[(report_name, scope_name)] = timed(partial(report, scope), repeat)
    # The same past reports, forgetting the kept answers before each call: what a past report
    # costs when it is not kept (every first time, in every process), cold and warm.
    past = scopes["as_of+known_at"]
    for report_name, report in reports.items():
        results[(report_name, NOT_KEPT)] = timed(partial(forgetting, app, report, past), 5)
    return results


NOT_KEPT = "past, not kept"


def forgetting(
    app: PartnerLab, report: Callable[[ReportScope], object], scope: ReportScope
) -> object:
    app.reports.past_reports.clear()
    return report(scope)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    args = parser.parse_args()
    small, large = sorted(args.sizes)
    run((small, large))


SCOPE_TARGETS = {
    "territory": "reports filtered by territory",
    "as_of+known_at": "reports as_of + known_at a past moment",
    NOT_KEPT: "past reports as_of + known_at, not kept (computed each time)",
}


def run(sizes: tuple[int, int] = (10_000, 100_000)) -> list[Figure]:
    """Fill, project and time the reports at both sizes; the worst ratio per scope."""
    small, large = sorted(sizes)
    print(f"report latency benchmark, {date.today().isoformat()}, PostgreSQL at {ADMIN_DSN}")
    measured: dict[int, dict[tuple[str, str], tuple[float, float]]] = {}
    with throwaway_database() as database:
        runtime = build_runtime(settings_for(database), run_projections=False, clock=lambda: TODAY)
        runtime.app.read_models.follower = None  # the reports are rebuilt to the head below
        writer = DatasetWriter(runtime.app)
        for size, add in ((small, small), (large, large - small)):
            started = time.perf_counter()
            writer.add(add)
            store = runtime.stores.reports
            assert isinstance(store, SqlReportStore)
            ReportsRebuild(
                store=store, recorder=runtime.app.log.recorder, mapper=runtime.app.log.mapper
            ).run()
            print(
                f"{size:,} partnerships ({writer.events:,} events) filled and projected in"
                f" {time.perf_counter() - started:.0f}s",
                flush=True,
            )
            # A past moment (two seconds ago: settled without waiting).
            measured[size] = measure(runtime, datetime.now(UTC) - timedelta(seconds=2))
        runtime.close()
    print(f"\n{'report':<15}{'scope':<16}{small:>10,}{large:>12,}   ratio  (cold ratio)")
    worst: dict[tuple[str, str], tuple[float, float, float]] = {}
    for key, (small_cold, small_seconds) in measured[small].items():
        large_cold, large_seconds = measured[large][key]
        ratio = large_seconds / small_seconds
        print(
            f"{key[0]:<15}{key[1]:<16}{small_seconds * 1000:>8.1f}ms{large_seconds * 1000:>10.1f}ms"
            f"   x{ratio:.2f}  (x{large_cold / small_cold:.2f})"
        )
        pairs = (("warm", small_seconds, large_seconds), ("cold", small_cold, large_cold))
        for temperature, a, b in pairs:
            slot = (key[1], temperature)
            if slot not in worst or b / a > worst[slot][2]:
                worst[slot] = (b * 1000, a * 1000, b / a)
    figures = [
        Figure(
            "reports",
            f"{SCOPE_TARGETS.get(scope, 'reports now')}, {temperature}: {large:,} vs {small:,}"
            " partnerships (worst report)",
            large_ms,
            "ms",
            small_ms,
            f"at {small:,}",
            target=3.0,
            at_most=True,
        )
        for (scope, temperature), (large_ms, small_ms, _) in sorted(worst.items())
    ]
    return printed(figures)


if __name__ == "__main__":
    main()
