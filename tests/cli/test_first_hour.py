"""What a newcomer meets on the command line: each command says which database it uses and
will not create one by accident; long work shows progress; keys are listed in 100 columns
(or as JSON) and revoked by a short id; the sub-commands do not import each other."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from application.context import Caller
from domain.access.api_key import Role
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.cli import cli
from partnerlab.cli.keys import resolve_key_id, short_ids
from tests.cli.test_cli import DATABASE_VARIABLES
from tests.faults.live import settings_env

runner = CliRunner()
CLI_PACKAGE = Path(__file__).resolve().parents[2] / "partnerlab" / "cli"


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    for name in DATABASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in settings_env(settings).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PARTNERLAB_PROGRESS_INTERVAL", "0")
    monkeypatch.chdir(tmp_path)
    return settings


DATABASE_COMMANDS = [
    ["keys", "create", "--lab", "alsace", "--role", "admin", "--name", "d"],
    ["keys", "list"],
    ["keys", "revoke", "0123abcd"],
    ["audit", "digest"],
    ["audit", "verify"],
    ["audit", "export"],
    ["project", "--once"],
    ["project", "--rebuild"],
]


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_no_command_but_serve_db_init_and_demo_creates_a_sqlite_file(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in DATABASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(cli, command)

    assert result.exit_code == 1, result.output
    assert f"Database: SQLite {tmp_path / 'partnerlab.sqlite3'}" in result.stderr
    assert "no database at" in result.stderr
    assert "partnerlab db init" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "partnerlab.sqlite3").exists()


def test_db_init_creates_it_and_then_every_command_says_which_it_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in DATABASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    assert runner.invoke(cli, ["db", "init"]).exit_code == 0
    made = runner.invoke(cli, DATABASE_COMMANDS[0])

    assert made.exit_code == 0, made.output
    assert f"Database: SQLite {tmp_path / 'partnerlab.sqlite3'}" in made.stderr
    assert made.stdout.startswith("plk_")


def test_postgres_is_announced_without_its_password(
    environment: Settings, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend == "postgres":
        url = settings_env(environment)["PARTNERLAB_DATABASE_URL"]
        monkeypatch.setenv("PARTNERLAB_DATABASE_URL", url.replace("@", ":s3cr3t@", 1))
        monkeypatch.setenv("PGPASSWORD", "")
    assert runner.invoke(cli, ["db", "init"]).exit_code == 0

    result = runner.invoke(cli, ["audit", "digest"])

    assert result.exit_code == 0, result.output
    assert f"Database: {environment.describe_database()}" in result.stderr
    assert "s3cr3t" not in result.output


def issue(settings: Settings, *names: str) -> list[str]:
    runtime = build_runtime(settings, run_projections=False)
    try:
        return [
            str(
                runtime.app.keys.issue_api_key(
                    Caller(lab="alsace", actor="operator"),
                    name=f"{name}@labo-partenariats.example",
                    role=Role.STAFF,
                ).key.id
            )
            for name in names
        ]
    finally:
        runtime.close()


def test_keys_list_fits_100_columns_and_has_json(environment: Settings) -> None:
    ids = issue(environment, "claire", "paul")
    wide = CliRunner(env={"COLUMNS": "100"})

    table = wide.invoke(cli, ["keys", "list"])
    as_json = runner.invoke(cli, ["keys", "list", "--json"])

    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    for key_id in ids:
        assert sum(key_id[:8] in line for line in lines) == 1  # one line, not folded
    listed = json.loads(as_json.stdout)
    assert [k["id"] for k in listed] == ids
    assert listed[0]["name"] == "claire@labo-partenariats.example"
    assert listed[0]["revoked_at"] is None


def test_keys_revoke_takes_a_unique_prefix(environment: Settings) -> None:
    [claire, _] = issue(environment, "claire", "paul")

    revoked = runner.invoke(cli, ["keys", "revoke", claire[:8]])
    listed = json.loads(runner.invoke(cli, ["keys", "list", "--json"]).stdout)

    assert revoked.exit_code == 0, revoked.output
    assert f"Revoked key {claire}" in revoked.stdout
    assert [k["revoked_at"] is not None for k in listed] == [True, False]


def test_an_ambiguous_or_unknown_prefix_is_refused(environment: Settings) -> None:
    issue(environment, "claire")

    unknown = runner.invoke(cli, ["keys", "revoke", "ffffffffff"])
    junk = runner.invoke(cli, ["keys", "revoke", "not-hex!"])

    assert unknown.exit_code == 2
    assert "no API key has an id starting with 'ffffffffff'" in unknown.stderr
    assert junk.exit_code == 2
    assert "is not a key id" in junk.stderr


def test_prefixes_are_resolved_and_shortened_unambiguously() -> None:
    from uuid import UUID

    one = UUID("0123abcd-0000-4000-8000-000000000001")
    two = UUID("0123abcd-0000-4000-8000-000000000002")
    with pytest.raises(typer.Exit):
        resolve_key_id("0123abcd", [one, two])
    assert resolve_key_id("0123abcd-0000-4000-8000-0000000000", [one]) == one
    assert resolve_key_id("0123ABCD00004", [one]) == one
    short = short_ids([one, two])
    assert short[one] != short[two]
    assert short[one] == str(one)


def test_long_commands_show_progress_lines_when_not_on_a_terminal(environment: Settings) -> None:
    demo = runner.invoke(cli, ["demo"])
    once = runner.invoke(cli, ["project", "--once"])
    verify = runner.invoke(cli, ["audit", "verify"])
    export = runner.invoke(cli, ["audit", "export", "--output", "export.jsonl"])

    assert demo.exit_code == 0, demo.output
    assert "loading the demo: 76/76 records (100%)" in demo.stderr
    assert "records/s" in demo.stderr
    assert "Lab 'alsace'" in demo.stdout
    assert once.exit_code == 0, once.output
    assert "projecting: " in once.stderr
    assert "events/s" in once.stderr
    assert verify.exit_code == 0, verify.output
    assert "verifying the chain: " in verify.stderr
    head = json.loads(verify.stdout)["head"]["position"]
    assert f"verifying the chain: {head:,}/{head:,} events (100%)" in verify.stderr
    assert export.exit_code == 0, export.output
    assert f"exporting events: {head:,}/{head:,} events (100%)" in export.stderr


def test_the_sub_commands_do_not_import_each_other() -> None:
    siblings = {p.stem for p in CLI_PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    for module in siblings - {"app"}:
        tree = ast.parse((CLI_PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert imported & {f"partnerlab.cli.{s}" for s in siblings} <= {"partnerlab.cli.app"}
        assert "partnerlab.cli" not in imported, module


def test_on_a_terminal_progress_is_a_bar_with_rate_and_estimate() -> None:
    import io

    from rich.console import Console

    from partnerlab.progress import ProgressReport

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    with ProgressReport("projecting", console) as report:
        for done in range(0, 1001, 100):
            report.update(done, 1000)
    drawn = screen.getvalue()
    assert "projecting" in drawn
    assert "1000/1000" in drawn
    assert "events/s" in drawn
    assert "0:00:00" in drawn  # the estimate column


def test_off_a_terminal_the_log_line_gives_rate_and_estimate() -> None:
    import io

    from rich.console import Console

    from partnerlab.progress import ProgressReport

    report = ProgressReport("verifying", Console(file=io.StringIO()), interval=3600)
    report.update(0, 1000)
    report._started -= 10  # ten seconds later...
    report.update(250, 1000)
    assert report.line().startswith("verifying: 250/1,000 events (25%), 25 events/s")
    assert "about 30s left" in report.line()
