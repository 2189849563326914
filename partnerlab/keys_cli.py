"""``partnerlab keys``: the operator's way to issue, list and revoke API keys.

It talks to the database directly (through ``build_runtime``), so it works on a fresh install
with no key at all: that is how the first admin key is made. What it does is recorded like any
write, with ``cli:<operating-system user>`` as the actor.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from application.api_keys import ApiKeyView
from application.context import Caller
from application.errors import ApplicationError, StoreUnavailable
from domain.api_key import Role
from domain.errors import DomainError

if TYPE_CHECKING:
    from partnerlab.bootstrap import Runtime

keys_cli = typer.Typer(
    help="API keys: create (the token is shown once), list, revoke.", no_args_is_help=True
)

EXIT_REFUSED = 2


def operator() -> str:
    """Who runs the command, as the actor of what it records."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"


@contextmanager
def _runtime() -> Iterator[Runtime]:
    from partnerlab.bootstrap import build_runtime
    from partnerlab.cli import check_database, database_errors, read_settings

    settings = read_settings()
    with database_errors(settings):
        check_database(settings)
        runtime = build_runtime(settings, run_projections=False)
        try:
            yield runtime
        finally:
            runtime.close()


def _refused(error: DomainError | ApplicationError) -> Exception:
    """The exit for a refusal (a store outage stays the database error it is)."""
    if isinstance(error, StoreUnavailable):
        return error
    Console(stderr=True, soft_wrap=True).print(
        f"[bold red]refused:[/] {error.message}", highlight=False
    )
    return typer.Exit(EXIT_REFUSED)


def _expiry(expires_at: str | None, expires_in_days: int | None) -> datetime | None:
    if expires_at is not None and expires_in_days is not None:
        raise typer.BadParameter("give --expires-at or --expires-in-days, not both")
    if expires_in_days is not None:
        return datetime.now(UTC) + timedelta(days=expires_in_days)
    if expires_at is None:
        return None
    try:
        moment = datetime.fromisoformat(expires_at)
    except ValueError:
        raise typer.BadParameter(f"{expires_at!r} is not an ISO date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@keys_cli.command()
def create(
    lab: Annotated[str, typer.Option(help="The lab the key belongs to (it sees nothing else).")],
    role: Annotated[Role, typer.Option(help="What the key may do.", case_sensitive=False)],
    name: Annotated[
        str, typer.Option(help="Who holds the key: recorded as the actor of its writes.")
    ],
    expires_at: Annotated[
        str | None, typer.Option(help="When it stops working (ISO 8601; UTC if no zone).")
    ] = None,
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, max=36_500, help="Or: how many days it works.")
    ] = None,
) -> None:
    """Issue a key and print its token, once: the token is not stored and cannot be shown again.

    The token alone goes to standard output (TOKEN=$(partnerlab keys create ...)); the rest
    goes to standard error.
    """
    expiry = _expiry(expires_at, expires_in_days)
    with _runtime() as runtime:
        try:
            runtime.followers["api-keys"].catch_up()  # names are checked on the key list
            issued = runtime.app.issue_api_key(
                Caller(lab=lab, actor=operator()), name=name, role=role, expires_at=expiry
            )
        except (DomainError, ApplicationError) as error:
            raise _refused(error) from None
    key = issued.key
    until = f"until {key.expires_at.isoformat()}" if key.expires_at else "with no expiry"
    Console(stderr=True, soft_wrap=True).print(
        f"Issued {key.role.value} key {key.id} of lab {key.lab!r} to {key.name!r}, {until}.\n"
        "Its token follows; it is shown this once only, store it now:",
        highlight=False,
    )
    typer.echo(issued.token)


@keys_cli.command("list")
def list_keys(
    lab: Annotated[str | None, typer.Option(help="Only this lab's keys (default: all).")] = None,
) -> None:
    """List keys (never their secrets): lab, role, holder, when issued, expiry, revocation."""
    with _runtime() as runtime:
        runtime.followers["api-keys"].catch_up()
        keys = runtime.app.list_api_keys(Caller(lab=lab, actor=operator()) if lab else None)
    Console(soft_wrap=True).print(_table(keys))


def _table(keys: list[ApiKeyView]) -> Table:
    table = Table(title="API keys")
    for column in ("id", "lab", "role", "name", "issued", "expires", "revoked"):
        table.add_column(column, overflow="fold")  # ids are never cut: they are typed back
    for key in keys:
        table.add_row(
            str(key.id),
            key.lab,
            key.role.value,
            key.name,
            key.issued_at.isoformat(timespec="seconds"),
            key.expires_at.isoformat(timespec="seconds") if key.expires_at else "-",
            f"{key.revoked_at.isoformat(timespec='seconds')} by {key.revoked_by}"
            if key.revoked_at
            else "-",
        )
    return table


@keys_cli.command()
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (as `keys list` shows it).")],
    reason: Annotated[str | None, typer.Option(help="Why, for the audit log.")] = None,
) -> None:
    """Revoke a key: it is refused from the next request on."""
    try:
        key_uuid = UUID(key_id)
    except ValueError:
        raise typer.BadParameter(f"{key_id!r} is not a key id") from None
    with _runtime() as runtime:
        try:
            lab = runtime.app.api_key_lab(key_uuid)
            runtime.app.revoke_api_key(Caller(lab=lab, actor=operator()), key_uuid, reason=reason)
        except (DomainError, ApplicationError) as error:
            raise _refused(error) from None
    Console(soft_wrap=True).print(f"Revoked key {key_uuid} of lab {lab!r}.", highlight=False)
