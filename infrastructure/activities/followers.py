"""The activities' processors, run by log followers (``infrastructure.follower``):

* ``activities`` keeps the activities' read model (lists, income lines), exactly once;
* ``activity-policy`` opens the partnerships an activity calls for (a session closed, a
  meeting at an event). Opening is idempotent (ids derived from activity and pair), so the
  policy records its position after acting: a crash in between only repeats work that then
  opens nothing. It runs wherever the followers run: in the server's threads with the SQLite
  default, or in ``partnerlab project``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification, Tracking

from application.activities.outcomes import POLICY_TOPICS
from application.activities.ports import ActivityChange
from application.activities.projections import activity_changes
from infrastructure.activities.read_model import NAME, SqlActivitiesView
from infrastructure.follower import LogFollower
from infrastructure.projection_faults import rewind_follower_position

ACTIVITY_TOPICS = (
    "partnerlab:SpeedDatingSession.",
    "partnerlab:LabEvent.",
    "partnerlab:ConsultingEngagement.",
    "partnerlab:TrainingSession.",
    "partnerlab:Subsidy.",
)
POLICY = "activity-policy"


class ActivityPolicy(Protocol):
    def react_to_activity_event(self, event: object) -> list[UUID]: ...


class ActivitiesProcessor:
    """Projects the activities' events into ``pl_activities`` and ``pl_funding_lines``."""

    name = NAME

    def __init__(self, *, application_name: str, mapper: Mapper, view: SqlActivitiesView) -> None:  # type: ignore[type-arg]
        self.application_name = application_name
        self.mapper = mapper
        self.view = view

    def position(self) -> int:
        return self.view.position()

    def process(self, notifications: Sequence[Notification]) -> None:
        batch: list[tuple[Tracking, Sequence[ActivityChange]]] = [
            (
                Tracking(self.application_name, n.id),
                activity_changes(self.mapper.to_domain_event(n))
                if n.topic.startswith(ACTIVITY_TOPICS)
                else [],
            )
            for n in notifications
        ]
        self.view.apply(batch)

    def rewind(self, position: int) -> None:
        rewind_follower_position(self.view.db, NAME, position)


class ActivityPolicyProcessor:
    """Hands the events the policy reacts to to the application, then records how far it got."""

    name = POLICY

    def __init__(
        self,
        *,
        policy: ActivityPolicy,
        mapper: Mapper,  # type: ignore[type-arg]
        view: SqlActivitiesView,
    ) -> None:
        self.policy = policy
        self.mapper = mapper
        self.view = view

    def position(self) -> int:
        return self.view.follower_position(POLICY)

    def process(self, notifications: Sequence[Notification]) -> None:
        for n in notifications:
            if n.topic in POLICY_TOPICS:
                self.policy.react_to_activity_event(self.mapper.to_domain_event(n))
        if notifications:
            self.view.record_position(POLICY, notifications[-1].id)

    def rewind(self, position: int) -> None:
        rewind_follower_position(self.view.db, POLICY, position)


def activity_followers(
    *,
    recorder: ApplicationRecorder,
    application_name: str,
    mapper: Mapper,  # type: ignore[type-arg]
    policy: ActivityPolicy,
    view: SqlActivitiesView,
) -> list[LogFollower]:
    """The policy first: the partnerships it opens are then in the log when the read models
    are waited for."""
    return [
        LogFollower(
            recorder=recorder,
            processor=ActivityPolicyProcessor(policy=policy, mapper=mapper, view=view),
        ),
        LogFollower(
            recorder=recorder,
            processor=ActivitiesProcessor(
                application_name=application_name, mapper=mapper, view=view
            ),
        ),
    ]
