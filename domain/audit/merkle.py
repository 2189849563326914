"""An append-only Merkle log with RFC 9162 hashing, and its inclusion and consistency proofs.

Hashing (RFC 9162 §2.1.1): a leaf is ``SHA-256(0x00 || data)``, an interior node
``SHA-256(0x01 || left || right)``; the distinct prefixes keep a leaf from passing for a node
(second-preimage attacks). The tree over ``n`` leaves is left-balanced: its left subtree holds the
largest power of two strictly below ``n`` (§2.1.1's ``k``). The hash of the empty tree is
``SHA-256("")``.

Stored nodes are addressed as ``(level, index)``: level 0 holds the leaves, and node
``(level, index)`` is the root of the *perfect* subtree over the leaves
``[index * 2**level, (index + 1) * 2**level)``. Only perfect subtrees are ever stored: once
complete, a perfect subtree never changes, whereas the nodes on the right edge of a tree whose
size is not a power of two change with every append. Those are recomputed, when a proof needs
one, from at most ``log2(n)`` stored perfect subtrees. This is the addressing of the
``transparency-dev/merkle`` compact ranges, so its published node hashes can be compared one for
one (tests/unit/audit/test_merkle.py).

The writer keeps a :class:`Frontier` (the roots of the perfect subtrees that make up the current
tree, O(log n) hashes); each append returns the perfect-subtree nodes it completed, which a store
keeps (about ``2n`` nodes for ``n`` leaves). Proof generation then takes a lookup
``node(level, index) -> bytes`` and makes O(log n) lookups; it never rehashes leaves.
Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the hash of the empty tree (RFC 9162 §2.1.1)."""


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)`` (RFC 9162 §2.1.1)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)`` (RFC 9162 §2.1.1)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a whole list of *leaf hashes*, by the RFC 9162 §2.1.1 definition (O(n) hashing).

    The reference against which the frontier and the proofs are tested; fine for small trees.
    """
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _largest_power_of_two_below(n)
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


@dataclass(frozen=True, slots=True)
class NodeId:
    """Address of a stored perfect subtree: leaves ``[index * 2**level, (index+1) * 2**level)``."""

    level: int
    index: int


@dataclass(frozen=True, slots=True)
class StoredNode:
    """A perfect-subtree node completed by an append, to be kept by the node store."""

    level: int
    index: int
    hash: bytes


NodeLookup = Callable[[int, int], bytes]
"""``node(level, index) -> hash`` of a stored perfect subtree; raises if the store lacks it."""


class FrontierFormatError(ValueError):
    """A serialised frontier is malformed or inconsistent with its size."""


@dataclass(frozen=True, slots=True)
class Frontier:
    """The roots of the perfect subtrees that make up a tree of ``size`` leaves, left to right.

    There is one per bit set in ``size`` (the largest first), so ``len(hashes)`` is
    ``size.bit_count()`` <= 64: the whole state an appender needs (RFC 9162 calls the idea nothing;
    ``transparency-dev/merkle`` calls it a compact range ``[0, size)``). Immutable: ``append``
    returns a new frontier, so a failed transaction cannot leave a half-updated one behind.
    """

    size: int
    hashes: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise FrontierFormatError(f"frontier size must be an integer >= 0, got {self.size!r}")
        object.__setattr__(self, "hashes", tuple(self.hashes))
        if len(self.hashes) != self.size.bit_count():
            raise FrontierFormatError(
                f"a frontier of size {self.size} has {self.size.bit_count()} hashes,"
                f" got {len(self.hashes)}"
            )
        for h in self.hashes:
            _require_hash(h, "frontier hash", FrontierFormatError)

    @classmethod
    def empty(cls) -> Frontier:
        return cls(0, ())

    @classmethod
    def from_nodes(cls, size: int, node: NodeLookup) -> Frontier:
        """Rebuild the frontier of a tree of ``size`` leaves from its stored nodes."""
        if size < 0:
            raise ValueError(f"size must be >= 0, got {size}")
        return cls(size, tuple(node(i.level, i.index) for i in _range_ids(0, size)))

    def append(self, leaf: bytes) -> tuple[Frontier, list[StoredNode]]:
        """Add one leaf hash; return the new frontier and every perfect subtree it completed.

        The first stored node is the leaf itself (level 0); then one node per level at which the
        new leaf closes a perfect subtree (as many as trailing one bits of the old size).
        """
        _require_hash(leaf, "leaf hash", ValueError)
        hashes = list(self.hashes)
        index = self.size
        level = 0
        current = leaf
        completed = [StoredNode(0, index, leaf)]
        while index & 1:
            current = node_hash(hashes.pop(), current)
            index >>= 1
            level += 1
            completed.append(StoredNode(level, index, current))
        hashes.append(current)
        return Frontier(self.size + 1, tuple(hashes)), completed

    def extend(self, leaves: Iterable[bytes]) -> tuple[Frontier, list[StoredNode]]:
        """Append several leaf hashes in order (a batch of events stored in one transaction)."""
        frontier: Frontier = self
        completed: list[StoredNode] = []
        for leaf in leaves:
            frontier, nodes = frontier.append(leaf)
            completed.extend(nodes)
        return frontier, completed

    def root(self) -> bytes:
        """MTH of the tree: the frontier's subtree roots folded from the right."""
        return _fold_right(self.hashes)

    def to_bytes(self) -> bytes:
        """8-byte big-endian size, then the hashes (32 bytes each), left to right."""
        return self.size.to_bytes(8, "big") + b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> Frontier:
        if len(data) < 8 or (len(data) - 8) % HASH_SIZE:
            raise FrontierFormatError(f"a serialised frontier cannot be {len(data)} bytes long")
        size = int.from_bytes(data[:8], "big")
        body = data[8:]
        hashes = tuple(body[i : i + HASH_SIZE] for i in range(0, len(body), HASH_SIZE))
        return cls(size, hashes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form: ``{"size": n, "hashes": [lowercase hex, ...]}``."""
        return {"size": self.size, "hashes": [h.hex() for h in self.hashes]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Frontier:
        size = data.get("size")
        hashes = data.get("hashes")
        if not isinstance(size, int) or isinstance(size, bool):
            raise FrontierFormatError("frontier 'size' must be an integer")
        if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
            raise FrontierFormatError("frontier 'hashes' must be a list of hex strings")
        try:
            decoded = tuple(bytes.fromhex(h) for h in hashes)
        except ValueError as exc:
            raise FrontierFormatError(f"frontier 'hashes' holds a non-hex value: {exc}") from exc
        return cls(size, decoded)


def root_at(size: int, node: NodeLookup) -> bytes:
    """MTH of the first ``size`` leaves from stored nodes (at most ``log2(size) + 1`` lookups)."""
    if size < 0:
        raise ValueError(f"size must be >= 0, got {size}")
    return _fold_right([node(i.level, i.index) for i in _range_ids(0, size)])


# -- Proof generation ----------------------------------------------------------------------


class ProofRequestError(ValueError):
    """A proof was asked for sizes or an index that do not make sense (caller's input)."""


ProofPlan = list[tuple[NodeId, ...]]
"""A proof as stored-node addresses: one entry per proof hash, the fold of that entry's nodes
(a single node, or the perfect subtrees of the tree's incomplete right edge, largest first)."""


def inclusion_proof(index: int, tree_size: int, node: NodeLookup) -> list[bytes]:
    """PATH(index, D[tree_size]) of RFC 9162 §2.1.3.1: sibling hashes from the leaf up.

    O(log n) lookups: the siblings below the level where the paths to ``index`` and to the last
    leaf part are perfect subtrees; the one at that level may be the tree's incomplete right
    edge, recomputed from its perfect subtrees; above it, the left siblings are perfect.
    """
    return _resolve(inclusion_plan(index, tree_size), node)


def inclusion_plan(index: int, tree_size: int) -> ProofPlan:
    """The stored nodes :func:`inclusion_proof` reads, to fetch them all in one query."""
    if not 0 <= index < tree_size:
        raise ProofRequestError(f"leaf index {index} is not in a tree of {tree_size} leaves")
    return _path_plan(0, index, tree_size)


def consistency_proof(old_size: int, new_size: int, node: NodeLookup) -> list[bytes]:
    """PROOF(old_size, D[new_size]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1.

    Built as ``transparency-dev/merkle`` does: the root of the last perfect subtree of the old
    tree (left out when the old size is a power of two: the verifier holds it as the old root),
    then that node's inclusion path in the new tree. Empty when ``old_size`` is 0 or equal to
    ``new_size`` (nothing to prove; RFC 9162 defines proofs for ``0 < m < n`` only).
    """
    return _resolve(consistency_plan(old_size, new_size), node)


def consistency_plan(old_size: int, new_size: int) -> ProofPlan:
    """The stored nodes :func:`consistency_proof` reads, to fetch them all in one query."""
    if not 0 <= old_size <= new_size:
        raise ProofRequestError(
            f"a consistency proof needs 0 <= old size <= new size, got {old_size} and {new_size}"
        )
    if old_size in (0, new_size):
        return []
    level = _trailing_zeros(old_size)
    index = (old_size - 1) >> level
    plan = _path_plan(level, index, new_size)
    if index == 0:
        return plan
    return [(NodeId(level, index),), *plan]


def plan_node_ids(plan: ProofPlan) -> list[NodeId]:
    """Every distinct stored node a plan reads, in first-use order."""
    return list(dict.fromkeys(i for entry in plan for i in entry))


def _path_plan(level: int, index: int, tree_size: int) -> ProofPlan:
    """Siblings of the perfect node ``(level, index)`` up to the root of a ``tree_size`` tree."""
    last = (tree_size - 1) >> level
    # Below `inner` levels the paths to `index` and to the last leaf share no node.
    inner = (index ^ last).bit_length()
    plan: ProofPlan = []
    for j in range(inner):
        lvl = level + j
        sibling = (index >> j) ^ 1
        begin = sibling << lvl
        end = min((sibling + 1) << lvl, tree_size)
        if end - begin == 1 << lvl:
            plan.append((NodeId(lvl, sibling),))
        else:  # The right edge of the tree (only at j == inner - 1): not a perfect subtree.
            plan.append(tuple(_range_ids(begin, end)))
    # Above, the node is on the right edge: it has a (perfect) sibling only when a right child.
    j = inner
    while index >> j:
        if (index >> j) & 1:
            plan.append((NodeId(level + j, (index >> j) ^ 1),))
        j += 1
    return plan


def _resolve(plan: ProofPlan, node: NodeLookup) -> list[bytes]:
    return [_fold_right([node(i.level, i.index) for i in entry]) for entry in plan]


def _range_ids(begin: int, end: int) -> list[NodeId]:
    """The perfect subtrees, largest first, covering leaves ``[begin, end)``.

    ``begin`` must be aligned on a power of two at least ``end - begin`` (true of ``0`` and of
    every right edge ``_path_plan`` asks for), so the range is a left-balanced tree of its own.
    """
    ids: list[NodeId] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        ids.append(NodeId(level, begin >> level))
        begin += 1 << level
    return ids


def _fold_right(hashes: Sequence[bytes]) -> bytes:
    """Root of a left-balanced tree given its perfect subtrees' roots, largest first."""
    if not hashes:
        return EMPTY_ROOT
    current = hashes[-1]
    for h in reversed(hashes[:-1]):
        current = node_hash(h, current)
    return current


# -- Verification --------------------------------------------------------------------------


class ProofError(Exception):
    """A proof does not hold. ``reason`` is a stable kebab-case code naming why."""

    kind = "proof"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{self.kind} proof fails ({reason}): {message}")
        self.reason = reason
        self.message = message


class InclusionProofError(ProofError):
    kind = "inclusion"


class ConsistencyProofError(ProofError):
    kind = "consistency"


def check_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise :class:`InclusionProofError` unless ``proof`` puts ``leaf`` at ``index`` in ``root``.

    RFC 9162 §2.1.3.2, step by step. Reasons: ``malformed-hash``, ``index-out-of-range``,
    ``proof-too-long``, ``proof-too-short``, ``root-mismatch``.
    """
    for name, value in (("leaf hash", leaf), ("root hash", root)):
        _require_hash(value, name, _inclusion_malformed)
    for h in proof:
        _require_hash(h, "proof hash", _inclusion_malformed)
    # 1. leaf_index >= tree_size: fail.
    if not 0 <= index < tree_size:
        raise InclusionProofError(
            "index-out-of-range", f"leaf index {index} is not in a tree of {tree_size} leaves"
        )
    # 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
    fn, sn = index, tree_size - 1
    r = leaf
    # 4. For each value p in the inclusion_path array:
    for p in proof:
        # a. If sn is 0, stop and fail.
        if sn == 0:
            raise InclusionProofError(
                "proof-too-long", f"{len(proof)} hashes is more than the path has"
            )
        # b. If LSB(fn) is set, or fn == sn: r = HASH(0x01 || p || r), then, if LSB(fn) is
        #    not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        #    Otherwise r = HASH(0x01 || r || p).
        else:
            r = node_hash(r, p)
        # c. Right-shift fn and sn once.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r must equal root_hash.
    if sn != 0:
        raise InclusionProofError(
            "proof-too-short", f"{len(proof)} hashes is fewer than the path has"
        )
    if r != root:
        raise InclusionProofError(
            "root-mismatch", f"the path leads to {r.hex()}, not to the root {root.hex()}"
        )


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """:func:`check_inclusion` as a boolean."""
    try:
        check_inclusion(leaf, index, tree_size, proof, root)
    except InclusionProofError:
        return False
    return True


def check_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise :class:`ConsistencyProofError` unless the old tree is a prefix of the new one.

    RFC 9162 §2.1.4.2 step by step for ``0 < old_size < new_size``. The RFC defines no proof
    outside that range; here, as in Sigsum, equal sizes are consistent when the roots are equal
    and the proof empty, and a genuine empty tree (``old_root`` = SHA-256("")) is a prefix of
    every tree with an empty proof. Reasons: ``malformed-hash``, ``sizes-out-of-order``,
    ``not-empty-tree``, ``proof-not-empty``, ``empty-proof``, ``proof-too-long``,
    ``proof-too-short``, ``old-root-mismatch``, ``new-root-mismatch``.
    """
    for name, value in (("old root hash", old_root), ("new root hash", new_root)):
        _require_hash(value, name, _consistency_malformed)
    for h in proof:
        _require_hash(h, "proof hash", _consistency_malformed)
    if not 0 <= old_size <= new_size:
        raise ConsistencyProofError(
            "sizes-out-of-order", f"old size {old_size} and new size {new_size}"
        )
    if old_size == 0:
        if old_root != EMPTY_ROOT:
            raise ConsistencyProofError(
                "not-empty-tree", "a tree of 0 leaves must have the empty tree's root"
            )
        if new_size == 0 and new_root != EMPTY_ROOT:
            raise ConsistencyProofError(
                "new-root-mismatch", "a tree of 0 leaves must have the empty tree's root"
            )
        if proof:
            raise ConsistencyProofError("proof-not-empty", "nothing to prove from an empty tree")
        return
    if old_size == new_size:
        if proof:
            raise ConsistencyProofError("proof-not-empty", "nothing to prove between equal sizes")
        if old_root != new_root:
            raise ConsistencyProofError(
                "new-root-mismatch", f"two roots for a tree of {new_size} leaves"
            )
        return
    # 1. If consistency_path is empty, fail.
    if not proof:
        raise ConsistencyProofError("empty-proof", "the consistency path is empty")
    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash to consistency_path.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. If LSB(fn) is set, right-shift fn and sn until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value of consistency_path.
    fr = sr = path[0]
    # 6. For each subsequent value c in consistency_path:
    for c in path[1:]:
        # a. If sn is 0, stop and fail.
        if sn == 0:
            raise ConsistencyProofError(
                "proof-too-long", f"{len(proof)} hashes is more than the proof has"
            )
        # b. If LSB(fn) is set or fn == sn: fr = HASH(0x01 || c || fr), sr = HASH(0x01 || c || sr);
        #    then, if LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        #    Otherwise sr = HASH(0x01 || sr || c).
        else:
            sr = node_hash(sr, c)
        # c. Right-shift fn and sn once.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr second_hash, and sn must be 0.
    if sn != 0:
        raise ConsistencyProofError(
            "proof-too-short", f"{len(proof)} hashes is fewer than the proof has"
        )
    if fr != old_root:
        raise ConsistencyProofError(
            "old-root-mismatch",
            f"the proof rebuilds {fr.hex()} for the old tree, not its root {old_root.hex()}",
        )
    if sr != new_root:
        raise ConsistencyProofError(
            "new-root-mismatch",
            f"the proof rebuilds {sr.hex()} for the new tree, not its root {new_root.hex()}",
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """:func:`check_consistency` as a boolean."""
    try:
        check_consistency(old_size, new_size, old_root, new_root, proof)
    except ConsistencyProofError:
        return False
    return True


# -- Helpers ---------------------------------------------------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    """The ``k`` of RFC 9162 §2.1.1: the largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1


def _inclusion_malformed(message: str) -> InclusionProofError:
    return InclusionProofError("malformed-hash", message)


def _consistency_malformed(message: str) -> ConsistencyProofError:
    return ConsistencyProofError("malformed-hash", message)


def _require_hash(value: object, name: str, error: Callable[[str], Exception]) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, bytes) else type(value).__name__
        raise error(f"{name} must be {HASH_SIZE} bytes, got {size}")
