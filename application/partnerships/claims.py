"""Uniqueness rules of the catalogue: a legal identifier held by one organisation of a lab
(race-safe), one open partnership per association and company (unless separate on purpose).

An identifier is a ``Claim`` (domain/partnerships/claims.py) saved in the same transaction as
the organisation that takes it; a concurrent writer of the same claim fails on the event
store's unique (originator_id, version) and is told who holds it. Records made before the rule
have no claim: the catalogue read model is asked about them too. Open pairs are checked in the
catalogue only (see ``require_no_open_pair``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.errors import ConcurrentWrite, VersionMismatch
from application.event_log import LabEventLog
from application.partnerships.ports import CatalogView
from application.partnerships.views import OrganizationFilter, PartnershipFilter
from application.results import CommandResult, PageRequest
from domain.partnerships.claims import (
    Claim,
    DuplicateLegalIdentifier,
    DuplicateOpenPartnership,
    claim_id,
    identifier_key,
    name_key,
)
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership

ALL = PageRequest(limit=1_000_000, offset=0)


class Claims:
    def __init__(
        self, log: LabEventLog, catalog: CatalogView | None, settle: Callable[[], None]
    ) -> None:
        self._log = log
        self._catalog = catalog
        self._settle = settle

    # ------------------------------------------------------------------ legal identifiers

    def identifier_claim(
        self, organization: Organization, actor: str, field: str = "legal_identifier"
    ) -> Claim | None:
        """The claim ``organization`` must save with itself for its identifier (``None`` when
        it has none); ``DuplicateLegalIdentifier`` when another organisation holds it."""
        identifier = organization.legal_identifier
        if not identifier:
            return None
        key = identifier_key(identifier)
        claim = self._claim(organization.lab, key)
        if claim is not None and claim.holder_id != organization.id:
            holder = self._load(claim.holder_id)
            if _holds_identifier(holder, organization.lab, key):
                raise _duplicate_identifier(identifier, holder, field)
        self._require_no_legacy_holder(organization, key, field)
        if claim is None:
            return Claim.take(lab=organization.lab, key=key, holder_id=organization.id, actor=actor)
        claim.hand_to(organization.id, actor=actor)
        return claim

    def _require_no_legacy_holder(self, organization: Organization, key: str, field: str) -> None:
        if self._catalog is None:
            return
        page = self._catalog.list_organizations(organization.lab, OrganizationFilter(), ALL)
        for other in page.items:
            if (
                other.id != organization.id
                and other.legal_identifier
                and identifier_key(other.legal_identifier) == key
            ):
                holder = self._load(other.id)
                if _holds_identifier(holder, organization.lab, key):
                    raise _duplicate_identifier(str(organization.legal_identifier), holder, field)

    def look_alikes(self, organization: Organization) -> list[str]:
        """Warnings naming the lab's organisations whose name matches this one's ignoring
        accents, case and punctuation (the organisation is recorded all the same)."""
        if self._catalog is None:
            return []
        key = name_key(organization.name)
        page = self._catalog.list_organizations(organization.lab, OrganizationFilter(), ALL)
        return [
            f"look-alike name: {other.name!r} ({other.id}) is already in the catalogue"
            for other in page.items
            if other.id != organization.id and name_key(other.name) == key
        ]

    # ------------------------------------------------------------------ open pairs

    def require_no_open_pair(self, partnership: Partnership) -> None:
        """``DuplicateOpenPartnership`` when the pair already has an open partnership.

        Read from the catalogue once it has caught up with the log: no claim is written for
        pairs (every opening would add an event to the log), so two openings of one pair in
        the same instant may both pass; ``partnerlab check`` lists such pairs."""
        existing = self.open_partnership_of_pair(
            partnership.lab, partnership.association_id, partnership.company_id
        )
        if existing is not None:
            raise _duplicate_pair(existing)

    def open_partnership_of_pair(
        self, lab: str, association_id: UUID, company_id: UUID
    ) -> Partnership | None:
        """An open partnership of the pair known to the catalogue (those opened before the
        rule, or by the activity policy, have no claim)."""
        if self._catalog is None:
            return None
        self._settle()
        page = self._catalog.list_partnerships(
            lab,
            PartnershipFilter(association_id=association_id, company_id=company_id),
            PageRequest(limit=1000, offset=0),
        )
        for summary in page.items:
            holder = self._load(summary.id)
            if _open(holder, lab):
                assert isinstance(holder, Partnership)
                return holder
        return None

    # ------------------------------------------------------------------ recording

    def record(
        self,
        record: Callable[[], CommandResult],
        claim: Claim | None,
        lab: str,
        refusal: Callable[[Any], Exception | None],
    ) -> CommandResult:
        """Run ``record``; when it lost a race for ``claim``, name who won it instead of a
        bare concurrent write."""
        try:
            return record()
        except (ConcurrentWrite, VersionMismatch):
            if claim is None:
                raise
            winner = self._claim(lab, claim.key)
            if winner is None:
                raise
            error = refusal(self._load(winner.holder_id))
            if error is None:
                raise
            raise error from None

    def identifier_refusal(self, identifier: str, field: str) -> Callable[[Any], Exception | None]:
        def refuse(holder: Any) -> Exception | None:
            if isinstance(holder, Organization):
                return _duplicate_identifier(identifier, holder, field)
            return None

        return refuse

    def _claim(self, lab: str, key: str) -> Claim | None:
        found = self._load(claim_id(lab, key))
        return found if isinstance(found, Claim) else None

    def _load(self, aggregate_id: UUID) -> Any:
        try:
            return self._log.get(aggregate_id)
        except AggregateNotFoundError:
            return None


def _holds_identifier(holder: Any, lab: str, key: str) -> bool:
    return (
        isinstance(holder, Organization)
        and holder.lab == lab
        and not holder.archived
        and bool(holder.legal_identifier)
        and identifier_key(str(holder.legal_identifier)) == key
    )


def _open(holder: Any, lab: str) -> bool:
    return isinstance(holder, Partnership) and holder.lab == lab and holder.abandonment is None


def _duplicate_identifier(identifier: str, holder: Organization, field: str) -> Exception:
    return DuplicateLegalIdentifier(
        f"{identifier} is already the identifier of {holder.name!r} ({holder.id}) in this lab",
        holder_id=holder.id,
        field=field,
    )


def _duplicate_pair(holder: Partnership) -> Exception:
    return DuplicateOpenPartnership(
        f"this association and this company already have an open partnership ({holder.id}); "
        "say it is separate on purpose, and why, to open another",
        existing_id=holder.id,
        field="company_id",
    )
