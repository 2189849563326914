"""``GET /api/v1/projections`` shows every follower's position, lag and whether it runs, in
this server's process or in a ``partnerlab project`` process (seen by its heartbeat)."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.settings import Settings
from partnerlab.bootstrap import run_projector
from tests.api.conftest import API, bearer, issue_key


def statuses(client: TestClient, token: str) -> list[dict[str, Any]]:
    response = client.get(f"{API}/projections", headers=bearer(token))
    assert response.status_code == 200, response.text
    projections: list[dict[str, Any]] = response.json()["projections"]
    assert projections
    return projections


def test_followers_of_the_server_run_in_process(settings: Settings, today: date) -> None:
    with TestClient(create_app(settings, clock=lambda: today)) as client:
        token = issue_key(client, "staff")
        for projection in statuses(client, token):
            assert projection["running"] is True
            assert projection["where"] == "in process"


def test_a_separate_projector_is_seen_running_out_of_process(
    settings: Settings, today: date
) -> None:
    apart = settings.model_copy(update={"projections_in_process": False})
    with TestClient(create_app(apart, clock=lambda: today)) as client:
        token = issue_key(client, "staff")
        before = statuses(client, token)
        assert {(p["running"], p["where"]) for p in before} == {(False, None)}
        assert max(p["lag"] for p in before) >= 1  # the key's event is not projected yet

        stop = threading.Event()
        projector = threading.Thread(target=run_projector, args=(apart,), kwargs={"stop": stop})
        projector.start()
        try:
            deadline = time.monotonic() + 20
            while True:
                now = statuses(client, token)
                if all(p["running"] and p["lag"] == 0 for p in now):
                    break
                assert time.monotonic() < deadline, now
                time.sleep(0.2)
            for projection in now:
                assert projection["where"] == "out of process"
                assert projection["process"]
                assert projection["heartbeat_at"]
        finally:
            stop.set()
            projector.join(timeout=20)

        after = statuses(client, token)
        assert {(p["running"], p["where"]) for p in after} == {(False, None)}
        assert {p["lag"] for p in after} == {0}
