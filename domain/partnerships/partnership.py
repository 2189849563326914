"""A partnership between one association and one company, from first meeting to evaluation.

Each public command method checks its rule and then triggers an event through a private
``@event`` method; the private methods only change state, so replaying history never re-runs
a business check (a rule added later cannot make stored history unreadable).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    AbandonmentAfterContract,
    AlreadyAssigned,
    CoConstructionAlreadyStarted,
    ContractAlreadySigned,
    ContractEndsBeforeStart,
    DateBeforeOpening,
    DateInFuture,
    DuplicateIdea,
    MilestoneBeforePredecessor,
    NothingToCorrect,
    OrganizationArchived,
    PartnerKindMismatch,
    PartnershipAbandoned,
    RenewalMustExtend,
    SatisfactionOutOfRange,
    StageSkipped,
    UnknownIdea,
    UnknownMilestone,
)
from domain.partnerships.corrections import coerce_changes
from domain.partnerships.milestones import (
    ABANDONMENT,
    CO_CONSTRUCTION,
    CONTRACT,
    EVALUATION,
    FOLLOWS,
    IDEA,
    MEETING,
    OPENING,
    PROGRESS,
    RENEWAL,
    STAGE_OF_KIND,
)
from domain.partnerships.organization import Organization
from domain.values import (
    Category,
    CommittedValue,
    Correction,
    Milestone,
    OrganizationKind,
    Origin,
    Stage,
    SubKind,
    optional_text,
    require_non_negative,
    require_sub_kind,
    require_text,
)


class Partnership(Aggregate):
    TOPIC = "partnerlab:Partnership"
    class_version = 3
    """Version 2: evaluation milestones carry ``skills_days`` (see ``EvaluationRecorded``).
    Version 3: partnerships know the staff members assigned to them (``assignments``)."""

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots taken by version 1 lack ``skills_days`` on evaluation milestones."""
        for milestone in state.get("milestones", []):
            if milestone.kind == EVALUATION:
                milestone.details.setdefault("skills_days", Decimal(0))

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Snapshots taken by version 2 predate staff assignment."""
        state.setdefault("assignments", [])

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:Partnership.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:Partnership.Created"

    class Opened(Created):
        """Version 2: ``separate_reason`` says why a second open partnership of the same
        association and company was opened on purpose (``None`` otherwise)."""

        TOPIC = "partnerlab:Partnership.Opened"
        class_version = 2
        lab: str
        association_id: UUID
        company_id: UUID
        origin: Origin
        occurred_on: date
        actor: str
        note: str | None
        separate_reason: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Partnerships opened before the one-open-pair rule were never marked separate."""
            state["separate_reason"] = None

    class MeetingHeld(Event):
        TOPIC = "partnerlab:Partnership.MeetingHeld"
        occurred_on: date
        actor: str
        note: str | None

    class IdeaProposed(Event):
        TOPIC = "partnerlab:Partnership.IdeaProposed"
        idea_id: UUID
        title: str
        description: str | None
        proposed_category: Category
        occurred_on: date
        actor: str
        note: str | None

    class CoConstructionStarted(Event):
        TOPIC = "partnerlab:Partnership.CoConstructionStarted"
        idea_id: UUID
        occurred_on: date
        actor: str
        note: str | None

    class CoConstructionProgressed(Event):
        TOPIC = "partnerlab:Partnership.CoConstructionProgressed"
        progress: str
        occurred_on: date
        actor: str
        note: str | None

    class ContractSigned(Event):
        TOPIC = "partnerlab:Partnership.ContractSigned"
        category: Category
        sub_kind: SubKind
        starts_on: date
        ends_on: date
        committed: CommittedValue
        occurred_on: date
        actor: str
        note: str | None

    class EvaluationRecorded(Event):
        """Version 2 tells skills days (employees' work time given) from volunteer days."""

        TOPIC = "partnerlab:Partnership.EvaluationRecorded"
        class_version = 2
        beneficiaries: int
        jobs_created: int
        volunteer_days: Decimal
        skills_days: Decimal
        in_kind_eur: Decimal
        satisfaction: int | None
        findings: str | None
        occurred_on: date
        actor: str
        note: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 had no separate skills days: they were counted as volunteer days."""
            state["skills_days"] = Decimal(0)

    class ContractRenewed(Event):
        TOPIC = "partnerlab:Partnership.ContractRenewed"
        ends_on: date
        committed: CommittedValue
        occurred_on: date
        actor: str
        note: str | None

    class Abandoned(Event):
        TOPIC = "partnerlab:Partnership.Abandoned"
        reason: str
        occurred_on: date
        actor: str
        note: str | None

    class StaffAssigned(Event):
        """A staff member follows the partnership from ``from_on`` on (a later assignment
        hands it over). Not a milestone: it moves nothing in the lifecycle."""

        TOPIC = "partnerlab:Partnership.StaffAssigned"
        staff: str
        from_on: date
        actor: str

    class MilestoneCorrected(Event):
        TOPIC = "partnerlab:Partnership.MilestoneCorrected"
        target_version: int
        previous: dict[str, Any]
        changes: dict[str, Any]
        reason: str
        occurred_on: date
        actor: str

    # ------------------------------------------------------------------ creation

    @event(Opened)
    def __init__(
        self,
        lab: str,
        association_id: UUID,
        company_id: UUID,
        origin: Origin,
        occurred_on: date,
        actor: str,
        note: str | None,
        separate_reason: str | None = None,
    ) -> None:
        self.lab = lab
        self.association_id = association_id
        self.company_id = company_id
        self.origin = origin
        self.milestones: list[Milestone] = [
            Milestone(
                version=self.INITIAL_VERSION,
                kind=OPENING,
                occurred_on=occurred_on,
                actor=actor,
                note=note,
                details={"origin_kind": origin.kind, "origin_reference_id": origin.reference_id},
            )
        ]
        self.corrections: list[Correction] = []
        self.assignments: list[dict[str, Any]] = []

    @classmethod
    def open(
        cls,
        *,
        association: Organization,
        company: Organization,
        origin: Origin,
        occurred_on: date,
        actor: str,
        today: date,
        note: str | None = None,
        id: UUID | None = None,
        separate_reason: str | None = None,
    ) -> Partnership:
        """Open a partnership with the first meeting of one association and one company.

        ``id`` is for callers that must open it at most once (a policy reacting to an
        activity): the event store refuses a second aggregate with the same id."""
        if association.kind is not OrganizationKind.ASSOCIATION:
            raise PartnerKindMismatch(
                f"{association.name!r} is not an association", field="association_id"
            )
        if company.kind is not OrganizationKind.COMPANY:
            raise PartnerKindMismatch(f"{company.name!r} is not a company", field="company_id")
        if association.lab != company.lab:
            raise PartnerKindMismatch("both partners must belong to the same lab")
        for organization, field in ((association, "association_id"), (company, "company_id")):
            if organization.archived:
                raise OrganizationArchived(
                    f"{organization.name!r} is archived and cannot enter a new partnership",
                    field=field,
                )
        _require_not_future(occurred_on, today)
        return cls._create(
            cls.Opened,
            id=id,
            lab=association.lab,
            association_id=association.id,
            company_id=company.id,
            origin=Origin(origin.kind, optional_text(origin.reference_id)),
            occurred_on=occurred_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
            separate_reason=(
                None if separate_reason is None else require_text(separate_reason, "reason")
            ),
        )

    # ------------------------------------------------------------------ commands

    def record_meeting(
        self, *, occurred_on: date, actor: str, today: date, note: str | None = None
    ) -> None:
        self._check_milestone(occurred_on, today)
        self._record_meeting(
            occurred_on=occurred_on, actor=require_text(actor, "actor"), note=optional_text(note)
        )

    def propose_idea(
        self,
        *,
        title: str,
        proposed_category: Category,
        occurred_on: date,
        actor: str,
        today: date,
        description: str | None = None,
        note: str | None = None,
        idea_id: UUID | None = None,
    ) -> UUID:
        self._check_milestone(occurred_on, today)
        if idea_id is not None and idea_id in self.ideas:
            raise DuplicateIdea(f"idea {idea_id} was already proposed", field="idea_id")
        new_id = idea_id or uuid4()
        self._propose_idea(
            idea_id=new_id,
            title=require_text(title, "title"),
            description=optional_text(description),
            proposed_category=proposed_category,
            occurred_on=occurred_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )
        return new_id

    def start_co_construction(
        self, *, idea_id: UUID, occurred_on: date, actor: str, today: date, note: str | None = None
    ) -> None:
        self._check_milestone(occurred_on, today)
        if not self.ideas:
            raise StageSkipped("co-construction needs a proposed idea first")
        if self.chosen_idea_id is not None:
            raise CoConstructionAlreadyStarted(
                f"co-construction already started on idea {self.chosen_idea_id}"
            )
        if idea_id not in self.ideas:
            raise UnknownIdea(
                f"no idea {idea_id} was proposed in this partnership", field="idea_id"
            )
        self._require_not_before_predecessor(
            CO_CONSTRUCTION, occurred_on, "occurred_on", idea_id=idea_id
        )
        self._start_co_construction(
            idea_id=idea_id,
            occurred_on=occurred_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def record_progress(
        self, *, progress: str, occurred_on: date, actor: str, today: date, note: str | None = None
    ) -> None:
        self._check_milestone(occurred_on, today)
        if self.chosen_idea_id is None:
            raise StageSkipped("progress notes need a co-construction first")
        self._require_not_before_predecessor(PROGRESS, occurred_on, "occurred_on")
        self._record_progress(
            progress=require_text(progress, "progress"),
            occurred_on=occurred_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def sign_contract(
        self,
        *,
        category: Category,
        sub_kind: SubKind,
        starts_on: date,
        ends_on: date,
        committed: CommittedValue,
        signed_on: date,
        actor: str,
        today: date,
        note: str | None = None,
    ) -> None:
        self._check_milestone(signed_on, today, field="signed_on")
        if self.chosen_idea_id is None:
            raise StageSkipped("a contract needs a co-construction first")
        if self.contract_milestone is not None:
            raise ContractAlreadySigned("the contract is already signed; renew it instead")
        require_sub_kind(category, sub_kind)
        _require_ordered(starts_on, ends_on)
        self._require_not_before_predecessor(CONTRACT, signed_on, "signed_on")
        self._sign_contract(
            category=category,
            sub_kind=sub_kind,
            starts_on=starts_on,
            ends_on=ends_on,
            committed=committed,
            occurred_on=signed_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def record_evaluation(
        self,
        *,
        occurred_on: date,
        actor: str,
        today: date,
        beneficiaries: int = 0,
        jobs_created: int = 0,
        volunteer_days: Decimal = Decimal(0),
        skills_days: Decimal = Decimal(0),
        in_kind_eur: Decimal = Decimal(0),
        satisfaction: int | None = None,
        findings: str | None = None,
        note: str | None = None,
    ) -> None:
        self._check_milestone(occurred_on, today)
        if self.contract_milestone is None:
            raise StageSkipped("an evaluation needs a signed contract first")
        for name, amount in (
            ("beneficiaries", beneficiaries),
            ("jobs_created", jobs_created),
            ("volunteer_days", volunteer_days),
            ("skills_days", skills_days),
            ("in_kind_eur", in_kind_eur),
        ):
            require_non_negative(amount, name)
        _require_satisfaction(satisfaction)
        self._require_not_before_predecessor(EVALUATION, occurred_on, "occurred_on")
        self._record_evaluation(
            beneficiaries=beneficiaries,
            jobs_created=jobs_created,
            volunteer_days=volunteer_days,
            skills_days=skills_days,
            in_kind_eur=in_kind_eur,
            satisfaction=satisfaction,
            findings=optional_text(findings),
            occurred_on=occurred_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def renew_contract(
        self,
        *,
        ends_on: date,
        committed: CommittedValue,
        occurred_on: date,
        actor: str,
        today: date,
        note: str | None = None,
    ) -> None:
        self._check_milestone(occurred_on, today)
        current_end = self.contract_ends_on
        if current_end is None:
            raise StageSkipped("a renewal needs a signed contract first")
        if ends_on <= current_end:
            raise RenewalMustExtend(
                f"a renewal must end after the current end date {current_end.isoformat()}",
                field="ends_on",
            )
        self._require_not_before_predecessor(RENEWAL, occurred_on, "occurred_on")
        self._renew_contract(
            ends_on=ends_on,
            committed=committed,
            occurred_on=occurred_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def abandon(
        self, *, reason: str, occurred_on: date, actor: str, today: date, note: str | None = None
    ) -> None:
        self._check_milestone(occurred_on, today)
        if self.contract_milestone is not None:
            raise AbandonmentAfterContract(
                "a partnership can only be abandoned before its contract is signed"
            )
        self._abandon(
            reason=require_text(reason, "reason"),
            occurred_on=occurred_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def correct(
        self,
        *,
        target_version: int,
        changes: dict[str, Any],
        reason: str,
        actor: str,
        today: date,
    ) -> None:
        """Correct fields of an earlier milestone. Allowed after abandonment too: a correction
        fixes the record, it does not move the partnership on."""
        reason = require_text(reason, "reason")
        target = self.milestone(target_version)
        if target is None:
            raise UnknownMilestone(
                f"version {target_version} is not a milestone of this partnership",
                field="target_version",
            )
        coerced = coerce_changes(target.kind, changes)
        effective = {k: v for k, v in coerced.items() if _current(target, k) != v}
        if not effective:
            raise NothingToCorrect("the correction changes nothing", field="changes")
        self._check_corrected(target, effective, today)
        previous = {k: _current(target, k) for k in effective}
        self._correct(
            target_version=target_version,
            previous=previous,
            changes=effective,
            reason=reason,
            occurred_on=today,
            actor=require_text(actor, "actor"),
        )

    def assign(self, *, staff: str, from_on: date, actor: str, today: date) -> None:
        """Assign (or reassign) the staff member who follows this partnership."""
        staff = require_text(staff, "staff")
        _require_not_future(from_on, today, "from_on")
        current = self.assignments[-1] if self.assignments else None
        if current is not None and current["staff"] == staff:
            raise AlreadyAssigned(f"{staff} already follows this partnership", field="staff")
        if current is not None and from_on < current["from_on"]:
            raise MilestoneBeforePredecessor(
                f"from_on {from_on.isoformat()} is before the current assignment "
                f"({current['from_on'].isoformat()})",
                field="from_on",
            )
        self._assign(staff=staff, from_on=from_on, actor=require_text(actor, "actor"))

    @property
    def owner(self) -> str | None:
        """The staff member who follows the partnership now (the last one assigned)."""
        return str(self.assignments[-1]["staff"]) if self.assignments else None

    # ------------------------------------------------------------------ state changes

    def _append(
        self, kind: str, occurred_on: date, actor: str, note: str | None, **details: Any
    ) -> None:
        self.milestones.append(
            Milestone(
                version=self.version + 1,
                kind=kind,
                occurred_on=occurred_on,
                actor=actor,
                note=note,
                details=details,
            )
        )

    @event(MeetingHeld)
    def _record_meeting(self, occurred_on: date, actor: str, note: str | None) -> None:
        self._append(MEETING, occurred_on, actor, note)

    @event(IdeaProposed)
    def _propose_idea(
        self,
        idea_id: UUID,
        title: str,
        description: str | None,
        proposed_category: Category,
        occurred_on: date,
        actor: str,
        note: str | None,
    ) -> None:
        self._append(
            IDEA,
            occurred_on,
            actor,
            note,
            idea_id=idea_id,
            title=title,
            description=description,
            proposed_category=proposed_category,
        )

    @event(CoConstructionStarted)
    def _start_co_construction(
        self, idea_id: UUID, occurred_on: date, actor: str, note: str | None
    ) -> None:
        self._append(CO_CONSTRUCTION, occurred_on, actor, note, idea_id=idea_id)

    @event(CoConstructionProgressed)
    def _record_progress(
        self, progress: str, occurred_on: date, actor: str, note: str | None
    ) -> None:
        self._append(PROGRESS, occurred_on, actor, note, progress=progress)

    @event(ContractSigned)
    def _sign_contract(
        self,
        category: Category,
        sub_kind: SubKind,
        starts_on: date,
        ends_on: date,
        committed: CommittedValue,
        occurred_on: date,
        actor: str,
        note: str | None,
    ) -> None:
        self._append(
            CONTRACT,
            occurred_on,
            actor,
            note,
            category=category,
            sub_kind=sub_kind,
            starts_on=starts_on,
            ends_on=ends_on,
            financial_eur=committed.financial_eur,
            in_kind_eur=committed.in_kind_eur,
            skills_days=committed.skills_days,
        )

    @event(EvaluationRecorded)
    def _record_evaluation(
        self,
        beneficiaries: int,
        jobs_created: int,
        volunteer_days: Decimal,
        skills_days: Decimal,
        in_kind_eur: Decimal,
        satisfaction: int | None,
        findings: str | None,
        occurred_on: date,
        actor: str,
        note: str | None,
    ) -> None:
        self._append(
            EVALUATION,
            occurred_on,
            actor,
            note,
            beneficiaries=beneficiaries,
            jobs_created=jobs_created,
            volunteer_days=volunteer_days,
            skills_days=skills_days,
            in_kind_eur=in_kind_eur,
            satisfaction=satisfaction,
            findings=findings,
        )

    @event(ContractRenewed)
    def _renew_contract(
        self,
        ends_on: date,
        committed: CommittedValue,
        occurred_on: date,
        actor: str,
        note: str | None,
    ) -> None:
        self._append(
            RENEWAL,
            occurred_on,
            actor,
            note,
            ends_on=ends_on,
            financial_eur=committed.financial_eur,
            in_kind_eur=committed.in_kind_eur,
            skills_days=committed.skills_days,
        )

    @event(Abandoned)
    def _abandon(self, reason: str, occurred_on: date, actor: str, note: str | None) -> None:
        self._append(ABANDONMENT, occurred_on, actor, note, reason=reason)

    @event(StaffAssigned)
    def _assign(self, staff: str, from_on: date, actor: str) -> None:
        self.assignments.append({"staff": staff, "from_on": from_on, "by": actor})

    @event(MilestoneCorrected)
    def _correct(
        self,
        target_version: int,
        previous: dict[str, Any],
        changes: dict[str, Any],
        reason: str,
        occurred_on: date,
        actor: str,
    ) -> None:
        for index, milestone in enumerate(self.milestones):
            if milestone.version == target_version:
                self.milestones[index] = _apply_changes(milestone, changes)
        self.corrections.append(
            Correction(
                version=self.version + 1,
                target_version=target_version,
                previous=previous,
                changes=changes,
                reason=reason,
                occurred_on=occurred_on,
                actor=actor,
            )
        )

    # ------------------------------------------------------------------ copies

    def __deepcopy__(self, memo: dict[int, Any]) -> Partnership:
        """An independent copy, for a command working on a cached partnership (the
        application's aggregate cache hands each command a copy, so that a refused or failed
        write leaves the cached one as stored).

        Copying every milestone would cost more than loading the partnership again; it is not
        needed: every container of a partnership is copied, its items are shared, because the
        items are never changed in place (milestones and corrections are frozen, a correction
        replaces the milestone, an assignment is appended). Keep it so: a command that changed
        an item in place would change the cached copy too.
        """
        copied = object.__new__(type(self))
        memo[id(self)] = copied
        copied.__dict__.update(
            {name: _copy_container(value) for name, value in self.__dict__.items()}
        )
        return copied

    # ------------------------------------------------------------------ derived state

    def as_it_stood_on(self, day: date) -> Partnership | None:
        """This partnership as it stood on ``day``: only the milestones that had happened by
        then (with what is known of them now). ``None`` if it had not been opened yet."""
        kept = [m for m in self.milestones if m.occurred_on <= day]
        if not kept or kept[0].kind != OPENING:
            return None
        versions = {m.version for m in kept}
        past = copy.copy(self)
        past.milestones = kept
        past.corrections = [c for c in self.corrections if c.target_version in versions]
        return past

    def milestone(self, version: int) -> Milestone | None:
        return next((m for m in self.milestones if m.version == version), None)

    def _of_kind(self, kind: str) -> list[Milestone]:
        return [m for m in self.milestones if m.kind == kind]

    @property
    def opened_on(self) -> date:
        return self.milestones[0].occurred_on

    @property
    def stage(self) -> Stage:
        return max(
            (STAGE_OF_KIND[m.kind] for m in self.milestones if m.kind in STAGE_OF_KIND),
            key=lambda s: s.rank,
        )

    @property
    def stage_reached_on(self) -> dict[Stage, date]:
        """The business date each stage was first reached (earliest milestone of that stage)."""
        reached: dict[Stage, date] = {}
        for m in self.milestones:
            stage = STAGE_OF_KIND.get(m.kind)
            if stage is not None and (stage not in reached or m.occurred_on < reached[stage]):
                reached[stage] = m.occurred_on
        return reached

    @property
    def is_abandoned(self) -> bool:
        return bool(self._of_kind(ABANDONMENT))

    @property
    def abandonment(self) -> Milestone | None:
        found = self._of_kind(ABANDONMENT)
        return found[0] if found else None

    @property
    def ideas(self) -> dict[UUID, Milestone]:
        return {m.details["idea_id"]: m for m in self._of_kind(IDEA)}  # type: ignore[misc]

    @property
    def chosen_idea_id(self) -> UUID | None:
        started = self._of_kind(CO_CONSTRUCTION)
        return started[0].details["idea_id"] if started else None  # type: ignore[return-value]

    @property
    def contract_milestone(self) -> Milestone | None:
        found = self._of_kind(CONTRACT)
        return found[0] if found else None

    @property
    def renewals(self) -> list[Milestone]:
        return self._of_kind(RENEWAL)

    @property
    def evaluations(self) -> list[Milestone]:
        return self._of_kind(EVALUATION)

    @property
    def contract_ends_on(self) -> date | None:
        contract = self.contract_milestone
        if contract is None:
            return None
        ends: list[date] = [contract.details["ends_on"]]  # type: ignore[list-item]
        ends.extend(r.details["ends_on"] for r in self.renewals)  # type: ignore[misc]
        return max(ends)

    @property
    def total_committed(self) -> CommittedValue:
        """The contract's commitment plus every renewal's."""
        parts = [m for m in (self.contract_milestone, *self.renewals) if m is not None]

        def total(name: str) -> Decimal:
            return sum((Decimal(str(m.details[name])) for m in parts), Decimal(0))

        return CommittedValue(total("financial_eur"), total("in_kind_eur"), total("skills_days"))

    @property
    def last_milestone_on(self) -> date:
        return max(m.occurred_on for m in self.milestones)

    # ------------------------------------------------------------------ guards

    def _check_milestone(self, occurred_on: date, today: date, field: str = "occurred_on") -> None:
        if self.is_abandoned:
            raise PartnershipAbandoned(
                "nothing can be recorded after the partnership was abandoned"
            )
        _require_not_future(occurred_on, today, field)
        if occurred_on < self.opened_on:
            raise DateBeforeOpening(
                f"{field} {occurred_on.isoformat()} is before the opening meeting "
                f"({self.opened_on.isoformat()})",
                field=field,
            )

    def _check_corrected(self, target: Milestone, changes: dict[str, Any], today: date) -> None:
        corrected = _apply_changes(target, changes)
        _require_not_future(corrected.occurred_on, today)
        if target.kind == OPENING:
            if any(m.occurred_on < corrected.occurred_on for m in self.milestones[1:]):
                raise DateBeforeOpening(
                    "the opening meeting cannot be moved after a later milestone",
                    field="occurred_on",
                )
        elif corrected.occurred_on < self.opened_on:
            raise DateBeforeOpening(
                "a milestone cannot be dated before the opening meeting", field="occurred_on"
            )
        details = corrected.details
        if target.kind == CONTRACT:
            require_sub_kind(details["category"], details["sub_kind"])  # type: ignore[arg-type]
            _require_ordered(details["starts_on"], details["ends_on"])  # type: ignore[arg-type]
        if target.kind == EVALUATION:
            _require_satisfaction(details["satisfaction"])  # type: ignore[arg-type]
        _require_order_kept(self.milestones, corrected)

    def _require_not_before_predecessor(
        self, kind: str, occurred_on: date, field: str, *, idea_id: UUID | None = None
    ) -> None:
        planned = Milestone(
            version=self.version + 1,
            kind=kind,
            occurred_on=occurred_on,
            actor="",
            note=None,
            details={"idea_id": idea_id} if idea_id is not None else {},
        )
        before = predecessor(self.milestones, planned)
        if before is not None and occurred_on < before.occurred_on:
            raise MilestoneBeforePredecessor(
                f"{field} {occurred_on.isoformat()} is before the {before.kind} it follows "
                f"({before.occurred_on.isoformat()}, version {before.version})",
                field=field,
            )


def predecessor(milestones: Sequence[Milestone], milestone: Milestone) -> Milestone | None:
    """The milestone ``milestone`` follows (``FOLLOWS``; the opening for the other kinds), or
    ``None`` for the opening itself or when that milestone is missing."""
    if milestone.kind == OPENING:
        return None
    kinds = FOLLOWS.get(milestone.kind, (OPENING,))
    for candidate in milestones:
        if candidate.kind not in kinds or candidate.version == milestone.version:
            continue
        if milestone.kind == CO_CONSTRUCTION and candidate.details.get(
            "idea_id"
        ) != milestone.details.get("idea_id"):
            continue
        return candidate
    return None


def date_order_breaks(milestones: Sequence[Milestone]) -> list[tuple[Milestone, Milestone]]:
    """Every (milestone, the milestone it follows) pair whose dates run backwards: what
    ``partnerlab check`` lists for histories recorded before the rule."""
    breaks = []
    for milestone in milestones:
        before = predecessor(milestones, milestone)
        if before is not None and milestone.occurred_on < before.occurred_on:
            breaks.append((milestone, before))
    return breaks


def _require_order_kept(milestones: Sequence[Milestone], corrected: Milestone) -> None:
    """A corrected milestone may not precede the one it follows, nor follow one that follows
    it (other pairs already out of order in old histories are left for ``check``)."""
    replaced = [corrected if m.version == corrected.version else m for m in milestones]
    for milestone, before in date_order_breaks(replaced):
        if corrected.version not in (milestone.version, before.version):
            continue
        raise MilestoneBeforePredecessor(
            f"with this correction the {milestone.kind} (version {milestone.version}, "
            f"{milestone.occurred_on.isoformat()}) would precede the {before.kind} it follows "
            f"(version {before.version}, {before.occurred_on.isoformat()})",
            field="changes.occurred_on",
        )


def _current(milestone: Milestone, key: str) -> Any:
    if key in ("occurred_on", "note"):
        return getattr(milestone, key)
    return milestone.details.get(key)


def _copy_container(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, set):
        return set(value)
    return value


def _apply_changes(milestone: Milestone, changes: dict[str, Any]) -> Milestone:
    details = dict(milestone.details)
    occurred_on = milestone.occurred_on
    note = milestone.note
    for key, value in changes.items():
        if key == "occurred_on":
            occurred_on = value
        elif key == "note":
            note = value
        else:
            details[key] = value
    return Milestone(
        version=milestone.version,
        kind=milestone.kind,
        occurred_on=occurred_on,
        actor=milestone.actor,
        note=note,
        details=details,
    )


def _require_not_future(occurred_on: date, today: date, field: str = "occurred_on") -> None:
    if occurred_on > today:
        raise DateInFuture(
            f"{field} {occurred_on.isoformat()} is in the future (today is {today.isoformat()})",
            field=field,
        )


def _require_ordered(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ContractEndsBeforeStart(
            f"the contract ends ({ends_on.isoformat()}) before it starts ({starts_on.isoformat()})",
            field="ends_on",
        )


def _require_satisfaction(satisfaction: int | None) -> None:
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise SatisfactionOutOfRange(
            f"satisfaction must be between 1 and 5 (got {satisfaction})", field="satisfaction"
        )
