"""Use cases of consulting engagements: scope, associations proposed from the catalogue,
pay-what-you-want contributions, and partnerships with the associations proposed."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.activities.base import ActivityService, organization
from application.activities.presenters import consulting_view
from application.activities.projections import CONSULTING
from application.activities.views import ConsultingView
from application.context import Caller
from application.event_log import CreateCommand, RecordCommand
from application.partnerships.views import OrganizationFilter, OrganizationSummary
from application.results import CommandResult, Page, PageRequest
from domain.activities.consulting import ConsultingEngagement
from domain.activities.values import Pair
from domain.values import OrganizationKind, OriginKind

LABEL = "consulting engagement"


class ConsultingService(ActivityService[ConsultingEngagement]):
    """Consulting engagements with companies."""

    kind = ConsultingEngagement
    label = LABEL
    listed = (CONSULTING,)

    open_consulting = CreateCommand(
        ConsultingEngagement.open, prepare=organization("company_id", "company")
    )

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
        self.load(caller, engagement_id)
        self._core.settled(caller.lab)
        return self._core.organizations.list_organizations(
            caller,
            OrganizationFilter(
                kind=OrganizationKind.ASSOCIATION,
                territory=territory,
                field_of_activity=field_of_activity,
            ),
            page,
        )

    propose_associations = RecordCommand(
        ConsultingEngagement.propose, prepare=organization("association_ids", "associations")
    )
    record_consulting_contribution = RecordCommand(ConsultingEngagement.record_contribution)

    def open_partnership_from_consulting(
        self, caller: Caller, engagement_id: UUID, *, association_id: UUID, occurred_on: date
    ) -> CommandResult:
        """The company met an association proposed to it: open their partnership, with the
        engagement as origin, at most once."""
        engagement = self.load(caller, engagement_id)
        engagement.require_proposed(association_id)
        return self._core.open_from_activity(
            caller,
            activity_id=engagement.id,
            pair=Pair(association_id, engagement.company_id),
            origin_kind=OriginKind.CONSULTING,
            occurred_on=occurred_on,
            note=f"proposed to the company during consulting: {engagement.scope}",
        )

    def get_consulting(self, caller: Caller, engagement_id: UUID) -> ConsultingView:
        engagement = self.load(caller, engagement_id)
        refs = self._core.refs(caller, [engagement.company_id, *engagement.proposed])
        return consulting_view(engagement, refs)

    list_consulting = ActivityService.listing
