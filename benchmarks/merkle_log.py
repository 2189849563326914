"""The signed Merkle log's costs: the write path with the tree against the chain link alone
(same run, interleaved, PostgreSQL and SQLite), proof size and time at 1,000,000 events, and
offline verification of a 100,000-event lab export.

    python -m benchmarks.merkle_log            # full size
    python -m benchmarks.merkle_log --quick    # smaller
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from application.audit.chain import GENESIS, StoredRecord
from application.audit.merkle_log import (
    canonical,
    manifest_bytes,
    proof_export_header,
    proof_export_line,
    record_leaf,
    verify_proof_export,
)
from benchmarks.support import throwaway_database
from domain.audit.merkle import Frontier, inclusion_proof
from domain.audit.tree_head import TreeHead
from infrastructure.audit.chained_recorders import (
    ChainedPostgresApplicationRecorder,
    ChainedSQLiteApplicationRecorder,
    _links,
    _records,
)
from infrastructure.audit.signing import TreeHeadSigner, TreeHeadVerifier, generate_private_key

STATE = b'{"occurred_on":"2014-04-01","note":"a working meeting"}' * 4


class ChainOnlyPostgres(ChainedPostgresApplicationRecorder):
    """Today's recorder before the tree: the chain link only (the baseline)."""

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Any, **kw: Any) -> Any:
        ids = super(ChainedPostgresApplicationRecorder, self)._fetch_ids_after_insert_events(
            curs, stored_events, **kw
        )
        if ids:
            curs.execute(self.select_last_link)
            row = curs.fetchone()
            previous = row["link"] if row else GENESIS
            curs.executemany(self.insert_link, _links(previous, _records(ids, stored_events)))
        return ids


class ChainOnlySQLite(ChainedSQLiteApplicationRecorder):
    def _insert_events(self, c: Any, stored_events: Any, **kw: Any) -> Any:
        ids = super(ChainedSQLiteApplicationRecorder, self)._insert_events(c, stored_events, **kw)
        if ids:
            c.execute(f"SELECT link FROM {self.chain_table_name} ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            previous = row[0] if row else GENESIS
            c.executemany(
                f"INSERT INTO {self.chain_table_name} (position, link) VALUES (?, ?)",
                _links(previous, _records(ids, stored_events)),
            )
        return ids


def _event() -> StoredEvent:
    return StoredEvent(uuid.uuid4(), 1, "partnerlab:Partnership.MeetingHeld", STATE)


def _insert_one(recorder: Any) -> None:
    recorder.insert_events([_event()])


def _rate(insert: Callable[[], Any], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        insert()
    return count / (time.perf_counter() - start)


def write_path(count: int, rounds: int) -> dict[str, float]:
    rates: dict[str, list[float]] = {}
    with throwaway_database("partnerlab_merkle") as name:
        datastore = PostgresDatastore(name, "127.0.0.1", "5432", "root", "", pool_size=2)
        tree = ChainedPostgresApplicationRecorder(datastore, events_table_name="tree_events")
        chain = ChainOnlyPostgres(datastore, events_table_name="chain_events")
        tree.create_table()
        chain.create_table()
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_tree = ChainedSQLiteApplicationRecorder(
                SQLiteDatastore(str(Path(tmp) / "t.sqlite3")), "tree_events"
            )
            sqlite_chain = ChainOnlySQLite(
                SQLiteDatastore(str(Path(tmp) / "c.sqlite3")), "chain_events"
            )
            sqlite_tree.create_table()
            sqlite_chain.create_table()
            contenders: dict[str, Any] = {
                "postgres tree+chain": tree,
                "postgres chain": chain,
                "sqlite tree+chain": sqlite_tree,
                "sqlite chain": sqlite_chain,
            }
            for _ in range(rounds):
                for label, recorder in contenders.items():
                    rates.setdefault(label, []).append(_rate(partial(_insert_one, recorder), count))
        datastore.close()
    return {k: statistics.median(v) for k, v in rates.items()}


def proofs_at(size: int, samples: int) -> dict[str, float]:
    frontier = Frontier.empty()
    store: dict[tuple[int, int], bytes] = {}
    start = time.perf_counter()
    for i in range(size):
        frontier, nodes = frontier.append(record_leaf(StoredRecord(i + 1, "x", 1, "t", b"s")))
        for n in nodes:
            store[(n.level, n.index)] = n.hash
    built = time.perf_counter() - start
    reads = 0

    def node(level: int, index: int) -> bytes:
        nonlocal reads
        reads += 1
        return store[(level, index)]

    step = max(1, size // samples)
    start = time.perf_counter()
    lengths = [len(inclusion_proof(i, size, node)) for i in range(0, size, step)]
    per_proof = (time.perf_counter() - start) / len(lengths)
    return {
        "tree build s": built,
        "proof hashes (max)": max(lengths),
        "proof bytes (max)": 32 * max(lengths),
        "node reads per proof": reads / len(lengths),
        "proof generation ms": per_proof * 1000,
    }


def offline_export(records: int) -> dict[str, float]:
    signer = TreeHeadSigner(generate_private_key())
    verifier = TreeHeadVerifier(signer.public_key)
    frontier = Frontier.empty()
    store: dict[tuple[int, int], bytes] = {}
    stored = []
    for i in range(records):
        record = StoredRecord(i + 1, str(uuid.UUID(int=i)), 1, "partnerlab:X.Y", STATE)
        stored.append(record)
        frontier, nodes = frontier.append(record_leaf(record))
        for n in nodes:
            store[(n.level, n.index)] = n.hash
    from datetime import UTC, datetime

    head = signer.sign(TreeHead(frontier.size, frontier.root(), datetime.now(UTC)))
    header = proof_export_header(
        {"lab": "alsace", "aggregate_id": None}, head.to_dict(), list(range(records)), None
    )
    import base64

    header["manifest_signature"] = base64.b64encode(
        signer.sign_manifest(manifest_bytes(header))
    ).decode()
    lines: Sequence[str] = [canonical(header)] + [
        proof_export_line(r, i, inclusion_proof(i, records, lambda lv, ix: store[(lv, ix)]))
        for i, r in enumerate(stored)
    ]
    start = time.perf_counter()
    result = verify_proof_export(lines, verifier.verify, verifier.verify_manifest)
    seconds = time.perf_counter() - start
    assert result.ok, result.failure
    return {
        "records": records,
        "export MB": sum(len(line) + 1 for line in lines) / 1e6,
        "verification s": seconds,
        "records per s": records / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    rates = write_path(200 if quick else 1000, 3 if quick else 5)
    for label, rate in rates.items():
        print(f"write path {label}: {rate:,.0f} inserts/s ({1000 / rate:.3f} ms)")
    for db in ("postgres", "sqlite"):
        ratio = rates[f"{db} tree+chain"] / rates[f"{db} chain"]
        extra = 1000 / rates[f"{db} tree+chain"] - 1000 / rates[f"{db} chain"]
        print(f"{db}: tree+chain / chain = {ratio:.2f} (+{extra:.3f} ms per insert)")
    for key, value in proofs_at(100_000 if quick else 1_000_000, 1000).items():
        print(f"proofs at {'100,000' if quick else '1,000,000'}: {key} = {value:,.3f}")
    for key, value in offline_export(10_000 if quick else 100_000).items():
        print(f"offline lab export: {key} = {value:,.3f}")


if __name__ == "__main__":
    main()
