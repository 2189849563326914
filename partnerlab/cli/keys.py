"""``partnerlab keys``: the operator's way to issue, list and revoke API keys.

It talks to the database directly, so it works on a fresh install with no key at all: that is
how the first admin key is made. What it does is recorded like any write, with
``cli:<operating-system user>`` as the actor.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from application.access.api_keys import ApiKeyView
from application.context import Caller
from application.errors import ApplicationError, StoreUnavailable
from domain.access.api_key import Role
from domain.errors import DomainError
from partnerlab.cli.app import open_database, runtime

keys_cli = typer.Typer(
    help="API keys: create (the token is shown once), list, revoke.", no_args_is_help=True
)

EXIT_REFUSED = 2
SHORT_ID = 8
"""Characters of a key id shown by ``keys list`` (more when needed to tell two apart)."""


def operator() -> str:
    """Who runs the command, as the actor of what it records."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"


def _refused_message(message: str) -> typer.Exit:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]refused:[/] {message}", highlight=False)
    return typer.Exit(EXIT_REFUSED)


def _refused(error: DomainError | ApplicationError) -> Exception:
    """The exit for a refusal (a store outage stays the database error it is)."""
    if isinstance(error, StoreUnavailable):
        return error
    return _refused_message(error.message)


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
    settings = open_database()
    with runtime(settings) as built:
        try:
            built.followers["api-keys"].catch_up()  # names are checked on the key list
            issued = built.app.keys.issue_api_key(
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
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON (full ids, ISO times) instead of a table.")
    ] = False,
) -> None:
    """List keys (never their secrets): id, lab, role, holder, issued, expiry, revocation.

    The table shows each id's first characters, enough for `keys revoke`; `--json` gives
    whole ids.
    """
    settings = open_database()
    with runtime(settings) as built:
        built.followers.catch_up()  # so the listing does not wait for a projector
        keys = built.app.keys.list_api_keys(Caller(lab=lab, actor=operator()) if lab else None)
    if as_json:
        typer.echo(json.dumps([_as_json(key) for key in keys], indent=2))
        return
    Console(soft_wrap=True).print(_table(keys))


def _as_json(key: ApiKeyView) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": str(key.id),
        "lab": key.lab,
        "role": key.role.value,
        "name": key.name,
        "issued_at": moment(key.issued_at),
        "issued_by": key.issued_by,
        "expires_at": moment(key.expires_at),
        "revoked_at": moment(key.revoked_at),
        "revoked_by": key.revoked_by,
    }


def short_ids(ids: list[UUID]) -> dict[UUID, str]:
    """The shortest prefix of each id, at least ``SHORT_ID`` characters, that no other shares."""
    texts = {key: str(key) for key in ids}
    length = SHORT_ID
    while length < 36 and len({t[:length] for t in texts.values()}) < len(texts):
        length += 1
    return {key: text[:length] for key, text in texts.items()}


def _table(keys: list[ApiKeyView]) -> Table:
    """Dates only, short ids: fits 100 columns (names longer than their share are folded)."""
    table = Table(title="API keys")
    for column in ("id", "lab", "role", "name", "issued", "expires", "revoked"):
        table.add_column(column, overflow="fold", no_wrap=column in ("id", "issued"))
    short = short_ids([key.id for key in keys])
    for key in keys:
        table.add_row(
            short[key.id],
            key.lab,
            key.role.value,
            key.name,
            key.issued_at.date().isoformat(),
            key.expires_at.date().isoformat() if key.expires_at else "-",
            f"{key.revoked_at.date().isoformat()} by {key.revoked_by}" if key.revoked_at else "-",
        )
    return table


def resolve_key_id(given: str, known: list[UUID]) -> UUID:
    """A whole id, or a prefix (with or without dashes) that exactly one known key has."""
    text = given.strip().lower()
    try:
        return UUID(text)
    except ValueError:
        pass
    if not text or any(c not in "0123456789abcdef-" for c in text):
        raise _refused_message(f"{given!r} is not a key id or the start of one")
    plain = text.replace("-", "")
    matches = [key for key in known if str(key).startswith(text) or key.hex.startswith(plain)]
    if not matches:
        raise _refused_message(f"no API key has an id starting with {given!r}")
    if len(matches) > 1:
        listed = ", ".join(str(key) for key in matches)
        raise _refused_message(
            f"{given!r} is ambiguous: {len(matches)} keys start with it ({listed}); give more "
            "of the id"
        )
    return matches[0]


@keys_cli.command()
def revoke(
    key_id: Annotated[
        str,
        typer.Argument(help="The key's id, or its start as `keys list` shows it (unique)."),
    ],
    reason: Annotated[str | None, typer.Option(help="Why, for the audit log.")] = None,
) -> None:
    """Revoke a key: it is refused from the next request on."""
    settings = open_database()
    with runtime(settings) as built:
        try:
            built.followers.catch_up()
            known = [key.id for key in built.app.keys.list_api_keys(None)]
            key_uuid = resolve_key_id(key_id, known)
            lab = built.app.keys.api_key_lab(key_uuid)
            built.app.keys.revoke_api_key(
                Caller(lab=lab, actor=operator()), key_uuid, reason=reason
            )
        except (DomainError, ApplicationError) as error:
            raise _refused(error) from None
    Console(soft_wrap=True).print(f"Revoked key {key_uuid} of lab {lab!r}.", highlight=False)
