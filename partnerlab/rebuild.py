"""``partnerlab project --rebuild``: rebuild the reports from the first event, showing
progress, into fresh tables that replace the old ones only once complete (the API keeps
serving the old ones meanwhile)."""

from __future__ import annotations

from rich.console import Console

from infrastructure.report_projection import RebuildOutcome, ReportsRebuild
from infrastructure.report_store import SqlReportStore
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.progress import ProgressReport


def rebuild_reports(settings: Settings, console: Console | None = None) -> RebuildOutcome:
    """Rebuild the reports' read model; shows progress on ``console`` if given."""
    runtime = build_runtime(settings, run_projections=False)
    try:
        store = runtime.app.reports
        assert isinstance(store, SqlReportStore)
        rebuild = ReportsRebuild(
            store=store, recorder=runtime.app.recorder, mapper=runtime.app.mapper
        )
        if console is None:
            return rebuild.run()
        with ProgressReport("rebuilding reports", console) as report:

            def advance(position: int, head: int) -> None:
                report.update(position, max(head, 1))

            return rebuild.run(advance)
    finally:
        runtime.close()
