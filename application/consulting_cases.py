"""Use cases of consulting engagements: scope, associations proposed from the catalogue,
pay-what-you-want contributions, and partnerships with the associations proposed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from application.activity_base import ActivityCore
from application.activity_presenters import consulting_view
from application.activity_projections import CONSULTING
from application.activity_views import ActivityFilter, ActivitySummary, ConsultingView
from application.context import Caller
from application.views import (
    CommandResult,
    OrganizationFilter,
    OrganizationSummary,
    Page,
    PageRequest,
)
from domain.activity_values import Pair
from domain.consulting import ConsultingEngagement
from domain.values import OrganizationKind, OriginKind

LABEL = "consulting engagement"


class ConsultingCases(ActivityCore):
    def open_consulting(
        self,
        caller: Caller,
        *,
        company_id: UUID,
        scope: str,
        started_on: date,
        note: str | None = None,
    ) -> CommandResult:
        engagement = ConsultingEngagement.open(
            company=self._organization(caller, company_id, field="company_id"),
            scope=scope,
            started_on=started_on,
            actor=caller.actor,
            today=self.clock(),
            note=note,
        )
        return self._save(engagement, None)

    def consulting_candidates(
        self,
        caller: Caller,
        engagement_id: UUID,
        *,
        field_of_activity: str | None,
        territory: str | None,
        page: PageRequest,
    ) -> Page[OrganizationSummary]:
        """Associations of the catalogue by field of activity and territory, to propose."""
        self._engagement(caller, engagement_id)
        self._settled(caller.lab)
        return self.list_organizations(
            caller,
            OrganizationFilter(
                kind=OrganizationKind.ASSOCIATION,
                territory=territory,
                field_of_activity=field_of_activity,
            ),
            page,
        )

    def propose_associations(
        self,
        caller: Caller,
        engagement_id: UUID,
        *,
        association_ids: list[UUID],
        occurred_on: date,
        field_of_activity: str | None = None,
        territory: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        associations = [
            self._organization(caller, a, field="association_ids") for a in association_ids
        ]
        engagement = self._engagement(caller, engagement_id, expected_version)
        engagement.propose(
            associations,
            occurred_on=occurred_on,
            actor=caller.actor,
            today=self.clock(),
            field_of_activity=field_of_activity,
            territory=territory,
        )
        return self._save(engagement, expected_version)

    def record_consulting_contribution(
        self,
        caller: Caller,
        engagement_id: UUID,
        *,
        amount_eur: Decimal,
        paid_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        engagement = self._engagement(caller, engagement_id, expected_version)
        engagement.record_contribution(
            amount_eur=amount_eur,
            paid_on=paid_on,
            actor=caller.actor,
            today=self.clock(),
            note=note,
        )
        return self._save(engagement, expected_version)

    def open_partnership_from_consulting(
        self, caller: Caller, engagement_id: UUID, *, association_id: UUID, occurred_on: date
    ) -> CommandResult:
        """The company met an association proposed to it: open their partnership, with the
        engagement as origin, at most once."""
        engagement = self._engagement(caller, engagement_id)
        engagement.require_proposed(association_id)
        return self._open_from_activity(
            caller,
            activity_id=engagement.id,
            pair=Pair(association_id, engagement.company_id),
            origin_kind=OriginKind.CONSULTING,
            occurred_on=occurred_on,
            note=f"proposed to the company during consulting: {engagement.scope}",
        )

    def get_consulting(self, caller: Caller, engagement_id: UUID) -> ConsultingView:
        engagement = self._engagement(caller, engagement_id)
        refs = self._refs(caller, [engagement.company_id, *engagement.proposed])
        return consulting_view(engagement, refs)

    def list_consulting(
        self,
        caller: Caller,
        page: PageRequest,
        *,
        held_from: date | None = None,
        held_to: date | None = None,
    ) -> Page[ActivitySummary]:
        self._settled(caller.lab)
        return self._activities().list_activities(
            caller.lab, ActivityFilter((CONSULTING,), held_from, held_to), page
        )

    def _engagement(
        self, caller: Caller, engagement_id: UUID, expected_version: int | None = None
    ) -> ConsultingEngagement:
        return self._activity(caller, ConsultingEngagement, engagement_id, LABEL, expected_version)
