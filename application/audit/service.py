"""Audit use cases: histories, time travel (by version, as known at a time, as of a date),
lineage, the global audit log, and the chain's digest, verification and exports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from application.audit.chain import Digest, Verification
from application.audit.history import history_entry, with_previous_values
from application.audit.merkle_log import record_leaf
from application.audit.ports import AuditEntry, AuditFilter, AuditTrail, HeadSigner, MerkleTree
from application.audit.views import HistoryEntry, LineageView, OriginView
from application.context import Caller
from application.errors import CannotProve, NotFound, StoreUnavailable
from application.event_log import LabEventLog, recorded_at, store_errors
from application.followers import AUDIT_INDEX, CATALOG
from application.partnerships.organizations import OrganizationService
from application.partnerships.partnerships import PartnershipService
from application.partnerships.presenters import partnership_view
from application.partnerships.views import PartnershipFilter, PartnershipSummary, PartnershipView
from application.read_models import ReadModels
from application.results import PageRequest
from domain.activities.funding import Subsidy
from domain.audit.tree_head import SignedTreeHead, TreeHead

OriginActivity = Callable[[Caller, str | None], dict[str, Any]]
"""The title and date of the activity a partnership came from (from the activities context)."""


class SigningNotConfigured(StoreUnavailable):
    """No signing key is configured: tree heads cannot be signed (the head routes say 503)."""

    rule = "signing-key-not-configured"


@dataclass(frozen=True)
class InclusionAnswer:
    position: int
    leaf_index: int
    leaf_hash: bytes
    proof: list[bytes]
    head: SignedTreeHead


@dataclass(frozen=True)
class ConsistencyAnswer:
    from_size: int
    to_size: int
    from_root: bytes
    to_root: bytes
    proof: list[bytes]


def _no_activity(_caller: Caller, _reference_id: str | None) -> dict[str, Any]:
    return {}


class AuditService:
    """What auditors read: every event as recorded, the past as it stood and as it was known."""

    def __init__(
        self,
        log: LabEventLog,
        organizations: OrganizationService,
        partnerships: PartnershipService,
        read_models: ReadModels,
        trail: AuditTrail | None,
        origins: OriginActivity = _no_activity,
        *,
        tree: MerkleTree | None = None,
        signer: HeadSigner | None = None,
        head_every_events: int = 1000,
        head_every_seconds: float = 3600.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._log = log
        self._organizations = organizations
        self._partnerships = partnerships
        self._read_models = read_models
        self._trail = trail
        self._origins = origins
        self._tree = tree
        self._signer = signer
        self._head_every_events = head_every_events
        self._head_every_seconds = head_every_seconds
        self._now = now

    def partnership_history(self, caller: Caller, partnership_id: UUID) -> list[HistoryEntry]:
        """Every recorded event of the partnership, in order, with its log position."""
        self._partnerships.partnership(caller, partnership_id)
        return self._history(partnership_id, caller.lab)

    def organization_history(self, caller: Caller, organization_id: UUID) -> list[HistoryEntry]:
        self._organizations.organization(caller, organization_id)
        return self._history(organization_id, caller.lab)

    def _history(self, aggregate_id: UUID, lab: str) -> list[HistoryEntry]:
        events = self._log.stored_events(aggregate_id)
        positions: dict[int, int] = {}
        if self._trail is not None:
            self._read_models.wait_for_projections(read_models=AUDIT_INDEX, lab=lab)
            positions = self._audit().positions(aggregate_id)
        return [
            history_entry(e, positions.get(e.originator_version), data)
            for e, data in zip(events, with_previous_values(events), strict=True)
        ]

    def subsidy_history(self, caller: Caller, subsidy_id: UUID) -> list[HistoryEntry]:
        """The subsidy's grant and every correction: previous and new amount, reason, who
        and when."""
        self._log.owned(caller, Subsidy, subsidy_id, "subsidy")
        return self._history(subsidy_id, caller.lab)

    def partnership_known_at(
        self, caller: Caller, partnership_id: UUID, known_at: datetime
    ) -> PartnershipView:
        """The partnership as the system knew it at recording time ``known_at``."""
        self._partnerships.partnership(caller, partnership_id)
        version = self._version_known_at(partnership_id, known_at)
        return partnership_view(self._log.get(partnership_id, version=version))

    def partnership_as_of(
        self,
        caller: Caller,
        partnership_id: UUID,
        as_of: date,
        *,
        known_at: datetime | None = None,
    ) -> PartnershipView:
        """The partnership as it stood on business date ``as_of`` (optionally, as known at
        ``known_at``): only the milestones that had happened by then."""
        partnership = self._partnerships.partnership(caller, partnership_id)
        if known_at is not None:
            version = self._version_known_at(partnership_id, known_at)
            partnership = self._log.get(partnership_id, version=version)
        past = partnership.as_it_stood_on(as_of)
        if past is None:
            raise NotFound(
                f"partnership {partnership_id} had not been opened on {as_of.isoformat()}",
                field="as_of",
            )
        return partnership_view(past)

    def _version_known_at(self, aggregate_id: UUID, known_at: datetime) -> int:
        self._read_models.settle_past(known_at, timeout=None)
        events = self._log.stored_events(aggregate_id)
        known: list[int] = [e.originator_version for e in events if recorded_at(e) <= known_at]
        if not known:
            raise NotFound(
                f"{aggregate_id} had not been recorded yet at {known_at.isoformat()}",
                field="known_at",
            )
        return max(known)

    def partnership_lineage(self, caller: Caller, partnership_id: UUID) -> LineageView:
        """How the partnership emerged: its origin and the pairs met there, then every step."""
        partnership = self._partnerships.partnership(caller, partnership_id)
        view = partnership_view(partnership)
        others: list[PartnershipSummary] = []
        first_met_on = view.opened_on
        if view.origin_reference_id and self._organizations.has_catalog:
            self._read_models.wait_for_projections(read_models=CATALOG, lab=caller.lab)
            pairs = self._organizations.catalog().list_partnerships(
                caller.lab,
                PartnershipFilter(origin_reference_id=view.origin_reference_id),
                PageRequest(limit=200),
            )
            others = [p for p in pairs.items if p.id != partnership_id]
            first_met_on = min([view.opened_on, *(p.opened_on for p in pairs.items)])
        return LineageView(
            partnership=view,
            origin=OriginView(
                kind=view.origin_kind,
                reference_id=view.origin_reference_id,
                first_met_on=first_met_on,
                other_pairs=others,
                **self._origins(caller, view.origin_reference_id),
            ),
            timeline=self._history(partnership_id, caller.lab),
        )

    def audit_events(
        self, caller: Caller, filters: AuditFilter, *, after: int = 0, limit: int = 100
    ) -> list[AuditEntry]:
        """The lab's global audit log, in log order, from position ``after``."""
        self._read_models.wait_for_projections(read_models=AUDIT_INDEX, lab=caller.lab)
        with store_errors():
            return self._audit().entries(caller.lab, filters, after, limit)

    def latest_milestones(
        self, caller: Caller, limit: int = 10, window: int = 1000
    ) -> list[AuditEntry]:
        """The lab's partnership steps most recently recorded (newest first), among the log's
        last ``window`` positions (a quiet lab in a busy log may show fewer)."""
        if self._trail is None:
            return []
        self._read_models.wait_for_projections()
        head = self._read_models.log_head() or 0
        with store_errors():
            recent = self._audit().entries(caller.lab, AuditFilter(), max(0, head - window), window)
        steps = [e for e in recent if e.aggregate_type == "Partnership"]
        return steps[::-1][:limit]

    def audit_digest(self) -> Digest | None:
        with store_errors():
            return self._audit().digest()

    def verify_audit_chain(
        self,
        expected: Digest | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Verification:
        """Recompute the hash chain; ``progress(position, head)`` hears how far it got."""
        with store_errors():
            return self._audit().verify(expected, progress)

    def export_audit(
        self, caller: Caller | None, partnership_id: UUID | None = None
    ) -> Iterator[str]:
        """``caller=None`` (operators only): the whole log with the chain's links (format 1,
        verifies as complete). A lab's (or one partnership's) export: format 2, with the
        signed tree head, the signed manifest and an inclusion proof per record."""
        if caller is None:
            self._read_models.wait_for_projections(read_models=AUDIT_INDEX)
            return self._audit().export(None, partnership_id)
        return self.export_with_proofs(caller, partnership_id)

    def export_with_proofs(
        self, caller: Caller, partnership_id: UUID | None = None, from_size: int | None = None
    ) -> Iterator[str]:
        if partnership_id is not None:
            self._partnerships.partnership(caller, partnership_id)
        self._read_models.wait_for_projections(read_models=AUDIT_INDEX, lab=caller.lab)
        tree = self._merkle()
        with store_errors():
            if self._signer is not None:
                signed = self.sign_head()
                head, fields = signed.head, signed.to_dict()
                sign_manifest: Callable[[bytes], bytes] | None = self._signer.sign_manifest
            else:
                state = tree.state()
                head = TreeHead(state.size, state.root, self._now())
                fields = head.to_dict() | {"signature": None, "key_id": None}
                sign_manifest = None
            if from_size is not None:
                self._check_sizes(from_size, head.tree_size, "from_size")
            return self._audit().proof_export(
                caller.lab, partnership_id, head, fields, sign_manifest, from_size
            )

    # ------------------------------------------------------------------ Merkle log

    def public_key(self) -> tuple[str, str]:
        """(PEM, key id) of the key that signs tree heads."""
        signer = self._signing()
        return signer.public_key_pem(), signer.key_id

    def sign_head(self) -> SignedTreeHead:
        """The latest signed head, signing the tree as committed now if it has grown since:
        the head returned covers every event acknowledged before the call."""
        signer = self._signing()
        tree = self._merkle()
        with store_errors():
            state = tree.state()
            latest = tree.latest_head()
            if latest is not None and latest.head.tree_size >= state.size:
                return latest
            head = TreeHead(state.size, state.root, self._now())
            tree.add_head(head, signer.sign(head))
            stored = tree.head_at(state.size)
        if stored is None:  # pragma: no cover - the row was just written
            raise StoreUnavailable("the signed tree head could not be kept")
        return stored

    def sign_head_if_due(self) -> SignedTreeHead | None:
        """Sign a head when N events arrived since the last one, or when the last is older
        than the interval and events arrived since (the signer loop calls this)."""
        if self._signer is None or self._tree is None:
            return None
        state = self._tree.state()
        latest = self._tree.latest_head()
        grown = state.size - (latest.head.tree_size if latest else 0)
        if grown <= 0:
            return None
        old = latest is None or (
            (self._now() - latest.head.timestamp).total_seconds() >= self._head_every_seconds
        )
        if grown >= self._head_every_events or old:
            return self.sign_head()
        return None

    def signed_heads(self, after_size: int = 0, limit: int = 100) -> list[SignedTreeHead]:
        self._signing()
        with store_errors():
            return self._merkle().heads(after_size, limit)

    def consistency(self, from_size: int, to_size: int) -> ConsistencyAnswer:
        tree = self._merkle()
        with store_errors():
            size = tree.state().size
            self._check_sizes(from_size, to_size, "from_size")
            if to_size > size:
                raise CannotProve(f"the log holds {size} records, not {to_size}", field="to_size")
            return ConsistencyAnswer(
                from_size,
                to_size,
                tree.root_at(from_size),
                tree.root_at(to_size),
                tree.consistency(from_size, to_size),
            )

    def inclusion(
        self, caller: Caller, position: int, tree_size: int | None = None
    ) -> InclusionAnswer:
        """The inclusion proof of the event at ``position`` (if it is of the caller's lab)
        in the signed head of ``tree_size`` (default: the latest, signed now if needed)."""
        self._read_models.wait_for_projections(read_models=AUDIT_INDEX, lab=caller.lab)
        tree = self._merkle()
        with store_errors():
            if self._audit().lab_of(position) != caller.lab:
                raise NotFound(f"no event at position {position} in this lab", field="position")
            index = tree.leaf_index(position)
            record = self._audit().record_at(position)
            if index is None or record is None:
                raise NotFound(f"no event at position {position} in the tree", field="position")
            if tree_size is None:
                head = self.sign_head()
            else:
                found = tree.head_at(tree_size)
                if found is None:
                    raise CannotProve(f"no signed tree head of size {tree_size}", field="tree_size")
                head = found
            if index >= head.head.tree_size:
                raise CannotProve(
                    f"the event at position {position} is not in the tree of"
                    f" {head.head.tree_size} records",
                    field="tree_size",
                )
            return InclusionAnswer(
                position,
                index,
                record_leaf(record),
                tree.inclusion(index, head.head.tree_size),
                head,
            )

    def build_tree(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Add to the tree every stored record it does not cover yet (a log written before)."""
        with store_errors():
            return self._merkle().build(progress)

    def _check_sizes(self, old: int, new: int, field: str) -> None:
        if not 0 <= old <= new:
            raise CannotProve(
                f"a consistency proof needs 0 <= from_size <= to_size, got {old} and {new}",
                field=field,
            )

    def _merkle(self) -> MerkleTree:
        if self._tree is None:
            raise StoreUnavailable("the Merkle tree is not configured")
        return self._tree

    def _signing(self) -> HeadSigner:
        if self._signer is None:
            raise SigningNotConfigured(
                "no audit signing key is configured (PARTNERLAB_AUDIT_SIGNING_KEY_FILE,"
                " made by `partnerlab audit keygen`): tree heads are not signed"
            )
        return self._signer

    def _audit(self) -> AuditTrail:
        if self._trail is None:
            raise StoreUnavailable("the audit trail is not configured")
        return self._trail
