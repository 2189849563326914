"""Merkle proofs as the log grows: proof size, generation and verification time (logarithmic).

Builds one log through the frontier (leaf hashes of synthetic records, every completed perfect
subtree kept in an in-memory node store) and measures, at each size, inclusion proofs for random
leaves and consistency proofs from random older sizes: hashes per proof, stored nodes read,
microseconds to generate and to verify. Each figure is printed with its ratio to the smallest
size's and with log2(n) / log2(smallest), the ratio a logarithmic cost would show. No database:
this is the pure core (domain/audit/merkle.py); a SQL node store adds one query per proof when
the plan's nodes are fetched together.

The node store is one bytearray per level (32 bytes a node, about 64 MB at 1,000,000 leaves)
rather than a dict of 2,000,000 bytes objects (several hundred MB on a shared machine); lookups
are O(1) in both.

    python -m benchmarks.merkle_proofs                   # 1,000 / 100,000 / 1,000,000 leaves
    python -m benchmarks.merkle_proofs --sizes 1000 10000
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from domain.audit.merkle import (
    HASH_SIZE,
    Frontier,
    check_consistency,
    check_inclusion,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_at,
)

SAMPLES = 2_000
REPEATS = 5


class LevelStore:
    """Every completed perfect subtree, level by level, 32 bytes each, in index order."""

    def __init__(self) -> None:
        self.levels: list[bytearray] = []
        self.reads = 0

    def put(self, level: int, index: int, digest: bytes) -> None:
        while len(self.levels) <= level:
            self.levels.append(bytearray())
        row = self.levels[level]
        assert len(row) == index * HASH_SIZE, "nodes of a level complete in index order"
        row += digest

    def node(self, level: int, index: int) -> bytes:
        self.reads += 1
        start = index * HASH_SIZE
        return bytes(self.levels[level][start : start + HASH_SIZE])


@dataclass
class Row:
    size: int
    build_us: float
    incl_hashes: float
    incl_reads: float
    incl_gen_us: float
    incl_verify_us: float
    cons_hashes: float
    cons_reads: float
    cons_gen_us: float
    cons_verify_us: float


def grow(frontier: Frontier, store: LevelStore, to_size: int) -> tuple[Frontier, float]:
    """Append leaves up to ``to_size``; return the frontier and microseconds per append."""
    start = time.perf_counter()
    count = to_size - frontier.size
    for n in range(frontier.size, to_size):
        frontier, completed = frontier.append(leaf_hash(b"record %d" % n))
        for stored in completed:
            store.put(stored.level, stored.index, stored.hash)
    elapsed = time.perf_counter() - start
    return frontier, elapsed / max(count, 1) * 1e6


def timed(samples: int, call: Callable[[int], object]) -> float:
    """Mean microseconds of ``call(i)`` over ``samples`` calls, best of ``REPEATS`` rounds.

    The best round, as ``timeit`` advises: the others measure what else the machine was doing.
    """
    best = math.inf
    for _ in range(REPEATS):
        start = time.perf_counter()
        for i in range(samples):
            call(i)
        best = min(best, time.perf_counter() - start)
    return best / samples * 1e6


def measure(size: int, frontier: Frontier, store: LevelStore, build_us: float) -> Row:
    rng = random.Random(size)
    root = frontier.root()
    indexes = [rng.randrange(size) for _ in range(SAMPLES)]
    olds = [rng.randrange(1, size) for _ in range(SAMPLES)]
    old_roots = [root_at(m, store.node) for m in olds]
    leaves = [store.node(0, i) for i in indexes]

    store.reads = 0
    incl = [inclusion_proof(i, size, store.node) for i in indexes]
    incl_reads = store.reads / SAMPLES
    incl_gen = timed(SAMPLES, lambda k: inclusion_proof(indexes[k], size, store.node))
    incl_verify = timed(
        SAMPLES, lambda k: check_inclusion(leaves[k], indexes[k], size, incl[k], root)
    )

    store.reads = 0
    cons = [consistency_proof(m, size, store.node) for m in olds]
    cons_reads = store.reads / SAMPLES
    cons_gen = timed(SAMPLES, lambda k: consistency_proof(olds[k], size, store.node))
    cons_verify = timed(
        SAMPLES, lambda k: check_consistency(olds[k], size, old_roots[k], root, cons[k])
    )
    return Row(
        size,
        build_us,
        sum(map(len, incl)) / SAMPLES,
        incl_reads,
        incl_gen,
        incl_verify,
        sum(map(len, cons)) / SAMPLES,
        cons_reads,
        cons_gen,
        cons_verify,
    )


def report(rows: list[Row]) -> None:
    base = rows[0]
    figures: list[tuple[str, Callable[[Row], float], str]] = [
        ("append (frontier + stored nodes)", lambda r: r.build_us, "us"),
        ("inclusion proof size", lambda r: r.incl_hashes, "hashes"),
        ("inclusion proof size", lambda r: r.incl_hashes * HASH_SIZE, "bytes"),
        ("inclusion stored nodes read", lambda r: r.incl_reads, "nodes"),
        ("inclusion proof generation", lambda r: r.incl_gen_us, "us"),
        ("inclusion proof verification", lambda r: r.incl_verify_us, "us"),
        ("consistency proof size", lambda r: r.cons_hashes, "hashes"),
        ("consistency proof size", lambda r: r.cons_hashes * HASH_SIZE, "bytes"),
        ("consistency stored nodes read", lambda r: r.cons_reads, "nodes"),
        ("consistency proof generation", lambda r: r.cons_gen_us, "us"),
        ("consistency proof verification", lambda r: r.cons_verify_us, "us"),
    ]
    print(
        f"\n{'figure':<34} {'leaves':>10} {'value':>10} {'unit':<7}"
        f" {'ratio to ' + format(base.size, ','):>16} {'log ratio':>10}"
    )
    for name, get, unit in figures:
        for row in rows:
            value = get(row)
            ratio = value / get(base) if get(base) else float("nan")
            log_ratio = math.log2(row.size) / math.log2(base.size)
            print(
                f"{name:<34} {row.size:>10,} {value:>10.1f} {unit:<7}"
                f" {ratio:>16.2f} {log_ratio:>10.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    if sizes[0] < 2:
        parser.error("sizes must be >= 2")

    frontier, store = Frontier.empty(), LevelStore()
    rows: list[Row] = []
    started = time.perf_counter()
    for size in sizes:
        frontier, build_us = grow(frontier, store, size)
        print(f"built {size:,} leaves ({time.perf_counter() - started:.1f} s so far)")
        rows.append(measure(size, frontier, store, build_us))
    report(rows)
    print(
        f"\ntotal {time.perf_counter() - started:.1f} s; {SAMPLES:,} proofs of each kind a size,"
        f" times the best of {REPEATS} rounds"
    )


if __name__ == "__main__":
    main()
