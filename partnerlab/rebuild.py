"""``partnerlab project --rebuild``: rebuild the reports from the first event, showing
progress, into fresh tables that replace the old ones only once complete (the API keeps
serving the old ones meanwhile)."""

from __future__ import annotations

from rich.console import Console

from infrastructure.reporting.projection import RebuildOutcome, ReportsRebuild
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.progress import ProgressReport


def rebuild_reports(settings: Settings, console: Console | None = None) -> RebuildOutcome:
    """Rebuild the reports' read model; shows progress on ``console`` if given."""
    runtime = build_runtime(settings, run_projections=False)
    try:
        rebuild = ReportsRebuild(
            store=runtime.stores.reports,
            recorder=runtime.app.log.recorder,
            mapper=runtime.app.log.mapper,
            hold=runtime.followers["reports"].hold_stopped,
            batch_size=settings.rebuild_batch_size,
        )
        if console is None:
            return rebuild.run()
        with ProgressReport("rebuilding reports", console) as report:

            def advance(position: int, head: int) -> None:
                report.update(position, max(head, 1))

            return rebuild.run(advance)
    finally:
        runtime.close()
