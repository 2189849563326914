"""The ``partnerlab`` command line, on a SQLite file (the CLI reads its environment by design)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from partnerlab.cli import cli

DATABASE_VARIABLES = (
    "PARTNERLAB_DATABASE_URL",
    "PARTNERLAB_POSTGRES_HOST",
    "POSTGRES_HOST",
    "PARTNERLAB_SQLITE_PATH",
    "PARTNERLAB_HOST",
    "PARTNERLAB_PORT",
)

runner = CliRunner()


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in DATABASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def sqlite_file(clean_environment: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = clean_environment / "data" / "partnerlab.sqlite3"
    monkeypatch.setenv("PARTNERLAB_SQLITE_PATH", str(path))
    return path


def test_db_init_creates_the_sqlite_file(sqlite_file: Path) -> None:
    result = runner.invoke(cli, ["db", "init"])
    assert result.exit_code == 0, result.output
    assert sqlite_file.exists()
    assert "SQLite" in result.output
    assert str(sqlite_file.resolve()) in result.output


def test_demo_loads_once(sqlite_file: Path) -> None:
    first = runner.invoke(cli, ["demo"])
    assert first.exit_code == 0, first.output
    assert "loaded 44 organisations and 32 partnerships" in first.output
    assert "evaluation" in first.output
    assert "abandoned" in first.output

    second = runner.invoke(cli, ["demo"])
    assert second.exit_code == 0, second.output
    assert "nothing loaded" in second.output
    assert "44" in second.output  # the summary still shows what the lab holds

    projected = runner.invoke(cli, ["project", "--once"])
    assert projected.exit_code == 0, projected.output
    assert "up to date" in projected.output


def test_an_unreachable_database_is_one_clear_line(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNERLAB_DATABASE_URL", "postgresql://lab:s3cr3t@127.0.0.1:1/partnerlab")
    for command in (["db", "init"], ["demo"], ["project", "--once"], ["serve"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 1, result.output
        assert "cannot use the database (PostgreSQL lab@127.0.0.1:1/partnerlab)" in result.output
        assert "s3cr3t" not in result.output
        assert "Traceback" not in result.output


def test_an_invalid_configuration_is_reported(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNERLAB_DATABASE_URL", "mysql://somewhere/db")
    result = runner.invoke(cli, ["db", "init"])
    assert result.exit_code == 2
    assert "invalid configuration" in result.output
    assert "Traceback" not in result.output


def test_serve_without_configuration_runs_on_sqlite(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: FastAPI, **options: Any) -> None:
        served.update(options)
        with TestClient(app) as client:
            served["ready"] = client.get("/readyz").status_code

    monkeypatch.setattr("uvicorn.run", fake_run)
    result = runner.invoke(cli, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert served == {"host": "127.0.0.1", "port": 8123, "ready": 200}
    assert (clean_environment / "partnerlab.sqlite3").exists()
    assert "SQLite" in result.output


def test_the_command_lists_its_commands() -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "project", "demo"):
        assert command in result.output


def test_serve_with_workers_has_uvicorn_import_the_factory_in_each_process(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: object, **options: Any) -> None:
        served.update(options, app=app)

    monkeypatch.setattr("uvicorn.run", fake_run)
    result = runner.invoke(cli, ["serve", "--port", "8123", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert served == {
        "app": "api.app:create_app",
        "factory": True,
        "host": "127.0.0.1",
        "port": 8123,
        "workers": 2,
        "http": "partnerlab.http_protocol:NoDelayH11Protocol",
    }
    refused = runner.invoke(cli, ["serve", "--workers", "0"])
    assert refused.exit_code == 2
    assert "--workers" in refused.output
