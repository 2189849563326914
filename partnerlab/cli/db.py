"""``partnerlab db``: set up the database."""

from __future__ import annotations

import typer

from partnerlab.cli.app import database_errors, open_database, out

db_cli = typer.Typer(help="Set up the database.", no_args_is_help=True)


@db_cli.command("init")
def db_init() -> None:
    """Create every table: events, snapshots, read models and idempotency keys."""
    from partnerlab.bootstrap import init_database

    settings = open_database(may_create=True)
    with database_errors(settings):
        init_database(settings)
    out().print(f"Database ready: {settings.describe_database()}", highlight=False)
