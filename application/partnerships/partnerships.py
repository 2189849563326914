"""Use cases of partnerships: open one, record each milestone, correct one, read, list.

Each command loads the caller's lab's partnership, checks the version the writer expected
(``If-Match``), lets the aggregate decide, and records its new event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.context import Caller
from application.errors import NotFound
from application.event_log import LabEventLog, RecordCommand, check_version
from application.partnerships.organizations import OrganizationService
from application.partnerships.presenters import partnership_view
from application.partnerships.views import (
    PartnershipFilter,
    PartnershipSummary,
    PartnershipView,
)
from application.results import CommandResult, Page, PageRequest
from domain.partnerships.partnership import Partnership
from domain.values import CommittedValue, Origin, OriginKind

COMMITTED_AMOUNTS = ("financial_eur", "in_kind_eur", "skills_days")


def committed_value(fields: dict[str, Any]) -> dict[str, Any]:
    """A contract's or renewal's fields, with its three amounts (each 0 when not given) as the
    one ``committed`` value the aggregate takes."""
    amounts = {name: value for name, value in fields.items() if name in COMMITTED_AMOUNTS}
    rest = {name: value for name, value in fields.items() if name not in COMMITTED_AMOUNTS}
    return {**rest, "committed": CommittedValue(**amounts)}


class PartnershipService:
    """A partnership's lifecycle, from first meeting to evaluation."""

    def __init__(
        self,
        log: LabEventLog,
        organizations: OrganizationService,
        clock: Callable[[], date],
    ) -> None:
        self._log = log
        self._organizations = organizations
        self.clock = clock

    def open_partnership(
        self,
        caller: Caller,
        *,
        association_id: UUID,
        company_id: UUID,
        origin_kind: OriginKind,
        occurred_on: date,
        origin_reference_id: str | None = None,
        note: str | None = None,
        separate_reason: str | None = None,
    ) -> CommandResult:
        """Open a partnership; a second open one of the same pair is refused unless
        ``separate_reason`` says why it is separate on purpose (recorded in the event)."""
        association = self._organizations.organization(
            caller, association_id, field="association_id"
        )
        company = self._organizations.organization(caller, company_id, field="company_id")
        partnership = Partnership.open(
            association=association,
            company=company,
            origin=Origin(origin_kind, origin_reference_id),
            occurred_on=occurred_on,
            actor=caller.actor,
            today=self.clock(),
            note=note,
            separate_reason=separate_reason,
        )
        if separate_reason is None:
            self._organizations.claims.require_no_open_pair(partnership)
        return self._log.record(partnership, expected_version=None)

    # Each milestone's use case: ``(caller, partnership_id, *, expected_version=None,
    # **fields)`` with the fields of the aggregate's command (see ``RecordCommand``).
    record_meeting = RecordCommand(Partnership.record_meeting)
    propose_idea = RecordCommand(Partnership.propose_idea)
    start_co_construction = RecordCommand(Partnership.start_co_construction)
    record_progress = RecordCommand(Partnership.record_progress)
    sign_contract = RecordCommand(Partnership.sign_contract, fields=committed_value)
    record_evaluation = RecordCommand(Partnership.record_evaluation)
    renew_contract = RecordCommand(Partnership.renew_contract, fields=committed_value)
    abandon_partnership = RecordCommand(Partnership.abandon)
    correct_milestone = RecordCommand(Partnership.correct)
    assign_staff = RecordCommand(Partnership.assign)
    """Assign (or reassign) the staff member who follows the partnership."""

    def get_partnership(
        self, caller: Caller, partnership_id: UUID, *, version: int | None = None
    ) -> PartnershipView:
        partnership = self.partnership(caller, partnership_id)
        if version is None or version == partnership.version:
            return partnership_view(partnership)  # no second load (a write's response)
        if not 1 <= version <= partnership.version:
            raise NotFound(
                f"partnership {partnership_id} has no version {version} "
                f"(it is at version {partnership.version})",
                field="version",
            )
        at_version = self._log.get(partnership_id, version=version)
        return partnership_view(at_version)

    def written_partnership(self, caller: Caller, result: CommandResult) -> PartnershipView:
        """The partnership as a write left it: from the aggregate the write had in hand (no
        load), or loaded at the written version when the result does not carry it."""
        written = result.aggregate
        if (
            isinstance(written, Partnership)
            and written.lab == caller.lab
            and written.id == result.id
            and written.version == result.version
        ):
            return partnership_view(written)
        return self.get_partnership(caller, result.id, version=result.version)

    def list_partnerships(
        self, caller: Caller, filters: PartnershipFilter, page: PageRequest
    ) -> Page[PartnershipSummary]:
        return self._organizations.catalog().list_partnerships(caller.lab, filters, page)

    def partnership(self, caller: Caller, partnership_id: UUID) -> Partnership:
        """The caller's lab's partnership (``NotFound`` otherwise), for the other use cases."""
        partnership: Partnership = self._log.owned(
            caller, Partnership, partnership_id, "partnership", None
        )
        return partnership

    def load(self, caller: Caller, record_id: UUID, expected_version: int | None) -> Partnership:
        partnership = self.partnership(caller, record_id)
        check_version(partnership, expected_version)
        return partnership

    def save(self, aggregate: Aggregate, expected_version: int | None) -> CommandResult:
        return self._log.record(aggregate, expected_version)

    def today(self) -> date:
        return self.clock()
