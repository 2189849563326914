"""What waiting for the read models needs from infrastructure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

CATALOG = ("catalog",)
AUDIT_INDEX = ("audit-index",)
REPORTS = ("reports",)
API_KEYS = ("api-keys",)
ACTIVITIES = ("activity-policy", "activities", "catalog")
"""The read models each kind of read waits for (the followers' names)."""


@dataclass(frozen=True)
class ProjectionFault:
    """An event a read model could not apply: the read model holds that lab's events from
    ``position`` on (``state`` "stopped"), or goes over them again ("replaying")."""

    read_model: str
    lab: str
    position: int
    error: str
    state: str


class ProjectionFollower(Protocol):
    """Something that keeps read models up to date and can be waited for."""

    def wait_until(
        self, position: int, timeout: float, names: Sequence[str] | None = None
    ) -> bool: ...

    def stopped(self, names: Sequence[str], lab: str) -> list[ProjectionFault]:
        """The faults holding ``lab`` in the read models ``names``."""
        ...
