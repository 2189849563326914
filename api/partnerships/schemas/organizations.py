"""Organisations in and out: registering, updating, archiving, listing."""

from __future__ import annotations

from pydantic import Field, field_validator

from api.fields import Code, Input, LongText, Output, PagePublic, ShortText, WritePosition, shows
from application.partnerships.views import OrganizationSummary, OrganizationView
from domain.values import OrganizationKind


class OrganizationCreate(Input):
    """An association or a company entering the lab's catalogue (legal persons only)."""

    kind: OrganizationKind
    name: ShortText = Field(examples=["Banque alimentaire du Bas-Rhin"])
    territory: Code = Field(description="A French département code.", examples=["67"])
    legal_identifier: Code | None = Field(
        default=None, description="SIREN/SIRET for a company, RNA number for an association."
    )
    field_of_activity: ShortText | None = None
    description: LongText | None = None


class OrganizationUpdate(Input):
    """The fields to change; omitted fields are left as they are, null clears optional ones."""

    name: ShortText | None = None
    territory: Code | None = None
    legal_identifier: Code | None = None
    field_of_activity: ShortText | None = None
    description: LongText | None = None

    @field_validator("name", "territory")
    @classmethod
    def _required_fields_cannot_be_cleared(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("may be changed but not cleared")
        return value


class OrganizationArchive(Input):
    reason: LongText | None = None


@shows(OrganizationView)
class OrganizationPublic(Output):
    pass


class OrganizationWritten(OrganizationPublic):
    """The organisation as a write left it, with the log position the write reached."""

    position: WritePosition
    warnings: list[str] = Field(
        default_factory=list,
        description="What to check although the write was recorded: an organisation whose "
        "name matches this one ignoring accents, case and punctuation.",
    )


@shows(OrganizationSummary)
class OrganizationSummaryPublic(Output):
    pass


OrganizationsPublic = PagePublic[OrganizationSummaryPublic]
