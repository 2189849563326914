"""How dates, enums and value objects are written into stored events and snapshots.

Each transcoding has a fixed ``name`` that is stored with the data: renaming a Python class
never breaks stored history.
"""

from __future__ import annotations

import dataclasses
from datetime import date, time
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.access.api_key import Role
from domain.activities.consulting import Contribution
from domain.activities.training import Enrolment, FeePayment
from domain.activities.values import (
    FundingSource,
    Interest,
    MeetingOutcome,
    Pair,
    ScheduledMeeting,
    ScheduledRound,
)
from domain.values import (
    Category,
    CommittedValue,
    Correction,
    Milestone,
    OrganizationKind,
    Origin,
    OriginKind,
    Stage,
    SubKind,
)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class TimeAsISO(Transcoding):
    """A wall-clock time without zone (a session starts at 18:00 lab time)."""

    type = time
    name = "time_iso"

    def encode(self, obj: time) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> time:
        return time.fromisoformat(data)


class EnumAsValue(Transcoding):
    def __init__(self, enum_type: type[Enum], name: str) -> None:
        self.type = enum_type
        self.name = name

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        decoded: Enum = self.type(data)
        return decoded


class DataclassAsDict(Transcoding):
    """A frozen dataclass value object, as a dict of its fields (nested values transcoded)."""

    def __init__(self, value_type: type[Any], name: str) -> None:
        self.type = value_type
        self.name = name

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


ENUMS: dict[str, type[Enum]] = {
    "organization_kind": OrganizationKind,
    "origin_kind": OriginKind,
    "category": Category,
    "sub_kind": SubKind,
    "stage": Stage,
    "interest": Interest,
    "funding_source": FundingSource,
    "api_key_role": Role,
}

VALUE_OBJECTS: dict[str, type[Any]] = {
    "origin": Origin,
    "committed_value": CommittedValue,
    "milestone": Milestone,
    "correction": Correction,
    "pair": Pair,
    "scheduled_meeting": ScheduledMeeting,
    "scheduled_round": ScheduledRound,
    "meeting_outcome": MeetingOutcome,
    "consulting_contribution": Contribution,
    "training_enrolment": Enrolment,
    "training_fee_payment": FeePayment,
}


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    transcoder.register(TimeAsISO())
    for name, enum_type in ENUMS.items():
        transcoder.register(EnumAsValue(enum_type, name))
    for name, value_type in VALUE_OBJECTS.items():
        transcoder.register(DataclassAsDict(value_type, name))
