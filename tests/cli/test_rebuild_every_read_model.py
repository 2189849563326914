"""``partnerlab project --rebuild --only NAME`` for every read model: a progress line, then a
copy of the read model's tables, built beside the live ones, swapped in with the same content;
the live tables answer reads while the copy is built (on both databases)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from application.context import Caller
from domain.access.api_key import Role
from infrastructure.blue_green import SUFFIX
from infrastructure.database import Database
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime
from partnerlab.cli import cli
from partnerlab.rebuild import READ_MODELS, rebuild_read_model
from tests.cli.test_cli import DATABASE_VARIABLES
from tests.cli.test_project_rebuild import environment
from tests.integration.report_stories import record_the_lab

STAFF = Caller(lab="alsace", actor="claire.staff")
ADMIN = Caller(lab="alsace", actor="anna.admin")


def content(database: Database, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables, in a stable order."""
    return {
        table: sorted(
            (
                tuple(str(v) for v in row.values())
                for row in database.query(f"SELECT * FROM {table}")
            ),
        )
        for table in tables
    }


def populated(settings: Settings) -> Runtime:
    runtime = build_runtime(settings, run_projections=False)
    record_the_lab(runtime.app, STAFF)
    runtime.app.keys.issue_api_key(ADMIN, name="ci", role=Role.STAFF)
    runtime.app.accounts.create_account(ADMIN, email="lea@example.org", role=Role.STAFF)
    runtime.app.funding.record_subsidy(
        STAFF, funder="Région", year=2015, amount_eur=Decimal("1500"), granted_on=date(2015, 3, 2)
    )
    runtime.followers.catch_up()
    return runtime


def copies(database: Database) -> list[str]:
    if database.dialect == "postgres":
        rows = database.query(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        )
    else:
        rows = database.query("SELECT name FROM sqlite_master")
    return [str(row["name"]) for row in rows if SUFFIX in str(row["name"])]


@pytest.mark.parametrize("name", sorted(READ_MODELS))
def test_rebuilding_a_read_model_by_name_swaps_in_identical_tables(
    name: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in DATABASE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment(settings).items():
        monkeypatch.setenv(variable, value)
    model, _ = READ_MODELS[name]
    runtime = populated(settings)
    try:
        follower = runtime.followers[name]
        before = content(runtime.database, model.tables)
        position = follower.position()
        assert any(before.values()), f"{name} has nothing to rebuild"

        result = CliRunner().invoke(cli, ["project", "--rebuild", "--only", name])

        assert result.exit_code == 0, result.output
        assert f"rebuilding {name}" in result.output
        assert f"Read model {name} rebuilt" in result.output
        assert "Reports rebuilt" not in result.output
        assert content(runtime.database, model.tables) == before
        assert follower.position() == position
        assert copies(runtime.database) == []
        # The swapped-in tables follow the log on, and a second rebuild works as well.
        record_the_lab(runtime.app, Caller(lab="vosges", actor="v.staff"))
        runtime.followers.catch_up()
        grown = content(runtime.database, model.tables)
        rebuild_read_model(settings, name)
        assert content(runtime.database, model.tables) == grown
    finally:
        runtime.close()


def test_an_unknown_read_model_is_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in DATABASE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment(settings).items():
        monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(cli, ["project", "--rebuild", "--only", "nope"])
    assert result.exit_code == 2
    assert "No read model named 'nope'" in result.output


def test_reads_go_on_while_the_catalogue_is_rebuilt(settings: Settings) -> None:
    """The copy is built a few events at a time while the live tables answer; every answer
    is whole (the old tables, then the new ones, never an empty or partial copy)."""
    settings = settings.model_copy(update={"rebuild_batch_size": 3})
    runtime = populated(settings)
    try:
        model, _ = READ_MODELS["catalog"]

        def read() -> dict[str, list[tuple[Any, ...]]]:
            return content(runtime.database, model.tables[1:])

        expected = read()
        assert all(expected.values())
        done = threading.Event()
        seen: list[dict[str, list[tuple[Any, ...]]]] = []
        failures: list[BaseException] = []

        def rebuild() -> None:
            try:
                rebuild_read_model(settings, "catalog")
            except BaseException as error:  # handed to the test
                failures.append(error)
            finally:
                done.set()

        worker = threading.Thread(target=rebuild)
        worker.start()
        while not done.is_set():
            seen.append(read())
        worker.join()
        assert failures == []
        assert len(seen) > 1
        assert all(answer == expected for answer in seen)
        assert read() == expected
    finally:
        runtime.close()
