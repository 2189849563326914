"""The benchmark harness at a tiny size, so that it cannot rot: every benchmark runs end to end
against the local PostgreSQL and ``--json`` writes one object per target of the performance
issue's table (``benchmarks/smoke.py`` says which). No ratio is asserted: at this size they
mean nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from benchmarks.smoke import problems
from tests.conftest import ADMIN_DSN

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.slow
def test_the_harness_runs_every_benchmark_and_writes_every_target_as_json(
    tmp_path: Path,
) -> None:
    try:
        psycopg.connect(ADMIN_DSN, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL unreachable: {error}")
    out = tmp_path / "targets.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    targets = [json.loads(line) for line in out.read_text().splitlines()]
    assert targets
    assert problems(targets) == []
