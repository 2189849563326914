"""The follow-up read model, kept batch by batch by its follower, says exactly what a
brute-force recomputation from the whole event log says: every aggregate replayed from all its
stored events, its items derived, filtered by the day asked for. On the demo data and on a
generated data set, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from application.context import Caller
from application.followups.items import FollowUpPolicy, items_of
from application.followups.ports import FollowUpQuery
from application.partnerships.views import PartnershipFilter
from application.results import PageRequest
from domain.errors import DomainError
from domain.values import Category, OrganizationKind, OriginKind, Stage, SubKind
from partnerlab.bootstrap import Runtime
from partnerlab.demo import DEMO_LAB, load_demo

DAYS = [date(2014, 6, 1), date(2016, 1, 1), date(2020, 3, 15), date(2026, 11, 26)]


def brute_force(runtime: Runtime, lab: str, day: date) -> list[tuple[str, str, str | None]]:
    log = runtime.app.log
    events: dict[UUID, list[Any]] = defaultdict(list)
    for n in log.recorder.select_notifications(start=1, limit=10**9):
        events[n.originator_id].append(log.mapper.to_domain_event(n))
    policy = FollowUpPolicy()
    found = []
    for stream in events.values():
        aggregate = None
        for event in stream:
            aggregate = event.mutate(aggregate)
        for item in items_of(aggregate, policy):
            if item.lab == lab and item.is_open_on(day):
                found.append((item.key, item.due_on.isoformat(), item.owner))
    return sorted(found)


def from_read_model(runtime: Runtime, lab: str, day: date) -> list[tuple[str, str, str | None]]:
    runtime.followers.catch_up()
    items = runtime.stores.followups.open_items(FollowUpQuery(lab, day))
    return sorted((i.key, i.due_on.isoformat(), i.owner) for i in items)


def test_follow_ups_match_a_recomputation_on_the_demo_data(runtime: Runtime) -> None:
    load_demo(runtime.app)
    caller = Caller(DEMO_LAB, "claire")
    runtime.followers.catch_up()
    listed = runtime.app.partnerships.list_partnerships(
        caller, PartnershipFilter(), PageRequest(limit=1000)
    )
    assert listed.items
    for n, p in enumerate(listed.items):
        if n % 2 == 0:
            runtime.app.partnerships.assign_staff(
                caller, p.id, staff=f"staff-{n % 3}", from_on=date(2024, 1, 1)
            )
    for day in DAYS:
        expected = brute_force(runtime, DEMO_LAB, day)
        assert from_read_model(runtime, DEMO_LAB, day) == expected
    assert brute_force(runtime, DEMO_LAB, DAYS[-1]), "the demo has things to follow up"


def test_follow_ups_match_a_recomputation_on_a_generated_data_set(
    runtime: Runtime, today: date
) -> None:
    rng = random.Random(14)
    app = runtime.app
    caller = Caller("generated", "claire")
    associations = [
        app.organizations.register_organization(
            caller, kind=OrganizationKind.ASSOCIATION, name=f"Association {i}", territory="67"
        ).id
        for i in range(6)
    ]
    companies = [
        app.organizations.register_organization(
            caller, kind=OrganizationKind.COMPANY, name=f"Company {i}", territory="68"
        ).id
        for i in range(6)
    ]
    for i in range(40):
        day = date(2012, 1, 1) + timedelta(days=rng.randrange(0, 5000))
        pid = app.partnerships.open_partnership(
            caller,
            association_id=rng.choice(associations),
            company_id=rng.choice(companies),
            origin_kind=OriginKind.SPONTANEOUS,
            occurred_on=day,
            separate_reason=f"generated partnership {i}",  # pairs drawn at random may repeat
        ).id
        steps = rng.randrange(0, 6)
        try:
            for step in range(steps):
                day = min(day + timedelta(days=rng.randrange(0, 400)), today)
                if step == 0:
                    app.partnerships.propose_idea(
                        caller,
                        pid,
                        title="idea",
                        proposed_category=Category.PATRONAGE,
                        occurred_on=day,
                    )
                elif step == 1 and rng.random() < 0.2:
                    app.partnerships.abandon_partnership(
                        caller, pid, reason="gone", occurred_on=day
                    )
                    break
                elif step == 1:
                    idea = next(iter(app.partnerships.partnership(caller, pid).ideas))
                    app.partnerships.start_co_construction(
                        caller, pid, idea_id=idea, occurred_on=day
                    )
                elif step == 2:
                    app.partnerships.sign_contract(
                        caller,
                        pid,
                        category=Category.PATRONAGE,
                        sub_kind=SubKind.FINANCIAL,
                        signed_on=day,
                        starts_on=day,
                        ends_on=day + timedelta(days=rng.randrange(30, 900)),
                    )
                elif step == 3 or step == 4:
                    app.partnerships.record_evaluation(caller, pid, occurred_on=day)
        except DomainError:
            pass
        if rng.random() < 0.6:
            app.partnerships.assign_staff(
                caller, pid, staff=rng.choice(["anne", "marc"]), from_on=today
            )
        if i % 10 == 0:
            runtime.followers.catch_up()  # batches of various sizes
    for day in [*DAYS, today + timedelta(days=400)]:
        assert from_read_model(runtime, "generated", day) == brute_force(runtime, "generated", day)
    kinds = {key.split(":")[0] for key, _, _ in brute_force(runtime, "generated", today)}
    assert {"stalled", "evaluation_due"} <= kinds
    policy = FollowUpPolicy({Stage.MEETING: 30})
    assert policy.stalled_after(Stage.MEETING) == 30
    assert policy.stalled_after(Stage.IDEA) == 90
