"""Two projectors (two API processes, or the API and ``partnerlab project``) released together
on a fresh database: every read model ends at the log's head, applied once, with no error."""

from __future__ import annotations

import threading
from datetime import date

from application.audit.ports import AuditFilter
from application.context import Caller
from application.partnerships.views import PartnershipFilter
from application.results import PageRequest
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from tests.lab_stories import sati_and_the_integration_workshop

ALSACE = Caller(lab="alsace", actor="claire.staff")


def test_two_projectors_released_together_on_a_fresh_database(
    settings: Settings, today: date
) -> None:
    writer = build_runtime(settings, clock=lambda: today, run_projections=False)
    other = build_runtime(settings, clock=lambda: today, run_projections=False)
    try:
        for _ in range(3):
            sati_and_the_integration_workshop(writer.app, ALSACE)
        head = writer.app.read_models.log_head() or 0
        names = [f.name for f in writer.followers.followers]
        for round_ in range(len(names)):
            gate = threading.Barrier(2)
            errors: list[BaseException] = []

            def run(
                followers: object,
                index: int,
                gate: threading.Barrier = gate,
                errors: list[BaseException] = errors,
            ) -> None:
                follower = followers.followers[index]  # type: ignore[attr-defined]
                gate.wait()
                try:
                    follower.catch_up()
                except BaseException as error:  # reported below
                    errors.append(error)

            threads = [
                threading.Thread(target=run, args=(rt.followers, round_)) for rt in (writer, other)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert not errors, (names[round_], errors)
        # A policy's own writes come after its position: one more pass each.
        writer.followers.catch_up()
        other.followers.catch_up()
        head = writer.app.read_models.log_head() or 0
        for runtime in (writer, other):
            for follower in runtime.followers.followers:
                assert follower.position() == head, follower.name
        page = writer.app.partnerships.list_partnerships(
            ALSACE, PartnershipFilter(), PageRequest(limit=50)
        )
        assert len(page.items) == 3
        entries = writer.stores.audit.entries("alsace", AuditFilter(), 0, 1000)
        assert [e.position for e in entries] == sorted({e.position for e in entries})
    finally:
        other.close()
        writer.close()


def test_a_tracking_position_never_moves_back(settings: Settings, today: date) -> None:
    runtime = build_runtime(settings, clock=lambda: today, run_projections=False)
    try:
        sati_and_the_integration_workshop(runtime.app, ALSACE)
        runtime.followers.catch_up()
        keys = runtime.stores.key_list
        audit = runtime.stores.audit
        before = (keys.position(), audit.index_position())
        keys.apply([], 1)
        audit.index([], 1)
        assert (keys.position(), audit.index_position()) == before
    finally:
        runtime.close()
