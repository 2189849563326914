"""``partnerlab audit keygen``, ``head`` and ``verify --file --public-key --previous-head``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from application.context import Caller
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.cli import cli
from tests.lab_stories import sati_and_the_integration_workshop

ALSACE = Caller(lab="alsace", actor="claire.staff")


def test_keygen_head_export_and_offline_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PARTNERLAB_DATABASE_URL", "POSTGRES_HOST", "PARTNERLAB_POSTGRES_HOST"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    keys = tmp_path / "keys"
    made = runner.invoke(cli, ["audit", "keygen", "--output", str(keys)])
    assert made.exit_code == 0, made.output
    assert (keys / "audit-signing.pem").stat().st_mode & 0o777 == 0o600
    assert runner.invoke(cli, ["audit", "keygen", "--output", str(keys)]).exit_code != 0

    database = tmp_path / "lab.sqlite3"
    monkeypatch.setenv("PARTNERLAB_SQLITE_PATH", str(database))
    monkeypatch.setenv("PARTNERLAB_AUDIT_SIGNING_KEY_FILE", str(keys / "audit-signing.pem"))
    settings = Settings()
    runtime = build_runtime(settings, run_projections=False)
    try:
        sati_and_the_integration_workshop(runtime.app, ALSACE)
    finally:
        runtime.close()
    head = runner.invoke(cli, ["audit", "head"])
    assert head.exit_code == 0, head.output
    kept = tmp_path / "kept-head.json"
    kept.write_text(head.output.strip().splitlines()[-1])
    size = json.loads(kept.read_text())["tree_size"]

    runtime = build_runtime(settings, run_projections=False)
    try:
        sati_and_the_integration_workshop(runtime.app, ALSACE)
    finally:
        runtime.close()
    export = tmp_path / "alsace.jsonl"
    written = runner.invoke(
        cli,
        ["audit", "export", "--lab", "alsace", "--from-size", str(size), "--output", str(export)],
    )
    assert written.exit_code == 0, written.output
    public = str(keys / "audit-public.pem")
    verify = ["audit", "verify", "--file", str(export), "--public-key", public]
    checked = runner.invoke(cli, [*verify, "--previous-head", str(kept)])
    assert checked.exit_code == 0, checked.output
    assert '"ok": true' in checked.output

    lines = export.read_text().splitlines()
    export.write_text("\n".join([lines[0], *lines[2:]]) + "\n")
    refused = runner.invoke(cli, verify)
    assert refused.exit_code == 3
    assert '"reason": "missing"' in refused.output
    assert runner.invoke(cli, ["audit", "verify", "--file", str(export)]).exit_code == 2
