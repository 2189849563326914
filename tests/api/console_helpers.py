"""Signing a test client in to the console: an account made through the application, its
password set through the one-time link, and the session cookie on the client."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from application.context import Caller
from domain.access.api_key import Role

PASSWORD = "a long enough console password"
ADMIN = Caller(lab="alsace", actor="cli:root")


def console_client(client: TestClient, email: str, role: Role = Role.STAFF) -> TestClient:
    """A browser-like client of ``client``'s app, signed in as a new account of ``role``."""
    lab = client.app.state.runtime.app  # type: ignore[attr-defined]
    lab.accounts.sleep = lambda seconds: None
    lab_name = client.app.state.runtime.settings.default_lab  # type: ignore[attr-defined]
    created = lab.accounts.create_account(
        Caller(lab=lab_name, actor=ADMIN.actor), email=email, role=role
    )
    lab.accounts.set_password(created.link_token, PASSWORD)
    opened = lab.accounts.sign_in(email, PASSWORD)
    browser = TestClient(client.app, follow_redirects=False)
    browser.cookies.set("partnerlab_session", opened.token)
    browser.headers["Accept-Language"] = "fr-FR"
    return browser


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def form_token_of(html: str, index: int = 0) -> str:
    found: list[str] = re.findall(r'name="form_token" value="([^"]+)"', html)
    assert found, "the page has a form with a form token"
    return found[index]
