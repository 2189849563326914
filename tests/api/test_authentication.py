"""Every endpoint but the health probes needs a valid key of a role it admits.

The endpoints are read from the app's own route table, so a route added tomorrow is checked
here without anyone editing this file: it must answer 401 without a key, 401 with a revoked or
an expired key, 403 to a role it does not admit, and admit exactly the roles of the policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api import API_PREFIX
from api.app import create_app
from api.auth import Endpoint, endpoints, is_public
from application.context import Caller
from domain.access.api_key import Role
from infrastructure.settings import Settings
from tests.api.conftest import assert_problem, bearer, issue_key
from tests.conftest import TODAY, postgres_settings, sqlite_settings

ROUTES = [
    endpoint
    for endpoint in endpoints(create_app(Settings()))  # never started: only its route table
    if not is_public(endpoint.path)  # the console's pages ask for a session themselves
]
CALLS = sorted(
    ((method, endpoint) for endpoint in ROUTES for method in endpoint.methods - {"HEAD"}),
    key=lambda call: (call[1].path, call[0]),
)
DOCS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})

STAFF, AUDITOR, VIEWER, ADMIN = Role.STAFF, Role.AUDITOR, Role.VIEWER, Role.ADMIN
RECORDS = frozenset({STAFF, AUDITOR, ADMIN})
WRITES = frozenset({STAFF, ADMIN})
AUDIT = frozenset({AUDITOR, ADMIN})
REPORTS = frozenset(Role)
ADMINS = frozenset({ADMIN})


def policy(method: str, path: str) -> frozenset[Role] | None:
    """Who may do what (docs/SECURITY.md); None: any valid key (the API's own docs)."""
    if path in DOCS:
        return None
    if path.startswith(f"{API_PREFIX}/follow-ups/calendar/"):
        return None  # a calendar feed: its secret address is the key (docs/API.md)
    if path.startswith(f"{API_PREFIX}/keys"):
        return ADMINS
    if path.startswith(f"{API_PREFIX}/projections"):
        return RECORDS if method == "GET" else ADMINS  # reading how far they are is harmless
    if path.startswith(f"{API_PREFIX}/audit/"):
        return AUDIT
    if path.startswith((f"{API_PREFIX}/reports", "/dashboard")) and method == "GET":
        return REPORTS
    return RECORDS if method == "GET" else WRITES


def ids(call: tuple[str, Endpoint]) -> str:
    return f"{call[0]} {call[1].path}"


def concrete(endpoint: Endpoint) -> str:
    """The endpoint's path with a well-formed value for each path parameter."""
    types = {}
    if endpoint.dependant is not None:
        types = {p.name: p.field_info.annotation for p in endpoint.dependant.path_params}

    def value(match: re.Match[str]) -> str:
        kind = types.get(match.group(1))
        return "1" if kind is int else str(uuid4())

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, endpoint.path)


@dataclass
class Keys:
    client: TestClient
    tokens: dict[str, str]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def keys(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Keys]:
    """One store per backend for the whole module: a key of each role, a revoked key and an
    expired one, and a client that sends none unless told."""
    if backend == "postgres":
        settings = postgres_settings(request.getfixturevalue("postgres_database"))
    else:
        settings = sqlite_settings(Path(tmp_path_factory.mktemp("auth")))
    with TestClient(create_app(settings, clock=lambda: TODAY)) as client:
        lab = client.app.state.runtime.app  # type: ignore[attr-defined]
        tokens = {role.value: issue_key(client, role) for role in Role}
        tokens["revoked"] = issue_key(client, ADMIN, name="a director who left")
        lab.keys.revoke_api_key(
            Caller(lab="alsace", actor="operator"), key_id(tokens["revoked"]), reason="left"
        )
        now = datetime.now(UTC)
        tokens["expired"] = issue_key(
            client, ADMIN, name="a consultant", expires_at=now + timedelta(minutes=1)
        )
        lab.keys.key_clock = lambda: datetime.now(UTC) + timedelta(hours=1)
        yield Keys(client, tokens)


def key_id(token: str) -> UUID:
    return UUID(hex=token.split("_")[1])


def call(keys: Keys, method: str, endpoint: Endpoint, token: str | None) -> httpx.Response:
    headers = bearer(token) if token is not None else {}
    response: httpx.Response = keys.client.request(method, concrete(endpoint), headers=headers)
    return response


def assert_unauthenticated(response: httpx.Response, rule: str) -> None:
    assert_problem(response, 401, rule, "Authorization")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "endpoint"), CALLS, ids=[ids(c) for c in CALLS])
def test_without_a_valid_key_the_answer_is_401(keys: Keys, method: str, endpoint: Endpoint) -> None:
    assert_unauthenticated(call(keys, method, endpoint, None), "api-key-required")
    assert_unauthenticated(call(keys, method, endpoint, "not-a-key"), "api-key-invalid")
    forged = f"plk_{key_id(keys.tokens['admin']).hex}_{'A' * 43}"
    assert_unauthenticated(call(keys, method, endpoint, forged), "api-key-invalid")
    unknown = f"plk_{uuid4().hex}_{keys.tokens['admin'].split('_', 2)[2]}"
    assert_unauthenticated(call(keys, method, endpoint, unknown), "api-key-invalid")


@pytest.mark.parametrize(("method", "endpoint"), CALLS, ids=[ids(c) for c in CALLS])
def test_a_revoked_or_expired_key_is_401(keys: Keys, method: str, endpoint: Endpoint) -> None:
    assert_unauthenticated(call(keys, method, endpoint, keys.tokens["revoked"]), "api-key-revoked")
    assert_unauthenticated(call(keys, method, endpoint, keys.tokens["expired"]), "api-key-expired")


@pytest.mark.parametrize(("method", "endpoint"), CALLS, ids=[ids(c) for c in CALLS])
def test_a_role_the_endpoint_does_not_admit_is_403(
    keys: Keys, method: str, endpoint: Endpoint
) -> None:
    admitted = endpoint.roles if endpoint.path not in DOCS else frozenset(Role)
    assert admitted is not None, f"{method} {endpoint.path} checks no role (use a *Dep of deps)"
    for role in Role:
        response = call(keys, method, endpoint, keys.tokens[role.value])
        if role in admitted:
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert_problem(response, 403, "role-not-allowed", "Authorization")


@pytest.mark.parametrize(("method", "endpoint"), CALLS, ids=[ids(c) for c in CALLS])
def test_each_endpoint_admits_the_roles_of_the_policy(method: str, endpoint: Endpoint) -> None:
    assert endpoint.roles == policy(method, endpoint.path)


def test_the_health_probes_and_the_api_docs_need_no_key(keys: Keys) -> None:
    assert keys.client.get("/healthz").status_code == 200
    assert keys.client.get("/readyz").status_code == 200
    assert keys.client.get("/docs").status_code == 200
    assert "ApiKey" in keys.client.get("/openapi.json").json()["components"]["securitySchemes"]


def test_the_route_table_is_read_whole() -> None:
    paths = {endpoint.path for endpoint in ROUTES}
    assert {
        f"{API_PREFIX}/organizations",
        f"{API_PREFIX}/partnerships/{{partnership_id}}/meetings",
        f"{API_PREFIX}/audit/events",
        f"{API_PREFIX}/keys",
    } <= paths


def test_the_openapi_schema_documents_the_key_and_the_refusals(keys: Keys) -> None:
    schema = keys.client.get("/openapi.json", headers=bearer(keys.tokens["viewer"])).json()
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for name, operation in operations.items():
            if is_public(path):
                assert "401" not in operation["responses"]
                continue
            assert {"401", "403"} <= operation["responses"].keys(), (name, path)
            assert operation["security"] == [{"ApiKey": []}], (name, path)


def test_a_websocket_without_a_key_is_closed(keys: Keys) -> None:
    with pytest.raises(WebSocketDisconnect) as closed:  # noqa: SIM117 - the connect itself fails
        with keys.client.websocket_connect(f"{API_PREFIX}/organizations"):
            pass

    assert closed.value.code == 1008
