"""Run the benchmarks against the local PostgreSQL and print every figure with its ratio.

Each figure is compared with a baseline measured in the same run on the same server (see
each module's docstring and docs/PERFORMANCE.md):

    python -m benchmarks                    # everything, full size (about 25 minutes)
    python -m benchmarks --quick            # everything, scaled down (a few minutes)
    python -m benchmarks --only write http  # some of: write, http, replay, memory
    python -m benchmarks --markdown         # also print the summary as a Markdown table

The server is ``PARTNERLAB_BENCH_POSTGRES_DSN`` (default: root on 127.0.0.1:5432); each
benchmark works in a database of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from benchmarks import http_load, memory, replay, write_path
from benchmarks.support import Figure, machine

BENCHMARKS: dict[str, Callable[[bool], list[Figure]]] = {
    "write": lambda quick: write_path.run(quick=quick),
    "http": lambda quick: http_load.run(quick=quick),
    "replay": lambda quick: replay.run(quick=quick),
    "memory": lambda quick: memory.run((10_000, 50_000) if quick else (100_000, 1_000_000)),
}


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
    parser.add_argument("--quick", action="store_true", help="scaled down, for a smoke run")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown summary")
    args = parser.parse_args()

    for key, value in machine().items():
        print(f"{key:<22} {value}")
    figures: list[Figure] = []
    for name in args.only:
        print(f"\n== {name} " + "=" * (70 - len(name)))
        started = time.perf_counter()
        figures.extend(BENCHMARKS[name](args.quick))
        print(f"({name}: {time.perf_counter() - started:.0f} s)")

    print("\n== every ratio (value compared with its same-run baseline) " + "=" * 12)
    for figure in figures:
        print(f"{figure.benchmark:<7} {figure.line()}")
    if args.markdown:
        print()
        print(markdown(figures))


if __name__ == "__main__":
    main()
