"""Query parameters shared by the reports, the dashboard and read-your-writes reads."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from pydantic import AfterValidator

from api.fields import QueryDate, QueryMoment, printable_or_none
from application.reporting.ports import ReportScope
from domain.values import Category, OriginKind

MAX_POSITION = 2**62


ReadPosition = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_POSITION,
        description="A log position a write returned: wait (up to 5 s) until the projections "
        "include it, else 503 projections-behind.",
    ),
]


def report_scope(
    as_of: Annotated[
        QueryDate,
        Query(description="The state as it stood on this business date (YYYY-MM-DD)."),
    ] = None,
    known_at: Annotated[
        QueryMoment,
        Query(
            description="Only what had been recorded by this time (ISO 8601; UTC if no zone). "
            "Alone, it also sets as_of to that day."
        ),
    ] = None,
    origin_kind: Annotated[
        OriginKind | None, Query(description="Where the partners first met.")
    ] = None,
    origin_reference_id: Annotated[
        str | None,
        Query(max_length=200, description="The speed-dating session or event they met at."),
        AfterValidator(printable_or_none),
    ] = None,
    category: Annotated[
        Category | None,
        Query(description="The contract's category (before a contract, the latest idea's)."),
    ] = None,
    territory: Annotated[
        str | None,
        Query(max_length=3, description="A partner's département (e.g. 67, 2A, 974)."),
        AfterValidator(printable_or_none),
    ] = None,
    period_from: Annotated[
        QueryDate,
        Query(alias="from", description="First day of the period (each figure's own date)."),
    ] = None,
    period_to: Annotated[
        QueryDate, Query(alias="to", description="Last day of the period, inclusive.")
    ] = None,
) -> ReportScope:
    return ReportScope(
        as_of=as_of,
        known_at=known_at,
        origin_kind=origin_kind,
        origin_reference_id=origin_reference_id,
        category=category,
        territory=territory,
        period_from=period_from,
        period_to=period_to,
    )


ScopeDep = Annotated[ReportScope, Depends(report_scope)]

Format = Annotated[
    Literal["json", "csv"] | None,
    Query(description="csv for a CSV table (as does Accept: text/csv); JSON by default."),
]


def wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept
