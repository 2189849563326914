"""The README's curl walk-through, run as written against a real server on both databases.

Every line the walk-through prints must be the one its ``# ->`` comment announces, in order;
afterwards the events are read back from the store the server was configured with.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from application.audit.ports import AuditFilter
from application.context import Caller
from domain.access.api_key import Role
from domain.values import Stage
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime

README = Path(__file__).resolve().parents[2] / "README.md"
ACTOR = "claire@labo-partenariats.example"


def walkthrough() -> tuple[str, list[str]]:
    text = README.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- walkthrough -->\s*```bash\n(.*?)```\s*<!-- /walkthrough -->", text, re.S
    )
    assert block is not None, "the README lost its walk-through block"
    script = block.group(1)
    expected = re.findall(r"^# -> (.*)$", script, re.M)
    return script, expected


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(settings: Settings, today: date) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, clock=lambda: today), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def test_the_readme_walkthrough_runs_as_written(
    server: str, settings: Settings, today: date
) -> None:
    assert shutil.which("jq"), "the walk-through reads answers with jq (apt-get install jq)"
    runtime = build_runtime(settings, clock=lambda: today, run_projections=False)
    try:
        key = runtime.app.keys.issue_api_key(
            Caller(lab="alsace", actor="operator"), name=ACTOR, role=Role.STAFF
        ).token
    finally:
        runtime.close()
    script, expected = walkthrough()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "KEY": key, "BASE": f"{server}/api/v1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected, done.stderr

    assert httpx.get(f"{server}/readyz").status_code == 200
    runtime = build_runtime(settings, clock=lambda: today, run_projections=False)
    try:
        staff = Caller(lab="alsace", actor=ACTOR)
        runtime.app.read_models.wait_for_projections()
        history = runtime.app.audit.audit_events(staff, AuditFilter())
        assert [e.event_type for e in history][-6:] == [
            "Opened",
            "IdeaProposed",
            "CoConstructionStarted",
            "CoConstructionProgressed",
            "ContractSigned",
            "EvaluationRecorded",
        ]
        partnership_id = history[-1].aggregate_id
        assert (
            runtime.app.partnerships.get_partnership(staff, partnership_id).stage
            is Stage.EVALUATION
        )
        stored = runtime.app.log.recorder.select_notifications(start=1, limit=1000)
        assert len(stored) == len(history)
    finally:
        runtime.close()
