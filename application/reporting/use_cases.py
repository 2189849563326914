"""Report use cases: what funders, the director and auditors ask.

Every figure comes from the reports' read model (``ReportStore``). A report takes a
``ReportScope``: ``as_of`` (the state on a business date) and ``known_at`` (only what had been
recorded by then) make a report handed out once reproducible later, byte for byte, whatever
was corrected or backdated since. A ``position`` (from a write's response) makes the report
wait, bounded, until the projections include that write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date
from typing import TypeVar
from zoneinfo import ZoneInfo

from application.context import Caller
from application.errors import ProjectionsBehind, StoreUnavailable
from application.followers import REPORTS
from application.read_models import ReadModels
from application.reporting.figures import (
    funnel_report,
    impact_report,
    pipeline_report,
    signed_report,
    time_in_stage_report,
)
from application.reporting.past_reports import PastReports
from application.reporting.ports import (
    ABANDONED,
    COMMIT,
    EVALUATED,
    OPEN,
    REACH,
    REACHED,
    SIGNED,
    STAY,
    MetricRow,
    ProjectionMonitor,
    ReportScope,
    ReportStore,
)
from application.reporting.views import (
    FunnelReport,
    ImpactReport,
    PipelineReport,
    ProjectionsView,
    SignedReport,
    TimeInStageReport,
    projection_statuses,
)
from domain.errors import InvalidValue
from domain.values import validate_territory

REPORT_TIMEZONE = ZoneInfo("Europe/Paris")
"""The lab's time zone (``application.event_log.LAB_TIMEZONE``): a moment's business date."""
POSITION_WAIT_SECONDS = 5.0
STALLED_LIST_LIMIT = 100
MAX_STALLED_DAYS = 36_500
T = TypeVar("T")


class InvalidReportQuery(InvalidValue):
    rule = "report-query-invalid"


class ReportingService:
    """Reports and projection status, from the reports' read model."""

    def __init__(
        self,
        reports: ReportStore | None,
        read_models: ReadModels,
        clock: Callable[[], date],
        projection_monitor: ProjectionMonitor | None = None,
        past_reports: PastReports | None = None,
    ) -> None:
        self.reports = reports
        self.past_reports = past_reports if past_reports is not None else PastReports()
        """Reports as known at a settled moment, kept once answered (they never change)."""
        self._read_models = read_models
        self.clock = clock
        self.projection_monitor = projection_monitor
        """Set by the composition root once the followers exist."""

    # ------------------------------------------------------------------ reports

    def signed_report(
        self, caller: Caller, scope: ReportScope, *, position: int | None = None
    ) -> SignedReport:
        """Contracts per year of signature (the business date) and category."""
        resolved, rows = self._figures(caller, scope, (SIGNED,), position)
        return signed_report(resolved, rows)

    def funnel_report(
        self, caller: Caller, scope: ReportScope, *, position: int | None = None
    ) -> FunnelReport:
        """How many reached each stage, conversions (any-stage and strict), abandonments."""
        resolved, rows = self._figures(caller, scope, (REACHED, ABANDONED), position)
        return funnel_report(resolved, rows)

    def time_in_stage_report(
        self,
        caller: Caller,
        scope: ReportScope,
        *,
        stalled_after_days: int = 90,
        position: int | None = None,
    ) -> TimeInStageReport:
        """Days spent in each stage, days to reach it, meeting-to-contract cycle time and the
        partnerships stalled for ``stalled_after_days`` days or more."""
        if not 1 <= stalled_after_days <= MAX_STALLED_DAYS:
            raise InvalidReportQuery(
                f"stalled_after_days must be between 1 and {MAX_STALLED_DAYS}",
                field="stalled_after_days",
            )
        resolved, rows = self._figures(caller, scope, (STAY, REACH), position)
        reference = resolved.as_of or self.clock()
        last_before = date.fromordinal(reference.toordinal() - stalled_after_days)
        stalled = self._past(
            ("stalled", caller.lab, resolved, last_before, STALLED_LIST_LIMIT),
            resolved,
            lambda: self._store().stalled(caller.lab, resolved, last_before, STALLED_LIST_LIMIT),
        )
        return time_in_stage_report(
            resolved,
            rows,
            reference_date=reference,
            stalled_after_days=stalled_after_days,
            stalled=stalled,
        )

    def impact_report(
        self, caller: Caller, scope: ReportScope, *, position: int | None = None
    ) -> ImpactReport:
        """Committed values and evaluation indicators per category and year."""
        resolved, rows = self._figures(caller, scope, (COMMIT, EVALUATED), position)
        return impact_report(resolved, rows)

    def pipeline_report(
        self, caller: Caller, scope: ReportScope, *, position: int | None = None
    ) -> PipelineReport:
        """Partnerships not abandoned, per stage they have reached."""
        resolved, rows = self._figures(caller, scope, (OPEN,), position)
        return pipeline_report(resolved, rows)

    # ------------------------------------------------------------------ projections

    def projection_status(
        self, position: int | None = None, *, lab: str | None = None
    ) -> ProjectionsView:
        """Each projection's position, the log's head, the lag and the last error."""
        if position is not None:
            self.await_position(position, read_models=None)
        head = self._read_models.log_head() or 0
        states = list(self.projection_monitor.statuses()) if self.projection_monitor else []
        return projection_statuses(head, states, lab)

    def await_position(
        self,
        position: int | None,
        *,
        read_models: Sequence[str] | None = REPORTS,
        lab: str | None = None,
    ) -> None:
        """Wait (bounded) until the read models (default: the reports) include
        ``position``; without one, wait briefly for the log's head as any read does. With a
        ``lab``, 503 ``projection-stopped`` if one of them holds that lab."""
        if position is None:
            self._read_models.wait_for_projections(read_models=read_models, lab=lab)
            return
        head = self._read_models.log_head() or 0
        if position > head:
            raise InvalidReportQuery(
                f"position {position} is beyond the log's head ({head})", field="position"
            )
        if not self._read_models.wait_for_projections(
            position, timeout=POSITION_WAIT_SECONDS, read_models=read_models, lab=lab
        ):
            raise ProjectionsBehind(
                f"the projections have not reached position {position} yet; retry shortly",
                field="position",
            )

    # ------------------------------------------------------------------ helpers

    def _figures(
        self,
        caller: Caller,
        scope: ReportScope,
        metrics: Sequence[str],
        position: int | None,
    ) -> tuple[ReportScope, list[MetricRow]]:
        resolved = self.resolve_scope(scope)
        key = ("metrics", caller.lab, resolved, tuple(metrics))
        if resolved.known_at is not None and (kept := self.past_reports.get(key)) is not None:
            return resolved, list(kept)  # settled when it was kept: no wait, no query
        # A report as known at a moment never changes once answered: settle the past up to it
        # and read only once the read models hold everything recorded by then.
        if resolved.known_at is not None and not self._read_models.settle_past(
            resolved.known_at, POSITION_WAIT_SECONDS, read_models=REPORTS, lab=caller.lab
        ):
            raise ProjectionsBehind(
                "the projections have not caught up with the log yet; retry shortly",
                field="known_at",
            )
        self.await_position(position, lab=caller.lab)
        rows = self._store().metrics(caller.lab, resolved, metrics)
        if resolved.known_at is not None:
            self.past_reports.put(key, tuple(rows))
        return resolved, rows

    def _past(self, key: tuple[object, ...], resolved: ReportScope, read: Callable[[], T]) -> T:
        """``read()``, kept when the scope is a settled past (``_figures`` settled it)."""
        if resolved.known_at is None:
            return read()
        return self.past_reports.kept(key, read)

    def resolve_scope(self, scope: ReportScope) -> ReportScope:
        """Check the scope; ``known_at`` alone means "as it stood then, as known then"."""
        if (
            scope.period_from is not None
            and scope.period_to is not None
            and scope.period_from > scope.period_to
        ):
            raise InvalidReportQuery("the period ends before it starts", field="to")
        known_at = scope.known_at
        if known_at is not None:
            known_at = (known_at if known_at.tzinfo else known_at.replace(tzinfo=UTC)).astimezone(
                UTC
            )
        as_of = scope.as_of
        if as_of is None and known_at is not None:
            as_of = known_at.astimezone(REPORT_TIMEZONE).date()
        territory = validate_territory(scope.territory) if scope.territory else None
        reference = scope.origin_reference_id
        if reference is not None and not reference.strip():
            reference = None
        return replace(
            scope,
            as_of=as_of,
            known_at=known_at,
            territory=territory,
            origin_reference_id=reference.strip() if reference else None,
        )

    def _store(self) -> ReportStore:
        if self.reports is None:
            raise StoreUnavailable("the reports' read model is not configured")
        return self.reports
