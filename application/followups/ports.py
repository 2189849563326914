"""What the follow-ups context needs from infrastructure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from application.followups.items import FollowUpItem


@dataclass(frozen=True)
class FollowUpQuery:
    lab: str
    today: date
    owner: str | None = None
    kind: str | None = None
    due_before: date | None = None
    limit: int | None = None
    """At most this many items (``None``: all of them), from ``offset`` on."""
    offset: int = 0


class FollowUpStore(Protocol):
    """The follow-up read model: every item of every lab, with the dates that bound it."""

    def replace(self, subjects: Mapping[UUID, Sequence[FollowUpItem]], position: int) -> None:
        """Replace the items of each subject and record ``position``, in one transaction."""
        ...

    def position(self) -> int: ...

    def open_items(self, query: FollowUpQuery) -> list[FollowUpItem]:
        """Items open on ``query.today`` (visible from then, not yet past), by due date."""
        ...

    def count_items(self, query: FollowUpQuery) -> int:
        """How many items ``open_items`` would give without ``limit`` and ``offset``."""
        ...

    def sent_keys(self, week: str, staff: str) -> set[str]:
        """Keys of the items already mailed to ``staff`` in ISO week ``week``."""
        ...

    def record_sent(self, week: str, staff: str, keys: Sequence[str]) -> None: ...

    def feed_owner(self, token_hash: str) -> tuple[str, str] | None:
        """(lab, staff) whose calendar feed the token opens."""
        ...

    def save_feed_token(self, lab: str, staff: str, token_hash: str) -> None: ...
