"""32 writers send random milestones to 10 partnerships through a real server.

Many requests race for the same partnership, some with a stale If-Match, some breaking a
lifecycle rule. Whatever the interleaving: the events stored are exactly the writes that
were acknowledged (201, at the position they were told), versions have no gap, every
partnership's history still obeys the lifecycle rules, and the catalogue agrees.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from domain.partnerships.milestones import (
    ABANDONMENT,
    CO_CONSTRUCTION,
    CONTRACT,
    EVALUATION,
    IDEA,
    OPENING,
    PROGRESS,
    RENEWAL,
)
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from tests.faults.live import api_server, credentials

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]

WRITERS = 32
REQUESTS_PER_WRITER = 10
PARTNERSHIPS = 10
API = "/api/v1"
REFUSALS = {409, 412, 422}

Body = Callable[[random.Random, list[str]], dict[str, Any]]


def day(rng: random.Random, start: date = date(2014, 3, 1), span: int = 500) -> str:
    """A business date, now and then before the opening meeting (2014-03-12)."""
    return (start + timedelta(days=rng.randrange(span))).isoformat()


STEPS: dict[str, Body] = {
    "meetings": lambda rng, _: {"occurred_on": day(rng), "note": "another coffee"},
    "ideas": lambda rng, _: {
        "title": rng.choice(["Traceability software", "Bike repairs", "Compost from waste"]),
        "proposed_category": rng.choice(["patronage", "economic_cooperation"]),
        "occurred_on": day(rng),
    },
    "co-construction": lambda rng, ideas: {
        "idea_id": rng.choice([*ideas, "6f1c9a4e-0000-4000-8000-000000000000"]),
        "occurred_on": day(rng),
    },
    "co-construction/progress": lambda rng, _: {
        "progress": "workshop with the volunteers",
        "occurred_on": day(rng),
    },
    "contract": lambda rng, _: {
        "signed_on": day(rng, date(2014, 9, 1), 60),
        "category": "patronage",
        "sub_kind": "skills",
        "starts_on": "2014-10-01",
        "ends_on": "2015-09-30",
        "committed": {"in_kind_eur": "2500.00", "skills_days": "12.5"},
    },
    "evaluations": lambda rng, _: {
        "occurred_on": day(rng, date(2015, 1, 1), 300),
        "beneficiaries": rng.randrange(200),
        "satisfaction": rng.randint(1, 5),
    },
    "renewals": lambda rng, _: {
        "occurred_on": day(rng, date(2015, 6, 1), 100),
        "ends_on": day(rng, date(2015, 6, 1), 900),
    },
    "abandonment": lambda rng, _: {
        "reason": "the company changed its CSR priorities",
        "occurred_on": day(rng),
    },
}
STEP_WEIGHTS = [5, 4, 4, 3, 3, 3, 2, 0.4]


def broken_rules(kinds: list[str]) -> list[str]:
    """The lifecycle rules a sequence of milestone kinds breaks (none, if all is well)."""
    broken = []
    seen: list[str] = []
    for kind in kinds:
        if seen and ABANDONMENT in seen:
            broken.append(f"{kind} after the abandonment")
        if kind == OPENING and seen:
            broken.append("a second opening")
        if kind == CO_CONSTRUCTION and (IDEA not in seen or CO_CONSTRUCTION in seen):
            broken.append("co-construction without an idea, or twice")
        if kind in (PROGRESS, CONTRACT) and CO_CONSTRUCTION not in seen:
            broken.append(f"{kind} before the co-construction")
        if kind == CONTRACT and CONTRACT in seen:
            broken.append("a second contract")
        if kind in (EVALUATION, RENEWAL) and CONTRACT not in seen:
            broken.append(f"{kind} before the contract")
        if kind == ABANDONMENT and CONTRACT in seen:
            broken.append("abandoned after the contract")
        seen.append(kind)
    if not kinds or kinds[0] != OPENING:
        broken.append("does not start with the opening meeting")
    return broken


def set_up(http: httpx.Client, headers: dict[str, str]) -> list[str]:
    ids = []
    for kind, name in (("association", "Banque alimentaire"), ("company", "IBM France")):
        response = http.post(
            f"{API}/organizations",
            json={"kind": kind, "name": name, "territory": "67"},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    partnerships = []
    for n in range(PARTNERSHIPS):
        response = http.post(
            f"{API}/partnerships",
            json={
                "association_id": ids[0],
                "company_id": ids[1],
                "origin": {"kind": "speed_dating", "reference_id": "speed-dating-2014-03"},
                "occurred_on": "2014-03-12",
                "separate_on_purpose": {"reason": f"project {n}"},
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text
        partnerships.append(response.json()["id"])
    return partnerships


def test_concurrent_random_milestones_store_exactly_the_acknowledged_writes(
    settings: Settings,
) -> None:
    # One key sends all 330 requests, faster than its default rate on a quick machine: the
    # rate limit is not what this test is about (tests/api/test_rate_limit.py is).
    settings = settings.model_copy(update={"rate_limit_per_key": None, "rate_limit_per_lab": None})
    headers = credentials(settings)
    outcomes: list[tuple[str, int, dict[str, Any]]] = []
    ideas: dict[str, list[str]] = {}
    lock = threading.Lock()

    with api_server(settings) as (url, _):
        with httpx.Client(base_url=url, timeout=60) as http:
            partnerships = set_up(http, headers)
        ideas.update({pid: [] for pid in partnerships})
        start = threading.Barrier(WRITERS)

        def writer(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(base_url=url, timeout=60) as http:
                start.wait(timeout=30)
                for _ in range(REQUESTS_PER_WRITER):
                    pid = rng.choice(partnerships)
                    step = rng.choices(list(STEPS), STEP_WEIGHTS)[0]
                    with lock:
                        known_ideas = list(ideas[pid])
                    request_headers = dict(headers)
                    if rng.random() < 0.3:
                        request_headers["If-Match"] = f'"{rng.randint(1, 6)}"'
                    response = http.post(
                        f"{API}/partnerships/{pid}/{step}",
                        json=STEPS[step](rng, known_ideas),
                        headers=request_headers,
                    )
                    body = response.json()
                    with lock:
                        outcomes.append((pid, response.status_code, body))
                        if response.status_code == 201 and "idea_id" in body:
                            ideas[pid].append(body["idea_id"])

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)

        with httpx.Client(base_url=url, timeout=60, headers=headers) as http:
            listed = http.get(f"{API}/partnerships", params={"limit": 200})
            assert listed.status_code == 200, listed.text
            catalogue = {item["id"]: item for item in listed.json()["items"]}
            views = {pid: http.get(f"{API}/partnerships/{pid}").json() for pid in partnerships}

    statuses = Counter(status for _, status, _ in outcomes)
    assert len(outcomes) == WRITERS * REQUESTS_PER_WRITER
    assert set(statuses) <= {201} | REFUSALS, statuses
    assert statuses[201] >= PARTNERSHIPS, statuses
    acknowledged = {
        (UUID(pid), body["version"]): body["position"]
        for pid, status, body in outcomes
        if status == 201
    }
    assert len(acknowledged) == statuses[201], "two writes acknowledged the same version"

    runtime = build_runtime(settings, run_projections=False)
    try:
        notifications = runtime.app.log.recorder.select_notifications(start=1, limit=10_000)
    finally:
        runtime.close()
    stored = {
        (UUID(str(n.originator_id)), n.originator_version): n.id
        for n in notifications
        if str(n.originator_id) in partnerships and n.originator_version > 1
    }
    assert stored == acknowledged, "stored events differ from the acknowledged writes"

    for pid in partnerships:
        versions = sorted(v for (p, v) in stored if str(p) == pid)
        assert versions == list(range(2, len(versions) + 2)), f"version gap in {pid}"
        view = views[pid]
        kinds = [m["kind"] for m in sorted(view["milestones"], key=lambda m: m["version"])]
        assert view["version"] == len(versions) + 1
        assert broken_rules(kinds) == [], (pid, kinds)
        assert catalogue[pid]["version"] == view["version"], "the catalogue lags or skipped"
