"""The follow-up read model in SQL, and the processor that keeps it.

The processor notes which partnerships, speed-dating sessions and trainings a batch of events
touched, loads each one's current state from the event log, derives its items
(``application.followups.items``) and replaces that subject's items and the tracking position
in one transaction. Re-deriving from the current state is idempotent, so a batch delivered
twice, or a state newer than the batch, converges on the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from application.followups.items import FollowUpItem, FollowUpPolicy, items_of
from application.followups.ports import FollowUpQuery
from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.training import TrainingSession
from domain.partnerships.partnership import Partnership
from infrastructure.database import Cursor, Row, SqlStore, add_given
from infrastructure.projection_faults import (
    PositionTable,
    apply_once,
    follower_position,
    rewind_follower_position,
)

FOLLOWED_TOPICS = tuple(
    f"{cls.TOPIC}." for cls in (Partnership, SpeedDatingSession, TrainingSession)
)
"""Events of these aggregates change follow-ups (read from the topic: nothing is decoded)."""
TRACKING_NAME = "followups"
TRACKING = PositionTable("pl_followup_tracking", "name", "notification_id")


def _where(query: FollowUpQuery) -> tuple[str, dict[str, Any]]:
    where = [
        "lab = %(lab)s",
        "visible_from <= %(today)s",
        "(visible_until IS NULL OR visible_until >= %(today)s)",
    ]
    params: dict[str, Any] = {"lab": query.lab, "today": query.today}
    add_given(
        where,
        params,
        {
            "owner = %(owner)s": query.owner,
            "kind = %(kind)s": query.kind,
            "due_on < %(due_before)s": query.due_before,
        },
    )
    return " AND ".join(where), params


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _item(r: Row) -> FollowUpItem:
    until = r["visible_until"]
    return FollowUpItem(
        key=r["item_key"],
        lab=r["lab"],
        kind=r["kind"],
        subject_type=r["subject_type"],
        subject_id=UUID(str(r["subject_id"])),
        owner=r["owner"],
        title=r["title"],
        visible_from=_date(r["visible_from"]),
        due_on=_date(r["due_on"]),
        visible_until=None if until is None else _date(until),
    )


class SqlFollowUpStore(SqlStore):
    """Implements ``application.followups.ports.FollowUpStore`` on SQLite or PostgreSQL."""

    TABLES = (
        TRACKING.ddl(),
        "CREATE TABLE IF NOT EXISTS pl_followups ("
        " lab TEXT NOT NULL, item_key TEXT NOT NULL, kind TEXT NOT NULL,"
        " subject_type TEXT NOT NULL, subject_id TEXT NOT NULL, owner TEXT,"
        " title TEXT NOT NULL, visible_from {date} NOT NULL,"
        " due_on {date} NOT NULL, visible_until {date},"
        " PRIMARY KEY (lab, item_key))",
        "CREATE INDEX IF NOT EXISTS pl_followups_lab_due ON pl_followups (lab, due_on)",
        "CREATE INDEX IF NOT EXISTS pl_followups_lab_due_key"
        " ON pl_followups (lab, due_on, item_key)",
        "CREATE INDEX IF NOT EXISTS pl_followups_lab_owner_due"
        " ON pl_followups (lab, owner, due_on, item_key)",
        "CREATE INDEX IF NOT EXISTS pl_followups_subject ON pl_followups (subject_id)",
        "CREATE TABLE IF NOT EXISTS pl_followup_digests ("
        " week TEXT NOT NULL, staff TEXT NOT NULL, item_key TEXT NOT NULL,"
        " PRIMARY KEY (week, staff, item_key))",
        "CREATE TABLE IF NOT EXISTS pl_followup_feeds ("
        " token_hash TEXT PRIMARY KEY, lab TEXT NOT NULL, staff TEXT NOT NULL)",
    )

    def position(self) -> int:
        return follower_position(self.db, TRACKING_NAME, TRACKING)

    def replace(self, subjects: Mapping[UUID, Sequence[FollowUpItem]], position: int) -> None:
        """Each subject's items replace its previous ones, with the position reached, in one
        transaction (nothing is written when another follower got there first)."""
        with self.db.transaction() as cursor:
            steps = [(position, subjects)]
            apply_once(
                cursor,
                self.db.dialect,
                TRACKING_NAME,
                steps,
                _replace_items,
                table=TRACKING,
                pipelined=True,
            )

    def open_items(self, query: FollowUpQuery) -> list[FollowUpItem]:
        """Filtered, ordered and paged by the database: only the page's rows are read."""
        clause, params = _where(query)
        page = ""
        if query.limit is not None:
            page = " LIMIT %(limit)s OFFSET %(offset)s"
            params = {**params, "limit": query.limit, "offset": query.offset}
        rows = self.db.query(
            "SELECT lab, item_key, kind, subject_type, subject_id, owner, title, visible_from,"
            f" due_on, visible_until FROM pl_followups WHERE {clause}"
            f" ORDER BY due_on, item_key{page}",
            params,
        )
        return [_item(r) for r in rows]

    def count_items(self, query: FollowUpQuery) -> int:
        clause, params = _where(query)
        rows = self.db.query(f"SELECT COUNT(*) AS n FROM pl_followups WHERE {clause}", params)
        return int(rows[0]["n"])

    def sent_keys(self, week: str, staff: str) -> set[str]:
        rows = self.db.query(
            "SELECT item_key FROM pl_followup_digests WHERE week = %(week)s AND staff = %(staff)s",
            {"week": week, "staff": staff},
        )
        return {r["item_key"] for r in rows}

    def record_sent(self, week: str, staff: str, keys: Sequence[str]) -> None:
        with self.db.transaction() as cursor:
            for key in keys:
                cursor.execute(
                    "INSERT INTO pl_followup_digests (week, staff, item_key)"
                    " VALUES (%(week)s, %(staff)s, %(key)s) ON CONFLICT DO NOTHING",
                    {"week": week, "staff": staff, "key": key},
                )

    def feed_owner(self, token_hash: str) -> tuple[str, str] | None:
        rows = self.db.query(
            "SELECT lab, staff FROM pl_followup_feeds WHERE token_hash = %(hash)s",
            {"hash": token_hash},
        )
        return (rows[0]["lab"], rows[0]["staff"]) if rows else None

    def save_feed_token(self, lab: str, staff: str, token_hash: str) -> None:
        """A new token replaces the staff member's previous one (the old address stops)."""
        with self.db.transaction() as cursor:
            cursor.execute(
                "DELETE FROM pl_followup_feeds WHERE lab = %(lab)s AND staff = %(staff)s",
                {"lab": lab, "staff": staff},
            )
            cursor.execute(
                "INSERT INTO pl_followup_feeds (token_hash, lab, staff)"
                " VALUES (%(hash)s, %(lab)s, %(staff)s)",
                {"hash": token_hash, "lab": lab, "staff": staff},
            )


def _replace_items(cursor: Cursor, subjects: Mapping[UUID, Sequence[FollowUpItem]]) -> None:
    """Every subject's old items out, then the new ones in (pipelined: two round trips in
    all, one ``executemany`` each)."""
    for subject_id in subjects:
        cursor.execute("DELETE FROM pl_followups WHERE subject_id = %(id)s", {"id": subject_id})
    for items in subjects.values():
        for item in items:
            cursor.execute(
                "INSERT INTO pl_followups (lab, item_key, kind, subject_type,"
                " subject_id, owner, title, visible_from, due_on, visible_until)"
                " VALUES (%(lab)s, %(key)s, %(kind)s, %(subject_type)s, %(subject_id)s,"
                " %(owner)s, %(title)s, %(visible_from)s, %(due_on)s, %(until)s)",
                {
                    "lab": item.lab,
                    "key": item.key,
                    "kind": item.kind,
                    "subject_type": item.subject_type,
                    "subject_id": item.subject_id,
                    "owner": item.owner,
                    "title": item.title,
                    "visible_from": item.visible_from,
                    "due_on": item.due_on,
                    "until": item.visible_until,
                },
            )


class FollowUpsProcessor:
    """Keeps ``pl_followups`` for the log follower (``infrastructure.follower.LogFollower``)."""

    name = "followups"

    def __init__(
        self,
        store: SqlFollowUpStore,
        load: Callable[[UUID], Any],
        policy: FollowUpPolicy,
    ) -> None:
        self.store = store
        self.load = load
        self.policy = policy

    def position(self) -> int:
        return self.store.position()

    def rewind(self, position: int) -> None:
        """Move the tracking position back (a retry's replay of held events: items are
        recomputed from the aggregates, so applying them again is harmless)."""
        rewind_follower_position(self.store.db, self.name, position, TRACKING)

    def process(self, notifications: Sequence[Notification]) -> None:
        if not notifications:
            return
        touched: dict[UUID, None] = {}
        for n in notifications:
            if n.topic.startswith(FOLLOWED_TOPICS):
                touched[UUID(str(n.originator_id))] = None
        subjects = {
            subject_id: items_of(self.load(subject_id), self.policy) for subject_id in touched
        }
        self.store.replace(subjects, notifications[-1].id)
