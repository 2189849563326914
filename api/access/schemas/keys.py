"""API keys in and out. A key's token appears in exactly one response: the one issuing it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

from api.fields import Input, LongText, Output, ShortText, shows
from application.access.api_keys import ApiKeyView
from domain.access.api_key import Role


def _representable_in_utc(value: datetime) -> datetime:
    """A time whose UTC form is out of range (year 9999 west of Greenwich...) is refused."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a time between years 1 and 9999 in UTC") from None


Expiry = Annotated[
    AwareDatetime,
    AfterValidator(_representable_in_utc),
    Field(
        description="When the key stops working (with its time zone).",
        examples=["2027-06-30T00:00:00Z"],
    ),
]


class KeyCreate(Input):
    """A new key of the caller's lab: who holds it (recorded as the actor of their writes)
    and what it may do."""

    name: ShortText = Field(
        description="The person or service holding the key; recorded as the actor of its writes.",
        examples=["claire@labo-partenariats.example"],
    )
    role: Role
    expires_at: Expiry | None = None


class KeyRevoke(Input):
    reason: LongText | None = None


@shows(ApiKeyView)
class KeyPublic(Output):
    """A key as its lab's admins see it: never its secret nor the secret's hash."""


class KeyIssued(KeyPublic):
    token: str = Field(
        description="The bearer token: shown in this response only, store it now.",
        examples=["plk_0f8c..._..."],
    )
    position: int | None = Field(description="The log position of the issuing event.")


class KeyRevoked(KeyPublic):
    position: int | None = Field(description="The log position of the revoking event.")


class KeysPublic(Output):
    items: list[KeyPublic]
