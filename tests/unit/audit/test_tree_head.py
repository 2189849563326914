"""Tree heads: the fixed byte layout that is signed, and their JSON form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from domain.audit.merkle import EMPTY_ROOT, leaf_hash
from domain.audit.tree_head import SignedTreeHead, TreeHead, TreeHeadFormatError

ROOT = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
WHEN = datetime(2024, 1, 31, 12, 0, 0, 250, tzinfo=UTC)


def test_the_signed_bytes_follow_the_documented_v1_layout() -> None:
    head = TreeHead(8, ROOT, WHEN)

    assert head.signed_bytes() == (
        b"partnerlab-tree-head-v1\n"
        b"8\n"
        b"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328\n"
        b"2024-01-31T12:00:00.000250Z\n"
    )


def test_the_timestamp_is_kept_and_signed_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    head = TreeHead(8, ROOT, datetime(2024, 1, 31, 13, 0, 0, 250, tzinfo=paris))

    assert head == TreeHead(8, ROOT, WHEN)
    assert head.timestamp.tzinfo is UTC
    assert head.signed_bytes() == TreeHead(8, ROOT, WHEN).signed_bytes()


def test_every_field_changes_the_signed_bytes() -> None:
    head = TreeHead(8, ROOT, WHEN)
    others = [
        TreeHead(9, ROOT, WHEN),
        TreeHead(8, leaf_hash(b"x"), WHEN),
        TreeHead(8, ROOT, WHEN + timedelta(microseconds=1)),
    ]
    assert len({head.signed_bytes(), *(o.signed_bytes() for o in others)}) == 4


@pytest.mark.parametrize(
    ("size", "root", "when", "field"),
    [
        (-1, ROOT, WHEN, "tree_size"),
        (True, ROOT, WHEN, "tree_size"),
        (8, ROOT[:31], WHEN, "root_hash"),
        (0, ROOT, WHEN, "root_hash"),  # The empty tree has one root only.
        (8, ROOT, datetime(2024, 1, 31, 12, 0), "timestamp"),  # naive: which instant?
    ],
)
def test_a_malformed_head_is_refused_naming_the_field(
    size: int, root: bytes, when: datetime, field: str
) -> None:
    with pytest.raises(TreeHeadFormatError) as caught:
        TreeHead(size, root, when)
    assert caught.value.field == field


def test_the_empty_tree_has_a_head() -> None:
    assert TreeHead(0, EMPTY_ROOT, WHEN).tree_size == 0


def test_a_signed_head_round_trips_through_its_json_form() -> None:
    signed = SignedTreeHead(TreeHead(8, ROOT, WHEN), b"\x01" * 64, "ab" * 16)
    data = signed.to_dict()

    assert data == {
        "tree_size": 8,
        "root_hash": ROOT.hex(),
        "timestamp": "2024-01-31T12:00:00.000250Z",
        "signature": "AQEB" * 21 + "AQ==",
        "key_id": "ab" * 16,
    }
    assert SignedTreeHead.from_dict(data) == signed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tree_size": "8"}, "tree_size"),
        ({"root_hash": "not hex"}, "root_hash"),
        ({"root_hash": 5}, "root_hash"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"timestamp": "2024-01-31T12:00:00"}, "timestamp"),
        ({"signature": "***"}, "signature"),
        ({"signature": None}, "signature"),
        ({"key_id": ""}, "key_id"),
    ],
)
def test_a_malformed_signed_head_is_refused_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    data = SignedTreeHead(TreeHead(8, ROOT, WHEN), b"\x01" * 64, "ab" * 16).to_dict()
    with pytest.raises(TreeHeadFormatError) as caught:
        SignedTreeHead.from_dict({**data, **change})
    assert caught.value.field == field
