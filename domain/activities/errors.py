"""Errors of the lab's activities (speed-dating, events, consulting, training, funding).

Same contract as ``domain.errors``: ``InvalidValue`` subclasses are bad input (422),
``LifecycleViolation`` subclasses are moves the recorded history forbids (409).
"""

from __future__ import annotations

from domain.errors import InvalidValue, LifecycleViolation


class DateBeforeActivity(InvalidValue):
    rule = "date-not-before-activity"


class AmountNotPositive(InvalidValue):
    rule = "amount-positive"


class TooManyDecimals(InvalidValue):
    rule = "amount-in-cents"


class Overpayment(InvalidValue):
    """More paid than the fee agreed, and not marked as a donation."""

    rule = "payment-not-above-fee"


class DurationOutOfRange(InvalidValue):
    rule = "duration-in-range"


class YearOutOfRange(InvalidValue):
    rule = "funding-year-plausible"


class CountOutOfRange(InvalidValue):
    rule = "count-in-range"


class InterestWithoutMeeting(InvalidValue):
    rule = "interest-needs-a-held-meeting"


class UnknownPair(InvalidValue):
    rule = "pair-registered"


class WrongParticipantKind(LifecycleViolation):
    rule = "participant-kind-expected"


class ParticipantAlreadyRegistered(LifecycleViolation):
    rule = "participant-registered-once"


class ParticipantNotRegistered(LifecycleViolation):
    rule = "participant-registered"


class TooManyParticipants(LifecycleViolation):
    rule = "participants-per-side-limited"


class ActivityOfAnotherLab(LifecycleViolation):
    rule = "same-lab"


class SessionClosed(LifecycleViolation):
    rule = "nothing-after-close"


class SessionUnderWay(LifecycleViolation):
    rule = "plan-fixed-once-under-way"


class SessionNotStarted(LifecycleViolation):
    rule = "facts-after-session-date"


class ScheduleMissing(LifecycleViolation):
    rule = "schedule-generated-first"


class NotEnoughParticipants(LifecycleViolation):
    rule = "schedule-needs-both-sides"


class MeetingNotScheduled(LifecycleViolation):
    rule = "meeting-scheduled"


class MeetingAlreadyHeld(LifecycleViolation):
    rule = "catch-up-for-missed-meetings"


class NothingToCatchUp(LifecycleViolation):
    rule = "catch-up-has-pairs"


class MeetingNotHeld(LifecycleViolation):
    rule = "partnership-needs-a-held-meeting"


class NotAttended(LifecycleViolation):
    rule = "met-at-event-attended"


class MeetingAlreadyRecorded(LifecycleViolation):
    rule = "meeting-recorded-once"


class NotProposed(LifecycleViolation):
    rule = "association-proposed-first"


class AlreadyProposed(LifecycleViolation):
    rule = "association-proposed-once"


class PartnershipAlreadyOpened(LifecycleViolation):
    rule = "partnership-opened-once"


class OutcomesMissing(LifecycleViolation):
    """Closing with scheduled meetings whose outcome was never recorded, unconfirmed."""

    rule = "outcomes-recorded-before-close"


class NoCatchUpPlan(LifecycleViolation):
    rule = "catch-up-plan-exists"


class CatchUpAlreadyHeld(LifecycleViolation):
    """A catch-up plan whose meetings have started to be held can no longer be withdrawn."""

    rule = "catch-up-withdrawn-before-held"
