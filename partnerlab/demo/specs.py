"""The demo data set's records, read from ``data/*.json`` (shipped with the package).

``organizations.json`` lists the organisations in the order they are registered;
``partnerships.json`` the partnerships in the order they are opened, each with its ``steps``:
the milestones recorded after the opening, in order, each named by its ``type``. A field left
out takes the default below. A step's fields are named as the use case that records it names
its arguments, but for a few short names in the files (``on`` for ``occurred_on``, ``text``
for ``progress``, ``category`` for an idea's ``proposed_category``). A ``co_construction``
names its idea by the idea's ``key``; a ``correction`` names the step it corrects by its index
(0 is the opening). Reading fails loudly (``DemoDataError``) on a misspelt field or a bad value.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib.resources import files
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from domain.values import Category, OrganizationKind, OriginKind, SubKind

DATA = files(__package__) / "data"
"""Where the data files are, inside the installed package."""


class DemoDataError(Exception):
    """The demo data set cannot be loaded into this application (e.g. its clock is too early)."""


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OrganizationSpec(_Spec):
    key: str
    kind: OrganizationKind
    name: str
    territory: str
    field_of_activity: str
    description: str
    legal_identifier: str | None = None


OccurredOn = Annotated[date, Field(alias="on")]


class Meeting(_Spec):
    type: Literal["meeting"]
    occurred_on: OccurredOn
    note: str | None = None


class Idea(_Spec):
    type: Literal["idea"]
    key: str
    title: str
    proposed_category: Category = Field(alias="category")
    occurred_on: OccurredOn
    description: str | None = None


class CoConstruction(_Spec):
    type: Literal["co_construction"]
    idea: str
    occurred_on: OccurredOn
    note: str | None = None


class Progress(_Spec):
    type: Literal["progress"]
    progress: str = Field(alias="text")
    occurred_on: OccurredOn


class Contract(_Spec):
    type: Literal["contract"]
    category: Category
    sub_kind: SubKind
    signed_on: date
    starts_on: date
    ends_on: date
    financial_eur: Decimal = Decimal(0)
    in_kind_eur: Decimal = Decimal(0)
    skills_days: Decimal = Decimal(0)
    note: str | None = None


class Evaluation(_Spec):
    type: Literal["evaluation"]
    occurred_on: OccurredOn
    beneficiaries: int = 0
    jobs_created: int = 0
    volunteer_days: Decimal = Decimal(0)
    in_kind_eur: Decimal = Decimal(0)
    satisfaction: int | None = None
    findings: str | None = None


class Renewal(_Spec):
    type: Literal["renewal"]
    occurred_on: OccurredOn
    ends_on: date
    financial_eur: Decimal = Decimal(0)
    in_kind_eur: Decimal = Decimal(0)
    skills_days: Decimal = Decimal(0)
    note: str | None = None


class Abandonment(_Spec):
    type: Literal["abandonment"]
    reason: str
    occurred_on: OccurredOn


class Correction(_Spec):
    """Correct the milestone recorded by step ``step`` of the story (0 is the opening)."""

    type: Literal["correction"]
    step: int
    changes: dict[str, Any]
    reason: str


Step: TypeAlias = Annotated[
    Meeting
    | Idea
    | CoConstruction
    | Progress
    | Contract
    | Evaluation
    | Renewal
    | Abandonment
    | Correction,
    Field(discriminator="type"),
]


class PartnershipSpec(_Spec):
    key: str
    association: str
    company: str
    origin: OriginKind
    reference_id: str | None
    opened_on: date
    note: str | None
    steps: tuple[Step, ...] = ()

    @property
    def dates(self) -> list[date]:
        found = [self.opened_on]
        for step in self.steps:
            if isinstance(step, Contract):
                found.extend((step.signed_on, step.starts_on))
            elif not isinstance(step, Correction):
                found.append(step.occurred_on)
        return found


def read(name: str, records: TypeAdapter[Any]) -> Any:
    """The records of ``data/<name>.json``; amounts are read as exact decimals."""
    text = (DATA / f"{name}.json").read_text(encoding="utf-8")
    try:
        return records.validate_python(json.loads(text, parse_float=Decimal))
    except ValidationError as error:
        raise DemoDataError(f"data/{name}.json: {error}") from error


ORGANIZATIONS: tuple[OrganizationSpec, ...] = read(
    "organizations", TypeAdapter(tuple[OrganizationSpec, ...])
)
PARTNERSHIPS: tuple[PartnershipSpec, ...] = read(
    "partnerships", TypeAdapter(tuple[PartnershipSpec, ...])
)
LATEST_DATE: date = max(d for spec in PARTNERSHIPS for d in spec.dates)
