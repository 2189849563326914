"""``partnerlab project --rebuild``: rebuild the reports from the first event, with a progress
bar, into fresh tables that replace the old ones only once complete (the API keeps serving the
old ones meanwhile)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from infrastructure.report_projection import RebuildOutcome, ReportsRebuild
from infrastructure.report_store import SqlReportStore
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime


def rebuild_reports(settings: Settings, console: Console | None = None) -> RebuildOutcome:
    """Rebuild the reports' read model; shows a progress bar on ``console`` if given."""
    runtime = build_runtime(settings, run_projections=False)
    try:
        store = runtime.app.reports
        assert isinstance(store, SqlReportStore)
        rebuild = ReportsRebuild(
            store=store,
            recorder=runtime.app.recorder,
            mapper=runtime.app.mapper,
            batch_size=settings.rebuild_batch_size,
        )
        if console is None:
            return rebuild.run()
        with Progress(
            TextColumn("[bold]rebuilding reports"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("events", total=None)

            def advance(position: int, head: int) -> None:
                progress.update(task, completed=position, total=max(head, 1))

            return rebuild.run(advance)
    finally:
        runtime.close()
