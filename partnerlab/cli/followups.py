"""``partnerlab follow-ups``: the weekly digest mailed to each staff member."""

from __future__ import annotations

from typing import Annotated

import typer

from infrastructure.followups.mailer import SmtpMailer
from partnerlab.cli.app import open_database, runtime

followups_cli = typer.Typer(help="Follow-ups: the weekly digest.", no_args_is_help=True)


@followups_cli.command("send-digest")
def send_digest(
    lab: Annotated[str | None, typer.Option(help="The lab (default: the settings').")] = None,
) -> None:
    """Mail each staff member their open follow-ups not yet mailed this ISO week (safe to run
    twice: nothing is mailed twice in one week)."""
    settings = open_database()
    with runtime(settings) as rt:
        rt.followers.catch_up()
        report = rt.app.follow_ups.send_digest(lab or settings.default_lab, SmtpMailer(settings))
    for staff, count in report.mailed.items():
        typer.echo(f"{report.week} {staff}: {count} item(s) mailed")
    if not report.mailed:
        typer.echo(f"{report.week}: no staff member has open follow-ups")
