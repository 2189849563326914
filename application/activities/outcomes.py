"""What comes of the lab's activities: the policy that opens partnerships from what happened
at an activity, and the cohort report.

The policy (:meth:`ActivityPolicy.react_to_activity_event`) is called by a log follower for
each ``SpeedDatingSession.Closed`` (a partnership per pair where both sides want to follow up)
and each ``LabEvent.MeetingRecorded``. It is idempotent: a partnership opened from an activity
has an id derived from the activity and the pair, so processing the same event twice (a crash
before the follower recorded its position, two followers racing) opens nothing twice.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.activities.base import ActivityCore
from application.activities.reports import interest_counts, stages_reached
from application.activities.views import CohortReport
from application.context import Caller
from application.errors import ApplicationError, NotFound
from domain.activities.consulting import ConsultingEngagement
from domain.activities.errors import PartnershipAlreadyOpened
from domain.activities.lab_event import LabEvent
from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.training import TrainingSession
from domain.activities.values import Pair
from domain.errors import DomainError
from domain.values import OriginKind

log = logging.getLogger(__name__)

POLICY_TOPICS = frozenset({SpeedDatingSession.Closed.TOPIC, LabEvent.MeetingRecorded.TOPIC})
"""The stored topics the policy reacts to (a follower skips the others undecoded)."""


class ActivityPolicy:
    """Opens the partnerships an activity's events call for (run by a log follower)."""

    def __init__(self, core: ActivityCore) -> None:
        self._core = core

    def react_to_activity_event(self, event: object) -> list[UUID]:
        """Open the partnerships an activity's event calls for; returns those it opened.

        A pair already opened is skipped; a pair that cannot be opened any more (an
        organisation archived since...) is logged and skipped: staff see it without a
        partnership in the session's follow-ups and decide.
        """
        if isinstance(event, SpeedDatingSession.Closed):
            session: SpeedDatingSession = self._core.log.get(
                event.originator_id, version=event.originator_version
            )
            caller = Caller(session.lab, event.actor)
            pairs = list(event.follow_ups)
            kind, occurred_on = OriginKind.SPEED_DATING, session.held_on
            note = f"both sides wanted to follow up at the speed-dating session {session.title!r}"
        elif isinstance(event, LabEvent.MeetingRecorded):
            lab_event: LabEvent = self._core.log.get(
                event.originator_id, version=event.originator_version
            )
            caller = Caller(lab_event.lab, event.actor)
            pairs = [Pair(event.association_id, event.company_id)]
            kind, occurred_on = lab_event.kind, event.occurred_on
            note = f"met at the {kind.value.replace('_', ' ')} {lab_event.title!r}"
        else:
            return []
        opened: list[UUID] = []
        for pair in pairs:
            try:
                result = self._core.open_from_activity(
                    caller,
                    activity_id=event.originator_id,
                    pair=pair,
                    origin_kind=kind,
                    occurred_on=occurred_on,
                    note=note,
                )
            except PartnershipAlreadyOpened:
                continue
            except (DomainError, NotFound) as refusal:
                log.warning("activity %s: cannot open %s: %s", event.originator_id, pair, refusal)
                continue
            opened.append(result.id)
        return opened


class ActivityOutcomes:
    """What came of an activity: its cohort report, and its title and date for lineage."""

    def __init__(self, core: ActivityCore) -> None:
        self._core = core

    def cohort_report(self, caller: Caller, activity_id: UUID) -> CohortReport:
        """For a speed-dating session or an event: meetings held, interest, partnerships
        opened there and how many reached co-construction and a contract in 6 and 12 months."""
        activity = self._lab_activity(caller, activity_id)
        if not isinstance(activity, SpeedDatingSession | LabEvent):
            raise NotFound(f"no speed-dating session or event {activity_id} in this lab")
        self._core.settled(caller.lab)
        partnerships = self._core.activities_view().cohort_partnerships(
            caller.lab, str(activity_id)
        )
        interest = None
        if isinstance(activity, SpeedDatingSession):
            scheduled: int | None = len(activity.scheduled_pairs)
            outcomes = [
                activity.outcomes[p.key]
                for p in activity.scheduled_pairs
                if p.key in activity.outcomes
            ]
            held = sum(o.held for o in outcomes)
            not_held = len(outcomes) - held
            interest = interest_counts(outcomes)
            kind = OriginKind.SPEED_DATING.value
        else:
            scheduled, held, not_held = None, len(activity.meetings), 0
            kind = activity.kind.value
        return CohortReport(
            activity_id=activity.id,
            kind=kind,
            title=activity.title,
            held_on=activity.held_on,
            meetings_scheduled=scheduled,
            meetings_held=held,
            meetings_not_held=not_held,
            interest=interest,
            partnerships_opened=len(partnerships),
            reached=stages_reached(activity.held_on, partnerships),
            partnerships=partnerships,
        )

    # ------------------------------------------------------------------ lineage

    def origin_activity(self, caller: Caller, reference_id: str | None) -> dict[str, Any]:
        """The title and date of the activity a partnership came from (for its lineage);
        empty when the reference is not an activity of this lab."""
        try:
            activity = self._lab_activity(caller, UUID(str(reference_id)))
        except (ValueError, ApplicationError):
            return {}
        held_on: date = (
            activity.started_on if isinstance(activity, ConsultingEngagement) else activity.held_on
        )
        title: str = (
            activity.scope if isinstance(activity, ConsultingEngagement) else activity.title
        )
        return {"activity_title": title, "activity_held_on": held_on}

    def _lab_activity(
        self, caller: Caller, activity_id: UUID
    ) -> SpeedDatingSession | LabEvent | ConsultingEngagement | TrainingSession:
        try:
            activity = self._core.log.get(activity_id)
        except AggregateNotFoundError:
            activity = None
        kinds = (SpeedDatingSession, LabEvent, ConsultingEngagement, TrainingSession)
        if not isinstance(activity, kinds) or activity.lab != caller.lab:
            raise NotFound(f"no activity {activity_id} in this lab")
        return activity
