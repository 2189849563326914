"""What recorded data breaks a rule added later: histories are replayed as they are (replay
never re-checks), so ``partnerlab check`` lists what staff should correct.

Read from the catalogue read model (which organisations and partnerships a lab has) and the
event log (each partnership's milestones as recorded).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from application.event_log import LabEventLog
from application.partnerships.ports import CatalogView
from application.partnerships.views import OrganizationFilter, PartnershipFilter
from application.read_models import ReadModels
from application.results import PageRequest
from domain.partnerships.claims import identifier_key
from domain.partnerships.partnership import Partnership, date_order_breaks

ALL = PageRequest(limit=1_000_000, offset=0)


@dataclass(frozen=True)
class Finding:
    rule: str
    ids: tuple[UUID, ...]
    """The records concerned (the first is the one to correct)."""
    message: str
    """What is wrong and what to correct."""


class DataChecks:
    def __init__(
        self, log: LabEventLog, catalog: CatalogView | None, read_models: ReadModels
    ) -> None:
        self._log = log
        self._catalog = catalog
        self._read_models = read_models

    def check_lab(self, lab: str) -> list[Finding]:
        """Every breach of the data rules in ``lab``: milestone dates out of order, a legal
        identifier held by several organisations, a pair with several open partnerships."""
        if self._catalog is None:
            return []
        self._read_models.settled()
        return [
            *self._duplicate_identifiers(lab),
            *self._partnership_findings(lab),
        ]

    def _duplicate_identifiers(self, lab: str) -> list[Finding]:
        assert self._catalog is not None
        holders: dict[str, list[tuple[UUID, str]]] = defaultdict(list)
        for o in self._catalog.list_organizations(lab, OrganizationFilter(), ALL).items:
            if o.legal_identifier:
                holders[identifier_key(o.legal_identifier)].append((o.id, o.name))
        findings = []
        for key, orgs in sorted(holders.items()):
            if len(orgs) < 2:
                continue
            names = ", ".join(f"{name!r} ({oid})" for oid, name in orgs)
            findings.append(
                Finding(
                    rule="legal-identifier-unique",
                    ids=tuple(oid for oid, _ in orgs),
                    message=f"{key.split(':', 1)[1]} is the identifier of {len(orgs)} "
                    f"organisations: {names}; correct the identifier of all but one, or "
                    "archive the duplicates",
                )
            )
        return findings

    def _partnership_findings(self, lab: str) -> list[Finding]:
        assert self._catalog is not None
        findings: list[Finding] = []
        open_by_pair: dict[tuple[UUID, UUID], list[UUID]] = defaultdict(list)
        summaries = self._catalog.list_partnerships(lab, PartnershipFilter(), ALL).items
        for summary in sorted(summaries, key=lambda s: (s.opened_on, str(s.id))):
            partnership = self._log.get(summary.id)
            if not isinstance(partnership, Partnership):
                continue
            for milestone, before in date_order_breaks(partnership.milestones):
                findings.append(
                    Finding(
                        rule="milestone-not-before-predecessor",
                        ids=(partnership.id,),
                        message=f"partnership {partnership.id}: the {milestone.kind} (version "
                        f"{milestone.version}, {milestone.occurred_on.isoformat()}) precedes "
                        f"the {before.kind} it follows (version {before.version}, "
                        f"{before.occurred_on.isoformat()}); correct one of the two dates",
                    )
                )
            if partnership.abandonment is None and not _separate_on_purpose(
                self._log, partnership.id
            ):
                pair = (partnership.association_id, partnership.company_id)
                open_by_pair[pair].append(partnership.id)
        for (association_id, company_id), ids in open_by_pair.items():
            if len(ids) < 2:
                continue
            findings.append(
                Finding(
                    rule="one-open-partnership-per-pair",
                    ids=tuple(ids),
                    message=f"association {association_id} and company {company_id} have "
                    f"{len(ids)} open partnerships ({', '.join(map(str, ids))}); abandon the "
                    "duplicates (with the reason) or keep the first",
                )
            )
        return findings


def _separate_on_purpose(log: LabEventLog, partnership_id: UUID) -> bool:
    """Opened with a reason to be separate: not a duplicate."""
    events = log.stored_events(partnership_id)
    return bool(events) and getattr(events[0], "separate_reason", None) is not None
