"""Concurrent writers on a real server: If-Match lets exactly one writer win each version."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest

from api.app import create_app
from application.context import Caller
from domain.access.api_key import Role
from infrastructure.settings import Settings
from tests.serving import serving

WRITERS = 16
ATTEMPTS = 4


@dataclass(frozen=True)
class Server:
    base_url: str
    headers: dict[str, str]
    """Claire's staff key, sent by every writer."""


@pytest.fixture
def server(settings: Settings, today: date) -> Iterator[Server]:
    """A real uvicorn server in a thread, on a free loopback port, and a staff key."""
    app = create_app(settings, clock=lambda: today)
    with serving(app) as url:
        issued = app.state.runtime.app.keys.issue_api_key(
            Caller(lab=settings.default_lab, actor="operator"), name="claire", role=Role.STAFF
        )
        yield Server(url, {"Authorization": f"Bearer {issued.token}"})


def open_partnership(http: httpx.Client) -> str:
    ids = [
        http.post(
            "/api/v1/organizations",
            json={"kind": kind, "name": name, "territory": "67"},
        ).json()["id"]
        for kind, name in (("association", "Banque alimentaire"), ("company", "IBM France"))
    ]
    response = http.post(
        "/api/v1/partnerships",
        json={
            "association_id": ids[0],
            "company_id": ids[1],
            "origin": {"kind": "speed_dating"},
            "occurred_on": "2014-03-12",
        },
    )
    assert response.status_code == 201, response.text
    partnership_id: str = response.json()["id"]
    return partnership_id


def test_concurrent_meetings_with_the_same_if_match_have_one_winner_per_version(
    server: Server,
) -> None:
    base_url, headers = server.base_url, server.headers
    with httpx.Client(base_url=base_url, timeout=30, headers=headers) as http:
        pid = open_partnership(http)
    path = f"/api/v1/partnerships/{pid}/meetings"
    start = threading.Barrier(WRITERS)
    outcomes: list[tuple[int, int, int | None]] = []  # (if-match, status, version)
    first_round: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        with httpx.Client(base_url=base_url, timeout=30, headers=headers) as http:
            expected = 1
            start.wait(timeout=30)
            for attempt in range(ATTEMPTS):
                if attempt > 0:
                    expected = int(
                        http.get(f"/api/v1/partnerships/{pid}").headers["ETag"].strip('"')
                    )
                response = http.post(
                    path,
                    json={"occurred_on": "2014-04-01", "note": f"writer {n}, attempt {attempt}"},
                    headers={"If-Match": f'"{expected}"'},
                )
                version = response.json().get("version") if response.status_code == 201 else None
                with lock:
                    outcomes.append((expected, response.status_code, version))
                    if attempt == 0:
                        first_round.append(response.status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == WRITERS * ATTEMPTS
    assert Counter(first_round) == Counter({201: 1, 412: WRITERS - 1})
    assert {status for _, status, _ in outcomes} <= {201, 412}
    wins = [(expected, version) for expected, status, version in outcomes if version is not None]
    assert len(wins) > 1
    wins_per_version = Counter(expected for expected, _ in wins)
    assert all(count == 1 for count in wins_per_version.values()), wins_per_version
    assert all(version == expected + 1 for expected, version in wins)
    with httpx.Client(base_url=base_url, timeout=30, headers=headers) as http:
        state = http.get(f"/api/v1/partnerships/{pid}").json()
    assert state["version"] == 1 + len(wins)
    assert [m["version"] for m in state["milestones"]] == list(range(1, state["version"] + 1))
    assert sorted(version for _, version in wins) == list(range(2, state["version"] + 1))
