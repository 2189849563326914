"""What all activities share in and out: pairs, named organisations, list lines."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any
from uuid import UUID

from pydantic import BeforeValidator, Field

from api.fields import Input, IsoDate, Output, PagePublic, WritePosition, shows
from application.activities.views import ActivitySummary, NamedRef, PairView

_CLOCK = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def _clock_string(value: Any) -> Any:
    """Only ``HH:MM`` (or ``HH:MM:SS``) strings, lab local time: no zone, no number."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError("must be a local time written HH:MM")
    return value


ClockTime = Annotated[
    time,
    BeforeValidator(_clock_string),
    Field(description="Lab local time (Europe/Paris), HH:MM.", examples=["18:00"]),
]

PlannedDate = Annotated[
    IsoDate,
    Field(
        description="The planned date, YYYY-MM-DD (a plan: it may be in the future).",
        examples=["2014-03-12"],
    ),
]

MAX_PAIRS = 3600


class PairCreate(Input):
    association_id: UUID
    company_id: UUID


class OrganizationRefCreate(Input):
    organization_id: UUID


@shows(NamedRef)
class NamedRefPublic(Output):
    pass


@shows(PairView)
class PairPublic(Output):
    partnership_id: UUID | None = Field(
        description="The partnership this pair opened from the activity, once open."
    )


@shows(ActivitySummary)
class ActivitySummaryPublic(Output):
    status: str = Field(
        description="speed-dating: planned, scheduled, under_way, closed; events: planned, "
        "held; consulting: open; training: planned"
    )
    company_id: UUID | None = Field(
        description="The host company of a session, the client of a consulting engagement."
    )


ActivitiesPublic = PagePublic[ActivitySummaryPublic]


class PositionMixin(Output):
    position: WritePosition
