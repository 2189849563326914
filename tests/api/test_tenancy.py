"""Two labs on one deployment: neither sees nor changes what is the other's.

Alsace and Lorraine each record their own organisations, partnerships, contact persons, keys
and activities. Then, with Lorraine's keys:
- every endpoint that names an id answers 404 to each of Alsace's ids, reads and writes alike;
- every list, report, log and export answers exactly what it answered before Alsace recorded
  anything, and never mentions any of Alsace's ids or names, whatever filter points at them.
The endpoints come from the app's route table, so new ones are covered as they are added.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi.testclient import TestClient

from api import API_PREFIX
from api.app import create_app
from api.auth import PUBLIC_PATHS, Endpoint, endpoints
from domain.access.api_key import Role
from infrastructure.settings import Settings
from tests.api.conftest import CONTRACT, IDEA, bearer, issue_key
from tests.api.openapi_bodies import Bodies
from tests.conftest import TODAY, postgres_settings, sqlite_settings, with_signing_key

ROUTES = [
    e
    for e in endpoints(create_app(Settings()))  # never started: only its route table
    if e.path not in PUBLIC_PATHS and e.roles is not None
]
BY_ID = sorted(
    ((m, e) for e in ROUTES if "{" in e.path for m in e.methods - {"HEAD"}),
    key=lambda c: (c[1].path, c[0]),
)
COLLECTIONS = sorted(
    (e for e in ROUTES if "{" not in e.path and "GET" in e.methods), key=lambda e: e.path
)
GLOBAL = {
    f"{API_PREFIX}/audit/digest",
    f"{API_PREFIX}/audit/verify",
    f"{API_PREFIX}/projections",
    f"{API_PREFIX}/audit/head",
    f"{API_PREFIX}/audit/heads",
    f"{API_PREFIX}/audit/export",
    f"{API_PREFIX}/audit/events/{{position}}/proof",
}
"""One log for all labs: the chain's head (a position and a hash), the signed Merkle tree
heads (a size and a root) and the proofs against them, and how far each projection has read
the log are the same for every lab and say nothing of any lab's records (see
docs/SECURITY.md); a lab's export holds only its records, with proofs against the global
tree."""
ALIASES = {"activity_id": "session_id"}
"""Path parameters naming a record another route creates (a cohort is an activity's)."""
PREFERRED = (Role.STAFF, Role.AUDITOR, Role.ADMIN, Role.VIEWER)
CREATION_OVERRIDES: dict[str, dict[str, Any]] = {
    f"{API_PREFIX}/events": {"kind": "thematic_event"},  # the first origin kind is no event's
}


def first_admitted(endpoint: Endpoint) -> Role:
    assert endpoint.roles is not None
    return next(role for role in PREFERRED if role in endpoint.roles)


@dataclass
class Lab:
    name: str
    clients: dict[Role, TestClient]
    ids: dict[str, str] = field(default_factory=dict)
    marks: set[str] = field(default_factory=set)
    """What identifies this lab's records: ids (as the API and the log write them), names."""

    def remember(self, key: str, record_id: str, *names: str) -> None:
        self.ids[key] = record_id
        self.marks |= {record_id, UUID(record_id).hex, *names}


def created(response: httpx.Response) -> str:
    assert response.status_code == 201, response.text
    record_id: str = response.json()["id"]
    return record_id


def seed(lab: Lab, openapi: dict[str, Any]) -> None:
    """The lab's own records, through its own keys: a partnership from meeting to evaluation,
    a contact person, a key, and one of each activity the API can create."""
    staff, admin = lab.clients[Role.STAFF], lab.clients[Role.ADMIN]
    city = {"alsace": "Strasbourg", "lorraine": "Metz"}[lab.name]
    food_bank, company = f"Banque alimentaire de {city}", f"Garage solidaire de {city}"
    for key, kind, name in (
        ("association_id", "association", food_bank),
        ("company_id", "company", company),
    ):
        body = {"kind": kind, "name": name, "territory": "67"}
        lab.remember(key, created(staff.post(f"{API_PREFIX}/organizations", json=body)), name)
    lab.ids["organization_id"] = lab.ids["association_id"]
    opened = staff.post(
        f"{API_PREFIX}/partnerships",
        json={
            "association_id": lab.ids["association_id"],
            "company_id": lab.ids["company_id"],
            "origin": {"kind": "speed_dating", "reference_id": f"speed-dating-{lab.name}"},
            "occurred_on": "2014-03-12",
        },
    )
    lab.remember("partnership_id", created(opened), f"speed-dating-{lab.name}")
    lab.ids["origin_reference_id"] = f"speed-dating-{lab.name}"
    partnership = f"{API_PREFIX}/partnerships/{lab.ids['partnership_id']}"
    idea = staff.post(f"{partnership}/ideas", json={**IDEA, "title": f"Idea of {lab.name}"})
    lab.remember("idea_id", idea.json()["idea_id"], f"Idea of {lab.name}")
    body = {"idea_id": lab.ids["idea_id"], "occurred_on": "2014-05-20"}
    assert staff.post(f"{partnership}/co-construction", json=body).status_code == 201
    assert staff.post(f"{partnership}/contract", json=CONTRACT).status_code == 201
    person = {"name": f"Contact of {lab.name}", "email": f"contact@{lab.name}.example"}
    contact = staff.post(
        f"{API_PREFIX}/organizations/{lab.ids['association_id']}/contact-persons", json=person
    )
    lab.remember("person_id", created(contact), person["name"], person["email"])
    key = admin.post(f"{API_PREFIX}/keys", json={"name": f"staff of {lab.name}", "role": "staff"})
    lab.remember("key_id", created(key), f"staff of {lab.name}")
    seed_activities(lab, openapi)
    auditor = lab.clients[Role.AUDITOR]
    lab.ids["position"] = str(
        auditor.get(f"{API_PREFIX}/audit/events").json()["items"][0]["position"]
    )
    for alias, name in ALIASES.items():
        if name in lab.ids:
            lab.ids.setdefault(alias, lab.ids[name])


def seed_activities(lab: Lab, openapi: dict[str, Any]) -> None:
    """Create one of everything else a collection route creates, from its OpenAPI schema,
    and remember its id under the name the routes give it (``session_id``...)."""
    bodies = Bodies(openapi, lab.ids)
    done = {"/organizations", "/partnerships", "/keys"}
    for endpoint in ROUTES:
        collection = endpoint.path.removeprefix(API_PREFIX)
        if "POST" not in endpoint.methods or "{" in collection or collection in done:
            continue
        client = lab.clients[first_admitted(endpoint)]
        body = {**bodies.body("POST", endpoint.path), **CREATION_OVERRIDES.get(endpoint.path, {})}
        response = client.post(endpoint.path, json=body)
        assert response.status_code == 201, (endpoint.path, body, response.text)
        parameter = next(
            (
                m.group(1)
                for e in ROUTES
                if (m := re.match(re.escape(endpoint.path) + r"/\{(\w+)\}", e.path))
            ),
            None,
        )
        if parameter is not None:
            lab.remember(parameter, response.json()["id"])


@dataclass
class Labs:
    alsace: Lab
    lorraine: Lab
    openapi: dict[str, Any]
    before: dict[str, str]
    """Lorraine's collections as they answered before Alsace recorded anything."""


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def labs(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Labs]:
    if backend == "postgres":
        settings = postgres_settings(request.getfixturevalue("postgres_database"))
    else:
        settings = sqlite_settings(Path(tmp_path_factory.mktemp("tenancy")))
    settings = with_signing_key(settings, Path(tmp_path_factory.mktemp("keys")))
    with TestClient(create_app(settings, clock=lambda: TODAY)) as client:

        def lab(name: str) -> Lab:
            return Lab(
                name,
                {
                    role: TestClient(client.app, headers=bearer(issue_key(client, role, lab=name)))
                    for role in Role
                },
            )

        alsace, lorraine = lab("alsace"), lab("lorraine")
        openapi = client.app.openapi()  # type: ignore[attr-defined]
        seed(lorraine, openapi)
        labs = Labs(alsace, lorraine, openapi, before={})
        labs.before = collections_of(labs)
        seed(alsace, openapi)
        yield labs


def collections_of(labs: Labs) -> dict[str, str]:
    """What each collection answers Lorraine, plain and filtered on Alsace's ids."""
    answers = {}
    pointed = Bodies(labs.openapi, labs.alsace.ids)
    for endpoint in COLLECTIONS:
        client = labs.lorraine.clients[first_admitted(endpoint)]
        query = Bodies(labs.openapi, labs.lorraine.ids).query("GET", endpoint.path)
        answers[endpoint.path] = comparable(client.get(endpoint.path, params=query))
        parameters = labs.openapi["paths"][endpoint.path]["get"].get("parameters", [])
        for p in parameters:
            if p["in"] == "query" and p["name"].endswith("_id"):
                value = pointed.id_for(p["name"])
                response = client.get(endpoint.path, params={**query, p["name"]: value})
                # An answer may repeat the filter it was given (and nothing else of Alsace's).
                answer = comparable(response).replace(value, "<filter>")
                answers[f"{endpoint.path}?{p['name']}"] = answer
    return answers


def comparable(response: httpx.Response) -> str:
    """The answer, without what no lab owns: the digest of the whole log in an export's
    header (and so its checksum footer)."""
    assert response.status_code < 500, response.text
    if "ndjson" not in response.headers.get("content-type", ""):
        return f"{response.status_code} {response.text}"
    lines = [json.loads(line) for line in response.text.splitlines()]
    events = [line for line in lines if "position" in line]
    return f"{response.status_code} {json.dumps(events, sort_keys=True)}"


@pytest.mark.parametrize(("method", "endpoint"), BY_ID, ids=[f"{m} {e.path}" for m, e in BY_ID])
def test_another_labs_id_is_not_found(labs: Labs, method: str, endpoint: Endpoint) -> None:
    names = re.findall(r"\{(\w+)(?::\w+)?\}", endpoint.path)
    path, asked = endpoint.path, set()
    for name in names:
        value = "1" if name == "table" else labs.alsace.ids[name]
        asked |= {value, value.replace("-", "")}
        path = re.sub(r"\{" + name + r"(?::\w+)?\}", value, path)
    bodies = Bodies(labs.openapi, labs.lorraine.ids)  # what the body names is Lorraine's own
    client = labs.lorraine.clients[first_admitted(endpoint)]

    response = client.request(
        method,
        path,
        json=bodies.body(method, endpoint.path),
        params=bodies.query(method, endpoint.path),
    )

    assert response.status_code == 404, response.text
    leaked = labs.alsace.marks - asked  # a 404 may name the id asked for, and nothing else
    assert not [mark for mark in leaked if mark in response.text]


@pytest.mark.parametrize("endpoint", COLLECTIONS, ids=[e.path for e in COLLECTIONS])
def test_a_lab_sees_the_same_collections_whatever_another_lab_records(
    labs: Labs, endpoint: Endpoint
) -> None:
    after = collections_of(labs)
    for key, answer in after.items():
        if key.split("?")[0] != endpoint.path:
            continue
        assert not [mark for mark in labs.alsace.marks if mark in answer], key
        if endpoint.path not in GLOBAL:
            assert answer == labs.before[key], key


def test_each_lab_has_its_own_records_to_hide(labs: Labs) -> None:
    """The checks above only mean something if Alsace has a record behind every id a route
    names (``table`` is a number within a session, not an id)."""
    named = {n for _, e in BY_ID for n in re.findall(r"\{(\w+)\}", e.path)} - {"table"}
    assert {"organization_id", "partnership_id", "person_id", "key_id"} <= named
    assert named <= labs.alsace.ids.keys(), named - labs.alsace.ids.keys()


def test_reports_count_only_the_labs_own_partnerships(labs: Labs) -> None:
    """Each lab signed one contract: each lab's report says one, not two."""
    for lab in (labs.alsace, labs.lorraine):
        viewer = lab.clients[Role.VIEWER]
        signed = viewer.get(f"{API_PREFIX}/reports/signed").json()
        assert (signed["total"], signed["by_category"]["patronage"]) == (1, 1), lab.name
        listed = lab.clients[Role.STAFF].get(f"{API_PREFIX}/partnerships").json()
        assert [p["id"] for p in listed["items"]] == [lab.ids["partnership_id"]]
