"""Every page works on a network without internet: nothing refers to another host."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import API, Partners, open_partnership, write
from tests.api.test_speed_dating_session import Session, plan_and_fill

HTML = {"Accept": "text/html"}
REFERENCE = re.compile(r"""(?:src|href|action|url)\s*[=(]\s*["']?([^"' )>]+)""", re.IGNORECASE)


def outside_references(page: str) -> list[str]:
    """Every address a page loads or links to that is not on this service."""
    return [
        ref
        for ref in REFERENCE.findall(page)
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", ref, re.IGNORECASE)
    ]


def test_outside_references_are_recognised() -> None:
    page = '<script src="https://cdn.example/x.js"></script><link href="//cdn.example/a.css">'
    assert outside_references(page) == ["https://cdn.example/x.js", "//cdn.example/a.css"]
    assert outside_references('<link href="/static/console.css">') == []


def test_the_api_docs_load_swagger_ui_from_the_service_itself(client: TestClient) -> None:
    anonymous = TestClient(client.app)
    docs = anonymous.get("/docs")
    assert docs.status_code == 200
    assert outside_references(docs.text) == []
    assert "<script>" not in docs.text, "no inline script"
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text)
    assert len(assets) == 4  # favicon, stylesheet, bundle, start-up script
    for asset in assets:
        answer = anonymous.get(asset)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 100
    start = anonymous.get("/static/swagger-init.js").text
    assert "validatorUrl: null" in start, "the validator would call another host"
    assert 'data-openapi-url="/openapi.json"' in docs.text
    assert anonymous.get("/redoc").status_code == 404  # FastAPI's ReDoc page used a CDN


def test_no_console_page_refers_to_another_host(client: TestClient, partners: Partners) -> None:
    scheduled: Session = plan_and_fill(client)
    assert write(client, scheduled.path("/schedule")).status_code == 201
    timetable = f"{API}{scheduled.path('/timetable')}"
    ibm = scheduled.companies[0]["id"]
    opened = open_partnership(client, partners.food_bank, partners.ibm)
    pages = [
        "/dashboard",
        "/dashboard/login",
        timetable,
        f"{timetable}/tables",
        f"{timetable}/participants/{ibm}",
        f"{API}{scheduled.path('/screen')}",
        f"{API}/partnerships/{opened['id']}/lineage",
    ]
    for path in pages:
        page = client.get(path, headers=HTML)
        assert page.status_code == 200, (path, page.text[:300])
        assert page.headers["content-type"].startswith("text/html"), path
        assert outside_references(page.text) == [], path
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            assert client.get(asset).status_code == 200, asset
