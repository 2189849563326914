"""HTTP: milestones per second and latency through uvicorn, against a bare endpoint.

One uvicorn process serves the API, then two (``partnerlab serve --workers 2``): PostgreSQL,
projections in their own process as in production, so none run here; beside the API, the same
server has a bare FastAPI endpoint that validates the same body and does one INSERT of the
same shape under the same table lock
(``benchmarks.http_app``). 1, 8 and 32 clients keep one keep-alive connection each and post
meetings, each over 20 partnerships of its own, for a fixed time, the two endpoints taking turns
in three slices (a busy machine drifts; both see the same drift); the load generator is a few
lines of asyncio, cheap enough not to be the bottleneck, and identical for both endpoints.
Then the server's peak resident memory (VmHWM) is read.

    python -m benchmarks.http_load            # 9 s per level and endpoint, in 3 turns
    python -m benchmarks.http_load --quick    # 3 s
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import httpx

from application.context import Caller
from benchmarks.support import (
    Figure,
    peak_rss_mb,
    percentile,
    rss_mb,
    settings_for,
    throwaway_database,
)
from domain.values import OrganizationKind, OriginKind
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from tests.faults.live import api_server, credentials

LEVELS = (1, 8, 32)
WORKERS = (1, 2)
"""Server processes: ``partnerlab serve --workers N`` with N = 1, then 2 (this machine's
cores)."""
FORMER_SETTINGS = {"PARTNERLAB_AGGREGATE_CACHE_SIZE": "0", "PARTNERLAB_POSTGRES_PRE_PING": "true"}
SLICES = 3
PARTNERSHIPS_PER_CLIENT = 20
"""Each client spreads its meetings over partnerships of its own, so that they keep a
lifelike history (tens of milestones) instead of one growing to thousands."""
BODY = json.dumps({"occurred_on": "2014-04-01", "note": "a working lunch"}).encode()


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000

    def add(self, other: Load) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.seconds += other.seconds


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(
        (int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length")),
        0,
    )
    if length:
        await reader.readexactly(length)
    return status


async def _client(
    host: str, port: int, paths: list[str], headers: dict[str, str], until: float, load: Load
) -> None:
    """One keep-alive connection posting to each of ``paths`` in turn until ``until``."""
    reader, writer = await asyncio.open_connection(host, port)
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    requests = itertools.cycle(
        [
            (
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(BODY)}\r\n{extra}\r\n"
            ).encode()
            + BODY
            for path in paths
        ]
    )
    try:
        while time.perf_counter() < until:
            request = next(requests)
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status = await _read_response(reader)
            load.latencies.append(time.perf_counter() - started)
            load.statuses[status] += 1
    finally:
        writer.close()


async def _run(url: str, paths: list[list[str]], headers: dict[str, str], seconds: float) -> Load:
    address = httpx.URL(url)
    load = Load()
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(_client(address.host, address.port or 80, p, headers, until, load) for p in paths)
    )
    load.seconds = time.perf_counter() - started
    return load


def measure(url: str, paths: list[list[str]], headers: dict[str, str], seconds: float) -> Load:
    """``len(paths)`` clients, each posting to its own paths in turn, for ``seconds``."""
    return asyncio.run(_run(url, paths, headers, seconds))


def open_partnerships(settings: Settings, count: int) -> list[str]:
    """``count`` new partnerships of the default lab (through the application: quicker)."""
    runtime = build_runtime(settings, run_projections=False)
    runtime.app.read_models.follower = None  # nothing follows here: no waits
    try:
        app, caller = runtime.app, Caller(lab=settings.default_lab, actor="bench")
        ids = [
            app.organizations.register_organization(caller, kind=kind, name=name, territory="67").id
            for kind, name in (
                (OrganizationKind.ASSOCIATION, "Banque alimentaire"),
                (OrganizationKind.COMPANY, "IBM France"),
            )
        ]
        return [
            str(
                app.partnerships.open_partnership(
                    caller,
                    association_id=ids[0],
                    company_id=ids[1],
                    origin_kind=OriginKind.SPEED_DATING,
                    occurred_on=date(2014, 3, 12),
                ).id
            )
            for _ in range(count)
        ]
    finally:
        runtime.close()


def client_paths(settings: Settings, clients: int) -> tuple[list[list[str]], list[list[str]]]:
    """For each client, meetings paths of partnerships of its own, and as many bare paths."""
    opened = open_partnerships(settings, clients * PARTNERSHIPS_PER_CLIENT)
    app = [
        [f"/api/v1/partnerships/{pid}/meetings" for pid in opened[c::clients]]
        for c in range(clients)
    ]
    return app, bare_paths(clients)


def bare_paths(clients: int) -> list[list[str]]:
    """Bare paths of new ids for each client. The bare endpoint counts versions in its
    process, so an id is used by one connection only (with several workers, the next
    connection may reach another process)."""
    return [
        [f"/bench/raw-meetings/{uuid.uuid4()}" for _ in range(PARTNERSHIPS_PER_CLIENT)]
        for _ in range(clients)
    ]


def run(quick: bool = False, tiny: bool = False) -> list[Figure]:
    seconds = 0.6 if tiny else 3.0 if quick else 9.0
    figures: list[Figure] = []
    with throwaway_database() as database:
        settings = settings_for(database, projections_in_process=False)
        headers = credentials(settings, actor="bench@labo.example")
        for workers in WORKERS:
            figures += _serve_and_measure(settings, headers, seconds, workers)
        # The settings as they were before issue 13 (no aggregate cache, a pre-ping per
        # checkout), one process: the same run's "before".
        figures += _serve_and_measure(settings, headers, seconds, 1, FORMER_SETTINGS)
    for figure in figures:
        print(figure.line())
    return figures


def _serve_and_measure(
    settings: Settings,
    headers: dict[str, str],
    seconds: float,
    workers: int,
    extra_env: dict[str, str] | None = None,
) -> list[Figure]:
    """Both endpoints served by ``workers`` uvicorn processes (``partnerlab serve --workers``);
    with ``extra_env``, the former settings (figures without a target)."""
    figures: list[Figure] = []
    served = "" if workers == 1 else f", {workers} workers"
    if extra_env:
        served += ", former settings"
    target = None if extra_env else 0.6
    factory = "benchmarks.http_app:create_bench_app"
    with api_server(settings, factory=factory, workers=workers, extra_env=extra_env) as (
        url,
        server,
    ):
        at_start = rss_mb(server.pid)
        warm_app, warm_bare = client_paths(settings, 4 * workers)
        measure(url, warm_app, headers, seconds / 3)  # warm up both (every worker)
        measure(url, warm_bare, headers, seconds / 3)
        print(f"-- {workers} server process(es)")
        print(
            f"{'clients':>7} {'endpoint':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
            f" {'p99/p50':>7}  statuses"
        )
        for clients in LEVELS:
            app_paths, raw_paths = client_paths(settings, clients)
            loads = {"app": Load(), "bare": Load()}
            for _ in range(SLICES):  # in turns: both see the same drift of a busy machine
                loads["app"].add(measure(url, app_paths, headers, seconds / SLICES))
                loads["bare"].add(measure(url, raw_paths, headers, seconds / SLICES))
                raw_paths = bare_paths(clients)
            for name, load in loads.items():
                print(
                    f"{clients:>7} {name:<9} {load.rate:>8.1f} {load.ms(50):>8.2f}"
                    f" {load.ms(99):>8.2f} {load.ms(99) / load.ms(50):>7.2f}"
                    f"  {dict(load.statuses)}"
                )
            app, bare = loads["app"], loads["bare"]
            assert set(app.statuses) == {201}, app.statuses
            figures.append(
                Figure(
                    "http",
                    f"{clients} client(s){served}: milestones/s",
                    app.rate,
                    "/s",
                    bare.rate,
                    "bare endpoint",
                    target=target,
                )
            )
            figures.append(
                Figure(
                    "http",
                    f"{clients} client(s){served}: p99 / p50 latency",
                    app.ms(99),
                    "ms",
                    app.ms(50),
                    "p50",
                    target=None if extra_env else 5.0,
                    at_most=True,
                )
            )
            figures.append(
                Figure(
                    "http",
                    f"{clients} client(s){served}: p50 latency",
                    app.ms(50),
                    "ms",
                    bare.ms(50),
                    "bare p50",
                    higher_is_better=False,
                )
            )
        if workers == 1 and not extra_env:
            peak = peak_rss_mb(server.pid)
            figures.append(
                Figure(
                    "memory",
                    "API peak RSS under the HTTP load",
                    peak,
                    "MiB",
                    at_start,
                    "RSS after start-up",
                    higher_is_better=False,
                )
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 s per level and endpoint")
    run(quick=parser.parse_args().quick)


if __name__ == "__main__":
    main()
