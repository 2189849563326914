"""``partnerlab project``: keep the read models up to date (follow, catch up once, rebuild),
showing progress (``partnerlab.progress``)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from infrastructure.projection_faults import Fault
from infrastructure.settings import Settings
from partnerlab.cli.app import database_errors, err, open_database, out
from partnerlab.progress import ProgressReport


def project(
    once: Annotated[
        bool, typer.Option("--once", help="Catch up with the event log, then exit.")
    ] = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Rebuild every read model (or those --only names) from the first event into "
            "fresh tables, swapped in when complete (the API keeps serving the old ones), "
            "then exit.",
        ),
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="NAME",
            help="With --rebuild: rebuild read model NAME only (repeatable): reports, catalog, "
            "activities, audit-index, api-keys, accounts, followups.",
        ),
    ] = None,
    retry: Annotated[
        str | None,
        typer.Option(
            "--retry",
            metavar="NAME",
            help="After fixing what made read model NAME stop on an event, replay the events "
            "it held (see the faults this command lists), then exit.",
        ),
    ] = None,
    retry_lab: Annotated[
        str | None, typer.Option("--lab", help="With --retry: replay this lab only.")
    ] = None,
) -> None:
    """Keep the read models up to date by following the event log (until Ctrl-C).

    An event a read model cannot apply stops that read model for that event's lab only; it
    is listed here and in GET /api/v1/projections, and `--retry NAME` resumes it.

    Progress (events applied of the log's head, rate, estimate) shows as a bar on a terminal
    and as a log line on standard error every PARTNERLAB_PROGRESS_INTERVAL seconds (10)
    otherwise. While following, the projector records a heartbeat the API's
    /api/v1/projections reads, so it shows the read models running out of process.
    """
    from partnerlab.bootstrap import projection_faults, retry_projection, run_projector

    if only:
        _check_names(only, rebuild)
    settings = open_database()
    console = out()
    if retry is not None:
        with database_errors(settings):
            try:
                left = retry_projection(settings, retry, retry_lab)
            except KeyError:
                console.print(f"No read model named {retry!r}.", highlight=False)
                raise typer.Exit(2) from None
        if left:
            _print_faults(console, left)
            raise typer.Exit(1)
        console.print(f"Read model {retry} replayed its held events and is running.")
        return
    if rebuild:
        _rebuild(settings, console, only or [])
        return
    if once:
        with database_errors(settings), ProgressReport("projecting", err()) as report:
            processed = run_projector(settings, once=True, progress=report.update)
        console.print(
            f"Read models up to date ({processed} events projected) in "
            f"{settings.describe_database()}",
            highlight=False,
        )
        with database_errors(settings):
            faults = projection_faults(settings)
        if faults:
            _print_faults(console, faults)
            raise typer.Exit(1)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    console.print(
        f"Projecting events in {settings.describe_database()} (Ctrl-C to stop)",
        highlight=False,
    )
    with (
        _stop_on_signals(stop),
        database_errors(settings),
        ProgressReport("following the log", err()) as report,
    ):
        run_projector(settings, stop=stop, progress=report.update, progress_every=1.0)
    console.print("Projector stopped.")


def _check_names(only: Sequence[str], rebuild: bool) -> None:
    from partnerlab.rebuild import NAMES

    if not rebuild:
        err().print("--only goes with --rebuild.", highlight=False)
        raise typer.Exit(2)
    unknown = [name for name in only if name not in NAMES]
    if unknown:
        err().print(
            f"No read model named {unknown[0]!r}; one of: {', '.join(NAMES)}.", highlight=False
        )
        raise typer.Exit(2)


def _rebuild(settings: Settings, console: Console, only: Sequence[str]) -> None:
    from partnerlab.rebuild import NAMES, REPORTS, rebuild_all, rebuild_reports

    if REPORTS in (only or NAMES):
        with database_errors(settings):
            outcome = rebuild_reports(settings, err())
        console.print(
            f"Reports rebuilt: {outcome.events} events in {outcome.seconds:.1f}s, generation "
            f"{outcome.generation} now serves up to position {outcome.position}",
            highlight=False,
        )
    others = [name for name in (only or NAMES) if name != REPORTS]
    if not others:
        return
    with database_errors(settings):
        for done in rebuild_all(settings, others, err()):
            console.print(
                f"Read model {done.name} rebuilt: {done.events} events in {done.seconds:.1f}s, "
                f"now serves up to position {done.position}",
                highlight=False,
            )


def _print_faults(console: Console, faults: Sequence[Fault]) -> None:
    for fault in faults:
        console.print(
            f"Read model {fault.read_model} {fault.state} for lab {fault.lab} at position "
            f"{fault.position}: {fault.error}",
            highlight=False,
        )
    names = sorted({fault.read_model for fault in faults})
    console.print(
        "Fix the cause, then run: "
        + "; ".join(f"partnerlab project --retry {name}" for name in names),
        highlight=False,
    )


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(*_: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
