"""Use cases of funding: subsidies by funder and year (with corrections), the income lines
of every source, and the funding report."""

from __future__ import annotations

from uuid import UUID

from application.activities.base import ActivityService
from application.activities.presenters import subsidy_view
from application.activities.reports import funding_report
from application.activities.views import FundingFilter, FundingLine, FundingReport, SubsidyView
from application.context import Caller
from application.event_log import CreateCommand, RecordCommand
from domain.activities.funding import Subsidy

LABEL = "subsidy"


class FundingService(ActivityService[Subsidy]):
    """Subsidies and the lab's income lines."""

    kind = Subsidy
    label = LABEL

    record_subsidy = CreateCommand(Subsidy.grant, lab=True)
    correct_subsidy = RecordCommand(Subsidy.correct_amount)

    def get_subsidy(self, caller: Caller, subsidy_id: UUID) -> SubsidyView:
        return subsidy_view(self.load(caller, subsidy_id))

    def funding_lines(self, caller: Caller, filters: FundingFilter) -> list[FundingLine]:
        """Every income line (subsidy, consulting contribution, training fee), by year."""
        self._core.settled(caller.lab)
        return self._core.activities_view().funding_lines(caller.lab, filters)

    def funding_report(self, caller: Caller, filters: FundingFilter) -> FundingReport:
        """Income by year and source, each with its share (and subsidies by funder)."""
        return funding_report(
            self.funding_lines(
                caller, FundingFilter(year_from=filters.year_from, year_to=filters.year_to)
            )
        )
