"""The ``partnerlab`` command's root and what its sub-commands share: reading the settings,
announcing the database a command uses, refusing to create a SQLite file by accident, and
turning database failures into one clear line.

Sub-command modules import this one and never each other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import psycopg
import typer
from eventsourcing.persistence import PersistenceError
from psycopg_pool import PoolTimeout
from pydantic import ValidationError
from rich.console import Console

from application.errors import StoreUnavailable
from infrastructure.settings import Settings

if TYPE_CHECKING:
    from partnerlab.bootstrap import Runtime

cli = typer.Typer(
    name="partnerlab",
    help="Partnerlab: the partnership lab's record of association-company partnerships.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    StoreUnavailable,
    PersistenceError,
    PoolTimeout,
    psycopg.Error,
    sqlite3.Error,
    OSError,
)

SOURCE_ROOT = Path(__file__).resolve().parents[2]
EXIT_DATABASE = 1
EXIT_CONFIGURATION = 2


def out() -> Console:
    return Console(soft_wrap=True)


def err() -> Console:
    return Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int) -> NoReturn:
    err().print(f"[bold red]error:[/] {message}", highlight=False)
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
        fail(f"invalid configuration: {problems}", EXIT_CONFIGURATION)


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
        fail(
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


def open_database(*, may_create: bool = False) -> Settings:
    """The settings of a command that uses the database: says on standard error which one it
    uses, checks it can be reached, and refuses to create a new SQLite file unless
    ``may_create`` (``serve``, ``db init`` and ``demo`` only).

    Keys issued into, or reports read from, a file made by accident in another directory
    would be invisible to the server: that mistake stops here, with the way out.
    """
    settings = read_settings()
    err().print(f"Database: {settings.describe_database()}", highlight=False)
    if settings.backend == "sqlite" and not may_create and not settings.sqlite_path.exists():
        fail(
            f"no database at {settings.sqlite_path.resolve()}: run `partnerlab db init` (or "
            "`partnerlab serve`) first, or run this command where the server runs, or set "
            "PARTNERLAB_SQLITE_PATH (or PARTNERLAB_DATABASE_URL) to the server's database",
            EXIT_DATABASE,
        )
    with database_errors(settings):
        check_database(settings)
    return settings


@contextmanager
def runtime(settings: Settings, *, run_projections: bool = False) -> Iterator[Runtime]:
    """The wired application on ``settings``' database, closed on exit; database failures
    become one clear line."""
    from partnerlab.bootstrap import build_runtime

    with database_errors(settings):
        built = build_runtime(settings, run_projections=run_projections)
        try:
            yield built
        finally:
            built.close()
