"""The Merkle tree's tables: its frontier and perfect-subtree nodes (written by the chained
recorders with each insert), the signed tree heads, proofs read from stored nodes, and the
one-off build of the tree over a log written before it existed.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from application.audit.chain import Mismatch
from application.audit.ports import TreeState
from domain.audit.merkle import (  # the proofs' own folding and ranges
    EMPTY_ROOT,
    Frontier,
    NodeId,
    ProofPlan,
    _fold_right,
    _range_ids,
    consistency_plan,
    inclusion_plan,
    plan_node_ids,
)
from domain.audit.tree_head import SignedTreeHead, TreeHead
from infrastructure.audit.chained_recorders import tree_rows, tree_tables
from infrastructure.database import Cursor, Database, pages

BATCH = 1000
HEADS_TABLE = "pl_audit_heads"


class TreeDamaged(Exception):
    """The tree's own tables are inconsistent (a node a proof needs is missing)."""


def _bytes(value: Any) -> bytes:
    return bytes(value)


@dataclass(frozen=True)
class StoredLeaf:
    index: int
    position: int
    hash: bytes


class SqlMerkleTree:
    def __init__(
        self,
        database: Database,
        recorder: ApplicationRecorder,
        stored_rows: Callable[[int, int | None], Iterator[Any]],
    ) -> None:
        self.db = database
        self.recorder = recorder
        self.events_table = str(recorder.events_table_name)  # type: ignore[attr-defined]
        self.state_table, self.nodes_table = tree_tables(self.events_table)
        self._stored_rows = stored_rows

    def create_tables(self) -> None:
        self.db.execute_script(
            [
                f"CREATE TABLE IF NOT EXISTS {HEADS_TABLE} (tree_size BIGINT PRIMARY KEY,"
                " root_hash TEXT NOT NULL, signed_at TEXT NOT NULL, signature TEXT,"
                " key_id TEXT)"
            ]
        )

    # ------------------------------------------------------------------ state

    def state(self) -> TreeState:
        rows = self.db.query(
            f"SELECT size, last_position, frontier FROM {self.state_table} WHERE id = 1"
        )
        if not rows:
            return TreeState(0, 0, EMPTY_ROOT)
        frontier = Frontier.from_bytes(_bytes(rows[0]["frontier"]))
        return TreeState(frontier.size, int(rows[0]["last_position"]), frontier.root())

    def _lock(self, cursor: Cursor) -> None:
        """Take the lock the recorders insert under (SQLite's write lock is already held)."""
        if self.db.dialect == "postgres":
            cursor.execute(f"LOCK TABLE {self.events_table} IN EXCLUSIVE MODE")

    def build(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Append to the tree every stored record it does not cover yet, under the recorders'
        lock (a log written before the tree existed). Returns how many leaves it added."""
        with self.db.transaction() as cursor:
            self._lock(cursor)
            cursor.execute(f"SELECT frontier, last_position FROM {self.state_table} WHERE id = 1")
            row = cursor.fetchone()
            frontier = Frontier.from_bytes(_bytes(row["frontier"])) if row else Frontier.empty()
            after = int(row["last_position"]) if row else 0
            added = 0
            batch: list[Any] = []
            last = after
            for record in self._stored_rows(after, None):
                if isinstance(record, Mismatch):
                    raise TreeDamaged(
                        f"cannot build the tree: the stored event at position {record.position}"
                        f" is damaged ({record.detail})"
                    )
                batch.append(record)
                if len(batch) >= BATCH:
                    frontier, last = self._append(cursor, frontier, batch)
                    added += len(batch)
                    batch = []
                    if progress is not None:
                        progress(added, 0)
            if batch:
                frontier, last = self._append(cursor, frontier, batch)
                added += len(batch)
            if added:
                cursor.execute(
                    f"INSERT INTO {self.state_table} (id, size, last_position, frontier)"
                    " VALUES (1, %(size)s, %(last)s, %(frontier)s) ON CONFLICT (id) DO UPDATE"
                    " SET size = excluded.size, last_position = excluded.last_position,"
                    " frontier = excluded.frontier",
                    {"size": frontier.size, "last": last, "frontier": frontier.to_bytes()},
                )
            return added

    def _append(self, cursor: Cursor, frontier: Frontier, batch: list[Any]) -> tuple[Frontier, int]:
        frontier, rows = tree_rows(frontier, batch)
        cursor.executemany(  # type: ignore[attr-defined]
            f"INSERT INTO {self.nodes_table} (level, idx, hash, position)"
            " VALUES (%(level)s, %(idx)s, %(hash)s, %(position)s)",
            [{"level": r[0], "idx": r[1], "hash": r[2], "position": r[3]} for r in rows],
        )
        return frontier, int(batch[-1].position)

    # ------------------------------------------------------------------ nodes

    def nodes(self, ids: Sequence[NodeId]) -> dict[tuple[int, int], bytes]:
        """The stored nodes asked for, in one query per level."""
        by_level: dict[int, list[int]] = {}
        for node in ids:
            by_level.setdefault(node.level, []).append(node.index)
        found: dict[tuple[int, int], bytes] = {}
        for level, indexes in by_level.items():
            for start in range(0, len(indexes), 500):
                chunk = indexes[start : start + 500]
                params: dict[str, Any] = {"level": level}
                names = []
                for k, index in enumerate(chunk):
                    params[f"i{k}"] = index
                    names.append(f"%(i{k})s")
                rows = self.db.query(
                    f"SELECT idx, hash FROM {self.nodes_table}"
                    f" WHERE level = %(level)s AND idx IN ({', '.join(names)})",
                    params,
                )
                for r in rows:
                    found[(level, int(r["idx"]))] = _bytes(r["hash"])
        return found

    def resolve(
        self, plans: Sequence[ProofPlan], cache: dict[tuple[int, int], bytes] | None = None
    ) -> list[list[bytes]]:
        """The hashes of several proof plans, reading each stored node once."""
        cache = {} if cache is None else cache
        wanted = [
            i for plan in plans for i in plan_node_ids(plan) if (i.level, i.index) not in cache
        ]
        cache.update(self.nodes(list(dict.fromkeys(wanted))))
        proofs = []
        for plan in plans:
            proof = []
            for entry in plan:
                hashes = []
                for i in entry:
                    value = cache.get((i.level, i.index))
                    if value is None:
                        raise TreeDamaged(f"the tree's node ({i.level}, {i.index}) is missing")
                    hashes.append(value)
                proof.append(_fold_right(hashes))
            proofs.append(proof)
        return proofs

    def inclusion(self, leaf_index: int, tree_size: int) -> list[bytes]:
        return self.resolve([inclusion_plan(leaf_index, tree_size)])[0]

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        return self.resolve([consistency_plan(old_size, new_size)])[0]

    def root_at(self, size: int) -> bytes:
        ids = _range_ids(0, size)
        found = self.nodes(ids)
        try:
            return _fold_right([found[(i.level, i.index)] for i in ids])
        except KeyError as missing:
            raise TreeDamaged(f"the tree's node {missing} is missing") from None

    def leaf_index(self, position: int) -> int | None:
        rows = self.db.query(
            f"SELECT idx FROM {self.nodes_table} WHERE position = %(p)s AND level = 0",
            {"p": position},
        )
        return int(rows[0]["idx"]) if rows else None

    def leaves(self, after_index: int = -1) -> Iterator[StoredLeaf]:
        sql = (
            f"SELECT idx, position, hash FROM {self.nodes_table}"
            " WHERE level = 0 AND idx > %(after)s ORDER BY idx LIMIT %(limit)s"
        )
        for r in pages(self.db, sql, "idx", after_index, BATCH):
            yield StoredLeaf(int(r["idx"]), int(r["position"]), _bytes(r["hash"]))

    def leaf_indexes(self, positions: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for start in range(0, len(positions), 500):
            chunk = positions[start : start + 500]
            params = {f"p{k}": p for k, p in enumerate(chunk)}
            names = ", ".join(f"%(p{k})s" for k in range(len(chunk)))
            for r in self.db.query(
                f"SELECT idx, position FROM {self.nodes_table}"
                f" WHERE level = 0 AND position IN ({names})",
                params,
            ):
                found[int(r["position"])] = int(r["idx"])
        return found

    # ------------------------------------------------------------------ heads

    def add_head(self, head: TreeHead, signed: SignedTreeHead | None) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO {HEADS_TABLE} (tree_size, root_hash, signed_at, signature, key_id)"
                " VALUES (%(size)s, %(root)s, %(at)s, %(sig)s, %(key)s)"
                " ON CONFLICT (tree_size) DO NOTHING",
                {
                    "size": head.tree_size,
                    "root": head.root_hash.hex(),
                    "at": head.timestamp_text,
                    "sig": base64.b64encode(signed.signature).decode("ascii") if signed else None,
                    "key": signed.key_id if signed else None,
                },
            )

    def latest_head(self) -> SignedTreeHead | None:
        rows = self.db.query(
            f"SELECT * FROM {HEADS_TABLE} WHERE signature IS NOT NULL"
            " ORDER BY tree_size DESC LIMIT 1"
        )
        return _head(rows[0]) if rows else None

    def head_at(self, tree_size: int) -> SignedTreeHead | None:
        rows = self.db.query(
            f"SELECT * FROM {HEADS_TABLE} WHERE tree_size = %(s)s AND signature IS NOT NULL",
            {"s": tree_size},
        )
        return _head(rows[0]) if rows else None

    def heads(self, after_size: int, limit: int) -> list[SignedTreeHead]:
        rows = self.db.query(
            f"SELECT * FROM {HEADS_TABLE} WHERE tree_size > %(after)s AND signature IS NOT NULL"
            " ORDER BY tree_size LIMIT %(limit)s",
            {"after": after_size, "limit": limit},
        )
        return [_head(r) for r in rows]

    def all_head_roots(self) -> list[tuple[int, bytes]]:
        rows = self.db.query(f"SELECT tree_size, root_hash FROM {HEADS_TABLE} ORDER BY tree_size")
        return [(int(r["tree_size"]), bytes.fromhex(str(r["root_hash"]))) for r in rows]


def _head(row: dict[str, Any]) -> SignedTreeHead:
    return SignedTreeHead(
        TreeHead(
            int(row["tree_size"]),
            bytes.fromhex(str(row["root_hash"])),
            datetime.fromisoformat(str(row["signed_at"])),
        ),
        base64.b64decode(str(row["signature"])),
        str(row["key_id"]),
    )
