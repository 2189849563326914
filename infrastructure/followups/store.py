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
from infrastructure.database import Database, Row, StatementBatch

FOLLOWED_TOPICS = tuple(
    f"{cls.TOPIC}." for cls in (Partnership, SpeedDatingSession, TrainingSession)
)
"""Events of these aggregates change follow-ups (read from the topic: nothing is decoded)."""
TRACKING_NAME = "followups"


def _ddl(dialect: str) -> list[str]:
    date_type = "DATE" if dialect == "postgres" else "TEXT"
    return [
        "CREATE TABLE IF NOT EXISTS pl_followup_tracking ("
        " name TEXT PRIMARY KEY, notification_id BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS pl_followups ("
        " lab TEXT NOT NULL, item_key TEXT NOT NULL, kind TEXT NOT NULL,"
        " subject_type TEXT NOT NULL, subject_id TEXT NOT NULL, owner TEXT,"
        f" title TEXT NOT NULL, visible_from {date_type} NOT NULL,"
        f" due_on {date_type} NOT NULL, visible_until {date_type},"
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
    ]


def _where(query: FollowUpQuery) -> tuple[str, dict[str, Any]]:
    where = [
        "lab = %(lab)s",
        "visible_from <= %(today)s",
        "(visible_until IS NULL OR visible_until >= %(today)s)",
    ]
    params: dict[str, Any] = {"lab": query.lab, "today": query.today}
    if query.owner is not None:
        where.append("owner = %(owner)s")
        params["owner"] = query.owner
    if query.kind is not None:
        where.append("kind = %(kind)s")
        params["kind"] = query.kind
    if query.due_before is not None:
        where.append("due_on < %(due_before)s")
        params["due_before"] = query.due_before
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


class SqlFollowUpStore:
    """Implements ``application.followups.ports.FollowUpStore`` on SQLite or PostgreSQL."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def create_tables(self) -> None:
        self.db.execute_script(_ddl(self.db.dialect))

    def position(self) -> int:
        rows = self.db.query(
            "SELECT notification_id FROM pl_followup_tracking WHERE name = %(name)s",
            {"name": TRACKING_NAME},
        )
        return int(rows[0]["notification_id"]) if rows else 0

    def replace(self, subjects: Mapping[UUID, Sequence[FollowUpItem]], position: int) -> None:
        with self.db.transaction() as cursor:
            lock = " FOR UPDATE" if self.db.dialect == "postgres" else ""
            cursor.execute(
                f"SELECT notification_id FROM pl_followup_tracking WHERE name = %(name)s{lock}",
                {"name": TRACKING_NAME},
            )
            row = cursor.fetchone()
            if row is not None and int(row["notification_id"]) >= position:
                return  # another follower got there first
            # Every subject's old items out, then the new ones in: two round trips in all.
            statements = StatementBatch()
            for subject_id in subjects:
                statements.execute(
                    "DELETE FROM pl_followups WHERE subject_id = %(id)s", {"id": subject_id}
                )
            for items in subjects.values():
                for item in items:
                    statements.execute(
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
            statements.run(cursor)
            cursor.execute(
                "INSERT INTO pl_followup_tracking (name, notification_id)"
                " VALUES (%(name)s, %(id)s) ON CONFLICT (name)"
                " DO UPDATE SET notification_id = excluded.notification_id",
                {"name": TRACKING_NAME, "id": position},
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
        with self.store.db.transaction() as cursor:
            cursor.execute(
                "UPDATE pl_followup_tracking SET notification_id = %(position)s"
                " WHERE name = %(name)s AND notification_id > %(position)s",
                {"name": self.name, "position": position},
            )

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
