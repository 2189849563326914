"""Use cases of follow-ups: what needs doing in a lab, the weekly digest, the calendar feed."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from application.context import Caller
from application.errors import NotFound, StoreUnavailable
from application.followups.items import KINDS, FollowUpItem
from application.followups.ports import FollowUpQuery, FollowUpStore
from application.read_models import ReadModels
from application.results import Page
from domain.errors import InvalidValue
from domain.values import require_text


class UnknownFollowUpKind(InvalidValue):
    rule = "follow-up-kind-known"


@dataclass(frozen=True)
class DigestMail:
    lab: str
    staff: str
    week: str
    items: list[FollowUpItem]


class Mailer(Protocol):
    """Sends one staff member's digest (SMTP in infrastructure)."""

    def send(self, mail: DigestMail) -> None: ...


@dataclass(frozen=True)
class DigestReport:
    week: str
    mailed: dict[str, int]
    """Items mailed per staff member this run (0 when everything was already sent)."""


DEFAULT_PAGE = 100
"""Items per page of the follow-up list unless the caller asks for another size."""


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FollowUpService:
    def __init__(
        self,
        store: FollowUpStore | None,
        read_models: ReadModels,
        clock: Callable[[], date],
    ) -> None:
        self._store = store
        self._read_models = read_models
        self.clock = clock

    def store(self) -> FollowUpStore:
        if self._store is None:
            raise StoreUnavailable("the follow-up read model is not configured")
        return self._store

    def list_follow_ups(self, caller: Caller, **filters: Any) -> list[FollowUpItem]:
        """All the lab's open items, by due date, filtered as ``follow_up_page`` filters them
        (``owner``, ``kind``, ``due_before``, ``today``)."""
        return self.follow_up_page(caller, **filters, limit=None).items

    def follow_up_page(
        self,
        caller: Caller,
        *,
        owner: str | None = None,
        kind: str | None = None,
        due_before: date | None = None,
        today: date | None = None,
        limit: int | None = DEFAULT_PAGE,
        offset: int = 0,
    ) -> Page[FollowUpItem]:
        """One page of the lab's open items, by due date (``limit=None``: all of them); the
        database filters, orders and cuts the page."""
        if kind is not None and kind not in KINDS:
            raise UnknownFollowUpKind(
                f"{kind!r} is not a follow-up kind ({', '.join(KINDS)})", field="kind"
            )
        self._read_models.settled()
        query = FollowUpQuery(
            caller.lab, today or self.clock(), owner, kind, due_before, limit, offset
        )
        items = self.store().open_items(query)
        if limit is None:
            total = offset + len(items)
        elif offset == 0 and len(items) < limit:
            total = len(items)
        else:
            total = self.store().count_items(query)
        return Page(items=items, total=total, limit=limit or len(items), offset=offset)

    def send_digest(self, lab: str, mailer: Mailer, *, today: date | None = None) -> DigestReport:
        """Mail each staff member the items they own that were not mailed to them this ISO
        week; what was mailed is recorded, so running it twice mails nothing new."""
        day = today or self.clock()
        week = iso_week(day)
        store = self.store()
        self._read_models.settled()
        by_owner: dict[str, list[FollowUpItem]] = {}
        for item in store.open_items(FollowUpQuery(lab, day)):
            if item.owner is not None:
                by_owner.setdefault(item.owner, []).append(item)
        mailed: dict[str, int] = {}
        for staff, items in sorted(by_owner.items()):
            sent = store.sent_keys(week, staff)
            fresh = [i for i in items if i.key not in sent]
            if fresh:
                mailer.send(DigestMail(lab, staff, week, fresh))
                store.record_sent(week, staff, [i.key for i in fresh])
            mailed[staff] = len(fresh)
        return DigestReport(week, mailed)

    def issue_feed_token(self, caller: Caller, staff: str) -> str:
        """A new secret for ``staff``'s calendar feed (only its hash is kept)."""
        staff = require_text(staff, "staff")
        token = secrets.token_urlsafe(24)
        self.store().save_feed_token(caller.lab, staff, token_hash(token))
        return token

    def feed(self, token: str) -> tuple[str, list[FollowUpItem]]:
        """The staff member a feed token belongs to, and every item they own, due or coming
        (a calendar shows future due dates too)."""
        owner = self.store().feed_owner(token_hash(token))
        if owner is None:
            raise NotFound("no calendar feed with this address")
        lab, staff = owner
        self._read_models.settled()
        items = self.store().open_items(FollowUpQuery(lab, date.max, owner=staff))
        return staff, items


def items_due(items: Sequence[FollowUpItem], before: date) -> list[FollowUpItem]:
    return [i for i in items if i.due_on < before]
