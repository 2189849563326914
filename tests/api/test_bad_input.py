"""Bad input is refused with a problem (4xx), never a 500; every error is problem+json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.app import create_app
from infrastructure.settings import Settings
from tests.api.conftest import API, CLAIRE, PROBLEM, assert_problem, authorized, write

JSON = {**CLAIRE, "Content-Type": "application/json"}

RAW_BODIES: list[tuple[str, str]] = [
    ("empty", ""),
    ("not JSON", "occurred_on=2014-04-01"),
    ("truncated JSON", '{"occurred_on": "2014-04-01"'),
    ("a JSON array", '["2014-04-01"]'),
    ("a JSON string", '"2014-04-01"'),
    ("JSON null", "null"),
    ("NaN for a date", '{"occurred_on": NaN}'),
    ("Infinity for a date", '{"occurred_on": Infinity}'),
    ("a timestamp for a date", '{"occurred_on": 1396310400}'),
    ("February 30th", '{"occurred_on": "2024-02-30"}'),
    ("year zero", '{"occurred_on": "0000-01-01"}'),
    ("a datetime", '{"occurred_on": "2014-04-01T10:00:00"}'),
    ("a NUL in a note", '{"occurred_on": "2014-04-01", "note": "a\\u0000b"}'),
    ("a lone surrogate", '{"occurred_on": "2014-04-01", "note": "\\ud800"}'),
    ("a lone surrogate as a field name", '{"occurred_on": "2014-04-01", "\\ud800": 1}'),
    ("a huge note", json.dumps({"occurred_on": "2014-04-01", "note": "x" * 6000})),
    ("a number too long to read", '{"occurred_on": ' + "9" * 5000 + "}"),
    ("deep nesting", "[" * 50_000 + "]" * 50_000),
    ("an object for a date", '{"occurred_on": {"year": 2014}}'),
]


@pytest.mark.parametrize(("label", "raw"), RAW_BODIES, ids=[label for label, _ in RAW_BODIES])
def test_a_malformed_meeting_body_is_a_4xx_problem(
    client: TestClient, met: dict[str, Any], label: str, raw: str
) -> None:
    response = client.post(f"{API}/partnerships/{met['id']}/meetings", content=raw, headers=JSON)

    assert 400 <= response.status_code < 500, (label, response.text)
    assert response.headers["content-type"] == PROBLEM
    assert client.get(f"{API}/partnerships/{met['id']}").json()["version"] == 1


def test_a_body_that_is_not_declared_json_is_422(client: TestClient, met: dict[str, Any]) -> None:
    response = client.post(
        f"{API}/partnerships/{met['id']}/meetings",
        content='{"occurred_on": "2014-04-01"}',
        headers={**CLAIRE, "Content-Type": "text/plain"},
    )

    assert_problem(response, 422, "request-validation")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"occurred_on": "2015-01-01", "beneficiaries": 10**30}, "beneficiaries"),
        ({"occurred_on": "2015-01-01", "beneficiaries": 1e400}, "beneficiaries"),
        ({"occurred_on": "2015-01-01", "beneficiaries": "many"}, "beneficiaries"),
        ({"occurred_on": "2015-01-01", "beneficiaries": 2.5}, "beneficiaries"),
        ({"occurred_on": "2015-01-01", "jobs_created": True}, "jobs_created"),
        ({"occurred_on": "2015-01-01", "volunteer_days": "1e999999"}, "volunteer_days"),
        ({"occurred_on": "2015-01-01", "in_kind_eur": float("nan")}, "in_kind_eur"),
        ({"occurred_on": "2015-01-01", "satisfaction": "5 stars"}, "satisfaction"),
        ({"occurred_on": "2015-01-01", "findings": ["good"]}, "findings"),
    ],
)
def test_numbers_out_of_shape_are_422_naming_the_field(
    client: TestClient, contracted: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    raw = json.dumps(body, allow_nan=True)
    response = client.post(
        f"{API}/partnerships/{contracted['id']}/evaluations", content=raw, headers=JSON
    )

    assert_problem(response, 422, "request-validation", field)


@pytest.mark.parametrize(
    "path",
    [
        "/partnerships/not-a-uuid",
        "/partnerships/12345678-1234-1234-1234-12345678",
        "/organizations/%00",
    ],
)
def test_an_invalid_id_in_the_path_is_422(client: TestClient, path: str) -> None:
    assert_problem(client.get(f"{API}{path}"), 422, "request-validation")


def test_an_invalid_id_in_the_body_is_422_naming_it(client: TestClient) -> None:
    response = write(
        client,
        "/partnerships",
        {
            "association_id": "food-bank",
            "company_id": "ibm",
            "origin": {"kind": "spontaneous"},
            "occurred_on": "2014-03-12",
        },
    )

    problem = assert_problem(response, 422, "request-validation", "association_id")
    assert [e["field"] for e in problem["errors"]] == ["association_id", "company_id"]


@pytest.mark.parametrize(
    "query",
    [{"q": "a\x00b"}, {"q": "x" * 201}, {"territory": "6" * 40}, {"limit": "1e3"}],
)
def test_a_bad_search_is_422(client: TestClient, query: dict[str, str]) -> None:
    assert_problem(client.get(f"{API}/organizations", params=query), 422, "request-validation")


def test_an_unknown_route_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get(f"{API}/funders"), 404, "route-not-found")


def test_a_wrong_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = client.delete(f"{API}/organizations")

    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]


@pytest.fixture
def small_client(settings: Settings, today: date) -> Iterator[TestClient]:
    small = settings.model_copy(update={"max_body_bytes": 2_000})
    with TestClient(create_app(small, clock=lambda: today)) as client:
        yield authorized(client)


def test_a_body_over_the_limit_is_a_413_problem(small_client: TestClient) -> None:
    body = {"kind": "company", "name": "Sati", "territory": "67", "description": "x" * 3_000}

    response = write(small_client, "/organizations", body)

    assert_problem(response, 413, "body-too-large")
    assert small_client.get(f"{API}/organizations").json()["total"] == 0


def test_a_streamed_body_over_the_limit_is_a_413_problem(small_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"kind": "company", "name": "Sati", "territory": "67", "description": "'
        yield b"x" * 3_000
        yield b'"}'

    response = small_client.post(f"{API}/organizations", content=chunks(), headers=JSON)

    assert_problem(response, 413, "body-too-large")


def test_a_body_under_the_limit_goes_through(small_client: TestClient) -> None:
    body = {"kind": "company", "name": "Sati", "territory": "67"}

    assert write(small_client, "/organizations", body).status_code == 201


# ---------------------------------------------------------------- property: never a 500

NASTY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2014-04-01",
            "2026-11-27",
            "2024-02-30",
            "0001-01-01",
            "9999-12-31",
            "-1",
            "1e999999",
            "NaN",
            "patronage",
            "skills",
            "new_product",
            "\x00",
            "\ud800",
            "67",
            "2A",
        ]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)

EVALUATION_FIELDS = [
    "occurred_on",
    "beneficiaries",
    "jobs_created",
    "volunteer_days",
    "skills_days",
    "in_kind_eur",
    "satisfaction",
    "findings",
    "note",
]
CORRECTABLE = [
    "occurred_on",
    "note",
    "category",
    "sub_kind",
    "starts_on",
    "ends_on",
    "financial_eur",
    "in_kind_eur",
    "skills_days",
    "unknown",
]


def raw_json(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=True)
    except UnicodeEncodeError:  # pragma: no cover - json escapes surrogates
        return "{}"


def assert_answered_without_error(response: Any) -> None:
    assert response.status_code < 500, response.text
    assert response.headers["content-type"] in ("application/json", PROBLEM)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.dictionaries(st.sampled_from(EVALUATION_FIELDS), NASTY, max_size=6))
def test_any_evaluation_body_gets_an_answer_never_a_500(
    client: TestClient, contracted: dict[str, Any], body: dict[str, Any]
) -> None:
    response = client.post(
        f"{API}/partnerships/{contracted['id']}/evaluations", content=raw_json(body), headers=JSON
    )

    assert_answered_without_error(response)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.one_of(st.integers(min_value=-3, max_value=8), NASTY),
    changes=st.dictionaries(st.sampled_from(CORRECTABLE), NASTY, max_size=3),
)
def test_any_correction_gets_an_answer_never_a_500(
    client: TestClient, contracted: dict[str, Any], target: Any, changes: dict[str, Any]
) -> None:
    body = {"target_version": target, "changes": changes, "reason": "checked the archive"}
    response = client.post(
        f"{API}/partnerships/{contracted['id']}/corrections",
        content=raw_json(body),
        headers=JSON,
    )

    assert_answered_without_error(response)
    state = client.get(f"{API}/partnerships/{contracted['id']}")
    assert state.status_code == 200


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "kind": st.one_of(st.sampled_from(["association", "company"]), NASTY),
            "name": NASTY,
            "territory": NASTY,
            "legal_identifier": NASTY,
            "field_of_activity": NASTY,
        },
    )
)
def test_any_registration_gets_an_answer_never_a_500(
    client: TestClient, body: dict[str, Any]
) -> None:
    response = client.post(f"{API}/organizations", content=raw_json(body), headers=JSON)

    assert_answered_without_error(response)
    assert client.get(f"{API}/organizations", params={"q": "a"}).status_code == 200
