"""The ``partnerlab`` command: serve the API, set up the database, run projections, load a
demo, audit the log, manage API keys and console accounts.

``app`` holds the root and what the sub-commands share; each sub-command group lives in its
own module, which imports ``app`` and no other sub-command. Settings are read once per command
from the environment (``PARTNERLAB_*``, ``POSTGRES_*``); with no configuration at all
everything runs on a SQLite file in the working directory.
"""

from __future__ import annotations

from partnerlab.cli.app import cli
from partnerlab.cli.audit import audit_cli
from partnerlab.cli.check import check
from partnerlab.cli.db import db_cli
from partnerlab.cli.demo import demo
from partnerlab.cli.followups import followups_cli
from partnerlab.cli.keys import keys_cli
from partnerlab.cli.project import project
from partnerlab.cli.serve import serve
from partnerlab.cli.users import users_cli

cli.command()(serve)
cli.add_typer(db_cli, name="db")
cli.command()(project)
cli.command()(demo)
cli.add_typer(audit_cli, name="audit")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(followups_cli, name="follow-ups")
cli.add_typer(users_cli, name="users")
cli.command()(check)


def main() -> None:
    cli()


__all__ = ["cli", "main"]
