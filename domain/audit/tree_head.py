"""Tree heads: what the log commits to (size, root, time), and the exact bytes that are signed.

Signed bytes, version 1 (``TreeHead.signed_bytes``), ASCII, each line ending in ``\\n``::

    partnerlab-tree-head-v1
    <tree_size in decimal, no sign, no leading zeros>
    <root_hash as 64 lowercase hex digits>
    <timestamp in UTC, ISO 8601 with microseconds: 2024-01-31T12:00:00.000000Z>

The first line separates these signatures from any other the same key might make (domain
separation) and names the layout's version: a future layout gets a new first line, so no
signature over one layout can be replayed as a signature over another. The layout is fixed so an
auditor can rebuild the bytes in any language from the JSON fields alone.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.audit.merkle import EMPTY_ROOT, HASH_SIZE

TREE_HEAD_PREFIX = b"partnerlab-tree-head-v1\n"
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class TreeHeadFormatError(ValueError):
    """A tree head or signed tree head is malformed; ``field`` names the culprit."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class TreeHead:
    """The log's commitment: the root of its first ``tree_size`` records, at ``timestamp``.

    ``timestamp`` must be timezone-aware; it is kept in UTC (an instant, not a wall clock).
    """

    tree_size: int
    root_hash: bytes
    timestamp: datetime

    def __post_init__(self) -> None:
        if isinstance(self.tree_size, bool) or not isinstance(self.tree_size, int):
            raise TreeHeadFormatError("must be an integer", field="tree_size")
        if self.tree_size < 0:
            raise TreeHeadFormatError(f"must be >= 0, got {self.tree_size}", field="tree_size")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise TreeHeadFormatError(f"must be {HASH_SIZE} bytes", field="root_hash")
        if self.tree_size == 0 and self.root_hash != EMPTY_ROOT:
            raise TreeHeadFormatError(
                "the empty tree's root is SHA-256 of the empty string", field="root_hash"
            )
        if not isinstance(self.timestamp, datetime) or self.timestamp.utcoffset() is None:
            raise TreeHeadFormatError("must be a timezone-aware datetime", field="timestamp")
        object.__setattr__(self, "timestamp", self.timestamp.astimezone(UTC))

    @property
    def timestamp_text(self) -> str:
        """The timestamp as signed: UTC, microseconds, ``Z``."""
        return self.timestamp.strftime(_TIMESTAMP_FORMAT)

    def signed_bytes(self) -> bytes:
        """The canonical bytes a signature covers (layout v1, see the module docstring)."""
        return TREE_HEAD_PREFIX + (
            f"{self.tree_size}\n{self.root_hash.hex()}\n{self.timestamp_text}\n".encode("ascii")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.timestamp_text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TreeHead:
        tree_size = data.get("tree_size")
        if isinstance(tree_size, bool) or not isinstance(tree_size, int):
            raise TreeHeadFormatError("must be an integer", field="tree_size")
        return cls(
            tree_size,
            _hex_field(data, "root_hash"),
            _timestamp_field(data, "timestamp"),
        )


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    """A tree head with an Ed25519 signature over ``head.signed_bytes()``.

    ``key_id`` (hex) names the key that signed, so a verifier holding several keys (or a key
    rotated since) can tell "signed by another key" from "signature damaged".
    """

    head: TreeHead
    signature: bytes
    key_id: str

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-friendly form: the head's fields, ``signature`` (base64), ``key_id``."""
        return {
            **self.head.to_dict(),
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "key_id": self.key_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignedTreeHead:
        head = TreeHead.from_dict(data)
        signature = data.get("signature")
        if not isinstance(signature, str):
            raise TreeHeadFormatError("must be a base64 string", field="signature")
        try:
            raw = base64.b64decode(signature, validate=True)
        except binascii.Error as exc:
            raise TreeHeadFormatError(f"is not base64: {exc}", field="signature") from exc
        key_id = data.get("key_id")
        if not isinstance(key_id, str) or not key_id:
            raise TreeHeadFormatError("must be a non-empty string", field="key_id")
        return cls(head, raw, key_id)


def _hex_field(data: dict[str, Any], field: str) -> bytes:
    value = data.get(field)
    if not isinstance(value, str):
        raise TreeHeadFormatError("must be a hex string", field=field)
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise TreeHeadFormatError(f"is not hex: {exc}", field=field) from exc


def _timestamp_field(data: dict[str, Any], field: str) -> datetime:
    value = data.get(field)
    if not isinstance(value, str):
        raise TreeHeadFormatError("must be an ISO 8601 string", field=field)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise TreeHeadFormatError(f"is not ISO 8601: {exc}", field=field) from exc
    if parsed.utcoffset() is None:
        raise TreeHeadFormatError("must carry a time zone (Z or an offset)", field=field)
    return parsed
