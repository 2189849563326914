"""Contact persons in and out. Their details are personal data: they are kept apart from the
event log and erased on request; write responses never echo them (a response kept for an
Idempotency-Key replay must hold nothing personal)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field

from api.fields import Code, Input, Output, ShortText, printable, shows
from application.access.contact_persons import ContactPersonView

Email = Annotated[
    str,
    Field(max_length=254, examples=["direction@banque-alimentaire.example"]),
    AfterValidator(printable),
]


class ContactPersonCreate(Input):
    """A person representing the organisation (a natural person: erasable on request)."""

    name: ShortText = Field(examples=["Marie Schmitt"])
    role: ShortText | None = Field(default=None, examples=["volunteer coordinator"])
    email: Email | None = None
    phone: Code | None = Field(default=None, examples=["+33 3 88 00 00 00"])


@shows(ContactPersonView)
class ContactPersonPublic(Output):
    pass


class ContactPersonsPublic(Output):
    items: list[ContactPersonPublic]


class ContactPersonWritten(Output):
    """What an addition or an erasure recorded: ids and versions, nothing personal."""

    id: UUID = Field(description="The contact person's id.")
    organization_id: UUID
    organization_version: int = Field(description="The organisation's version (its ETag).")
    position: int | None = Field(description="The log position of the event recorded.")
    erased: bool
