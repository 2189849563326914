"""Use cases of partnerships: open one, record each milestone, correct one, read, list.

Each command loads the caller's lab's partnership, checks the version the writer expected
(``If-Match``), lets the aggregate decide, and records its new event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.context import Caller
from application.errors import NotFound
from application.event_log import LabEventLog, check_version
from application.partnerships.organizations import OrganizationService
from application.partnerships.presenters import partnership_view
from application.partnerships.views import (
    PartnershipFilter,
    PartnershipSummary,
    PartnershipView,
)
from application.results import CommandResult, Page, PageRequest
from domain.partnerships.partnership import Partnership
from domain.values import Category, CommittedValue, Origin, OriginKind, SubKind


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

    def record_meeting(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        occurred_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.record_meeting(
                occurred_on=occurred_on, actor=caller.actor, today=self.clock(), note=note
            )
        return result()

    def propose_idea(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        title: str,
        proposed_category: Category,
        occurred_on: date,
        description: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.propose_idea(
                title=title,
                proposed_category=proposed_category,
                occurred_on=occurred_on,
                description=description,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def start_co_construction(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        idea_id: UUID,
        occurred_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.start_co_construction(
                idea_id=idea_id,
                occurred_on=occurred_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def record_progress(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        progress: str,
        occurred_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.record_progress(
                progress=progress,
                occurred_on=occurred_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def sign_contract(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        category: Category,
        sub_kind: SubKind,
        signed_on: date,
        starts_on: date,
        ends_on: date,
        financial_eur: Decimal = Decimal(0),
        in_kind_eur: Decimal = Decimal(0),
        skills_days: Decimal = Decimal(0),
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.sign_contract(
                category=category,
                sub_kind=sub_kind,
                starts_on=starts_on,
                ends_on=ends_on,
                committed=CommittedValue(financial_eur, in_kind_eur, skills_days),
                signed_on=signed_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def record_evaluation(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        occurred_on: date,
        beneficiaries: int = 0,
        jobs_created: int = 0,
        volunteer_days: Decimal = Decimal(0),
        skills_days: Decimal = Decimal(0),
        in_kind_eur: Decimal = Decimal(0),
        satisfaction: int | None = None,
        findings: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.record_evaluation(
                occurred_on=occurred_on,
                beneficiaries=beneficiaries,
                jobs_created=jobs_created,
                volunteer_days=volunteer_days,
                skills_days=skills_days,
                in_kind_eur=in_kind_eur,
                satisfaction=satisfaction,
                findings=findings,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def renew_contract(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        occurred_on: date,
        ends_on: date,
        financial_eur: Decimal = Decimal(0),
        in_kind_eur: Decimal = Decimal(0),
        skills_days: Decimal = Decimal(0),
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.renew_contract(
                ends_on=ends_on,
                committed=CommittedValue(financial_eur, in_kind_eur, skills_days),
                occurred_on=occurred_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def abandon_partnership(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        reason: str,
        occurred_on: date,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.abandon(
                reason=reason,
                occurred_on=occurred_on,
                actor=caller.actor,
                today=self.clock(),
                note=note,
            )
        return result()

    def correct_milestone(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        target_version: int,
        changes: dict[str, Any],
        reason: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.correct(
                target_version=target_version,
                changes=changes,
                reason=reason,
                actor=caller.actor,
                today=self.clock(),
            )
        return result()

    def assign_staff(
        self,
        caller: Caller,
        partnership_id: UUID,
        *,
        staff: str,
        from_on: date,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Assign (or reassign) the staff member who follows the partnership."""
        with self._changing(caller, partnership_id, expected_version) as (p, result):
            p.assign(staff=staff, from_on=from_on, actor=caller.actor, today=self.clock())
        return result()

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

    @contextmanager
    def _changing(
        self, caller: Caller, partnership_id: UUID, expected_version: int | None
    ) -> Iterator[tuple[Partnership, Callable[[], CommandResult]]]:
        partnership = self.partnership(caller, partnership_id)
        check_version(partnership, expected_version)
        outcome: list[CommandResult] = []
        yield partnership, lambda: outcome[0]
        outcome.append(self._log.record(partnership, expected_version))
