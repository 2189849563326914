"""Each console page's server time with 10,000 partnerships in the lab (PostgreSQL); target:
at most 100 ms a page.

Fills a throw-away database through the real application (``benchmarks.report_dataset``:
400 organisations, 10,000 partnerships at every stage), lets the followers project it, signs
an admin in (who sees every page) and times each page through the ASGI app in process (no
network, no browser): the median of repeated requests after a warm-up.

    python -m benchmarks.console_pages                 # 10,000 partnerships
    python -m benchmarks.console_pages --size 2000     # quicker
    python -m benchmarks.console_pages --backend sqlite   # on a throw-away SQLite file
    python -m benchmarks.console_pages --backend postgres --database bench_console
        # reuse (or fill once) a database of your own; --only reports "reports, territory"
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient

from api.app import create_app
from application.activities.views import FundingFilter
from application.context import Caller
from application.lab import PartnerLab
from application.partnerships.views import PartnershipFilter
from application.reporting.ports import ReportScope
from application.results import PageRequest
from benchmarks import report_dataset
from benchmarks.report_dataset import LAB, TODAY, DatasetWriter
from benchmarks.support import ADMIN_DSN, dsn_for, settings_for, throwaway_database
from domain.access.api_key import Role
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime

REPEAT = 10
TARGET_MS = 100.0
PASSWORD = "a long enough benchmark password"


def timed_ms(client: TestClient, path: str, repeat: int = REPEAT) -> float:
    answer = client.get(path)  # warm-up
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument(
        "--backend", choices=("postgres", "sqlite"), default="postgres", help="default: postgres"
    )
    parser.add_argument("--sqlite", action="store_true", help="the same as --backend sqlite")
    parser.add_argument(
        "--database",
        help="a PostgreSQL database (or SQLite file) to keep: filled on the first run only"
        " (default: a throw-away one)",
    )
    parser.add_argument("--only", nargs="+", metavar="PAGE", help="time only these pages")
    args = parser.parse_args()
    sqlite = args.sqlite or args.backend == "sqlite"
    where = "SQLite" if sqlite else f"PostgreSQL at {ADMIN_DSN}"
    print(f"console pages benchmark, {date.today().isoformat()}, {where}")
    with contextlib.ExitStack() as stack:
        if sqlite:
            if args.database:
                path = Path(args.database)
            else:
                path = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "bench.sqlite3"
            settings = Settings(sqlite_path=path, fast_password_hashing=True, default_lab=LAB)
        else:
            database = args.database or stack.enter_context(
                throwaway_database("partnerlab_console_bench")
            )
            settings = settings_for(database, fast_password_hashing=True, default_lab=LAB)
        started = time.perf_counter()
        # Few large transactions: with many 200-event batches, the chained recorder fails on
        # PostgreSQL ("the last operation didn't produce records", reported to the lead).
        report_dataset.SAVE_EVERY = 2_500
        filling = build_runtime(settings, run_projections=False, clock=lambda: TODAY)
        filling.app.read_models.follower = None  # nothing follows here: no waits
        writer = DatasetWriter(filling.app)
        if (filling.app.read_models.log_head() or 0) < args.size:  # a fresh database
            writer.add(args.size)
        else:
            print("reusing the data already in the database", flush=True)
        filling.close()
        app = create_app(settings, clock=lambda: TODAY)
        with TestClient(app, follow_redirects=False) as client:
            lab: PartnerLab = app.state.runtime.app
            while not lab.read_models.wait_for_projections(timeout=60):
                print("  waiting for the projections...", flush=True)
            if not sqlite:
                # Fresh statistics, as autovacuum gives a database within a minute of such a
                # load (right after it, PostgreSQL plans with none).
                with psycopg.connect(dsn_for(database), autocommit=True) as connection:
                    connection.execute("ANALYZE")
            print(
                f"{args.size:,} partnerships ({writer.events:,} events) written and projected"
                f" in {time.perf_counter() - started:.0f}s",
                flush=True,
            )
            admin = Caller(lab=LAB, actor="bench")
            lab.accounts.sleep = lambda _seconds: None
            email = f"admin-{time.time_ns()}@bench.example"
            created = lab.accounts.create_account(admin, email=email, role=Role.ADMIN)
            lab.accounts.set_password(created.link_token, PASSWORD)
            client.cookies.set("partnerlab_session", lab.accounts.sign_in(email, PASSWORD).token)
            lab.read_models.wait_for_projections()
            some = lab.partnerships.list_partnerships(
                admin, PartnershipFilter(), PageRequest(limit=1)
            ).items[0]
            pages = {
                "home": "/",
                "organisations": "/console/organisations",
                "organisations, search": "/console/organisations?q=association%200001",
                "partnerships": "/console/partnerships",
                "partnerships, filtered": "/console/partnerships?stage=idea&territory=67"
                "&stalled=yes",
                "partnerships, page 200": "/console/partnerships?page=200",
                "one partnership": f"/console/partnerships/{some.id}",
                "reports": "/console/reports",
                "reports, territory": "/console/reports?territory=67",
                "report CSV": "/console/reports/impact.csv",
                "report XLSX": "/console/reports/impact.xlsx",
                "speed-dating": "/console/speed-dating",
                "events": "/console/events",
                "consulting": "/console/consulting",
                "trainings": "/console/trainings",
                "funding": "/console/funding",
                "audit": "/console/audit",
                "audit, as of": f"/console/audit?partnership={some.id}&as_of={some.opened_on}",
                "accounts": "/console/admin/accounts",
                "API keys": "/console/admin/keys",
            }
            print(f"\n{'page':<28}{'median':>10}")
            worst = 0.0
            for name, path in pages.items():
                if args.only and name not in args.only:
                    continue
                ms = timed_ms(client, path)
                worst = max(worst, ms)
                flag = "" if ms <= TARGET_MS else "   over the target"
                print(f"{name:<28}{ms:>8.1f}ms{flag}", flush=True)
            caller = admin
            calls: dict[str, Callable[[], object]] = {
                "signed": lambda: lab.reports.signed_report(caller, ReportScope()),
                "funnel": lambda: lab.reports.funnel_report(caller, ReportScope()),
                "time-in-stage": lambda: lab.reports.time_in_stage_report(caller, ReportScope()),
                "impact": lambda: lab.reports.impact_report(caller, ReportScope()),
                "pipeline": lambda: lab.reports.pipeline_report(caller, ReportScope()),
                "funding": lambda: lab.funding.funding_report(caller, FundingFilter()),
            }
            print("\nthe reports page's use cases:")
            for name, call in calls.items():
                call()
                started = time.perf_counter()
                for _ in range(REPEAT):
                    call()
                print(f"  {name:<26}{(time.perf_counter() - started) / REPEAT * 1000:>8.1f}ms")
            print(f"\nslowest page: {worst:.1f} ms (target: at most {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
