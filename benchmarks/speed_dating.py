"""How long scheduling a speed-dating session takes, from the scheduler to the printed page.

Measures (best of ``--repeat`` runs, in milliseconds):

* the scheduler alone: a 50 x 50 full rotation, 200 chosen pairs among 50 x 50 (sparse), and
  the 200 pairs of 20 associations x 10 companies (dense, Δ = 20: many recolourings);
* the aggregate: generating the 50 x 50 plan on a session with 100 registered participants
  (scheduler, conversion to the stored plan, the event);
* storage: saving that session and reading it back (SQLite file, like the default service);
* the printed timetable: building the plan with names and times, and rendering its HTML and
  CSV (what ``GET .../timetable?format=html|csv`` does after loading).

    python -m benchmarks.speed_dating
    python -m benchmarks.speed_dating --size 60 --repeat 10
"""

from __future__ import annotations

import argparse
import itertools
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date
from datetime import time as clock_time
from pathlib import Path
from uuid import UUID

from api.activities.timetable_pages import cards_csv, timetable_csv, timetable_html
from application.activities.timetables import participant_card, participants, timetable
from application.activities.views import NamedRef
from application.lab import PartnerLab
from domain.activities.scheduling import full_rotation, schedule_pairs
from domain.activities.speed_dating import SpeedDatingSession
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind
from infrastructure.settings import Settings


def best(work: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings) * 1000


def organizations(kind: OrganizationKind, count: int) -> list[Organization]:
    return [
        Organization.register(
            lab="alsace", kind=kind, name=f"{kind.value} {i}", territory="67", actor="bench"
        )
        for i in range(count)
    ]


def filled(size: int) -> tuple[SpeedDatingSession, list[Organization]]:
    host = organizations(OrganizationKind.COMPANY, 1)[0]
    people = [
        *organizations(OrganizationKind.ASSOCIATION, size),
        *organizations(OrganizationKind.COMPANY, size),
    ]
    session = SpeedDatingSession.plan(
        title="Bench",
        held_on=date(2014, 3, 12),
        starts_at=clock_time(9, 0),
        venue="Hall",
        host_company=host,
        actor="bench",
    )
    for organization in people:
        session.register(organization, actor="bench")
    return session, [host, *people]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50, help="associations = companies")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n, repeat = args.size, args.repeat
    seated = [f"a{i}" for i in range(n)]
    movers = [f"c{j}" for j in range(n)]
    sparse = random.Random(2015).sample(list(itertools.product(seated, movers)), 200)
    dense = list(itertools.product(seated[:20], movers[:10]))

    rows: list[tuple[str, float]] = [
        (f"full rotation {n} x {n}", best(lambda: full_rotation(seated, movers), repeat)),
        ("200 chosen pairs (sparse)", best(lambda: schedule_pairs(sparse), repeat)),
        ("200 chosen pairs (20 x 10, dense)", best(lambda: schedule_pairs(dense), repeat)),
    ]

    def generate() -> SpeedDatingSession:
        session, _ = filled(n)
        session.generate_schedule(actor="bench")
        return session

    registration_only = best(lambda: filled(n), repeat)
    rows.append(
        (f"aggregate: generate the {n} x {n} plan", best(generate, repeat) - registration_only)
    )

    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(sqlite_path=Path(directory) / "bench.sqlite3")
        app = PartnerLab(env=settings.eventsourcing_env())
        session, people = filled(n)
        session.generate_schedule(actor="bench")
        app.log.save(*people, session)
        rows.append(
            (
                "SQLite: read the session back",
                best(lambda: app.log.repository.get(session.id), repeat),
            )
        )
        refs = {o.id: NamedRef(o.id, o.kind, o.name) for o in people}
        ids: dict[UUID, NamedRef] = refs
        plan = timetable(session, ids)
        rows.append(
            ("timetable with names and times", best(lambda: timetable(session, ids), repeat))
        )
        rows.append(("HTML grid page", best(lambda: timetable_html(plan, {}), repeat)))
        rows.append(("CSV, every meeting", best(lambda: timetable_csv(plan), repeat)))
        rows.append(
            (
                "CSV, a card per participant",
                best(
                    lambda: cards_csv([participant_card(plan, p) for p in participants(plan)]),
                    repeat,
                ),
            )
        )
        app.close()

    width = max(len(label) for label, _ in rows)
    print(f"speed-dating scheduling, {n} associations x {n} companies, best of {repeat}")
    for label, milliseconds in rows:
        print(f"  {label:<{width}}  {milliseconds:8.1f} ms")


if __name__ == "__main__":
    main()
