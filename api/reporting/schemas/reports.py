"""Reports and projection status as the API shows them (see docs/REPORTS.md)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from api.fields import Output, shows
from application.reporting.ports import ReportScope
from application.reporting.views import (
    Abandonment,
    Durations,
    FunnelReport,
    FunnelStage,
    ImpactFigures,
    ImpactRow,
    PipelineReport,
    SignedReport,
    SignedYear,
    StageTime,
    StalledPartnership,
    TimeInStageReport,
)
from domain.values import Stage


@shows(ReportScope)
class ScopePublic(Output):
    """What the report counts: the moment (``as_of``, ``known_at``) and the filters."""

    period_from: date | None = Field(serialization_alias="from")
    period_to: date | None = Field(serialization_alias="to")


@shows(SignedYear)
class SignedYearPublic(Output):
    pass


@shows(SignedReport)
class SignedReportPublic(Output):
    """Contracts per year of signature (the business date) and category."""

    scope: ScopePublic
    years: list[SignedYearPublic]


@shows(FunnelStage)
class FunnelStagePublic(Output):
    reached: int = Field(description="Partnerships that reached this stage.")
    reached_strict: int = Field(description="... having passed every earlier stage too.")
    conversion: Decimal | None = Field(description="reached / reached at the stage before.")
    abandoned: int = Field(description="Abandoned while at this stage.")


@shows(Abandonment)
class AbandonmentPublic(Output):
    pass


@shows(FunnelReport)
class FunnelReportPublic(Output):
    scope: ScopePublic
    stages: list[FunnelStagePublic]
    abandonments: list[AbandonmentPublic]


@shows(Durations)
class DurationsPublic(Output):
    pass


@shows(StageTime)
class StageTimePublic(Output):
    in_stage: DurationsPublic
    to_reach: DurationsPublic


@shows(StalledPartnership)
class StalledPublic(Output):
    pass


@shows(TimeInStageReport)
class TimeInStageReportPublic(Output):
    scope: ScopePublic
    stages: list[StageTimePublic]
    cycle_time: DurationsPublic = Field(description="From the first meeting to the contract.")
    stalled: list[StalledPublic] = Field(description="The oldest stalled ones, at most 100.")


@shows(ImpactFigures)
class ImpactFiguresPublic(Output):
    pass


@shows(ImpactRow)
class ImpactRowPublic(Output):
    figures: ImpactFiguresPublic


class ImpactReportPublic(Output):
    scope: ScopePublic
    rows: list[ImpactRowPublic]
    totals: ImpactFiguresPublic


class PipelineStagePublic(Output):
    stage: Stage
    open: int


@shows(PipelineReport)
class PipelineReportPublic(Output):
    scope: ScopePublic
    stages: list[PipelineStagePublic]


class ProjectionFaultPublic(Output):
    lab: str = Field(description='The lab held ("*": every lab, the event could not be read).')
    position: int = Field(description="The log position of the event it could not apply.")
    error: str
    state: str = Field(description='"stopped", or "replaying" after a retry.')


class ProjectionPublic(Output):
    name: str
    position: int = Field(description="The last log position this projection applied.")
    lag: int = Field(description="Events recorded but not yet applied.")
    running: bool = Field(
        description="Whether it is kept up to date now: by this server process, or by a "
        "`partnerlab project` process whose heartbeat is recent."
    )
    where: Literal["in process", "out of process"] | None = Field(
        default=None, description="Who runs it: this server, another process, or nobody."
    )
    process: str | None = Field(
        default=None, description="The other process (host:pid) that runs it, if any."
    )
    heartbeat_at: datetime | None = Field(
        default=None, description="When that process last reported it alive."
    )
    last_error: str | None
    faults: list[ProjectionFaultPublic] = Field(
        description="Events it could not apply for this lab: it holds the lab's events from"
        " there on (its reads answer 503 projection-stopped) until `partnerlab project"
        " --retry NAME` replays them."
    )


class ProjectionsPublic(Output):
    head: int = Field(description="The log's last position.")
    projections: list[ProjectionPublic]
