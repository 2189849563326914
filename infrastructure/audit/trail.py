"""The audit trail in SQL: the hash chain's verification and exports, and the audit index.

The chain table is written by the chained recorders with each insert; the audit index (who
recorded what, in which lab, when) is a projection kept by a follower like the catalogue.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from application.audit.chain import (
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
from application.audit.merkle_log import (
    canonical,
    manifest_bytes,
    proof_export_header,
    proof_export_line,
    record_leaf,
)
from application.audit.ports import AuditEntry, AuditFilter
from application.errors import StoreUnavailable
from domain.audit.merkle import Frontier, inclusion_plan
from domain.audit.tree_head import TreeHead
from infrastructure.audit.merkle_store import SqlMerkleTree
from infrastructure.database import Cursor, Database, SqlStore, add_given, pages
from infrastructure.projection_faults import (
    FOLLOWER_POSITIONS,
    HELD_TOPIC,
    apply_once,
    follower_position,
    rewind_follower_position,
)

BATCH = 1000
INDEX = "audit-index"
"""The audit index's name among the followers."""


_COLUMNS = ("originator_id", "originator_version", "topic", "state")
_SQLITE_TYPES = {
    "originator_id": "text",
    "originator_version": "integer",
    "topic": "text",
    "state": "blob",
}


class DamagedLog(StoreUnavailable):
    """A stored event row cannot be read as an event (``partnerlab audit verify`` names it)."""

    def __init__(self, mismatch: Mismatch) -> None:
        super().__init__(
            f"the stored event at position {mismatch.position} is damaged ({mismatch.detail});"
            " run `partnerlab audit verify`"
        )
        self.mismatch = mismatch


class _Damaged(Exception):
    pass


def _link_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def _text(name: str, value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise _Damaged(f"{name} is not valid UTF-8 text") from None
    if not isinstance(value, str):
        raise _Damaged(f"{name} is {type(value).__name__}, not text")
    return value


def _column(row: dict[str, Any], name: str, dialect: str) -> Any:
    value = row[name]
    if value is None:
        raise _Damaged(f"{name} is NULL")
    if dialect != "sqlite":
        return value
    stored = row[f"t_{name}"]
    if stored != _SQLITE_TYPES[name]:
        raise _Damaged(f"{name} is stored as {stored}, not {_SQLITE_TYPES[name]}")
    return value if name == "state" else _text(name, value)


def stored_record(row: dict[str, Any], dialect: str) -> StoredRecord | Mismatch:
    """One event row as the chain hashes it, or what is wrong with it."""
    position = int(row["notification_id"])
    try:
        originator = _column(row, "originator_id", dialect)
        try:
            # Hashed as the event store reads it: a UUID (SQLite keeps its hex digits).
            originator_id = str(originator if isinstance(originator, UUID) else UUID(originator))
        except (TypeError, ValueError, AttributeError):
            raise _Damaged("originator_id is not a UUID") from None
        version = _column(row, "originator_version", dialect)
        try:
            originator_version = int(version)
        except (TypeError, ValueError):
            raise _Damaged("originator_version is not an integer") from None
        if isinstance(version, bool | float) and version != originator_version:
            raise _Damaged("originator_version is not an integer")
        topic = _text("topic", _column(row, "topic", dialect))
        state = _column(row, "state", dialect)
        if not isinstance(state, bytes | bytearray | memoryview):
            raise _Damaged(f"state is {type(state).__name__}, not bytes")
    except _Damaged as damage:
        return Mismatch(position, "malformed", f"the stored record is damaged: {damage}")
    return StoredRecord(
        position=position,
        originator_id=originator_id,
        originator_version=originator_version,
        topic=topic,
        state=bytes(state),
    )


def _deleted(position: int) -> Mismatch:
    return Mismatch(position, "deleted", "a recorded event is missing from the log")


def _failed(checked: int, head: Digest | None, mismatch: Mismatch) -> Verification:
    return Verification(False, checked, head, 0, mismatch)


def _reporting(
    rows: Iterator[StoredRecord | Mismatch], progress: Callable[[int, int], None], head: int
) -> Iterator[StoredRecord | Mismatch]:
    for count, row in enumerate(rows, 1):
        if count % BATCH == 0:
            progress(row.position, head)
        yield row
    progress(head, head)


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class SqlAuditTrail(SqlStore):
    TABLES = (
        "CREATE TABLE IF NOT EXISTS pl_audit_index ("
        " position BIGINT PRIMARY KEY, lab TEXT NOT NULL, aggregate_id TEXT NOT NULL,"
        " aggregate_type TEXT NOT NULL, version INTEGER NOT NULL,"
        " event_type TEXT NOT NULL, actor TEXT, occurred_on {date},"
        " recorded_at {time} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS pl_audit_index_lab ON pl_audit_index (lab, position)",
        "CREATE INDEX IF NOT EXISTS pl_audit_index_aggregate"
        " ON pl_audit_index (aggregate_id, version)",
        FOLLOWER_POSITIONS.ddl(),
        "CREATE TABLE IF NOT EXISTS pl_aggregate_labs ("
        " aggregate_id TEXT PRIMARY KEY, lab TEXT NOT NULL)",
    )

    def __init__(self, database: Database, recorder: ApplicationRecorder, chain_table: str) -> None:
        super().__init__(database)
        self.recorder = recorder
        self.chain_table = chain_table
        self.tree = SqlMerkleTree(database, recorder, self._stored_rows)

    def create_tables(self) -> None:
        super().create_tables()
        self.tree.create_tables()

    # ------------------------------------------------------------------ chain

    def digest(self) -> Digest | None:
        rows = self.db.query(
            f"SELECT position, {self._link_column()} AS link FROM {self.chain_table}"
            " ORDER BY position DESC LIMIT 1"
        )
        return Digest(int(rows[0]["position"]), _link_text(rows[0]["link"])) if rows else None

    def _link_column(self) -> str:
        # On SQLite a damaged link may be any type, or text that is not UTF-8 (which the
        # driver cannot even fetch): read its bytes.
        return "CAST(link AS BLOB)" if self.db.dialect == "sqlite" else "link"

    def _links(self) -> Iterator[Link]:
        sql = (
            f"SELECT position, {self._link_column()} AS link FROM {self.chain_table}"
            " WHERE position > %(after)s ORDER BY position LIMIT %(limit)s"
        )
        for row in pages(self.db, sql, "position", 0, BATCH):
            yield Link(int(row["position"]), _link_text(row["link"]))

    def _events_table(self) -> str:
        return str(self.recorder.events_table_name)  # type: ignore[attr-defined]

    def _stored_rows(
        self, after: int, upto: int | None = None
    ) -> Iterator[StoredRecord | Mismatch]:
        """The event log's rows read as stored, not through the event store's mapper, so a
        damaged row (wrong type, NULL, bytes that are not UTF-8...) is named, not raised."""
        if self.db.dialect == "sqlite":
            columns = ", ".join(f"typeof({c}) AS t_{c}, CAST({c} AS BLOB) AS {c}" for c in _COLUMNS)
        else:
            columns = ", ".join(_COLUMNS)
        # eventsourcing's SQLite table numbers notifications by its rowid.
        position = "rowid" if self.db.dialect == "sqlite" else "notification_id"
        stop = f" AND {position} <= %(upto)s" if upto is not None else ""
        sql = (
            f"SELECT {position} AS notification_id, {columns} FROM {self._events_table()}"
            f" WHERE {position} > %(after)s{stop} ORDER BY {position} LIMIT %(limit)s"
        )
        for row in pages(self.db, sql, "notification_id", after, BATCH, upto=upto):
            yield stored_record(row, self.db.dialect)

    def _records(self, upto: int | None = None) -> Iterator[StoredRecord]:
        for item in self._stored_rows(0, upto):
            if isinstance(item, Mismatch):
                raise DamagedLog(item)
            yield item

    def verify(
        self,
        expected: Digest | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Verification:
        """Recompute the Merkle tree's leaves and the chain from the stored rows (time linear in
        the log) and name the first position where the log no longer matches them.

        ``progress(position, head)`` hears how far the tree's pass got, every ``BATCH`` rows."""
        tree_result = self._verify_tree(progress)
        if not tree_result.ok:
            return tree_result
        return self._verify_chain(expected)

    def _verify_tree(self, progress: Callable[[int, int], None] | None) -> Verification:
        """Walk the stored rows and the tree's leaves together, in position order: a row whose
        leaf differs was changed (or, if its content is another position's leaf, reordered);
        a leaf without its row was deleted; a row without a leaf inside the tree, inserted.
        Then the leaves must fold to the stored frontier and to every stored head's root."""
        state = self.tree.state()
        rows = self._stored_rows(0, state.last_position)
        if progress is not None:
            rows = _reporting(rows, progress, state.last_position)
        heads = dict(self.tree.all_head_roots())
        frontier = Frontier.empty()
        leaves = self.tree.leaves()
        row = next(rows, None)
        leaf = next(leaves, None)
        checked = 0

        def failed(mismatch: Mismatch) -> Verification:
            return _failed(checked, None, mismatch)

        while row is not None and leaf is not None:
            if isinstance(row, Mismatch):
                if leaf.position < row.position:
                    return failed(_deleted(leaf.position))
                return failed(row)
            if row.position == leaf.position:
                if record_leaf(row) != leaf.hash:
                    return failed(self._changed_or_reordered(row))
                frontier, _ = frontier.append(leaf.hash)
                if frontier.size in heads and heads[frontier.size] != frontier.root():
                    return failed(
                        Mismatch(
                            row.position,
                            "head-mismatch",
                            f"the tree head kept at size {frontier.size} no longer matches the"
                            " stored records: the history up to it was rewritten",
                        )
                    )
                checked += 1
                row = next(rows, None)
                leaf = next(leaves, None)
            elif row.position < leaf.position:
                return failed(
                    Mismatch(row.position, "inserted", "a stored record has no leaf in the tree")
                )
            else:
                return failed(_deleted(leaf.position))
        if leaf is not None:
            return failed(_deleted(leaf.position))
        if row is not None:
            if isinstance(row, Mismatch):
                return failed(row)
            return failed(
                Mismatch(row.position, "inserted", "a stored record has no leaf in the tree")
            )
        if frontier.root() != state.root or frontier.size != state.size:
            return failed(
                Mismatch(
                    state.last_position,
                    "changed",
                    "the tree's stored frontier does not match its leaves",
                )
            )
        for record in self._stored_rows(state.last_position):
            if isinstance(record, Mismatch):
                return failed(record)
            if record.position > self.tree.state().last_position:
                return failed(
                    Mismatch(record.position, "inserted", "a stored record has no leaf in the tree")
                )
        return Verification(True, checked, None, 0, None)

    def _changed_or_reordered(self, record: StoredRecord) -> Mismatch:
        """Whether the record now at this position is another position's record (the rows were
        reordered) or a record the log never held (changed). Only on failure: linear."""
        for leaf in self.tree.leaves():
            if leaf.position == record.position:
                continue
            moved = StoredRecord(
                leaf.position,
                record.originator_id,
                record.originator_version,
                record.topic,
                record.state,
            )
            if record_leaf(moved) == leaf.hash:
                return Mismatch(
                    record.position,
                    "reordered",
                    f"the record stored at position {record.position} was recorded at"
                    f" position {leaf.position}: rows were reordered",
                )
        return Mismatch(
            record.position,
            "changed",
            "the stored record no longer matches its leaf in the tree (its content was changed)",
        )

    def _verify_chain(self, expected: Digest | None) -> Verification:
        head = self.digest()
        upto = head.position if head else 0
        rows = self._stored_rows(0, upto)
        result = verify_against_links(rows, self._links(), expected=expected)
        if not result.ok:
            return result
        for record in self._stored_rows(upto):
            if isinstance(record, Mismatch):
                return Verification(False, result.checked, result.head, 0, record)
            linked = self.db.query(
                f"SELECT position FROM {self.chain_table} WHERE position = %(p)s",
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

    def lab_of(self, position: int) -> str | None:
        rows = self.db.query(
            "SELECT lab FROM pl_audit_index WHERE position = %(p)s", {"p": position}
        )
        return str(rows[0]["lab"]) if rows else None

    def record_at(self, position: int) -> StoredRecord | None:
        for record in self._records_between(position - 1, position):
            return record
        return None

    def _records_between(self, after: int, upto: int | None) -> Iterator[StoredRecord]:
        for item in self._stored_rows(after, upto):
            if isinstance(item, Mismatch):
                raise DamagedLog(item)
            yield item

    def proof_export(
        self,
        lab: str,
        aggregate_id: UUID | None,
        head: TreeHead,
        head_fields: dict[str, Any],
        sign_manifest: Callable[[bytes], bytes] | None,
        from_size: int | None,
    ) -> Iterator[str]:
        """Format 2: a header with the signed head, the signed manifest (the leaf index of
        every record in scope, in order) and an optional consistency proof from ``from_size``;
        then one line per record with its inclusion proof against the head."""
        positions = sorted(self._positions_in_scope(lab, aggregate_id))
        index_of = self.tree.leaf_indexes(positions)
        included = [p for p in positions if index_of.get(p, head.tree_size) < head.tree_size]
        consistency = None
        if from_size is not None:
            consistency = {
                "from_size": from_size,
                "proof": [h.hex() for h in self.tree.consistency(from_size, head.tree_size)],
            }
        header = proof_export_header(
            {"lab": lab, "aggregate_id": str(aggregate_id) if aggregate_id else None},
            head_fields,
            [index_of[p] for p in included],
            consistency,
        )
        header["manifest_signature"] = (
            base64.b64encode(sign_manifest(manifest_bytes(header))).decode("ascii")
            if sign_manifest is not None
            else None
        )
        yield canonical(header)
        cache: dict[tuple[int, int], bytes] = {}
        for start in range(0, len(included), 500):
            chunk = included[start : start + 500]
            wanted = set(chunk)
            records = [
                r for r in self._records_between(chunk[0] - 1, chunk[-1]) if r.position in wanted
            ]
            if len(cache) > 100_000:
                cache.clear()
            proofs = self.tree.resolve(
                [inclusion_plan(index_of[r.position], head.tree_size) for r in records], cache
            )
            for record, proof in zip(records, proofs, strict=True):
                yield proof_export_line(record, index_of[record.position], proof)

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
        add_given(
            where,
            params,
            {
                "actor = %(actor)s": filters.actor,
                "event_type = %(event_type)s": filters.event_type,
                "aggregate_id = %(aggregate_id)s": filters.aggregate_id,
                "recorded_at >= %(recorded_from)s": filters.recorded_from,
                "recorded_at < %(recorded_to)s": filters.recorded_to,
            },
        )
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
        return follower_position(self.db, INDEX)

    def index(self, entries: Sequence[tuple[AuditEntry, bool]], upto: int) -> None:
        """Record entries (and, for creations, the aggregate's lab) and the position reached,
        in one transaction; positions already indexed are skipped (exactly once)."""
        with self.db.transaction() as cursor:
            steps = [(entry.position, (entry, creates)) for entry, creates in entries]
            # One pipeline for the batch's rows, not one round trip per event.
            apply_once(cursor, self.db.dialect, INDEX, steps, _index_entry, upto, pipelined=True)


def _index_entry(cursor: Cursor, step: tuple[AuditEntry, bool]) -> None:
    entry, creates = step
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


class AuditIndexProcessor:
    """Indexes every event by lab, actor, type and recording time (the global audit log)."""

    name = INDEX

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
        rewind_follower_position(self.trail.db, INDEX, position)
