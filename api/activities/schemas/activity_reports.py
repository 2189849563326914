"""The funding and cohort reports."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from api.fields import Output, shows
from application.activities.views import (
    CohortPartnership,
    CohortReport,
    FundingYear,
    InterestCounts,
    Share,
    StageReached,
)


@shows(Share)
class SharePublic(Output):
    share_percent: Decimal = Field(description="Share of the year's income, in percent.")


@shows(FundingYear)
class FundingYearPublic(Output):
    year: int | None = Field(description="Null for the total over the years reported.")
    sources: list[SharePublic] = Field(description="subsidy, consulting and training")
    subsidies_by_funder: list[SharePublic]
    earned_eur: Decimal = Field(description="Consulting and training together.")


class FundingReportPublic(Output):
    years: list[FundingYearPublic]
    total: FundingYearPublic


@shows(InterestCounts)
class InterestCountsPublic(Output):
    pass


@shows(StageReached)
class StageReachedPublic(Output):
    pass


@shows(CohortPartnership)
class CohortPartnershipPublic(Output):
    pass


@shows(CohortReport)
class CohortReportPublic(Output):
    interest: InterestCountsPublic | None = Field(
        description="Meetings held by what both sides wanted next (speed-dating only)."
    )
    reached: list[StageReachedPublic]
    partnerships: list[CohortPartnershipPublic]
