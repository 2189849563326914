"""``partnerlab keys``: the operator's bootstrap path, on SQLite and PostgreSQL.

On a fresh install no key exists, so the first admin key can only come from the command line,
which talks to the database directly; after that, admins manage keys over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from infrastructure.settings import Settings
from partnerlab.cli import cli
from tests.faults.live import settings_env

runner = CliRunner()
API = "/api/v1"


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The process environment an operator would set for ``settings``' store."""
    for name in ("PARTNERLAB_DATABASE_URL", "POSTGRES_HOST", "PARTNERLAB_SQLITE_PATH"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings_env(settings).items():
        monkeypatch.setenv(name, value)
    return settings


@pytest.fixture
def api(environment: Settings, today: date) -> Iterator[TestClient]:
    with TestClient(create_app(environment, clock=lambda: today)) as client:
        yield client


def create_key(*options: str) -> tuple[str, str]:
    """Run ``keys create``; returns (token, what it said on standard error)."""
    result = runner.invoke(cli, ["keys", "create", *options])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout  # the token alone on standard output
    return lines[0], result.stderr


def test_the_first_admin_key_is_made_on_a_fresh_install_and_works_at_once(
    environment: Settings, api: TestClient
) -> None:
    token, said = create_key(
        "--lab", "alsace", "--role", "admin", "--name", "director@labo-partenariats.example"
    )

    assert token.startswith("plk_")
    assert "shown this once only" in said
    response = api.get(f"{API}/keys", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    [key] = response.json()["items"]
    assert (key["lab"], key["role"], key["name"]) == (
        "alsace",
        "admin",
        "director@labo-partenariats.example",
    )
    assert key["issued_by"].startswith("cli:")


def test_keys_are_listed_and_revoked_from_the_command_line(
    environment: Settings, api: TestClient
) -> None:
    token, _ = create_key("--lab", "alsace", "--role", "staff", "--name", "claire")
    create_key("--lab", "lorraine", "--role", "viewer", "--name", "paul", "--expires-in-days", "30")
    key_id = token.split("_")[1]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get(f"{API}/organizations", headers=headers).status_code == 200

    listed = runner.invoke(cli, ["keys", "list", "--lab", "alsace"])
    revoked = runner.invoke(cli, ["keys", "revoke", key_id, "--reason", "left the lab"])
    again = runner.invoke(cli, ["keys", "revoke", key_id])
    verified = runner.invoke(cli, ["audit", "verify"])

    assert listed.exit_code == 0, listed.output
    assert "claire" in listed.stdout
    assert "paul" not in listed.stdout
    assert revoked.exit_code == 0, revoked.output
    assert api.get(f"{API}/organizations", headers=headers).status_code == 401
    assert again.exit_code == 2
    assert "already revoked" in again.stderr
    assert verified.exit_code == 0, verified.output
    assert '"checked": 3' in verified.stdout


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--lab", "alsace", "--role", "owner", "--name", "x"], "owner"),
        (["--lab", " ", "--role", "staff", "--name", "x"], "lab is required"),
        (
            ["--lab", "a", "--role", "staff", "--name", "x", "--expires-at", "2001-01-01"],
            "cannot expire in the past",
        ),
        (["--lab", "a", "--role", "staff", "--name", "x", "--expires-at", "soon"], "soon"),
    ],
)
def test_a_bad_request_is_refused_without_a_traceback(
    api: TestClient, options: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["keys", "create", *options])

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.stdout.strip() == ""


def test_an_unknown_key_id_is_refused(api: TestClient) -> None:
    result = runner.invoke(cli, ["keys", "revoke", "00000000-0000-4000-8000-000000000000"])

    assert result.exit_code == 2
    assert "no API key" in result.stderr
