"""The ``partnerlab`` command: serve the API, set up the database, run projections, load a demo.

Settings are read once per command from the environment (``PARTNERLAB_*``, ``POSTGRES_*``);
with no configuration at all everything runs on a SQLite file in the working directory.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import psycopg
import typer
from eventsourcing.persistence import PersistenceError
from psycopg_pool import PoolTimeout
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from application.context import Caller
from application.errors import StoreUnavailable
from application.lab import PartnerLab
from application.views import OrganizationFilter, PageRequest, PartnershipFilter
from domain.values import OrganizationKind, Stage
from infrastructure.projection_faults import Fault
from infrastructure.settings import Settings

cli = typer.Typer(
    name="partnerlab",
    help="Partnerlab: the partnership lab's record of association-company partnerships.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Set up the database.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


def _register_subcommands() -> None:
    from partnerlab.audit_cli import audit_cli
    from partnerlab.keys_cli import keys_cli

    cli.add_typer(audit_cli, name="audit")
    cli.add_typer(keys_cli, name="keys")


DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    StoreUnavailable,
    PersistenceError,
    PoolTimeout,
    psycopg.Error,
    sqlite3.Error,
    OSError,
)

SOURCE_ROOT = Path(__file__).resolve().parent.parent
EXIT_DATABASE = 1
EXIT_CONFIGURATION = 2


def _out() -> Console:
    return Console(soft_wrap=True)


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True)


def _fail(message: str, code: int) -> NoReturn:
    _err().print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def read_settings() -> Settings:
    """Read the settings from the environment, or exit with the configuration problem."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
            for e in error.errors()
        )
        _fail(f"invalid configuration: {problems}", EXIT_CONFIGURATION)


def _redact(message: str, settings: Settings) -> str:
    if settings.postgres_password:
        message = message.replace(settings.postgres_password, "***")
    return message


@contextmanager
def database_errors(settings: Settings) -> Iterator[None]:
    """Turn an unreachable or unusable database into one clear line and exit code 1."""
    try:
        yield
    except DATABASE_ERRORS as error:
        detail = getattr(error, "message", None) or str(error) or type(error).__name__
        detail = " ".join(_redact(str(detail), settings).split())
        _fail(
            f"cannot use the database ({settings.describe_database()}): {detail}",
            EXIT_DATABASE,
        )


def check_database(settings: Settings) -> None:
    """Fail fast, before the server starts, when the database cannot be reached."""
    if settings.backend == "postgres":
        with psycopg.connect(settings.postgres_conninfo()):
            return
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(settings.sqlite_path).close()


# ---------------------------------------------------------------------------- serve


@cli.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on (default: settings' host).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: settings' port).")
    ] = None,
    reload: Annotated[
        bool, typer.Option(help="Restart on code changes (development only).")
    ] = False,
) -> None:
    """Serve the HTTP API with uvicorn."""
    import uvicorn

    settings = read_settings()
    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = settings.model_copy(update=overrides)
    with database_errors(settings):
        check_database(settings)
    _out().print(
        f"Serving Partnerlab on http://{settings.host}:{settings.port} "
        f"({settings.describe_database()})",
        highlight=False,
    )
    if reload:
        # The reloader imports the factory in a child process, which reads the same environment.
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            reload=True,
            reload_dirs=[str(SOURCE_ROOT)],
        )
        return
    from api.app import create_app

    with database_errors(settings):
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


# ---------------------------------------------------------------------------- db


@db_cli.command("init")
def db_init() -> None:
    """Create every table: events, snapshots, read models and idempotency keys."""
    from partnerlab.bootstrap import init_database

    settings = read_settings()
    with database_errors(settings):
        check_database(settings)
        init_database(settings)
    _out().print(f"Database ready: {settings.describe_database()}", highlight=False)


# ---------------------------------------------------------------------------- project


@cli.command()
def project(
    once: Annotated[
        bool, typer.Option("--once", help="Catch up with the event log, then exit.")
    ] = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Rebuild the reports from the first event into fresh tables, swapped in "
            "when complete (the API keeps serving the old ones), then exit.",
        ),
    ] = False,
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
    is listed here and in GET /api/v1/projections, and `--retry NAME` resumes it."""
    from partnerlab.bootstrap import projection_faults, retry_projection, run_projector

    settings = read_settings()
    with database_errors(settings):
        check_database(settings)
    out = _out()
    if retry is not None:
        with database_errors(settings):
            try:
                left = retry_projection(settings, retry, retry_lab)
            except KeyError:
                out.print(f"No read model named {retry!r}.", highlight=False)
                raise typer.Exit(2) from None
        if left:
            _print_faults(out, left)
            raise typer.Exit(1)
        out.print(f"Read model {retry} replayed its held events and is running.")
        return
    if rebuild:
        from partnerlab.rebuild import rebuild_reports

        with database_errors(settings):
            outcome = rebuild_reports(settings, out)
        out.print(
            f"Reports rebuilt: {outcome.events} events in {outcome.seconds:.1f}s, generation "
            f"{outcome.generation} now serves up to position {outcome.position}",
            highlight=False,
        )
        return
    if once:
        with database_errors(settings):
            processed = run_projector(settings, once=True)
        out.print(
            f"Read models up to date ({processed} events projected) in "
            f"{settings.describe_database()}",
            highlight=False,
        )
        with database_errors(settings):
            faults = projection_faults(settings)
        if faults:
            _print_faults(out, faults)
            raise typer.Exit(1)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    out.print(
        f"Projecting events in {settings.describe_database()} (Ctrl-C to stop)",
        highlight=False,
    )
    with _stop_on_signals(stop), database_errors(settings):
        run_projector(settings, stop=stop)
    out.print("Projector stopped.")


def _print_faults(out: Console, faults: Sequence[Fault]) -> None:
    for fault in faults:
        out.print(
            f"Read model {fault.read_model} {fault.state} for lab {fault.lab} at position "
            f"{fault.position}: {fault.error}",
            highlight=False,
        )
    names = sorted({fault.read_model for fault in faults})
    out.print(
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


# ---------------------------------------------------------------------------- demo


@cli.command()
def demo(
    lab: Annotated[
        str | None, typer.Option(help="Lab to load into (default: settings' default lab).")
    ] = None,
    actor: Annotated[str, typer.Option(help="Who the events are recorded by.")] = "demo",
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the read models to catch up.")
    ] = 60.0,
) -> None:
    """Load the demonstration data set (once) and show what the lab now holds."""
    from partnerlab.bootstrap import build_runtime
    from partnerlab.demo import DemoDataError, load_demo

    settings = read_settings()
    lab_name = lab or settings.default_lab
    out = _out()
    with database_errors(settings):
        check_database(settings)
        runtime = build_runtime(settings, run_projections=True)
        try:
            summary = load_demo(runtime.app, lab=lab_name, actor=actor)
            caught_up = runtime.app.wait_for_projections(summary.last_position, timeout=timeout)
            caller = Caller(lab=lab_name, actor=actor)
            tables = summary_tables(runtime.app, caller) if caught_up else []
        except DemoDataError as error:
            _fail(str(error), EXIT_DATABASE)
        finally:
            runtime.close()
    out.print(summary.message, highlight=False)
    out.print(f"Lab {lab_name!r} in {settings.describe_database()}", highlight=False)
    if not caught_up:
        _err().print(
            "[yellow]warning:[/] the read models are still catching up; "
            "run `partnerlab project --once` and list again.",
            highlight=False,
        )
        return
    for table in tables:
        out.print(table)


def summary_tables(app: PartnerLab, caller: Caller) -> list[Table]:
    """What the lab's catalogue holds: organisations by kind, partnerships by stage."""
    one = PageRequest(limit=1)
    organizations = Table(title="Organisations")
    organizations.add_column("kind")
    organizations.add_column("count", justify="right")
    total = 0
    for kind in OrganizationKind:
        count = app.list_organizations(caller, OrganizationFilter(kind=kind), one).total
        total += count
        organizations.add_row(kind.value, str(count))
    organizations.add_section()
    organizations.add_row("total", str(total))

    partnerships = Table(title="Partnerships by stage reached")
    partnerships.add_column("stage")
    for column in ("open", "abandoned", "total"):
        partnerships.add_column(column, justify="right")
    sums = {"open": 0, "abandoned": 0}
    for stage in Stage:
        counts = {
            status: app.list_partnerships(
                caller, PartnershipFilter(stage=stage, status=status), one
            ).total
            for status in sums
        }
        for status, count in counts.items():
            sums[status] += count
        partnerships.add_row(
            stage.value, str(counts["open"]), str(counts["abandoned"]), str(sum(counts.values()))
        )
    partnerships.add_section()
    partnerships.add_row(
        "total", str(sums["open"]), str(sums["abandoned"]), str(sum(sums.values()))
    )
    return [organizations, partnerships]


_register_subcommands()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
