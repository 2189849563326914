"""Idempotency-Key: a retried write gets the first answer back and records nothing new."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, NoReturn

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.partnerships.schemas.partnerships import MeetingCreate
from api.writes import fingerprint
from application.context import Caller
from application.errors import StoreUnavailable
from infrastructure.settings import Settings
from tests.api.conftest import API, CONTRACT, assert_problem, authorized, register, write

MEETING = {"occurred_on": "2014-04-01", "note": "second coffee"}


def current_version(client: TestClient, partnership_id: str) -> int:
    version: int = client.get(f"{API}/partnerships/{partnership_id}").json()["version"]
    return version


def test_a_replay_returns_the_first_response_and_records_nothing(
    client: TestClient, met: dict[str, Any]
) -> None:
    path = f"/partnerships/{met['id']}/meetings"
    first = write(client, path, MEETING, key="meeting-2014-04-01")

    again = write(client, path, MEETING, key="meeting-2014-04-01")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"] == '"2"'
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert current_version(client, met["id"]) == 2


def test_a_replayed_registration_registers_one_organisation(client: TestClient) -> None:
    body = {"kind": "company", "name": "Sati", "territory": "67"}
    first = write(client, "/organizations", body, key="sati")
    again = write(client, "/organizations", body, key="sati")

    assert again.json()["id"] == first.json()["id"]
    assert client.get(f"{API}/organizations").json()["total"] == 1


def test_the_same_key_with_another_body_is_422(client: TestClient, met: dict[str, Any]) -> None:
    path = f"/partnerships/{met['id']}/meetings"
    write(client, path, MEETING, key="meeting-key")

    response = write(client, path, {**MEETING, "note": "another note"}, key="meeting-key")

    assert_problem(response, 422, "idempotency-key-reused", "Idempotency-Key")
    assert current_version(client, met["id"]) == 2


def test_the_same_key_on_another_path_is_422(client: TestClient, met: dict[str, Any]) -> None:
    write(client, f"/partnerships/{met['id']}/meetings", MEETING, key="shared")

    response = write(
        client,
        "/organizations",
        {"kind": "company", "name": "Sati", "territory": "67"},
        key="shared",
    )

    assert_problem(response, 422, "idempotency-key-reused")


def test_keys_are_compared_on_meaning_not_on_spelling(
    client: TestClient, met: dict[str, Any]
) -> None:
    path = f"/partnerships/{met['id']}/meetings"
    first = write(client, path, {"occurred_on": "2014-04-01"}, key="k")

    again = write(client, path, {"note": None, "occurred_on": "2014-04-01"}, key="k")

    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content


def test_a_refusal_is_replayed_too(client: TestClient, met: dict[str, Any]) -> None:
    path = f"/partnerships/{met['id']}/contract"
    first = write(client, path, CONTRACT, key="early-contract")

    again = write(client, path, CONTRACT, key="early-contract")

    assert_problem(first, 409, "no-skipped-stage")
    assert_problem(again, 409, "no-skipped-stage")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content


def test_a_key_still_in_flight_is_409(client: TestClient, met: dict[str, Any]) -> None:
    path = f"{API}/partnerships/{met['id']}/meetings"
    lab = client.app.state.runtime.app  # type: ignore[attr-defined]
    caller = Caller(lab="alsace", actor="someone else")
    lab.idempotency.claim_idempotency_key(
        caller, "busy", fingerprint("POST", path, MeetingCreate(**MEETING))
    )

    response = write(client, f"/partnerships/{met['id']}/meetings", MEETING, key="busy")

    assert_problem(response, 409, "idempotency-key-in-flight", "Idempotency-Key")
    assert current_version(client, met["id"]) == 1


@pytest.mark.parametrize("key", [b"x" * 256, b"with space", "é".encode()])
def test_a_malformed_key_is_400(client: TestClient, met: dict[str, Any], key: bytes) -> None:
    response = client.post(
        f"{API}/partnerships/{met['id']}/meetings",
        json=MEETING,
        headers={"Idempotency-Key": key},
    )

    assert_problem(response, 400, "idempotency-key-malformed", "Idempotency-Key")


def test_a_store_outage_releases_the_key_so_a_retry_runs(
    client: TestClient, met: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = client.app.state.runtime.app  # type: ignore[attr-defined]
    path = f"/partnerships/{met['id']}/meetings"

    def outage(*args: object, **kwargs: object) -> NoReturn:
        raise StoreUnavailable("the event store is unavailable: connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(lab.partnerships, "record_meeting", outage)
        down = write(client, path, MEETING, key="retry-me")
    retried = write(client, path, MEETING, key="retry-me")

    assert_problem(down, 503, "store-unavailable")
    assert down.headers["Retry-After"].isdigit()
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert current_version(client, met["id"]) == 2


@pytest.fixture
def lenient_client(settings: Settings, today: date) -> Iterator[TestClient]:
    """A client that shows 500s as responses instead of raising them."""
    app = create_app(settings, clock=lambda: today)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield authorized(client)


def test_an_unexpected_error_is_a_500_problem_and_releases_the_key(
    lenient_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = lenient_client
    lab = client.app.state.runtime.app  # type: ignore[attr-defined]
    body = {"kind": "company", "name": "Sati", "territory": "67"}

    def bug(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patch:
        patch.setattr(lab.organizations, "register_organization", bug)
        broken = write(client, "/organizations", body, key="sati")
    retried = write(client, "/organizations", body, key="sati")

    problem = assert_problem(broken, 500, "internal-error")
    assert "a bug" not in problem["detail"]
    assert retried.status_code == 201
    assert register(client, "company", "IBM France")["version"] == 1
