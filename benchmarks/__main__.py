"""Run the benchmarks against the local PostgreSQL and print every figure with its ratio.

Each figure is compared with a baseline measured in the same run on the same server (see
each module's docstring and docs/PERFORMANCE.md):

    python -m benchmarks                    # everything, full size (about 25 minutes)
    python -m benchmarks --quick            # everything, scaled down (a few minutes)
    python -m benchmarks --only write http  # some of: write, http, replay, memory, multilab,
                                            # reports
    python -m benchmarks --markdown         # also print the summary as a Markdown table
    python -m benchmarks --quick --json F   # also write every target as JSON (one object per
                                            # target: name, value, baseline, ratio, target, met)
    python -m benchmarks --tiny             # seconds: the suite's smoke run (no ratio
                                            # means anything at that size)

The server is ``PARTNERLAB_BENCH_POSTGRES_DSN`` (default: root on 127.0.0.1:5432); each
benchmark works in a database of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import http_load, memory, multi_lab, replay, report_latency, write_path
from benchmarks.support import Figure, machine

QUICK, TINY = "quick", "tiny"

BENCHMARKS: dict[str, Callable[[str], list[Figure]]] = {
    "write": lambda size: write_path.run(quick=size == QUICK, tiny=size == TINY),
    "http": lambda size: http_load.run(quick=size == QUICK, tiny=size == TINY),
    "replay": lambda size: replay.run(quick=size == QUICK, tiny=size == TINY),
    "memory": lambda size: memory.run(
        (300, 1_500)
        if size == TINY
        else (10_000, 50_000)
        if size == QUICK
        else (100_000, 1_000_000)
    ),
    "multilab": lambda size: multi_lab.run(
        *((1, 30) if size == TINY else (5, 500) if size == QUICK else (10, 1_000)),
        repeat=3 if size == TINY else 30,
    ),
    "reports": lambda size: report_latency.run(
        (60, 300) if size == TINY else (2_000, 20_000) if size == QUICK else (10_000, 100_000)
    ),
}


def unmeasured_targets() -> list[dict[str, object]]:
    """Rows of the performance issue's table that no benchmark measures yet (said, not
    hidden: ``met`` is false)."""
    import tempfile

    from infrastructure.settings import Settings
    from partnerlab.bootstrap import build_runtime

    with tempfile.TemporaryDirectory() as scratch:
        runtime = build_runtime(
            Settings(sqlite_path=Path(scratch) / "count.sqlite3"), run_projections=False
        )
        read_models = [f.name for f in runtime.followers.followers]
        runtime.close()
    from partnerlab.rebuild import NAMES

    # The activity policy is not a read model: it opens partnerships, there is nothing to
    # rebuild.
    read_models = [name for name in read_models if name != "activity-policy"]
    rebuildable = [name for name in read_models if name in NAMES]
    return [
        {
            "name": "rebuild: read models with a blue/green --rebuild",
            "value": len(rebuildable),
            "baseline": len(read_models),
            "ratio": round(len(rebuildable) / len(read_models), 4),
            "target": 1.0,
            "comparison": ">=",
            "met": len(rebuildable) == len(read_models),
            "unit": "read models",
            "baseline_name": "every read model",
        },
    ]


def markdown(figures: list[Figure]) -> str:
    lines = [
        "| benchmark | figure | value | baseline | ratio | target |",
        "|---|---|---:|---|---:|---:|",
    ]
    for f in figures:
        target = f"{f.target:g}" if f.target is not None else ""
        lines.append(
            f"| {f.benchmark} | {f.name} | {f.value:,.1f} {f.unit} |"
            f" {f.baseline_name}: {f.baseline:,.1f} | {f.ratio:.2f} | {target} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), default=list(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="scaled down (a few minutes)")
    parser.add_argument("--tiny", action="store_true", help="seconds: a smoke run")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown summary")
    parser.add_argument("--json", type=Path, help="write every target as JSON to this file")
    args = parser.parse_args()
    size = TINY if args.tiny else QUICK if args.quick else "full"

    for key, value in machine().items():
        print(f"{key:<22} {value}")
    figures: list[Figure] = []
    for name in args.only:
        print(f"\n== {name} " + "=" * (70 - len(name)))
        started = time.perf_counter()
        figures.extend(BENCHMARKS[name](size))
        print(f"({name}: {time.perf_counter() - started:.0f} s)")

    print("\n== every ratio (value compared with its same-run baseline) " + "=" * 12)
    for figure in figures:
        print(f"{figure.benchmark:<7} {figure.line()}")
    if args.markdown:
        print()
        print(markdown(figures))
    if args.json:
        targets = [f.target_json() for f in figures if f.target is not None]
        targets += unmeasured_targets()
        with args.json.open("w", encoding="utf-8") as out:
            for target in targets:
                out.write(json.dumps(target) + "\n")
        met = sum(1 for t in targets if t["met"])
        print(f"\n{met} of {len(targets)} targets met; written to {args.json}")


if __name__ == "__main__":
    main()
