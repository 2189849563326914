"""``partnerlab users``: the operator's way to create the console's accounts (the first admin
included) and to give a person a new password link.

Like ``partnerlab keys``, it talks to the database directly, and what it records names
``cli:<operating-system user>`` as the actor. The one-time link goes to standard output, the
rest to standard error.
"""

from __future__ import annotations

import getpass
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from application.access.accounts import password_link
from application.context import Caller
from application.errors import ApplicationError, StoreUnavailable
from domain.access.account import account_id
from domain.access.api_key import Role
from domain.errors import DomainError
from partnerlab.cli.app import open_database, runtime

EXIT_REFUSED = 2


def operator() -> str:
    """Who runs the command, as the actor of what it records."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"


def _refused(error: DomainError | ApplicationError) -> Exception:
    """The exit for a refusal (a store outage stays the database error it is)."""
    if isinstance(error, StoreUnavailable):
        return error
    Console(stderr=True, soft_wrap=True).print(
        f"[bold red]refused:[/] {error.message}", highlight=False
    )
    return typer.Exit(EXIT_REFUSED)


users_cli = typer.Typer(
    help="Console accounts: create one (prints its password link), issue a new link.",
    no_args_is_help=True,
)


@users_cli.command()
def create(
    lab: Annotated[str, typer.Option(help="The lab the person works for (they see no other).")],
    role: Annotated[Role, typer.Option(help="What the person may do.", case_sensitive=False)],
    email: Annotated[str, typer.Option(help="The person's e-mail: how they sign in.")],
) -> None:
    """Create an account and print its one-time link, where the person sets a password.

    The link works once, for 48 hours (then `partnerlab users link --email E` gives a new one).
    """
    settings = open_database()
    with runtime(settings) as built:
        try:
            created = built.app.accounts.create_account(
                Caller(lab=lab, actor=operator()), email=email, role=role
            )
        except (DomainError, ApplicationError) as error:
            raise _refused(error) from None
    account = created.account
    Console(stderr=True, soft_wrap=True).print(
        f"Created the {account.role.value} account of {account.email} in lab {account.lab!r}.\n"
        f"Send them this link to set their password (it works once, until "
        f"{created.expires_at.isoformat(timespec='minutes')}):",
        highlight=False,
    )
    typer.echo(password_link(settings.console_url, created.link_token))


@users_cli.command()
def link(
    email: Annotated[str, typer.Option(help="The account's e-mail.")],
) -> None:
    """Print a new one-time password link for an account (the previous one stops working)."""
    settings = open_database()
    with runtime(settings) as built:
        try:
            wanted: UUID = account_id(email)
            lab = built.app.accounts.account_lab(wanted)
            created = built.app.accounts.issue_password_link(
                Caller(lab=lab, actor=operator()), wanted
            )
        except (DomainError, ApplicationError) as error:
            raise _refused(error) from None
    typer.echo(password_link(settings.console_url, created.link_token))
