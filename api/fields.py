"""Field types shared by the schemas: what a well-formed date, amount or text looks like.

These check the *shape* of the input (an ISO date, a finite decimal of sane size, printable
text of bounded length); the business rules (no future date, no negative amount...) stay in
the domain, which names the rule it enforces.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar, cast, get_type_hints

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
)

MAX_AMOUNT_DIGITS = 15  # about a thousand billion, with cents
MAX_COUNT = 1_000_000_000
MAX_VERSION = 2**31 - 1

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_string(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` strings: pydantic would otherwise read numbers as timestamps."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
DATE_RANGE = f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
"""The one valid range of every date and moment the API takes (business dates, as_of,
known_at, at, period and activity filters): beyond it, 422."""


def in_date_range(value: date | None) -> date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValueError(f"must be {DATE_RANGE}")
    return value


def in_moment_range(value: datetime | None) -> datetime | None:
    """The moment's own calendar day must be in range (no conversion: near the ends of
    Python's calendar a time zone could not even be applied)."""
    if value is not None and not EARLIEST <= value.date() <= LATEST:
        raise ValueError(f"must be {DATE_RANGE}")
    return value


def _iso_date_or_none(value: Any) -> Any:
    return None if value is None else _iso_date_string(value)


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


def printable(value: str) -> str:
    """Refuse control characters (but tab and line breaks) and lone surrogates: no store
    keeps them faithfully (PostgreSQL text refuses NUL, UTF-8 refuses surrogates)."""
    for char in value:
        if char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters")
    return value


def printable_or_none(value: str | None) -> str | None:
    return None if value is None else printable(value)


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date_string),
    AfterValidator(in_date_range),
    Field(description=f"A calendar date, YYYY-MM-DD, {DATE_RANGE}.", examples=["2014-03-12"]),
]
QueryDate = Annotated[
    date | None, BeforeValidator(_iso_date_or_none), AfterValidator(in_date_range)
]
"""A date filter: ``YYYY-MM-DD`` only (``held_to=0`` is not 1970-01-01), in range."""
QueryMoment = Annotated[datetime | None, AfterValidator(in_moment_range)]
"""A moment filter (ISO 8601), its day in range."""
QueryText = Annotated[str | None, AfterValidator(printable_or_none)]
"""A text filter: no NUL or other control characters (PostgreSQL refuses NUL)."""
WritePosition = Annotated[
    int | None,
    Field(description="Position of the write in the event log (for read-your-writes)."),
]
"""Where a write reached in the log: a read that waits for it sees the write."""
Amount = Annotated[
    Decimal,
    Field(
        max_digits=MAX_AMOUNT_DIGITS,
        decimal_places=2,
        allow_inf_nan=False,
        description="A decimal as a string (preferred) or a number, at most 2 decimals.",
        examples=["1500.00"],
    ),
]
Count = Annotated[int, BeforeValidator(_not_bool), Field(le=MAX_COUNT)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]

ShortText = Annotated[str, Field(max_length=200), AfterValidator(printable)]
LongText = Annotated[
    str,
    Field(max_length=5_000, description="Free text; no personal data about contact persons."),
    AfterValidator(printable),
]
Code = Annotated[str, Field(max_length=32), AfterValidator(printable)]

CorrectionValue = Annotated[
    Annotated[str, Field(max_length=5_000), AfterValidator(printable)]
    | Annotated[int, Field(ge=-MAX_COUNT, le=MAX_COUNT)]
    | Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
    | None,
    Field(union_mode="left_to_right"),
    BeforeValidator(_not_bool),
]
"""A scalar a correction may set; which field takes which type is the domain's business."""


class Input(BaseModel):
    """Base of every request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


Schema = TypeVar("Schema", bound=BaseModel)


def shows(view: type, *, exclude: Collection[str] = ()) -> Callable[[type[Schema]], type[Schema]]:
    """A schema that shows an application ``view`` (a dataclass): it has the view's fields,
    in its order and with its types, every one required, then its own (a field declared
    again keeps its place and takes the schema's type and description). The schema's body
    holds fields only (it is made again from them)."""

    def schema(declared: type[Schema]) -> type[Schema]:
        hints = get_type_hints(view)
        fields: dict[str, Any] = {
            f.name: (hints[f.name], ...) for f in dataclasses.fields(view) if f.name not in exclude
        }
        fields |= {name: (info.annotation, info) for name, info in declared.model_fields.items()}
        made: type[BaseModel] = create_model(
            declared.__name__,
            __base__=declared.__bases__,
            __doc__=declared.__doc__,
            __module__=declared.__module__,
            **fields,
        )
        return cast("type[Schema]", made)

    return schema


class CommittedCreate(Input):
    """What a contract or a renewal commits; an omitted amount is zero."""

    financial_eur: Amount = Decimal(0)
    in_kind_eur: Amount = Decimal(0)
    skills_days: Amount = Decimal(0)


class AmountsPublic(Output):
    financial_eur: Decimal
    in_kind_eur: Decimal
    skills_days: Decimal


T = TypeVar("T")


class PagePublic(BaseModel, Generic[T]):
    """One page of a list, with the total number of matches."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Problem(BaseModel):
    """An error as RFC 9457 problem details, with the rule and the field at fault."""

    type: str
    title: str
    status: int
    detail: str
    rule: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


class Status(BaseModel):
    status: str
