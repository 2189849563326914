"""A synthetic but lifelike event log for the report benchmarks.

Partnerships go through the real domain model (so every event is what production records):
they open at one of the lab's activities, some get ideas, co-construction, a contract,
evaluations and renewals, some are abandoned with a reason, a few are corrected. Deterministic
for a given seed. Aggregates are saved many at a time, so filling a million events takes
minutes, not hours.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from application.lab import PartnerLab
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership
from domain.values import (
    SUB_KINDS,
    Category,
    CommittedValue,
    OrganizationKind,
    Origin,
    OriginKind,
)

TODAY = date(2026, 11, 26)
FIRST_DAY = date(2008, 1, 1)
LAST_OPENING = date(2025, 12, 31)
TERRITORIES = ["67", "68", "57", "54", "88", "75", "69", "13", "33", "2A"]
REASONS = [
    "no budget this year",
    "the company's CSR policy changed",
    "the association merged",
    "no shared project emerged",
    "contact lost",
]
LAB = "bench"
ACTOR = "bench"
SAVE_EVERY = 200


@dataclass
class Filled:
    partnerships: int
    events: int


def _after(rng: random.Random, day: date, low: int = 5, high: int = 120) -> date:
    return min(TODAY, day + timedelta(days=rng.randint(low, high)))


class DatasetWriter:
    """Appends organisations and partnerships to a lab's log, many per transaction."""

    def __init__(
        self, app: PartnerLab, *, seed: int = 2014, organizations: int = 400, lab: str = LAB
    ) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.associations: list[Organization] = []
        self.companies: list[Organization] = []
        pending: list[Organization] = []
        for n in range(organizations):
            kind = OrganizationKind.ASSOCIATION if n % 2 == 0 else OrganizationKind.COMPANY
            organization = Organization.register(
                lab=lab,
                kind=kind,
                name=f"{kind.value.title()} {n:05d}",
                territory=TERRITORIES[n % len(TERRITORIES)],
                actor=ACTOR,
            )
            (self.associations if n % 2 == 0 else self.companies).append(organization)
            pending.append(organization)
        app.log.save(*pending)
        self.events = len(pending)

    def add(self, partnerships: int, progress: Callable[[int], None] | None = None) -> Filled:
        batch: list[Partnership] = []
        added = 0
        for _ in range(partnerships):
            batch.append(self._partnership())
            if len(batch) == SAVE_EVERY:
                added += self._save(batch)
                batch = []
                if progress:
                    progress(added)
        if batch:
            added += self._save(batch)
        return Filled(partnerships=partnerships, events=added)

    def _save(self, batch: list[Partnership]) -> int:
        recordings = self.app.log.save(*batch)
        self.events += len(recordings)
        return len(recordings)

    def _partnership(self) -> Partnership:
        rng = self.rng
        opened_on = FIRST_DAY + timedelta(days=rng.randint(0, (LAST_OPENING - FIRST_DAY).days))
        kind = rng.choice(list(OriginKind))
        reference = (
            f"{kind.value}-{opened_on:%Y-%m}" if kind is not OriginKind.SPONTANEOUS else None
        )
        p = Partnership.open(
            association=rng.choice(self.associations),
            company=rng.choice(self.companies),
            origin=Origin(kind, reference),
            occurred_on=opened_on,
            actor=ACTOR,
            today=TODAY,
        )
        day = opened_on
        for _ in range(rng.choice((0, 0, 1, 2))):
            day = _after(rng, day)
            p.record_meeting(occurred_on=day, actor=ACTOR, today=TODAY)
        if rng.random() < 0.25:
            day = _after(rng, day)
            p.abandon(reason=rng.choice(REASONS), occurred_on=day, actor=ACTOR, today=TODAY)
            return p
        day = _after(rng, day)
        category = rng.choice(list(Category))
        idea = p.propose_idea(
            title="A shared project",
            proposed_category=category,
            occurred_on=day,
            actor=ACTOR,
            today=TODAY,
        )
        if rng.random() < 0.3:
            if rng.random() < 0.5:
                day = _after(rng, day)
                p.abandon(reason=rng.choice(REASONS), occurred_on=day, actor=ACTOR, today=TODAY)
            return p
        day = _after(rng, day)
        p.start_co_construction(idea_id=idea, occurred_on=day, actor=ACTOR, today=TODAY)
        if rng.random() < 0.5:
            day = _after(rng, day)
            p.record_progress(progress="workshop held", occurred_on=day, actor=ACTOR, today=TODAY)
        if rng.random() < 0.3:
            return p
        day = _after(rng, day, 20, 200)
        signed_on = day
        p.sign_contract(
            category=category,
            sub_kind=rng.choice(sorted(SUB_KINDS[category], key=lambda s: s.value)),
            starts_on=signed_on,
            ends_on=signed_on + timedelta(days=365),
            committed=CommittedValue(
                Decimal(rng.randint(0, 200) * 50),
                Decimal(rng.randint(0, 100) * 25),
                Decimal(rng.randint(0, 40)) / 2,
            ),
            signed_on=signed_on,
            actor=ACTOR,
            today=TODAY,
        )
        for _ in range(rng.choice((0, 1, 1, 2))):
            day = _after(rng, day, 60, 400)
            p.record_evaluation(
                occurred_on=day,
                actor=ACTOR,
                today=TODAY,
                beneficiaries=rng.randint(0, 300),
                jobs_created=rng.randint(0, 3),
                volunteer_days=Decimal(rng.randint(0, 20)),
                skills_days=Decimal(rng.randint(0, 10)),
                in_kind_eur=Decimal(rng.randint(0, 100) * 10),
                satisfaction=rng.choice((None, 3, 4, 5)),
            )
        if rng.random() < 0.2:
            day = _after(rng, day)
            p.renew_contract(
                ends_on=signed_on + timedelta(days=730),
                committed=CommittedValue(Decimal(1000), Decimal(0), Decimal(5)),
                occurred_on=day,
                actor=ACTOR,
                today=TODAY,
            )
        if rng.random() < 0.05:
            contract = p.contract_milestone
            amount = Decimal(rng.randint(1, 200) * 50)
            if contract is not None and contract.details["financial_eur"] != amount:
                p.correct(
                    target_version=contract.version,
                    changes={"financial_eur": str(amount)},
                    reason="amount misread",
                    actor=ACTOR,
                    today=TODAY,
                )
        return p
