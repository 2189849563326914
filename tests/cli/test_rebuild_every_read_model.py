"""``partnerlab project --rebuild --only NAME`` for every read model: a progress line, then a
copy of the read model's tables, built beside the live ones, swapped in with the same content;
the live tables answer reads while the copy is built (on both databases)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from application.context import Caller
from domain.access.api_key import Role
from domain.values import OrganizationKind
from infrastructure.blue_green import SUFFIX, BlueGreen
from infrastructure.database import Database
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime
from partnerlab.cli import cli
from partnerlab.rebuild import READ_MODELS, rebuild_read_model
from tests.cli.test_project_rebuild import use_database
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


def in_background(
    settings: Settings, name: str
) -> tuple[threading.Thread, threading.Event, list[BaseException]]:
    """A rebuild of ``name`` in a thread: the thread, set when it ends, and its error."""
    done = threading.Event()
    failures: list[BaseException] = []

    def rebuild() -> None:
        try:
            rebuild_read_model(settings, name)
        except BaseException as error:  # handed to the test
            failures.append(error)
        finally:
            done.set()

    worker = threading.Thread(target=rebuild)
    worker.start()
    return worker, done, failures


@pytest.mark.parametrize("name", sorted(READ_MODELS))
def test_rebuilding_a_read_model_by_name_swaps_in_identical_tables(
    name: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_database(settings, monkeypatch)
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
    use_database(settings, monkeypatch)
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
        seen: list[dict[str, list[tuple[Any, ...]]]] = []
        worker, done, failures = in_background(settings, "catalog")
        while not done.is_set():
            seen.append(read())
        worker.join()
        assert failures == []
        assert len(seen) > 1
        assert all(answer == expected for answer in seen)
        assert read() == expected
    finally:
        runtime.close()


def test_the_live_catalogue_follows_on_while_it_is_rebuilt(settings: Settings) -> None:
    """Organisations registered while the copy is built are applied to the live tables at
    once, and none is lost at the swap (the copy catches up with the live position first)."""
    settings = settings.model_copy(update={"rebuild_batch_size": 3})
    runtime = populated(settings)
    try:
        live = runtime.followers["catalog"]

        def names() -> set[str]:
            rows = runtime.database.query(
                "SELECT name FROM pl_organizations WHERE lab = %(lab)s", {"lab": STAFF.lab}
            )
            return {str(row["name"]) for row in rows}

        registered = names()
        worker, done, failures = in_background(settings, "catalog")
        while not done.is_set():
            name = f"Association {len(registered):03d}"
            runtime.app.organizations.register_organization(
                STAFF, kind=OrganizationKind.ASSOCIATION, name=name, territory="67"
            )
            registered.add(name)
            live.catch_up()
            assert names() == registered
        worker.join()
        assert failures == []
        live.catch_up()
        assert names() == registered
        assert live.position() == runtime.app.read_models.log_head()
    finally:
        runtime.close()


def test_a_copy_left_by_a_killed_rebuild_is_dropped_first(settings: Settings) -> None:
    runtime = populated(settings)
    try:
        model, _ = READ_MODELS["accounts"]
        before = content(runtime.database, model.tables)
        with runtime.database.transaction() as cursor:
            cursor.execute(f"CREATE TABLE pl_accounts{SUFFIX} (junk TEXT)")
        assert copies(runtime.database) == [f"pl_accounts{SUFFIX}"]
        rebuild_read_model(settings, "accounts")
        assert copies(runtime.database) == []
        assert content(runtime.database, model.tables) == before
    finally:
        runtime.close()


def test_a_copy_behind_the_live_read_model_catches_up_before_the_swap(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An organisation the live follower applies after the copy's last batch, just before
    the swap, is in the swapped-in tables at once (never served missing)."""
    runtime = populated(settings)
    try:
        live = runtime.followers["catalog"]
        swap = BlueGreen._swap

        def late_write_then_swap(self: BlueGreen, catch_up: Callable[[], object]) -> int:
            if not getattr(self, "wrote", False):
                self.wrote = True  # type: ignore[attr-defined]
                runtime.app.organizations.register_organization(
                    STAFF, kind=OrganizationKind.COMPANY, name="Late & Co", territory="68"
                )
                live.catch_up()
            return swap(self, catch_up)

        monkeypatch.setattr(BlueGreen, "_swap", late_write_then_swap)
        rebuild_read_model(settings, "catalog")
        rows = runtime.database.query(
            "SELECT name FROM pl_organizations WHERE name = %(name)s", {"name": "Late & Co"}
        )
        assert len(rows) == 1
        assert live.position() == runtime.app.read_models.log_head()
    finally:
        runtime.close()
