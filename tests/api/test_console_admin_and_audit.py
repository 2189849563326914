"""The console's admin pages (API keys issued with the token shown once, revoked; an
account's role changed, an account disabled) and the auditor's page (digest, verification,
a partnership as of a date and as known at a time), through HTTP on both databases."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from application.context import Caller
from domain.access.api_key import Role
from domain.values import OrganizationKind
from tests.api.console_helpers import (
    console_client,
    csrf_of,
    form_token_of,
    open_through_the_application,
)


def test_an_admin_issues_a_key_shown_once_and_revokes_it(client: TestClient) -> None:
    admin = console_client(client, "admin.keys@labo.example", Role.ADMIN)
    form = admin.get("/console/admin/keys")
    assert form.status_code == 200
    token = form_token_of(form.text, -1)
    sent = {"csrf_token": csrf_of(form.text), "form_token": token,
            "name": "Synchronisation CRM", "role": "viewer"}  # fmt: skip
    issued = admin.post("/console/admin/keys", data=sent)
    assert issued.status_code == 201
    shown = re.search(r'<code id="issued-token">([^<]+)</code>', issued.text)
    assert shown
    key = shown.group(1)
    assert (
        client.get(
            "/api/v1/reports/pipeline", headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 200
    )
    again = admin.post("/console/admin/keys", data=sent)  # the same form sent twice
    assert again.status_code == 303
    listing = admin.get("/console/admin/keys").text
    assert key not in listing  # shown once only
    assert listing.count("<td>Synchronisation CRM</td>") == 1
    row = listing[listing.index("<td>Synchronisation CRM</td>") :].split("</tr>")[0]
    key_id = re.search(r'action="/console/admin/keys/([0-9a-f-]{36})/revoke"', row)
    assert key_id
    revoked = admin.post(f"/console/admin/keys/{key_id.group(1)}/revoke",
                         data={"csrf_token": csrf_of(listing)})  # fmt: skip
    assert revoked.status_code == 303
    assert "révoquée" in admin.get("/console/admin/keys").text
    assert (
        client.get(
            "/api/v1/reports/pipeline", headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 401
    )
    staff = console_client(client, "staff.keys@labo.example", Role.STAFF)
    assert staff.get("/console/admin/keys").status_code == 403


def test_an_admin_changes_a_role_and_disables_an_account(client: TestClient) -> None:
    admin = console_client(client, "admin.roles@labo.example", Role.ADMIN)
    staff = console_client(client, "staff.roles@labo.example", Role.STAFF)
    assert staff.get("/console/organisations").status_code == 200
    page = admin.get("/console/admin/accounts").text
    account = re.search(r'action="/console/admin/accounts/([0-9a-f-]{36})/role"', page)
    assert account
    row = page[page.index(f'id="account-{account.group(1)}"') :]
    assert "staff.roles@labo.example" in row.split("</tr>")[0]
    version = re.search(r'name="version" value="(\d+)"', row).group(1)  # type: ignore[union-attr]
    sent = {"csrf_token": csrf_of(page), "role": "viewer", "version": version}
    changed = admin.post(f"/console/admin/accounts/{account.group(1)}/role", data=sent)
    assert changed.status_code == 303
    stale = admin.post(f"/console/admin/accounts/{account.group(1)}/disable",
                       data={"csrf_token": csrf_of(page), "version": version})  # fmt: skip
    assert stale.status_code == 409  # the page was opened before the role changed
    page = admin.get("/console/admin/accounts").text
    row = page[page.index(f'id="account-{account.group(1)}"') :]
    assert "lecteur" in row.split("</tr>")[0] or "viewer" in row.split("</tr>")[0]
    version = re.search(r'name="version" value="(\d+)"', row).group(1)  # type: ignore[union-attr]
    disabled = admin.post(f"/console/admin/accounts/{account.group(1)}/disable",
                          data={"csrf_token": csrf_of(page), "version": version})  # fmt: skip
    assert disabled.status_code == 303
    assert staff.get("/console/organisations").status_code == 303  # signed out: to sign-in


def test_an_auditor_reads_a_partnership_as_of_a_date_and_verifies_the_chain(
    client: TestClient, today: date
) -> None:
    month_ago = today - timedelta(days=30)
    lab, caller, opened = open_through_the_application(client, "Emmaüs", "Schneider", month_ago)
    before = datetime.now(UTC)
    lab.partnerships.record_meeting(caller, opened, occurred_on=today - timedelta(days=10))
    auditor = console_client(client, "auditor.audit@labo.example", Role.AUDITOR)
    page = auditor.get("/console/audit?verify=1")
    assert page.status_code == 200
    assert 'id="digest"' in page.text
    assert "Vérifié" in page.text
    as_of = (today - timedelta(days=20)).isoformat()
    past = auditor.get(f"/console/audit?partnership={opened}&as_of={as_of}")
    assert past.status_code == 200
    assert past.text.count("<li>", past.text.index('id="snapshot-milestones"')) >= 1
    milestones = past.text[past.text.index('id="snapshot-milestones"') :].split("</ol>")[0]
    assert milestones.count("<li>") == 1  # the later meeting is not there yet
    known = before.replace(tzinfo=None).isoformat()
    then = auditor.get(f"/console/audit?partnership={opened}&known_at={known}")
    milestones = then.text[then.text.index('id="snapshot-milestones"') :].split("</ol>")[0]
    assert milestones.count("<li>") == 1
    now = auditor.get(f"/console/audit?partnership={opened}")
    milestones = now.text[now.text.index('id="snapshot-milestones"') :].split("</ol>")[0]
    assert milestones.count("<li>") == 2
    assert auditor.get("/console/audit?partnership=nope").status_code == 422
    staff = console_client(client, "staff.audit@labo.example", Role.STAFF)
    assert staff.get("/console/audit").status_code == 403


def test_home_shows_the_latest_milestones_recorded(client: TestClient, today: date) -> None:
    month_ago = today - timedelta(days=30)
    lab, caller, opened = open_through_the_application(client, "Emmaüs", "Schneider", month_ago)
    lab.partnerships.record_meeting(caller, opened, occurred_on=today - timedelta(days=10))
    other = Caller(lab="elsewhere", actor="someone@else.example")
    lab.organizations.register_organization(
        other, kind=OrganizationKind.COMPANY, name="Ailleurs", territory="75"
    )
    staff = console_client(client, "staff.home@labo.example")
    home = staff.get("/").text
    listed = home[home.index('id="milestones"') :].split("</ul>")[0]
    assert listed.count("<li>") == 2
    assert listed.index("rencontre") < listed.index("ouvert")  # newest first
    assert f"/console/partnerships/{opened}" in listed
    assert "claire@labo.example" in listed
    viewer = console_client(client, "viewer.home@labo.example", Role.VIEWER)
    assert 'id="milestones"' not in viewer.get("/").text
