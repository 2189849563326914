"""The funding and cohort reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import Field

from api.fields import Output, shows
from application.activities.views import CohortPartnership


class SharePublic(Output):
    name: str
    amount_eur: Decimal
    share_percent: Decimal = Field(description="Share of the year's income, in percent.")


class FundingYearPublic(Output):
    year: int | None = Field(description="Null for the total over the years reported.")
    total_eur: Decimal
    sources: list[SharePublic] = Field(description="subsidy, consulting and training")
    subsidies_by_funder: list[SharePublic]
    earned_eur: Decimal = Field(description="Consulting and training together.")
    earned_share_percent: Decimal


class FundingReportPublic(Output):
    years: list[FundingYearPublic]
    total: FundingYearPublic


class InterestCountsPublic(Output):
    mutual_follow_up: int
    one_sided_follow_up: int
    informative: int
    none: int


class StageReachedPublic(Output):
    stage: str
    within_6_months: int
    within_12_months: int
    so_far: int


@shows(CohortPartnership)
class CohortPartnershipPublic(Output):
    pass


class CohortReportPublic(Output):
    activity_id: UUID
    kind: str
    title: str
    held_on: date
    meetings_scheduled: int | None
    meetings_held: int
    meetings_not_held: int
    interest: InterestCountsPublic | None = Field(
        description="Meetings held by what both sides wanted next (speed-dating only)."
    )
    partnerships_opened: int
    reached: list[StageReachedPublic]
    partnerships: list[CohortPartnershipPublic]
