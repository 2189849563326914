"""The dashboard in a real browser: the demo data set, a real uvicorn server on 127.0.0.1,
Debian's headless Chromium taking a screenshot and dumping the page, whose figures must be
those of the JSON reports.

Chromium cannot send an ``Authorization`` header from its command line, so the server the
browser talks to is the application behind a tiny test-only wrapper that adds a viewer's key
to every request (a signed-in browser session, as far as the application can tell).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from application.context import Caller
from domain.access.api_key import Role
from infrastructure.settings import Settings
from partnerlab.demo import load_demo
from tests.serving import serving

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


class WithKey:
    """Adds ``Authorization: Bearer <token>`` to every HTTP request (test harness only)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.header = (b"authorization", f"Bearer {token}".encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "headers": [*scope["headers"], self.header]}
        await self.app(scope, receive, send)


@dataclass
class Server:
    url: str
    token: str
    position: int


@pytest.fixture
def server(settings: Settings, today: date) -> Iterator[Server]:
    app = create_app(settings, clock=lambda: today)
    wrapper = WithKey(app, "pending")
    with serving(wrapper) as url:
        runtime = app.state.runtime
        lab = runtime.settings.default_lab
        summary = load_demo(runtime.app, lab=lab, actor="demo")
        issued = runtime.app.keys.issue_api_key(
            Caller(lab=lab, actor="operator"), name="dashboard viewer", role=Role.VIEWER
        )
        wrapper.header = (b"authorization", f"Bearer {issued.token}".encode())
        assert summary.last_position is not None
        yield Server(url, issued.token, summary.last_position)


def chromium(*arguments: str, tmp: Path) -> str:
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), (
        "Debian's chromium is needed: apt-get install -y chromium (.ci/run does it)"
    )
    completed = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def figures(dom: str) -> dict[str, str]:
    """Each figure as the JSON gives it (``data-value``; the cell shows it in the locale)."""
    return {
        name: value
        for value, name in re.findall(r'data-value="([^"]*)" data-figure="([^"]+)">', dom)
    }


def test_the_dashboard_shows_the_demos_figures_in_a_browser(server: Server, tmp_path: Path) -> None:
    url = f"{server.url}/dashboard?position={server.position}"
    screenshot = tmp_path / "dashboard.png"
    chromium(f"--screenshot={screenshot}", "--window-size=1200,3000", url, tmp=tmp_path)
    png = screenshot.read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(png) > 50_000

    dom = chromium("--dump-dom", url, tmp=tmp_path)
    shown = figures(dom)
    headers = {"Authorization": f"Bearer {server.token}"}

    def report(name: str) -> Any:
        response = httpx.get(f"{server.url}/api/v1/reports/{name}", headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    signed = report("signed")
    assert signed["total"] > 5, "the demo signs contracts over several years"
    for year in signed["years"]:
        for category, count in year["by_category"].items():
            assert shown[f"signed.{year['year']}.{category}"] == str(count)
    assert shown["signed.total"] == str(signed["total"])
    for stage in report("funnel")["stages"]:
        name = stage["stage"]
        assert shown[f"funnel.{name}.reached"] == str(stage["reached"])
        assert shown[f"funnel.{name}.reached_strict"] == str(stage["reached_strict"])
        assert shown[f"funnel.{name}.abandoned"] == str(stage["abandoned"])
        assert shown[f"funnel.{name}.conversion"] == (stage["conversion"] or "-")
    time_in_stage = report("time-in-stage")
    for stage in time_in_stage["stages"]:
        assert shown[f"time.{stage['stage']}.median"] == (stage["in_stage"]["median_days"] or "-")
    assert shown["time.stalled"] == str(time_in_stage["stalled_count"])
    assert shown["time.cycle.median"] == (time_in_stage["cycle_time"]["median_days"] or "-")
    pipeline = report("pipeline")
    assert shown["pipeline.total"] == str(pipeline["total_open"])
    assert shown["impact.financial_eur"] == report("impact")["totals"]["financial_eur"]
