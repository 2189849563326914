"""Plain data returned by the report use cases (see docs/REPORTS.md for every figure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from application.followers import ProjectionFault
from application.reporting.ports import ProjectionState, ReportScope
from domain.values import Stage


@dataclass(frozen=True)
class SignedYear:
    year: int
    by_category: dict[str, int]
    total: int


@dataclass(frozen=True)
class SignedReport:
    """Contracts per year of signature and category."""

    scope: ReportScope
    years: list[SignedYear]
    by_category: dict[str, int]
    total: int


@dataclass(frozen=True)
class FunnelStage:
    stage: Stage
    reached: int
    reached_strict: int
    conversion: Decimal | None
    conversion_strict: Decimal | None
    abandoned: int


@dataclass(frozen=True)
class Abandonment:
    stage: Stage
    reason: str
    count: int


@dataclass(frozen=True)
class FunnelReport:
    scope: ReportScope
    partnerships: int
    stages: list[FunnelStage]
    abandonments: list[Abandonment]
    abandoned_by_origin: dict[str, int]
    abandoned: int


@dataclass(frozen=True)
class Durations:
    """Whole days: how many partnerships, their median and 90th percentile."""

    count: int
    median_days: Decimal | None
    p90_days: int | None


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    in_stage: Durations
    to_reach: Durations


@dataclass(frozen=True)
class StalledPartnership:
    partnership_id: UUID
    association_name: str | None
    company_name: str | None
    stage: Stage
    last_milestone_on: date
    days_without_milestone: int


@dataclass(frozen=True)
class TimeInStageReport:
    scope: ReportScope
    reference_date: date
    stalled_after_days: int
    stages: list[StageTime]
    cycle_time: Durations
    stalled_count: int
    stalled: list[StalledPartnership]


@dataclass(frozen=True)
class ImpactFigures:
    contracts: int
    renewals: int
    financial_eur: Decimal
    in_kind_eur: Decimal
    skills_days: Decimal
    evaluations: int
    beneficiaries: int
    jobs_created: int
    volunteer_days: Decimal
    evaluated_skills_days: Decimal
    evaluated_in_kind_eur: Decimal
    satisfaction_answers: int
    satisfaction_average: Decimal | None


@dataclass(frozen=True)
class ImpactRow:
    category: str
    year: int
    figures: ImpactFigures


@dataclass(frozen=True)
class ImpactReport:
    scope: ReportScope
    rows: list[ImpactRow]
    totals: ImpactFigures


@dataclass(frozen=True)
class PipelineStage:
    stage: Stage
    open: int


@dataclass(frozen=True)
class PipelineReport:
    scope: ReportScope
    stages: list[PipelineStage]
    total_open: int


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    lag: int
    running: bool
    last_error: str | None
    faults: list[ProjectionFault]
    where: str | None = None
    process: str | None = None
    heartbeat_at: datetime | None = None


@dataclass(frozen=True)
class ProjectionsView:
    head: int
    projections: list[ProjectionStatus]


def projection_statuses(
    head: int, states: list[ProjectionState], lab: str | None = None
) -> ProjectionsView:
    """The projections' status; with a ``lab``, only that lab's faults (a lab never sees
    another's), and another lab's fault is not this lab's error either."""
    return ProjectionsView(
        head=head,
        projections=[
            ProjectionStatus(
                name=s.name,
                position=s.position,
                lag=max(0, head - s.position),
                running=s.running,
                last_error=s.last_error if lab is None or not s.faults else None,
                faults=[f for f in s.faults if lab is None or f.lab in (lab, "*")],
                where=s.where,
                process=s.process,
                heartbeat_at=s.heartbeat_at,
            )
            for s in states
        ],
    )
