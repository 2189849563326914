"""The Merkle log against RFC 9162: published vectors, the RFC's own definitions, and tampering.

Three independent references:
- the reference vectors of ``transparency-dev/merkle`` (the Go library behind Trillian and the
  Certificate Transparency logs), copied below with their source;
- the recursive definitions of MTH, PATH and SUBPROOF in RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1,
  written out plainly here (``Reference``) and compared with the frontier and the O(log n)
  proof generation over random tree sizes;
- the verifiers, which must accept every genuine proof and refuse every altered one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.audit.merkle import (
    EMPTY_ROOT,
    ConsistencyProofError,
    Frontier,
    FrontierFormatError,
    InclusionProofError,
    NodeId,
    ProofRequestError,
    StoredNode,
    check_consistency,
    check_inclusion,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    leaf_hash,
    node_hash,
    plan_node_ids,
    root_at,
    root_of,
    verify_consistency,
    verify_inclusion,
)

BOUNDED = settings(max_examples=60, deadline=None)


def hx(text: str) -> bytes:
    return bytes.fromhex(text)


# -- Reference vectors -----------------------------------------------------------------------
# From github.com/transparency-dev/merkle at commit 417fb0c314750d94e53942e9f92e79b6d35915db:
# testonly/constants.go (LeafInputs, NodeHashes, RootHashes, CompactTrees) and the "happy path"
# probes of testdata/inclusion/{0..4} and testdata/consistency/{0..4} (base64 there, hex here).
# The 8-leaf tree is the reference tree of the RFC 6962 / RFC 9162 implementations.

LEAF_INPUTS = [
    hx(""),
    hx("00"),
    hx("10"),
    hx("2021"),
    hx("3031"),
    hx("40414243"),
    hx("5051525354555657"),
    hx("606162636465666768696a6b6c6d6e6f"),
]

# NODE_HASHES[level][index]: every perfect subtree of the 8-leaf tree, addressed as stored here.
NODE_HASHES = [
    [
        hx("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        hx("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        hx("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        hx("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        hx("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        hx("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        hx("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        hx("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        hx("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        hx("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        hx("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        hx("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        hx("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        hx("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [hx("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")],
]

# ROOT_HASHES[size] for sizes 0..8.
ROOT_HASHES = [
    hx("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    hx("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    hx("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    hx("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    hx("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    hx("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    hx("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    hx("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    hx("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

NH = NODE_HASHES
# COMPACT_TREES[size]: the frontier of each tree, as (level, index) into NODE_HASHES.
COMPACT_TREES = [
    [],
    [NH[0][0]],
    [NH[1][0]],
    [NH[1][0], NH[0][2]],
    [NH[2][0]],
    [NH[2][0], NH[0][4]],
    [NH[2][0], NH[1][2]],
    [NH[2][0], NH[1][2], NH[0][6]],
    [NH[3][0]],
]

# (leaf index, tree size, proof): testdata/inclusion/{0..4}/happy-path.json.
INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 8, [NH[0][1], NH[1][1], NH[2][1]]),
    (5, 8, [NH[0][4], NH[1][3], NH[2][0]]),
    (2, 3, [NH[1][0]]),
    (1, 5, [NH[0][0], NH[1][1], NH[0][4]]),
]

# (old size, new size, proof): testdata/consistency/{0..4}/happy-path.json.
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (1, 8, [NH[0][1], NH[1][1], NH[2][1]]),
    (6, 8, [NH[1][2], NH[1][3], NH[2][0]]),
    (2, 5, [NH[1][1], NH[0][4]]),
    (6, 7, [NH[1][2], NH[0][6], NH[2][0]]),
]

SOME_HASH = hashlib.sha256(b"some other hash").digest()


# -- Helpers ---------------------------------------------------------------------------------


@dataclass
class Tree:
    """A log built through the frontier, with a dict as the node store."""

    leaves: list[bytes]
    store: dict[tuple[int, int], bytes] = field(default_factory=dict)
    roots: list[bytes] = field(default_factory=list)
    frontiers: list[Frontier] = field(default_factory=list)
    lookups: int = 0

    def node(self, level: int, index: int) -> bytes:
        self.lookups += 1
        return self.store[(level, index)]

    @property
    def size(self) -> int:
        return len(self.leaves)


def build(leaves: list[bytes]) -> Tree:
    tree = Tree(leaves)
    frontier = Frontier.empty()
    tree.roots.append(frontier.root())
    tree.frontiers.append(frontier)
    for leaf in leaves:
        frontier, completed = frontier.append(leaf)
        for stored in completed:
            key = (stored.level, stored.index)
            assert key not in tree.store, f"node {key} completed twice"
            tree.store[key] = stored.hash
        tree.roots.append(frontier.root())
        tree.frontiers.append(frontier)
    return tree


def random_leaves(seed: int, size: int) -> list[bytes]:
    return [leaf_hash(f"{seed}:{i}".encode()) for i in range(size)]


class Reference:
    """RFC 9162's recursive definitions, memoised on (start, end), over a list of leaf hashes."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.leaves = leaves
        self.memo: dict[tuple[int, int], bytes] = {}

    @staticmethod
    def k(n: int) -> int:
        """The largest power of two smaller than n (§2.1.1)."""
        k = 1
        while k * 2 < n:
            k *= 2
        return k

    def mth(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) (§2.1.1)."""
        if (lo, hi) not in self.memo:
            n = hi - lo
            if n == 0:
                value = hashlib.sha256(b"").digest()
            elif n == 1:
                value = self.leaves[lo]
            else:
                k = self.k(n)
                value = node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))
            self.memo[(lo, hi)] = value
        return self.memo[(lo, hi)]

    def path(self, m: int, lo: int, hi: int) -> list[bytes]:
        """PATH(m, D[lo:hi]) (§2.1.3.1)."""
        n = hi - lo
        if n == 1:
            return []
        k = self.k(n)
        if m < k:
            return [*self.path(m, lo, lo + k), self.mth(lo + k, hi)]
        return [*self.path(m - k, lo + k, hi), self.mth(lo, lo + k)]

    def subproof(self, m: int, lo: int, hi: int, b: bool) -> list[bytes]:
        """SUBPROOF(m, D[lo:hi], b) (§2.1.4.1)."""
        n = hi - lo
        if m == n:
            return [] if b else [self.mth(lo, hi)]
        k = self.k(n)
        if m <= k:
            return [*self.subproof(m, lo, lo + k, b), self.mth(lo + k, hi)]
        return [*self.subproof(m - k, lo + k, hi, False), self.mth(lo, lo + k)]


def flip(data: bytes, bit: int = 0) -> bytes:
    return bytes([data[0] ^ (1 << bit)]) + data[1:]


REFERENCE_TREE = build([leaf_hash(d) for d in LEAF_INPUTS])

sizes = st.one_of(
    st.integers(min_value=1, max_value=300),
    st.sampled_from([511, 512, 513, 1000, 1023, 1024, 1025, 2047, 4097]),
)


# -- Hashing and the frontier against the reference vectors ------------------------------------


def test_leaf_and_node_hashes_use_rfc_9162_prefixes() -> None:
    assert leaf_hash(b"") == NH[0][0]
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(NH[0][0], NH[0][1]) == NH[1][0]
    assert ROOT_HASHES[0] == EMPTY_ROOT


def test_the_root_of_every_prefix_of_the_reference_tree_is_the_published_one() -> None:
    assert REFERENCE_TREE.roots == ROOT_HASHES
    leaves = [leaf_hash(d) for d in LEAF_INPUTS]
    assert [root_of(leaves[:n]) for n in range(9)] == ROOT_HASHES


def test_the_frontier_of_every_prefix_is_the_published_compact_range() -> None:
    assert [list(f.hashes) for f in REFERENCE_TREE.frontiers] == COMPACT_TREES


def test_appends_store_exactly_the_published_perfect_subtrees() -> None:
    expected = {
        (level, index): h for level, row in enumerate(NODE_HASHES) for index, h in enumerate(row)
    }
    assert REFERENCE_TREE.store == expected


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_published_inclusion_proofs_are_generated_and_verified(
    index: int, size: int, proof: list[bytes]
) -> None:
    assert inclusion_proof(index, size, REFERENCE_TREE.node) == proof
    check_inclusion(NH[0][index], index, size, proof, ROOT_HASHES[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_published_consistency_proofs_are_generated_and_verified(
    old: int, new: int, proof: list[bytes]
) -> None:
    assert consistency_proof(old, new, REFERENCE_TREE.node) == proof
    check_consistency(old, new, ROOT_HASHES[old], ROOT_HASHES[new], proof)


def inclusion_corruptions(
    index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes
) -> list[tuple[str, int, int, list[bytes], bytes, bytes]]:
    """The corrupted probes ``transparency-dev/merkle`` derives from each happy path.

    Ported from invalidInclusionProof in its cmd/proofgen/main.go (same commit as above).
    """
    probes = [
        ("leafIdx sub @1", index - 1, size, proof, root, leaf),
        ("leafIdx plus @1", index + 1, size, proof, root, leaf),
        ("leafIdx XOR @2", index ^ 2, size, proof, root, leaf),
        ("treeSize mul @2", index, size * 2, proof, root, leaf),
        ("treeSize div @2", index, size // 2, proof, root, leaf),
        ("wrong leaf", index, size, proof, root, b"WrongLeaf"),
        ("empty root", index, size, proof, EMPTY_ROOT, leaf),
        ("random root", index, size, proof, SOME_HASH, leaf),
        ("trailing garbage", index, size, [*proof, b""], root, leaf),
        ("trailing root", index, size, [*proof, root], root, leaf),
        ("preceding garbage", index, size, [b"", *proof], root, leaf),
        ("preceding root", index, size, [root, *proof], root, leaf),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = flip(wrong[i], 3)
        probes.append((f"modified proof[{i}] bit @3", index, size, wrong, root, leaf))
    if proof:
        probes.append(("removed component", index, size, proof[:-1], root, leaf))
    if len(proof) > 1:
        probes.append(
            ("inserted component", index, size, [proof[0], SOME_HASH, *proof[1:]], root, leaf)
        )
    return probes


def test_every_corruption_of_the_published_inclusion_proofs_is_refused() -> None:
    count = 0
    for index, size, proof in INCLUSION_VECTORS:
        root, leaf = ROOT_HASHES[size], NH[0][index]
        for desc, i, s, p, r, lf in inclusion_corruptions(index, size, proof, root, leaf):
            assert not verify_inclusion(lf, i, s, p, r), f"{desc} on ({index}, {size})"
            count += 1
    # 12 per probe, one per proof hash, and the removed and inserted components where possible.
    assert count == 12 + 17 + 17 + 14 + 17


def consistency_corruptions(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> list[tuple[str, int, int, bytes, bytes, list[bytes]]]:
    """Ported from invalidConsistencyProof in ``transparency-dev/merkle``'s cmd/proofgen."""
    probes = [
        ("size1 sub @1", old - 1, new, old_root, new_root, proof),
        ("size1 plus @1", old + 1, new, old_root, new_root, proof),
        ("size1 XOR @2", old ^ 2, new, old_root, new_root, proof),
        ("size2 mul @2", old, new * 2, old_root, new_root, proof),
        ("size2 div @2", old, new // 2, old_root, new_root, proof),
        ("wrong root1", old, new, b"WrongRoot", new_root, proof),
        ("wrong root2", old, new, old_root, b"WrongRoot", proof),
        ("swapped roots", old, new, new_root, old_root, proof),
        ("empty proof", old, new, old_root, new_root, []),
        ("trailing garbage", old, new, old_root, new_root, [*proof, b""]),
        ("trailing root1", old, new, old_root, new_root, [*proof, old_root]),
        ("trailing root2", old, new, old_root, new_root, [*proof, new_root]),
        ("preceding garbage", old, new, old_root, new_root, [b"", *proof]),
        ("preceding root1", old, new, old_root, new_root, [old_root, *proof]),
        ("preceding root2", old, new, old_root, new_root, [new_root, *proof]),
        ("preceding proof @0", old, new, old_root, new_root, [proof[0], *proof]),
        ("truncated proof", old, new, old_root, new_root, proof[:-1]),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = flip(wrong[i], 4)
        probes.append((f"modified proof@{i} bit @4", old, new, old_root, new_root, wrong))
    return probes


def test_every_corruption_of_the_published_consistency_proofs_is_refused() -> None:
    count = 0
    for old, new, proof in CONSISTENCY_VECTORS:
        if not proof:  # As in the source: only non-trivial proofs are corrupted.
            continue
        for desc, m, n, r1, r2, p in consistency_corruptions(
            old, new, ROOT_HASHES[old], ROOT_HASHES[new], proof
        ):
            assert not verify_consistency(m, n, r1, r2, p), f"{desc} on ({old}, {new})"
            count += 1
    assert count == 4 * 17 + 3 + 3 + 2 + 3


# The edge cases of testdata/consistency/additional. Two outcomes differ from the Go library's,
# on purpose: a root that is not 32 bytes is refused (Go accepts "don't care" roots when sizes
# are equal), and a genuine empty tree (size 0, root SHA-256("")) is consistent with any tree
# through an empty proof (Go calls that proof meaningless and refuses it; Sigsum accepts it).
DONT_CARE_1 = hashlib.sha256(b"don't care 1").digest()
DONT_CARE_2 = hashlib.sha256(b"don't care 2").digest()
STATIC_CONSISTENCY = [
    ("sizes are equal (zero) but roots are not", 0, 0, DONT_CARE_1, DONT_CARE_2, [], False),
    ("sizes are equal (one) but roots are not", 1, 1, DONT_CARE_1, DONT_CARE_2, [], False),
    ("sizes are equal (zero), not the empty root", 0, 0, DONT_CARE_1, DONT_CARE_1, [], False),
    ("size1 is zero and does not equal size2", 0, 1, DONT_CARE_1, DONT_CARE_2, [], False),
    ("sizes are equal (one) and proof is empty", 1, 1, DONT_CARE_2, DONT_CARE_2, [], True),
    ("size1 is greater than size2", 1, 0, DONT_CARE_1, DONT_CARE_2, [], False),
    ("size1 is greater than size2 again", 2, 1, DONT_CARE_1, DONT_CARE_2, [], False),
    ("sizes do not match and proof is empty", 1, 2, DONT_CARE_1, DONT_CARE_2, [], False),
    ("roots do not match and sizes are zero", 0, 0, EMPTY_ROOT, DONT_CARE_2, [], False),
    ("roots do not match and sizes are one", 1, 1, EMPTY_ROOT, DONT_CARE_2, [], False),
    ("proof not empty, sizes zero", 0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
    ("proof not empty, sizes one", 1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
    ("empty tree, proof not empty", 0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
    ("empty tree is a prefix of any tree (differs)", 0, 1, EMPTY_ROOT, DONT_CARE_2, [], True),
    ("both empty", 0, 0, EMPTY_ROOT, EMPTY_ROOT, [], True),
    ("a root that is not 32 bytes (differs)", 1, 1, b"don't care 2", b"don't care 2", [], False),
]


@pytest.mark.parametrize(
    ("old", "new", "old_root", "new_root", "proof", "holds"),
    [case[1:] for case in STATIC_CONSISTENCY],
    ids=[case[0] for case in STATIC_CONSISTENCY],
)
def test_consistency_edge_cases(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes], holds: bool
) -> None:
    assert verify_consistency(old, new, old_root, new_root, proof) is holds


@pytest.mark.parametrize(
    ("index", "size", "root", "leaf", "holds"),
    [
        # testdata/inclusion/single-entry and additional (transparency-dev/merkle).
        (0, 1, leaf_hash(b"data"), leaf_hash(b"data"), True),
        (0, 1, leaf_hash(b"data"), b"", False),
        (0, 1, b"", leaf_hash(b"data"), False),
        (0, 1, b"", b"", False),
        (0, 0, EMPTY_ROOT, SOME_HASH, False),
        (1, 0, EMPTY_ROOT, SOME_HASH, False),
        (2, 1, EMPTY_ROOT, SOME_HASH, False),
        (0, 1, EMPTY_ROOT, SOME_HASH, False),
    ],
)
def test_inclusion_edge_cases(index: int, size: int, root: bytes, leaf: bytes, holds: bool) -> None:
    assert verify_inclusion(leaf, index, size, [], root) is holds


# -- The frontier against RFC 9162's MTH over random trees -----------------------------------


def test_the_frontier_root_is_the_rfc_root_at_every_size_up_to_300() -> None:
    leaves = random_leaves(7, 300)
    tree = build(leaves)
    reference = Reference(leaves)
    assert tree.roots == [reference.mth(0, n) for n in range(301)]
    assert tree.roots[300] == root_of(leaves)


@BOUNDED
@given(seed=st.integers(0, 2**32), size=sizes)
def test_the_frontier_and_the_stored_nodes_agree_with_the_rfc_definition(
    seed: int, size: int
) -> None:
    leaves = random_leaves(seed, size)
    tree = build(leaves)
    reference = Reference(leaves)

    assert tree.frontiers[-1].root() == root_of(leaves)
    # Every perfect subtree, and nothing else, is stored, with the RFC's hash of its range.
    expected = {(level, i) for level in range(size.bit_length()) for i in range(size >> level)}
    assert set(tree.store) == expected
    for (level, i), h in tree.store.items():
        assert h == reference.mth(i << level, (i + 1) << level)
    # The root of any past size, and the frontier itself, can be rebuilt from stored nodes.
    for past in {0, 1, size // 3, size // 2, size - 1, size}:
        assert root_at(past, tree.node) == tree.roots[past]
        assert Frontier.from_nodes(past, tree.node) == tree.frontiers[past]


@BOUNDED
@given(seed=st.integers(0, 2**32), size=st.integers(0, 300), split=st.integers(0, 300))
def test_extend_is_append_repeated(seed: int, size: int, split: int) -> None:
    leaves = random_leaves(seed, size)
    split = min(split, size)
    head, first = Frontier.empty().extend(leaves[:split])
    tail, second = head.extend(leaves[split:])
    whole, nodes = Frontier.empty().extend(leaves)
    assert tail == whole
    assert first + second == nodes
    assert len(nodes) == sum(size >> level for level in range(size.bit_length()))


# -- Inclusion proofs over random trees --------------------------------------------------------


@BOUNDED
@given(seed=st.integers(0, 2**32), size=sizes, data=st.data())
def test_every_inclusion_proof_is_the_rfc_path_and_verifies(
    seed: int, size: int, data: st.DataObject
) -> None:
    leaves = random_leaves(seed, size)
    tree = build(leaves)
    reference = Reference(leaves)
    root = tree.roots[size]
    indexes = (
        range(size)
        if size <= 300
        else data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=40))
    )
    for index in indexes:
        tree.lookups = 0
        proof = inclusion_proof(index, size, tree.node)
        assert tree.lookups <= 2 * size.bit_length() + 1
        assert proof == reference.path(index, 0, size)
        check_inclusion(leaves[index], index, size, proof, root)


@BOUNDED
@given(seed=st.integers(0, 2**32), size=sizes, data=st.data())
def test_an_inclusion_proof_fails_for_anything_else(
    seed: int, size: int, data: st.DataObject
) -> None:
    leaves = random_leaves(seed, size)
    tree = build(leaves)
    root = tree.roots[size]
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(index, size, tree.node)
    leaf = leaves[index]

    assert verify_inclusion(leaf, index, size, proof, root)
    assert not verify_inclusion(flip(leaf), index, size, proof, root)
    assert not verify_inclusion(leaf, index, size, proof, flip(root))
    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
        assert not verify_inclusion(leaf, other, size, proof, root)
        assert not verify_inclusion(leaves[other], index, size, proof, root)
        # Any single altered proof hash breaks it.
        at = data.draw(st.integers(0, len(proof) - 1))
        assert not verify_inclusion(
            leaf, index, size, [*proof[:at], flip(proof[at]), *proof[at + 1 :]], root
        )
        assert not verify_inclusion(leaf, index, size, proof[:-1], root)
    assert not verify_inclusion(leaf, index, size, [*proof, SOME_HASH], root)
    # Not asserted: that the proof fails for a neighbouring tree size with the same root. Two
    # sizes with the same path shape (3 and 4 for leaf 0) compute alike; the size is bound to
    # the root by the signed tree head, not by the proof.


def test_inclusion_failures_name_their_reason() -> None:
    tree = build(random_leaves(1, 13))
    root = tree.roots[13]
    leaf = tree.leaves[6]
    proof = inclusion_proof(6, 13, tree.node)

    def reason(call: Callable[[], None]) -> str:
        with pytest.raises(InclusionProofError) as caught:
            call()
        return caught.value.reason

    assert reason(lambda: check_inclusion(leaf, 13, 13, proof, root)) == "index-out-of-range"
    assert reason(lambda: check_inclusion(leaf, 6, 13, [*proof, root], root)) == "proof-too-long"
    assert reason(lambda: check_inclusion(leaf, 6, 13, proof[:-1], root)) == "proof-too-short"
    assert reason(lambda: check_inclusion(flip(leaf), 6, 13, proof, root)) == "root-mismatch"
    assert reason(lambda: check_inclusion(leaf[:31], 6, 13, proof, root)) == "malformed-hash"
    assert reason(lambda: check_inclusion(leaf, 6, 13, [b"x", *proof], root)) == "malformed-hash"


# -- Consistency proofs over random trees ------------------------------------------------------


def old_sizes(size: int, data: st.DataObject) -> list[int]:
    if size <= 40:
        return list(range(size + 1))
    drawn = data.draw(st.lists(st.integers(0, size), min_size=1, max_size=25))
    return [0, 1, size - 1, size, *drawn]


@BOUNDED
@given(seed=st.integers(0, 2**32), size=sizes, data=st.data())
def test_every_consistency_proof_is_the_rfc_subproof_and_verifies(
    seed: int, size: int, data: st.DataObject
) -> None:
    leaves = random_leaves(seed, size)
    tree = build(leaves)
    reference = Reference(leaves)
    for old in old_sizes(size, data):
        tree.lookups = 0
        proof = consistency_proof(old, size, tree.node)
        assert tree.lookups <= 2 * size.bit_length() + 2
        expected = [] if old in (0, size) else reference.subproof(old, 0, size, True)
        assert proof == expected
        check_consistency(old, size, tree.roots[old], tree.roots[size], proof)


@BOUNDED
@given(seed=st.integers(0, 2**32), size=sizes, data=st.data())
def test_a_rewritten_history_fails_the_consistency_proof(
    seed: int, size: int, data: st.DataObject
) -> None:
    leaves = random_leaves(seed, size)
    tree = build(leaves)
    old = data.draw(st.integers(1, size))
    changed = data.draw(st.integers(0, old - 1))
    # The auditor kept the head of the genuine log at `old`; the log was then rewritten at
    # `changed` (an edit, a removal or a reordering all change some leaf below `old`).
    rewritten_leaves = list(leaves)
    rewritten_leaves[changed] = flip(leaves[changed])
    rewritten = build(rewritten_leaves)
    genuine_old_root = tree.roots[old]

    # The rewritten log's own proof does not join the auditor's old head to its new head...
    proof = consistency_proof(old, size, rewritten.node)
    assert not verify_consistency(old, size, genuine_old_root, rewritten.roots[size], proof)
    # ...nor does the genuine proof (nor any other, short of a SHA-256 collision).
    genuine = consistency_proof(old, size, tree.node)
    assert not verify_consistency(old, size, genuine_old_root, rewritten.roots[size], genuine)
    # And an old head of the rewritten log is refused against the genuine one.
    assert not verify_consistency(old, size, rewritten.roots[old], tree.roots[size], genuine)
    assert verify_consistency(old, size, genuine_old_root, tree.roots[size], genuine)


@BOUNDED
@given(seed=st.integers(0, 2**32), size=st.integers(3, 300), data=st.data())
def test_a_consistency_proof_fails_when_altered(seed: int, size: int, data: st.DataObject) -> None:
    tree = build(random_leaves(seed, size))
    old = data.draw(st.integers(1, size - 1))
    proof = consistency_proof(old, size, tree.node)
    old_root, new_root = tree.roots[old], tree.roots[size]
    assert verify_consistency(old, size, old_root, new_root, proof)

    at = data.draw(st.integers(0, len(proof) - 1))
    altered = [*proof[:at], flip(proof[at]), *proof[at + 1 :]]
    assert not verify_consistency(old, size, old_root, new_root, altered)
    assert not verify_consistency(old, size, old_root, new_root, proof[:-1])
    assert not verify_consistency(old, size, old_root, new_root, [*proof, SOME_HASH])
    assert not verify_consistency(old, size, new_root, old_root, proof)


def test_consistency_failures_name_their_reason() -> None:
    tree = build(random_leaves(2, 13))
    r6, r13 = tree.roots[6], tree.roots[13]
    proof = consistency_proof(6, 13, tree.node)

    def reason(call: Callable[[], None]) -> str:
        with pytest.raises(ConsistencyProofError) as caught:
            call()
        return caught.value.reason

    assert reason(lambda: check_consistency(7, 6, r6, r13, [])) == "sizes-out-of-order"
    assert reason(lambda: check_consistency(6, 13, r6, r13, [])) == "empty-proof"
    assert reason(lambda: check_consistency(6, 13, r6, r13, [*proof, r6])) == "proof-too-long"
    assert reason(lambda: check_consistency(6, 13, r6, r13, proof[:-1])) == "proof-too-short"
    assert reason(lambda: check_consistency(6, 13, flip(r6), r13, proof)) == "old-root-mismatch"
    assert reason(lambda: check_consistency(6, 13, r6, flip(r13), proof)) == "new-root-mismatch"
    assert reason(lambda: check_consistency(0, 13, r6, r13, [])) == "not-empty-tree"
    assert reason(lambda: check_consistency(6, 6, r6, r6, proof)) == "proof-not-empty"
    assert reason(lambda: check_consistency(6, 13, r6[:5], r13, proof)) == "malformed-hash"


# -- Proof generation reads O(log n) stored nodes, all perfect subtrees --------------------------


def counting_lookup() -> tuple[list[tuple[int, int]], Callable[[int, int], bytes]]:
    """Addresses do not depend on hashes: a lookup that records them works at any size."""
    seen: list[tuple[int, int]] = []

    def node(level: int, index: int) -> bytes:
        seen.append((level, index))
        return hashlib.sha256(f"{level}/{index}".encode()).digest()

    return seen, node


@settings(max_examples=300, deadline=None)
@given(size=st.integers(1, 2**62), data=st.data())
def test_proofs_read_only_stored_perfect_subtrees_and_logarithmically_many(
    size: int, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(0, size))
    seen, node = counting_lookup()
    assert_reads_stored_subtrees(
        size, inclusion_plan(index, size), seen, inclusion_proof(index, size, node)
    )
    seen, node = counting_lookup()
    assert_reads_stored_subtrees(
        size, consistency_plan(old, size), seen, consistency_proof(old, size, node)
    )


def assert_reads_stored_subtrees(
    size: int, plan: list[tuple[NodeId, ...]], seen: list[tuple[int, int]], proof: list[bytes]
) -> None:
    assert len(proof) == len(plan)
    assert len(proof) <= 2 * size.bit_length()
    assert len(seen) <= 2 * size.bit_length() + 1
    for level, i in seen:
        assert (i + 1) << level <= size, f"({level}, {i}) is not a complete subtree"
    assert [(n.level, n.index) for n in plan_node_ids(plan)] == list(dict.fromkeys(seen))


def test_a_proof_at_a_million_leaves_reads_about_log_n_nodes() -> None:
    seen, node = counting_lookup()
    proof = inclusion_proof(123_456, 1_000_000, node)
    assert len(proof) == 20
    assert len(seen) <= 26
    seen.clear()
    proof = consistency_proof(999_999, 1_000_000, node)
    assert len(proof) <= 21
    assert len(seen) <= 26


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: inclusion_plan(5, 5), "leaf index 5"),
        (lambda: inclusion_plan(-1, 5), "leaf index -1"),
        (lambda: consistency_plan(6, 5), "old size <= new size"),
        (lambda: consistency_plan(-1, 5), "0 <= old size"),
    ],
)
def test_proof_requests_out_of_range_are_refused(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ProofRequestError, match=message):
        call()


def test_plan_lists_the_nodes_to_prefetch() -> None:
    # Tree of 7: leaf 0's path is leaf 1, node (1, 1), then the right edge [4, 7) built from
    # the perfect subtrees (1, 2) and (0, 6).
    plan = inclusion_plan(0, 7)
    assert plan == [(NodeId(0, 1),), (NodeId(1, 1),), (NodeId(1, 2), NodeId(0, 6))]
    assert plan_node_ids(plan) == [NodeId(0, 1), NodeId(1, 1), NodeId(1, 2), NodeId(0, 6)]


# -- Frontier serialisation --------------------------------------------------------------------


@BOUNDED
@given(seed=st.integers(0, 2**32), size=st.integers(0, 2000))
def test_the_frontier_round_trips_through_bytes_and_json(seed: int, size: int) -> None:
    frontier, _ = Frontier.empty().extend(random_leaves(seed, size))
    assert Frontier.from_bytes(frontier.to_bytes()) == frontier
    assert Frontier.from_dict(frontier.to_dict()) == frontier
    assert len(frontier.to_bytes()) == 8 + 32 * size.bit_count()


def test_a_damaged_frontier_is_refused() -> None:
    frontier, _ = Frontier.empty().extend(random_leaves(3, 6))  # two hashes
    data = frontier.to_bytes()
    with pytest.raises(FrontierFormatError, match="cannot be"):
        Frontier.from_bytes(data[:-1])
    with pytest.raises(FrontierFormatError, match="size 7 has 3 hashes"):
        Frontier.from_bytes((7).to_bytes(8, "big") + data[8:])
    with pytest.raises(FrontierFormatError, match="non-hex"):
        Frontier.from_dict({"size": 6, "hashes": ["zz", "00"]})
    with pytest.raises(FrontierFormatError, match="32 bytes"):
        Frontier.from_dict({"size": 6, "hashes": ["00", "00"]})
    with pytest.raises(FrontierFormatError, match="integer"):
        Frontier.from_dict({"size": True, "hashes": []})
    with pytest.raises(FrontierFormatError, match=">= 0"):
        Frontier(-1, ())
    with pytest.raises(ValueError, match="32 bytes"):
        frontier.append(b"short")


def test_stored_nodes_name_level_index_and_hash() -> None:
    frontier, _ = Frontier.empty().extend(random_leaves(4, 3))
    leaf = leaf_hash(b"fourth")
    after, completed = frontier.append(leaf)
    assert completed[0] == StoredNode(0, 3, leaf)
    assert [(n.level, n.index) for n in completed] == [(0, 3), (1, 1), (2, 0)]
    assert completed[-1].hash == after.root()
