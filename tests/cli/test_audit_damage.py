"""``partnerlab audit verify`` on a log whose stored rows were damaged in every way the
database lets a column be changed: another type, another length, NULL, bytes that are not
text. It names the damaged position (exit 3) and never ends in a traceback.

Position 2 is damaged; position 1 stays intact, so the verification must get past it and
stop exactly there (except where a whole column's type is changed on PostgreSQL: then
position 1 is the first damaged row).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from application.context import Caller
from domain.access.api_key import Role
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.cli import cli
from tests.conftest import postgres_settings, sqlite_settings
from tests.faults.live import settings_env

runner = CliRunner()

SQLITE_DAMAGE = {
    "state-bytes-to-text": "UPDATE stored_events SET state = CAST(state AS TEXT) WHERE rowid = 2",
    "state-null": "UPDATE stored_events SET state = NULL WHERE rowid = 2",
    "state-shorter": "UPDATE stored_events SET state = substr(state, 1, 5) WHERE rowid = 2",
    "state-longer": "UPDATE stored_events SET state = state || X'00' WHERE rowid = 2",
    "state-integer": "UPDATE stored_events SET state = 42 WHERE rowid = 2",
    "state-not-utf8-text": "UPDATE stored_events SET state = CAST(X'ff80' AS TEXT) WHERE rowid = 2",
    "topic-null": "UPDATE stored_events SET topic = NULL WHERE rowid = 2",
    "topic-blob": "UPDATE stored_events SET topic = CAST(topic AS BLOB) WHERE rowid = 2",
    "topic-not-utf8": "UPDATE stored_events SET topic = CAST(X'ff' AS TEXT) WHERE rowid = 2",
    "topic-longer": "UPDATE stored_events SET topic = topic || 'x' WHERE rowid = 2",
    "topic-empty": "UPDATE stored_events SET topic = '' WHERE rowid = 2",
    "id-null": "UPDATE stored_events SET originator_id = NULL WHERE rowid = 2",
    "id-not-a-uuid": "UPDATE stored_events SET originator_id = 'nope' WHERE rowid = 2",
    "id-integer": "UPDATE stored_events SET originator_id = 7 WHERE rowid = 2",
    "id-blob": "UPDATE stored_events SET originator_id = X'0102' WHERE rowid = 2",
    "version-null": "UPDATE stored_events SET originator_version = NULL WHERE rowid = 2",
    "version-text": "UPDATE stored_events SET originator_version = 'two' WHERE rowid = 2",
    "version-real": "UPDATE stored_events SET originator_version = 1.5 WHERE rowid = 2",
    "version-other": "UPDATE stored_events SET originator_version = 99 WHERE rowid = 2",
    "link-not-utf8": "UPDATE stored_chain SET link = CAST(X'ff' AS TEXT) WHERE position = 2",
    "link-integer": "UPDATE stored_chain SET link = 5 WHERE position = 2",
}

WHERE = " WHERE notification_id = 2"
# originator_id and originator_version are the primary key there: they cannot be NULL.
POSTGRES_DAMAGE = {
    "state-bytes-to-text": [
        "ALTER TABLE partnerlab_events ALTER COLUMN state TYPE text USING encode(state, 'escape')"
    ],
    "state-null": [f"UPDATE partnerlab_events SET state = NULL{WHERE}"],
    "state-shorter": [f"UPDATE partnerlab_events SET state = substring(state from 1 for 5){WHERE}"],
    "state-empty": [f"UPDATE partnerlab_events SET state = ''::bytea{WHERE}"],
    "topic-null": [f"UPDATE partnerlab_events SET topic = NULL{WHERE}"],
    "topic-longer": [f"UPDATE partnerlab_events SET topic = topic || 'x'{WHERE}"],
    "topic-bytes": [
        "ALTER TABLE partnerlab_events ALTER COLUMN topic TYPE bytea"
        " USING convert_to(topic, 'UTF8')",
        f"UPDATE partnerlab_events SET topic = '\\xff'::bytea{WHERE}",
    ],
    "id-not-a-uuid": [
        "ALTER TABLE partnerlab_events ALTER COLUMN originator_id TYPE text",
        f"UPDATE partnerlab_events SET originator_id = 'nope'{WHERE}",
    ],
    "version-other": [f"UPDATE partnerlab_events SET originator_version = 99{WHERE}"],
    "version-text": [
        "ALTER TABLE partnerlab_events ALTER COLUMN originator_version TYPE text",
        f"UPDATE partnerlab_events SET originator_version = 'two'{WHERE}",
    ],
    "link-null": [
        "ALTER TABLE partnerlab_chain ALTER COLUMN link DROP NOT NULL",
        "UPDATE partnerlab_chain SET link = NULL WHERE position = 2",
    ],
}


WHOLE_COLUMN = {"state-bytes-to-text"}


def record_three_events(settings: Settings) -> None:
    runtime = build_runtime(settings, run_projections=False)
    try:
        for name in ("claire", "paul", "ines"):
            runtime.app.keys.issue_api_key(
                Caller(lab="alsace", actor="operator"), name=name, role=Role.STAFF
            )
    finally:
        runtime.close()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Any:
    def use(settings: Settings) -> None:
        for name in ("PARTNERLAB_DATABASE_URL", "POSTGRES_HOST", "PARTNERLAB_SQLITE_PATH"):
            monkeypatch.delenv(name, raising=False)
        for name, value in settings_env(settings).items():
            monkeypatch.setenv(name, value)

    return use


def verify_names_position_2(expected: int = 2) -> dict[str, Any]:
    result = runner.invoke(cli, ["audit", "verify"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 3, result.output
    mismatch: dict[str, Any] = json.loads(result.stdout)["first_mismatch"]
    assert mismatch["position"] == expected, mismatch
    return mismatch


@pytest.mark.parametrize("damage", SQLITE_DAMAGE, ids=list(SQLITE_DAMAGE))
def test_damage_on_sqlite_is_named(damage: str, tmp_path: Any, environment: Any) -> None:
    settings = sqlite_settings(tmp_path)
    record_three_events(settings)
    environment(settings)
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0

    with sqlite3.connect(settings.sqlite_path) as connection:
        connection.execute(SQLITE_DAMAGE[damage])

    mismatch = verify_names_position_2()

    assert mismatch["kind"] in ("changed", "malformed")


@pytest.mark.postgres
@pytest.mark.parametrize("damage", POSTGRES_DAMAGE, ids=list(POSTGRES_DAMAGE))
def test_damage_on_postgres_is_named(
    damage: str, postgres_database: dict[str, str], environment: Any
) -> None:
    settings = postgres_settings(postgres_database)
    record_three_events(settings)
    environment(settings)
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as connection:
        for statement in POSTGRES_DAMAGE[damage]:
            connection.execute(statement)  # type: ignore[arg-type]

    # Changing a column's type changes every row: the first one is named.
    mismatch = verify_names_position_2(1 if damage in WHOLE_COLUMN else 2)

    assert mismatch["kind"] in ("changed", "malformed")


def test_a_row_that_cannot_be_read_is_malformed_naming_its_column(
    tmp_path: Any, environment: Any
) -> None:
    settings = sqlite_settings(tmp_path)
    record_three_events(settings)
    environment(settings)

    with sqlite3.connect(settings.sqlite_path) as connection:
        connection.execute(SQLITE_DAMAGE["state-bytes-to-text"])

    mismatch = verify_names_position_2()

    assert mismatch["kind"] == "malformed"
    assert "state is stored as text, not blob" in mismatch["detail"]
