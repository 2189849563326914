"""A person opens the dashboard in a browser: sign in once with a key, then read it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from domain.access.api_key import Role
from tests.api.conftest import API, issue_key

HTML = {"Accept": "text/html,application/xhtml+xml"}


def anonymous(client: TestClient) -> TestClient:
    return TestClient(client.app, follow_redirects=False)


def test_a_browser_without_a_key_is_sent_to_the_sign_in_form(client: TestClient) -> None:
    browser = anonymous(client)
    response = browser.get("/dashboard", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/login"
    form = browser.get("/dashboard/login")
    assert form.status_code == 200
    assert 'name="key"' in form.text
    assert browser.get("/dashboard").status_code == 401  # an API client still gets 401


def test_signing_in_keeps_the_key_in_a_dashboard_only_cookie(client: TestClient) -> None:
    browser = anonymous(client)
    token = issue_key(client, Role.VIEWER, name="funder@example.org")
    signed_in = browser.post("/dashboard/login", data={"key": token})
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/dashboard" in cookie
    page = browser.get("/dashboard", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text
    browser.cookies.set("partnerlab_dashboard", token)
    assert browser.get(f"{API}/reports/signed").status_code == 401  # the cookie opens nothing else
    browser.post("/dashboard/logout")
    browser.cookies.clear()
    assert browser.get("/dashboard", headers=HTML).status_code == 303


def test_a_wrong_or_revoked_key_does_not_sign_in(client: TestClient) -> None:
    browser = anonymous(client)
    refused = browser.post("/dashboard/login", data={"key": "plk_not_a_key"})
    assert refused.status_code == 401
    assert "set-cookie" not in refused.headers
    browser.cookies.set("partnerlab_dashboard", "plk_forged", path="/dashboard")
    assert browser.get("/dashboard", headers=HTML).status_code == 401
