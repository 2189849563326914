"""The harness at its tiny size, so that no benchmark rots: ``python -m benchmarks.smoke``.

Every benchmark runs end to end against the local PostgreSQL (about a minute) and ``--json``
must write one object per target of the performance issue's table, each with its value,
baseline, ratio, target and whether it is met. No ratio is judged: at this size they mean
nothing. The suite runs the same check (tests/cli/test_benchmark_harness.py); by hand, it
exits non-zero, naming what is missing, when a benchmark fails or a target is not written.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"name", "value", "baseline", "ratio", "target", "met"}
ROWS = (
    "write: app, 1 writer(s)",
    "write: app, 4 writer(s)",
    "http: 1 client(s): milestones/s",
    "http: 8 client(s): milestones/s",
    "http: 32 client(s): milestones/s",
    "http: 32 client(s): p99 / p50",
    "replay: project --once at",
    "replay: project --once: time per event",
    "reports: reports filtered by territory, cold",
    "reports: reports as_of + known_at a past moment, cold",
    "reports: reports as_of + known_at a past moment, warm",
    "rebuild: read models",
    "multi-lab:",
)


def problems(targets: list[dict[str, object]]) -> list[str]:
    """What is wrong with the harness's JSON: objects without every key, rows missing."""
    found = [
        f"{target} lacks {sorted(KEYS - set(target))}"
        for target in targets
        if not set(target) >= KEYS
    ]
    found += [
        f"{target['name']}: met is not a boolean"
        for target in targets
        if not isinstance(target.get("met"), bool)
    ]
    names = [str(target.get("name")) for target in targets]
    found += [
        f"no target named {row}..." for row in ROWS if not any(n.startswith(row) for n in names)
    ]
    return found


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "targets.jsonl"
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks", "--tiny", "--json", str(out)],
            cwd=ROOT,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            print(f"benchmarks --tiny failed (exit {done.returncode})", file=sys.stderr)
            return 1
        targets = [json.loads(line) for line in out.read_text().splitlines()]
    wrong = problems(targets)
    for line in wrong:
        print(f"smoke: {line}", file=sys.stderr)
    print(f"smoke: {len(targets)} targets written, {len(wrong)} problems")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
