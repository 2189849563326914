"""Authentication with the aggregate cache, across processes: two apps on one database (two
API processes, each with its own cache). A key revoked through one is refused by the other on
the very next request, although that other process authenticated it a moment before."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi.testclient import TestClient

from api.app import create_app
from application.context import Caller
from infrastructure.settings import Settings
from tests.api.conftest import API, assert_problem, bearer, issue_key


def test_a_key_revoked_in_one_process_is_refused_by_the_next_request_in_another(
    settings: Settings, today: date
) -> None:
    with (
        TestClient(create_app(settings, clock=lambda: today)) as first,
        TestClient(create_app(settings, clock=lambda: today)) as second,
    ):
        token = issue_key(first, "staff", name="leaving@alsace.example")
        for client in (first, second, first, second):  # both processes have it cached now
            assert client.get(f"{API}/partnerships", headers=bearer(token)).status_code == 200
        runtime = first.app.state.runtime  # type: ignore[attr-defined]
        assert runtime.app.log.repository.cache.get(UUID(hex=token.split("_")[1]))
        runtime.app.keys.revoke_api_key(
            Caller(lab="alsace", actor="operator"), UUID(hex=token.split("_")[1])
        )
        for client in (second, first):
            refused = client.get(f"{API}/partnerships", headers=bearer(token))
            assert_problem(refused, 401, "api-key-revoked")
