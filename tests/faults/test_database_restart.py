"""PostgreSQL crashes under write load and comes back.

On a throw-away cluster of this test's own (the shared server stays up for the others): four
clients keep recording meetings through the API (uvicorn, its own process) while PostgreSQL
is killed (``pg_ctl stop -m immediate``, a crash) and started again. While it is down every
answer is a 503 problem with ``Retry-After``, never a 500; the API recovers by itself; every
write that got a 201 is in the log at the position it was told, versions have no gap, and the
hash chain still verifies.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest

from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from tests.faults.cluster import DATABASE, throwaway_cluster
from tests.faults.live import api_server, credentials

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.timeout(120)]

WRITERS = 4
API = "/api/v1"
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Outcome:
    partnership: str
    sent_at: float
    status: int
    content_type: str
    retry_after: str | None
    body: dict[str, Any]


def wait_until(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def open_partnerships(http: httpx.Client, headers: dict[str, str], count: int) -> list[str]:
    ids = [
        http.post(
            f"{API}/organizations",
            json={"kind": kind, "name": name, "territory": "67"},
            headers=headers,
        ).json()["id"]
        for kind, name in (("association", "Emmaüs Strasbourg"), ("company", "La Poste"))
    ]
    opened = []
    for _ in range(count):
        response = http.post(
            f"{API}/partnerships",
            json={
                "association_id": ids[0],
                "company_id": ids[1],
                "origin": {"kind": "thematic_event"},
                "occurred_on": "2014-06-05",
                # One writer per partnership of the same pair: separate on purpose.
                "separate_on_purpose": {"reason": "one partnership per writer of the test"},
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text
        opened.append(response.json()["id"])
    return opened


def test_writes_get_503_while_postgresql_is_down_and_every_acknowledged_write_survives() -> None:
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    stop = threading.Event()
    with throwaway_cluster() as cluster:
        settings = Settings(
            postgres_host=cluster.host,
            postgres_port=cluster.port,
            postgres_user=cluster.user,
            postgres_db=DATABASE,
            postgres_pool_size=2,
            postgres_connect_timeout=1,
        )
        headers = credentials(settings)
        with api_server(settings) as (url, _):
            with httpx.Client(base_url=url, timeout=60) as http:
                partnerships = open_partnerships(http, headers, WRITERS)

            def writer(pid: str) -> None:
                with httpx.Client(base_url=url, timeout=60) as http:
                    while not stop.is_set():
                        sent_at = time.monotonic()
                        response = http.post(
                            f"{API}/partnerships/{pid}/meetings",
                            json={"occurred_on": "2014-07-01", "note": "bike repair workshop"},
                            headers=headers,
                        )
                        outcome = Outcome(
                            partnership=pid,
                            sent_at=sent_at,
                            status=response.status_code,
                            content_type=response.headers.get("content-type", ""),
                            retry_after=response.headers.get("retry-after"),
                            body=response.json(),
                        )
                        with lock:
                            outcomes.append(outcome)
                        if response.status_code == 503:
                            time.sleep(0.2)

            def count(status: int, since: float = 0.0) -> int:
                with lock:
                    return sum(1 for o in outcomes if o.status == status and o.sent_at >= since)

            def writers_recovered(since: float) -> bool:
                with lock:
                    return {
                        o.partnership for o in outcomes if o.status == 201 and o.sent_at >= since
                    } == set(partnerships)

            threads = [threading.Thread(target=writer, args=(p,)) for p in partnerships]
            for thread in threads:
                thread.start()
            try:
                wait_until(lambda: count(201) >= 40, "writes before the crash", 20)
                cluster.stop("immediate")
                crashed_at = time.monotonic()
                wait_until(lambda: count(503) >= 2, "503 while PostgreSQL is down", 40)
                cluster.start()
                restarted_at = time.monotonic()
                wait_until(lambda: writers_recovered(restarted_at), "recovery", 40)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=90)

        runtime = build_runtime(settings, run_projections=False)
        try:
            notifications = runtime.app.log.recorder.select_notifications(start=1, limit=100_000)
            verification = runtime.app.audit.verify_audit_chain()
        finally:
            runtime.close()

    statuses = Counter(o.status for o in outcomes)
    assert set(statuses) <= {201, 409, 503}, statuses
    unavailable = [o for o in outcomes if o.status == 503]
    assert all(o.content_type == PROBLEM for o in unavailable)
    assert all(o.body["rule"] == "store-unavailable" for o in unavailable)
    assert all(o.retry_after is not None and o.retry_after.isdigit() for o in unavailable)
    assert all(o.sent_at >= crashed_at - 60 for o in unavailable)
    # A 409 can only be a write whose commit went through while its answer was lost.
    assert all(o.body["rule"] == "concurrent-write" for o in outcomes if o.status == 409)

    acknowledged = {
        (UUID(o.partnership), o.body["version"]): o.body["position"]
        for o in outcomes
        if o.status == 201
    }
    stored = {
        (UUID(str(n.originator_id)), n.originator_version): n.id
        for n in notifications
        if str(n.originator_id) in partnerships and n.originator_version > 1
    }
    missing = {key for key in acknowledged if stored.get(key) != acknowledged[key]}
    assert not missing, f"acknowledged writes lost or moved: {sorted(missing)[:5]}"
    unacknowledged = len(stored) - len(acknowledged)
    assert 0 <= unacknowledged <= statuses[503] + statuses[409]
    for pid in partnerships:
        versions = sorted(v for p, v in stored if str(p) == pid)
        assert versions == list(range(2, len(versions) + 2)), f"version gap in {pid}"
    assert verification.ok, verification
    assert restarted_at > crashed_at
