"""The audit trail in SQL: the hash chain's verification and exports, and the audit index.

The chain table is written by the chained recorders with each insert; the audit index (who
recorded what, in which lab, when) is a projection kept by a follower like the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from application.audit import (
    GENESIS,
    Digest,
    Link,
    Mismatch,
    StoredRecord,
    Verification,
    export_header,
    export_line,
    verify_against_links,
    with_footer,
)
from application.ports import AuditEntry, AuditFilter
from infrastructure.database import Database
from infrastructure.projection_faults import HELD_TOPIC, rewind_follower_position

BATCH = 1000


def _record(n: Notification) -> StoredRecord:
    return StoredRecord(
        position=n.id,
        originator_id=str(n.originator_id),
        originator_version=n.originator_version,
        topic=n.topic,
        state=bytes(n.state),
    )


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class SqlAuditTrail:
    def __init__(self, database: Database, recorder: ApplicationRecorder, chain_table: str) -> None:
        self.db = database
        self.recorder = recorder
        self.chain_table = chain_table

    def create_tables(self) -> None:
        time_type = "TIMESTAMPTZ" if self.db.dialect == "postgres" else "TEXT"
        date_type = "DATE" if self.db.dialect == "postgres" else "TEXT"
        self.db.execute_script(
            [
                "CREATE TABLE IF NOT EXISTS pl_audit_index ("
                " position BIGINT PRIMARY KEY, lab TEXT NOT NULL, aggregate_id TEXT NOT NULL,"
                " aggregate_type TEXT NOT NULL, version INTEGER NOT NULL,"
                f" event_type TEXT NOT NULL, actor TEXT, occurred_on {date_type},"
                f" recorded_at {time_type} NOT NULL)",
                "CREATE INDEX IF NOT EXISTS pl_audit_index_lab ON pl_audit_index (lab, position)",
                "CREATE INDEX IF NOT EXISTS pl_audit_index_aggregate"
                " ON pl_audit_index (aggregate_id, version)",
                "CREATE TABLE IF NOT EXISTS pl_follower_positions ("
                " name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS pl_aggregate_labs ("
                " aggregate_id TEXT PRIMARY KEY, lab TEXT NOT NULL)",
            ]
        )

    # ------------------------------------------------------------------ chain

    def digest(self) -> Digest | None:
        rows = self.db.query(
            f"SELECT position, link FROM {self.chain_table} ORDER BY position DESC LIMIT 1"
        )
        return Digest(int(rows[0]["position"]), rows[0]["link"]) if rows else None

    def _links(self) -> Iterator[Link]:
        after = 0
        while True:
            rows = self.db.query(
                f"SELECT position, link FROM {self.chain_table} WHERE position > %(after)s"
                " ORDER BY position LIMIT %(limit)s",
                {"after": after, "limit": BATCH},
            )
            for row in rows:
                yield Link(int(row["position"]), row["link"])
            if len(rows) < BATCH:
                return
            after = int(rows[-1]["position"])

    def _records(self, upto: int | None = None) -> Iterator[StoredRecord]:
        after = 0
        while True:
            notifications = self.recorder.select_notifications(
                start=after, limit=BATCH, stop=upto, inclusive_of_start=False
            )
            for n in notifications:
                yield _record(n)
            if len(notifications) < BATCH:
                return
            after = notifications[-1].id

    def _records_after(self, position: int) -> Iterator[StoredRecord]:
        after = position
        while True:
            notifications = self.recorder.select_notifications(
                start=after, limit=BATCH, inclusive_of_start=False
            )
            for n in notifications:
                yield _record(n)
            if len(notifications) < BATCH:
                return
            after = notifications[-1].id

    def verify(self, expected: Digest | None = None) -> Verification:
        """Recompute the chain from the stored rows, in one pass (time linear in the log)."""
        head = self.digest()
        upto = head.position if head else 0
        result = verify_against_links(self._records(upto), self._links(), expected=expected)
        if not result.ok:
            return result
        for record in self._records_after(upto):
            linked = self.db.query(
                f"SELECT link FROM {self.chain_table} WHERE position = %(p)s",
                {"p": record.position},
            )
            if not linked:
                return Verification(
                    False,
                    result.checked,
                    result.head,
                    0,
                    Mismatch(
                        record.position, "inserted", "a stored record has no link in the chain"
                    ),
                )
        return result

    def export(self, lab: str | None, aggregate_id: UUID | None) -> Iterator[str]:
        return with_footer(self._export_lines(lab, aggregate_id))

    def _export_lines(self, lab: str | None, aggregate_id: UUID | None) -> Iterator[str]:
        """JSON Lines: a header, then one line per event with its links.

        Without lab and aggregate the export is complete (every event, links contiguous) and
        ends at the digest; otherwise each line still verifies against its own links.
        """
        complete = lab is None and aggregate_id is None
        head = self.digest()
        scope: dict[str, Any] = {
            "lab": lab,
            "aggregate_id": str(aggregate_id) if aggregate_id else None,
        }
        yield export_header(scope, head, complete)
        wanted: set[int] | None = None
        if not complete:
            wanted = set(self._positions_in_scope(lab, aggregate_id))
        previous = GENESIS
        record_iter = self._records(head.position if head else 0)
        record = next(record_iter, None)
        for link in self._links():
            while record is not None and record.position < link.position:
                record = next(record_iter, None)
            in_scope = record is not None and (wanted is None or record.position in wanted)
            if record is not None and record.position == link.position and in_scope:
                yield export_line(record, previous, link.link)
            previous = link.link

    def _positions_in_scope(self, lab: str | None, aggregate_id: UUID | None) -> list[int]:
        where, params = [], {}
        if lab is not None:
            where.append("lab = %(lab)s")
            params["lab"] = lab
        if aggregate_id is not None:
            where.append("aggregate_id = %(aid)s")
            params["aid"] = str(aggregate_id)
        clause = " AND ".join(where) or "1 = 1"
        rows = self.db.query(f"SELECT position FROM pl_audit_index WHERE {clause}", params)
        return [int(r["position"]) for r in rows]

    # ------------------------------------------------------------------ audit index

    def entries(self, lab: str, filters: AuditFilter, after: int, limit: int) -> list[AuditEntry]:
        where = ["lab = %(lab)s", "position > %(after)s"]
        params: dict[str, Any] = {"lab": lab, "after": after, "limit": limit}
        if filters.actor is not None:
            where.append("actor = %(actor)s")
            params["actor"] = filters.actor
        if filters.event_type is not None:
            where.append("event_type = %(event_type)s")
            params["event_type"] = filters.event_type
        if filters.aggregate_id is not None:
            where.append("aggregate_id = %(aggregate_id)s")
            params["aggregate_id"] = str(filters.aggregate_id)
        if filters.recorded_from is not None:
            where.append("recorded_at >= %(recorded_from)s")
            params["recorded_from"] = filters.recorded_from
        if filters.recorded_to is not None:
            where.append("recorded_at < %(recorded_to)s")
            params["recorded_to"] = filters.recorded_to
        rows = self.db.query(
            f"SELECT * FROM pl_audit_index WHERE {' AND '.join(where)}"
            " ORDER BY position LIMIT %(limit)s",
            params,
        )
        return [
            AuditEntry(
                position=int(r["position"]),
                lab=r["lab"],
                aggregate_id=UUID(r["aggregate_id"]),
                aggregate_type=r["aggregate_type"],
                version=int(r["version"]),
                event_type=r["event_type"],
                actor=r["actor"],
                occurred_on=_as_date(r["occurred_on"]),
                recorded_at=_as_datetime(r["recorded_at"]),
            )
            for r in rows
        ]

    def positions(self, aggregate_id: UUID) -> dict[int, int]:
        rows = self.db.query(
            "SELECT version, position FROM pl_audit_index WHERE aggregate_id = %(aid)s",
            {"aid": str(aggregate_id)},
        )
        return {int(r["version"]): int(r["position"]) for r in rows}

    def index_position(self) -> int:
        rows = self.db.query(
            "SELECT position FROM pl_follower_positions WHERE name = 'audit-index'"
        )
        return int(rows[0]["position"]) if rows else 0

    def index(self, entries: Sequence[tuple[AuditEntry, bool]], upto: int) -> None:
        """Record entries (and, for creations, the aggregate's lab) and the position reached,
        in one transaction; positions already indexed are skipped (exactly once)."""
        with self.db.transaction() as cursor:
            lock = " FOR UPDATE" if self.db.dialect == "postgres" else ""
            cursor.execute(
                f"SELECT position FROM pl_follower_positions WHERE name = 'audit-index'{lock}"
            )
            row = cursor.fetchone()
            done = int(row["position"]) if row else 0
            for entry, creates in entries:
                if entry.position <= done:
                    continue
                if creates:
                    cursor.execute(
                        "INSERT INTO pl_aggregate_labs (aggregate_id, lab) VALUES (%(aid)s,"
                        " %(lab)s) ON CONFLICT (aggregate_id) DO NOTHING",
                        {"aid": str(entry.aggregate_id), "lab": entry.lab},
                    )
                cursor.execute(
                    "INSERT INTO pl_audit_index (position, lab, aggregate_id, aggregate_type,"
                    " version, event_type, actor, occurred_on, recorded_at) SELECT"
                    " %(position)s, l.lab, %(aid)s, %(atype)s, %(version)s, %(etype)s,"
                    " %(actor)s, %(occurred_on)s, %(recorded_at)s"
                    " FROM pl_aggregate_labs l WHERE l.aggregate_id = %(aid)s"
                    " ON CONFLICT (position) DO NOTHING",
                    {
                        "position": entry.position,
                        "aid": str(entry.aggregate_id),
                        "atype": entry.aggregate_type,
                        "version": entry.version,
                        "etype": entry.event_type,
                        "actor": entry.actor,
                        "occurred_on": entry.occurred_on,
                        "recorded_at": entry.recorded_at,
                    },
                )
            if upto > done:
                cursor.execute(
                    "INSERT INTO pl_follower_positions (name, position) VALUES"
                    " ('audit-index', %(upto)s) ON CONFLICT (name)"
                    " DO UPDATE SET position = excluded.position",
                    {"upto": upto},
                )


class AuditIndexProcessor:
    """Indexes every event by lab, actor, type and recording time (the global audit log)."""

    name = "audit-index"

    def __init__(self, trail: SqlAuditTrail, mapper: Mapper) -> None:  # type: ignore[type-arg]
        self.trail = trail
        self.mapper = mapper

    def position(self) -> int:
        return self.trail.index_position()

    def process(self, notifications: Sequence[Notification]) -> None:
        entries = []
        for n in notifications:
            if n.topic == HELD_TOPIC:
                continue
            event = self.mapper.to_domain_event(n)
            lab = getattr(event, "lab", "")
            aggregate_type, _, event_type = n.topic.partition(":")[2].partition(".")
            entries.append(
                (
                    AuditEntry(
                        position=n.id,
                        lab=lab,
                        aggregate_id=UUID(str(n.originator_id)),
                        aggregate_type=aggregate_type,
                        version=n.originator_version,
                        event_type=event_type or type(event).__name__,
                        actor=getattr(event, "actor", None),
                        occurred_on=getattr(event, "occurred_on", None),
                        recorded_at=getattr(event, "timestamp"),  # noqa: B009
                    ),
                    n.originator_version == 1,
                )
            )
        self.trail.index(entries, notifications[-1].id)

    def rewind(self, position: int) -> None:
        rewind_follower_position(self.trail.db, "audit-index", position)
