"""Recorded events as rows of the reports' bitemporal read model (pure: no I/O).

Every milestone becomes a row with its business date (``day``, a proleptic ordinal, and its
``year``) and its recording time (``recorded_us``, microseconds since 1970 UTC). A correction
does not edit a row: it closes the row it corrects and adds the corrected version, recorded at
the correction's time. Organisations' names and territories are kept the same way. Reports then
ask "as it stood on day D" (rows with ``day <= D``) and "as known at time T" (rows recorded by T
and not yet closed by T).

Amounts are kept as whole hundredths (EUR cents, hundredths of a day) so that sums are exact on
both databases and adding then subtracting a contribution leaves no rounding residue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from functools import singledispatch
from typing import Any, NamedTuple
from uuid import UUID

from application.read_models import attributes
from domain.partnerships import milestones
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


def microseconds(moment: datetime) -> int:
    """A recording time as whole microseconds since 1970 UTC (naive times are UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return (aware - EPOCH) // ONE_MICROSECOND


def hundredths(value: Any) -> int:
    """An amount as whole hundredths (cents, hundredths of a day), rounded half to even."""
    return int((Decimal(str(value)) * 100).to_integral_value(rounding=ROUND_HALF_EVEN))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value.value) if isinstance(value, Enum) else str(value)


@dataclass(frozen=True, slots=True)
class OrganizationVersion:
    """What reports need of an organisation: its name and territory, from ``recorded_us``."""

    id: UUID
    lab: str
    name: str
    territory: str
    recorded_us: int
    position: int


@dataclass(frozen=True, slots=True)
class OrganizationAmended:
    id: UUID
    changes: dict[str, Any]
    recorded_us: int
    position: int


@dataclass(frozen=True, slots=True)
class PartnershipParties:
    """Who the partners are and where they met: fixed when the partnership is opened."""

    id: UUID
    lab: str
    association_id: UUID
    company_id: UUID
    origin_kind: str
    origin_reference_id: str | None


MILESTONE_COLUMNS = (
    "kind",
    "stage_rank",
    "day",
    "year",
    "category",
    "sub_kind",
    "financial",
    "in_kind",
    "skills",
    "beneficiaries",
    "jobs",
    "volunteer",
    "satisfaction",
    "reason",
)


class MilestoneVersion(NamedTuple):
    """One version of one milestone: recorded by the event at ``position``.

    A named tuple: the rebuild makes one per event, and its last fields are the
    ``MILESTONE_COLUMNS`` in order.
    """

    partnership_id: UUID
    version: int
    position: int
    recorded_us: int
    kind: str
    stage_rank: int | None
    day: int
    year: int
    category: str | None = None
    sub_kind: str | None = None
    financial: int = 0
    in_kind: int = 0
    skills: int = 0
    beneficiaries: int = 0
    jobs: int = 0
    volunteer: int = 0
    satisfaction: int | None = None
    reason: str | None = None

    def columns(self) -> tuple[Any, ...]:
        """The values of ``MILESTONE_COLUMNS``, in order."""
        return self[4:]


@dataclass(frozen=True, slots=True)
class MilestoneAmended:
    """A correction: the milestone ``version`` of the partnership now reads ``changes``
    (column names of ``MilestoneVersion``)."""

    partnership_id: UUID
    version: int
    changes: dict[str, Any]
    recorded_us: int
    position: int


ReportChange = (
    OrganizationVersion
    | OrganizationAmended
    | PartnershipParties
    | MilestoneVersion
    | MilestoneAmended
)


def day_and_year(day: date) -> dict[str, int]:
    return {"day": day.toordinal(), "year": day.year}


# A correction's field (as the domain names it) and the report columns it sets.
_CORRECTED_COLUMNS: dict[str, Any] = {
    "occurred_on": day_and_year,
    "category": lambda v: {"category": _text(v)},
    "proposed_category": lambda v: {"category": _text(v)},
    "sub_kind": lambda v: {"sub_kind": _text(v)},
    "financial_eur": lambda v: {"financial": hundredths(v)},
    "in_kind_eur": lambda v: {"in_kind": hundredths(v)},
    "skills_days": lambda v: {"skills": hundredths(v)},
    "beneficiaries": lambda v: {"beneficiaries": int(v)},
    "jobs_created": lambda v: {"jobs": int(v)},
    "volunteer_days": lambda v: {"volunteer": hundredths(v)},
    "satisfaction": lambda v: {"satisfaction": None if v is None else int(v)},
    "reason": lambda v: {"reason": _text(v)},
}


@singledispatch
def report_changes(_event: object, _position: int) -> list[ReportChange]:
    """The changes an event (recorded at log position ``_position``) makes to the reports'
    rows; events the reports do not use change nothing."""
    return []


@report_changes.register
def _(event: Organization.Registered, position: int) -> list[ReportChange]:
    return [
        OrganizationVersion(
            id=event.originator_id,
            recorded_us=microseconds(event.timestamp),
            position=position,
            **attributes(event, "lab", "name", "territory"),
        )
    ]


@report_changes.register
def _(event: Organization.Updated, position: int) -> list[ReportChange]:
    changes: dict[str, Any] = {
        k: event.changes[k] for k in ("name", "territory") if k in event.changes
    }
    if not changes:
        return []
    return [
        OrganizationAmended(event.originator_id, changes, microseconds(event.timestamp), position)
    ]


_RANK_OF_KIND = {kind: stage.rank for kind, stage in milestones.STAGE_OF_KIND.items()}


def _milestone(event: Any, kind: str, position: int, **details: Any) -> MilestoneVersion:
    occurred_on: date = event.occurred_on
    return MilestoneVersion(
        partnership_id=event.originator_id,
        version=event.originator_version,
        position=position,
        recorded_us=microseconds(event.timestamp),
        kind=kind,
        stage_rank=_RANK_OF_KIND.get(kind),
        day=occurred_on.toordinal(),
        year=occurred_on.year,
        **details,
    )


@report_changes.register
def _(event: Partnership.Opened, position: int) -> list[ReportChange]:
    return [
        PartnershipParties(
            id=event.originator_id,
            origin_kind=event.origin.kind.value,
            origin_reference_id=event.origin.reference_id,
            **attributes(event, "lab", "association_id", "company_id"),
        ),
        _milestone(event, milestones.OPENING, position),
    ]


@report_changes.register
def _(event: Partnership.MeetingHeld, position: int) -> list[ReportChange]:
    return [_milestone(event, milestones.MEETING, position)]


@report_changes.register
def _(event: Partnership.IdeaProposed, position: int) -> list[ReportChange]:
    return [_milestone(event, milestones.IDEA, position, category=event.proposed_category.value)]


@report_changes.register
def _(event: Partnership.CoConstructionStarted, position: int) -> list[ReportChange]:
    return [_milestone(event, milestones.CO_CONSTRUCTION, position)]


@report_changes.register
def _(event: Partnership.CoConstructionProgressed, position: int) -> list[ReportChange]:
    return [_milestone(event, milestones.PROGRESS, position)]


@report_changes.register
def _(event: Partnership.ContractSigned, position: int) -> list[ReportChange]:
    committed = event.committed
    return [
        _milestone(
            event,
            milestones.CONTRACT,
            position,
            category=event.category.value,
            sub_kind=event.sub_kind.value,
            financial=hundredths(committed.financial_eur),
            in_kind=hundredths(committed.in_kind_eur),
            skills=hundredths(committed.skills_days),
        )
    ]


@report_changes.register
def _(event: Partnership.ContractRenewed, position: int) -> list[ReportChange]:
    committed = event.committed
    return [
        _milestone(
            event,
            milestones.RENEWAL,
            position,
            financial=hundredths(committed.financial_eur),
            in_kind=hundredths(committed.in_kind_eur),
            skills=hundredths(committed.skills_days),
        )
    ]


@report_changes.register
def _(event: Partnership.EvaluationRecorded, position: int) -> list[ReportChange]:
    return [
        _milestone(
            event,
            milestones.EVALUATION,
            position,
            beneficiaries=event.beneficiaries,
            jobs=event.jobs_created,
            volunteer=hundredths(event.volunteer_days),
            skills=hundredths(event.skills_days),
            in_kind=hundredths(event.in_kind_eur),
            satisfaction=event.satisfaction,
        )
    ]


@report_changes.register
def _(event: Partnership.Abandoned, position: int) -> list[ReportChange]:
    return [_milestone(event, milestones.ABANDONMENT, position, reason=event.reason)]


@report_changes.register
def _(event: Partnership.MilestoneCorrected, position: int) -> list[ReportChange]:
    columns: dict[str, Any] = {}
    for name, value in event.changes.items():
        to_columns = _CORRECTED_COLUMNS.get(name)
        if to_columns is not None:
            columns.update(to_columns(value))
    if not columns:
        return []  # a note, a title... reports show none of them
    return [
        MilestoneAmended(
            event.originator_id,
            event.target_version,
            columns,
            microseconds(event.timestamp),
            position,
        )
    ]
