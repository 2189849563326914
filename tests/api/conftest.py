"""HTTP fixtures: a client on a fresh store, and partnerships at each lifecycle stage.

Every test runs twice, on SQLite and on PostgreSQL (the ``settings`` fixture of
``tests/conftest.py``), through HTTP only.

``client`` sends a staff key of the default lab, held by Claire: every write it makes is
recorded as hers. ``client_as(role, lab=...)`` gives clients of the same app with other keys;
``authorized(client, ...)`` puts a key on a client a test made itself. Keys are issued through
the application, so each one is an event of the log (the default client's is position 1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.access.api_keys import KeyNameTaken
from application.context import Caller
from domain.access.api_key import Role
from infrastructure.settings import Settings
from tests.conftest import with_signing_key

API = "/api/v1"
STAFF_NAME = "claire@labo-partenariats.example"
"""Who the default client's key belongs to: the actor of every write it makes."""
CLAIRE: dict[str, str] = {}
"""Extra headers of Claire's writes: none any more, her key (on the client) says who she is."""
PROBLEM = "application/problem+json"
ISSUER = "operator@partnerlab.example"


def issue_key(
    client: TestClient,
    role: Role | str = Role.STAFF,
    *,
    lab: str | None = None,
    name: str | None = None,
    expires_at: datetime | None = None,
) -> str:
    """A new key's token, issued through the application of ``client``'s running app."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    role = Role(role)
    lab = lab or runtime.settings.default_lab
    wanted = name or f"{role.value}@{lab}.example"
    for attempt in range(1, 100):  # key names are unique per lab: the next free one
        try:
            issued = runtime.app.keys.issue_api_key(
                Caller(lab=lab, actor=ISSUER),
                name=wanted if attempt == 1 else f"{wanted} #{attempt}",
                role=role,
                expires_at=expires_at,
            )
            break
        except KeyNameTaken:
            continue
    token: str = issued.token
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def authorized(
    client: TestClient,
    role: Role | str = Role.STAFF,
    *,
    lab: str | None = None,
    name: str | None = STAFF_NAME,
) -> TestClient:
    """Give ``client`` (whose app is running) a new key to send with every request."""
    client.headers.update(bearer(issue_key(client, role, lab=lab, name=name)))
    return client


@pytest.fixture
def client(settings: Settings, today: date, tmp_path: Path) -> Iterator[TestClient]:
    """Claire, staff of the default lab (the deployment signs its tree heads). Console
    passwords are hashed by Argon2 at its smallest costs, the same code path in milliseconds
    (tests/integration/test_accounts.py checks the production costs)."""
    keyed = with_signing_key(settings, tmp_path).model_copy(update={"fast_password_hashing": True})
    with TestClient(create_app(keyed, clock=lambda: today)) as client:
        yield authorized(client)


ClientAs = Callable[..., TestClient]


@pytest.fixture
def client_as(client: TestClient) -> ClientAs:
    """``client_as(role, lab=None, name=None)``: another client of the same running app,
    with a new key of that role and lab (default: the default lab)."""

    def make(role: Role | str, *, lab: str | None = None, name: str | None = None) -> TestClient:
        other = TestClient(client.app)
        other.headers.update(bearer(issue_key(client, role, lab=lab, name=name)))
        return other

    return make


def assert_problem(
    response: httpx.Response, status: int, rule: str | None = None, field: str | None = None
) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and rule and field, if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert {"type", "title", "detail", "rule", "field"} <= problem.keys()
    if rule is not None:
        assert problem["rule"] == rule, problem
    if field is not None:
        assert problem["field"] == field, problem
    return problem


def write(
    client: TestClient,
    path: str,
    body: Any = None,
    *,
    if_match: str | None = None,
    key: str | None = None,
    method: str = "POST",
) -> httpx.Response:
    headers: dict[str, str] = {}
    if if_match is not None:
        headers["If-Match"] = if_match
    if key is not None:
        headers["Idempotency-Key"] = key
    response: httpx.Response = client.request(method, f"{API}{path}", json=body, headers=headers)
    return response


def created(response: httpx.Response) -> dict[str, Any]:
    """The body of a response that must be a 201 Created."""
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def register(
    client: TestClient, kind: str, name: str, territory: str = "67", **fields: Any
) -> dict[str, Any]:
    response = write(
        client, "/organizations", {"kind": kind, "name": name, "territory": territory, **fields}
    )
    return created(response)


@dataclass
class Partners:
    food_bank: dict[str, Any]
    ibm: dict[str, Any]


@pytest.fixture
def partners(client: TestClient) -> Partners:
    """The Strasbourg food bank and IBM, who met at a speed-dating session."""
    return Partners(
        food_bank=register(
            client, "association", "Banque alimentaire du Bas-Rhin", field_of_activity="food aid"
        ),
        ibm=register(client, "company", "IBM France", field_of_activity="software"),
    )


def open_partnership(
    client: TestClient,
    association: dict[str, Any],
    company: dict[str, Any],
    occurred_on: str = "2014-03-12",
    origin: str = "speed_dating",
    reference_id: str | None = "speed-dating-2014-03",
    separate: str | None = None,
) -> dict[str, Any]:
    """``separate``: the reason a second open partnership of the pair is opened on purpose."""
    body: dict[str, Any] = {
        "association_id": association["id"],
        "company_id": company["id"],
        "origin": {"kind": origin, "reference_id": reference_id},
        "occurred_on": occurred_on,
    }
    if separate is not None:
        body["separate_on_purpose"] = {"reason": separate}
    return created(write(client, "/partnerships", body))


def milestone(client: TestClient, partnership_id: str, step: str, body: Any) -> dict[str, Any]:
    return created(write(client, f"/partnerships/{partnership_id}/{step}", body))


IDEA = {
    "title": "Traceability software for the food bank",
    "proposed_category": "patronage",
    "occurred_on": "2014-04-02",
}
CONTRACT = {
    "signed_on": "2014-09-15",
    "category": "patronage",
    "sub_kind": "skills",
    "starts_on": "2014-10-01",
    "ends_on": "2015-09-30",
    "committed": {"financial_eur": "0", "in_kind_eur": "2500.00", "skills_days": "12.5"},
}


def co_construct(
    client: TestClient,
    partnership_id: str,
    idea: dict[str, Any] = IDEA,
    on: str = "2014-05-20",
) -> dict[str, Any]:
    """Propose ``idea`` and start co-constructing it ``on`` that day; the partnership after."""
    proposed = milestone(client, partnership_id, "ideas", idea)
    body = {"idea_id": proposed["idea_id"], "occurred_on": on}
    return milestone(client, partnership_id, "co-construction", body)


@pytest.fixture
def met(client: TestClient, partners: Partners) -> dict[str, Any]:
    """A partnership just opened (version 1, stage meeting)."""
    return open_partnership(client, partners.food_bank, partners.ibm)


@pytest.fixture
def with_idea(client: TestClient, met: dict[str, Any]) -> dict[str, Any]:
    """A partnership with one proposed idea (version 2, stage idea)."""
    return milestone(client, met["id"], "ideas", IDEA)


@pytest.fixture
def co_constructing(client: TestClient, with_idea: dict[str, Any]) -> dict[str, Any]:
    """A partnership whose idea is being built together (version 3, stage co_construction)."""
    body = {"idea_id": with_idea["idea_id"], "occurred_on": "2014-05-20"}
    return milestone(client, with_idea["id"], "co-construction", body)


@pytest.fixture
def contracted(client: TestClient, co_constructing: dict[str, Any]) -> dict[str, Any]:
    """A partnership with a signed contract (version 4, stage contract)."""
    return milestone(client, co_constructing["id"], "contract", CONTRACT)
