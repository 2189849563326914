"""Signing a test client in to the console: an account made through the application, its
password set through the one-time link, and the session cookie on the client."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from fastapi.testclient import TestClient

from application.context import Caller
from application.lab import PartnerLab
from domain.access.api_key import Role
from domain.values import OrganizationKind, OriginKind
from tests.lab_stories import open_between, register

PASSWORD = "a long enough console password"
ADMIN = Caller(lab="alsace", actor="cli:root")


def staff_of(client: TestClient) -> tuple[PartnerLab, Caller]:
    """The application behind ``client``'s app, and a staff caller of its default lab."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime.app, Caller(lab=runtime.settings.default_lab, actor="claire@labo.example")


def open_through_the_application(
    client: TestClient, association: str, company: str, on: date
) -> tuple[PartnerLab, Caller, UUID]:
    """Two organisations registered and a spontaneous partnership opened ``on`` that day, by a
    staff caller of the default lab, straight through the application (no HTTP)."""
    lab, caller = staff_of(client)
    association_id = register(lab, caller, OrganizationKind.ASSOCIATION, association)
    company_id = register(lab, caller, OrganizationKind.COMPANY, company)
    opened = open_between(lab, caller, association_id, company_id, on, OriginKind.SPONTANEOUS)
    return lab, caller, opened


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
