"""``partnerlab check``: what recorded data breaks a rule added after it was recorded."""

from __future__ import annotations

from typing import Annotated

import typer

from partnerlab.cli.app import open_database, runtime


def check(
    lab: Annotated[str | None, typer.Option(help="The lab (default: the settings').")] = None,
) -> None:
    """List milestone dates out of order, legal identifiers held twice and pairs with two open
    partnerships, with the ids and what to correct; exit 1 when anything is found."""
    settings = open_database()
    name = lab or settings.default_lab
    with runtime(settings) as rt:
        rt.followers.catch_up()
        findings = rt.app.checks.check_lab(name)
    for finding in findings:
        typer.echo(f"[{finding.rule}] {finding.message}")
    if findings:
        typer.echo(f"{len(findings)} problem(s) in lab {name}", err=True)
        raise typer.Exit(1)
    typer.echo(f"lab {name}: no recorded data breaks a rule")
