"""Snapshots as older code wrote them: take one, edit its state, store it back in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from partnerlab.bootstrap import Runtime


def rewrite_snapshot(runtime: Runtime, aggregate_id: UUID, edit: Callable[[Any], None]) -> None:
    """Snapshot the aggregate, let ``edit`` change the decoded snapshot (its ``state``), write
    it over the stored one and drop the cache, so the next read starts from the edited form."""
    app = runtime.app
    assert app.log.snapshots is not None
    app.log.take_snapshot(aggregate_id)
    stored = app.log.snapshots.recorder.select_events(aggregate_id)[-1]
    snapshot = app.log.mapper.transcoder.decode(stored.state)
    edit(snapshot)
    with runtime.database.transaction() as cursor:
        table = app.log.snapshots.recorder.events_table_name  # type: ignore[attr-defined]
        cursor.execute(
            f"UPDATE {table} SET state = %(state)s WHERE originator_version = %(v)s",
            {"state": app.log.mapper.transcoder.encode(snapshot), "v": stored.originator_version},
        )
    app.log.repository.cache = None
