"""What the audit use cases need from infrastructure: the chain's trail and the audit index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from application.audit.chain import Digest, StoredRecord, Verification
from domain.audit.tree_head import SignedTreeHead, TreeHead


@dataclass(frozen=True)
class AuditEntry:
    """One recorded event as the audit index knows it."""

    position: int
    lab: str
    aggregate_id: UUID
    aggregate_type: str
    version: int
    event_type: str
    actor: str | None
    occurred_on: date | None
    recorded_at: datetime


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    event_type: str | None = None
    aggregate_id: UUID | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None


class AuditTrail(Protocol):
    """The hash chain and the audit index, as the application needs them."""

    def digest(self) -> Digest | None: ...

    def verify(
        self,
        expected: Digest | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Verification: ...

    def export(self, lab: str | None, aggregate_id: UUID | None) -> Iterator[str]: ...

    def entries(
        self, lab: str, filters: AuditFilter, after: int, limit: int
    ) -> list[AuditEntry]: ...

    def positions(self, aggregate_id: UUID) -> dict[int, int]: ...

    def lab_of(self, position: int) -> str | None: ...

    def record_at(self, position: int) -> StoredRecord | None: ...

    def proof_export(
        self,
        lab: str,
        aggregate_id: UUID | None,
        head: TreeHead,
        head_fields: dict[str, Any],
        sign_manifest: Callable[[bytes], bytes] | None,
        from_size: int | None,
    ) -> Iterator[str]: ...


@dataclass(frozen=True)
class TreeState:
    """The Merkle tree as last committed: how many leaves, the last log position it covers,
    and its root."""

    size: int
    last_position: int
    root: bytes


class MerkleTree(Protocol):
    """The Merkle tree over the stored records, its proofs and its signed heads."""

    def state(self) -> TreeState: ...

    def build(self, progress: Callable[[int, int], None] | None = None) -> int: ...

    def inclusion(self, leaf_index: int, tree_size: int) -> list[bytes]: ...

    def consistency(self, old_size: int, new_size: int) -> list[bytes]: ...

    def root_at(self, size: int) -> bytes: ...

    def leaf_index(self, position: int) -> int | None: ...

    def add_head(self, head: TreeHead, signed: SignedTreeHead | None) -> None: ...

    def latest_head(self) -> SignedTreeHead | None: ...

    def head_at(self, tree_size: int) -> SignedTreeHead | None: ...

    def heads(self, after_size: int, limit: int) -> list[SignedTreeHead]: ...


class HeadSigner(Protocol):
    """The deployment's signing key (kept outside the database)."""

    key_id: str

    def sign(self, head: TreeHead) -> SignedTreeHead: ...

    def sign_manifest(self, data: bytes) -> bytes: ...

    def public_key_pem(self) -> str: ...
