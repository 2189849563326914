"""The API as served, plus the HTTP benchmark's baseline in the same server: a bare FastAPI
endpoint that validates the same body and does one INSERT of the same shape under the same
table lock, from a psycopg pool of the same size as the event store's.

Served by ``uvicorn --factory benchmarks.http_app:create_bench_app`` (settings from the
environment, as in production).
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import psycopg
from fastapi import APIRouter, FastAPI
from psycopg_pool import ConnectionPool

from api.app import create_app
from api.partnerships.schemas.partnerships import MeetingCreate
from infrastructure.settings import Settings

RAW_TABLE = "bench_raw_events"
RAW_DDL = (
    f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} (originator_id uuid NOT NULL,"
    " originator_version bigint NOT NULL, topic text, state bytea, notification_id bigserial,"
    " PRIMARY KEY (originator_id, originator_version))"
)
TOPIC = "partnerlab:Partnership.MeetingHeld"
EVENT_STORE_POOL_SIZE = 15
"""eventsourcing's pool: POSTGRES_POOL_SIZE (5) plus its default overflow (10)."""


def bare_router(pool: ConnectionPool[Any]) -> APIRouter:
    router = APIRouter()
    versions: defaultdict[UUID, Iterator[int]] = defaultdict(lambda: itertools.count(1))
    lock = threading.Lock()

    @router.post("/bench/raw-meetings/{originator}", status_code=201)
    def raw_meeting(originator: UUID, body: MeetingCreate) -> dict[str, int]:
        """Baseline: one INSERT of a stored-event-shaped row under the table lock."""
        with lock:
            version = next(versions[originator])
        with pool.connection() as connection, connection.transaction():
            connection.execute(f"LOCK TABLE {RAW_TABLE} IN EXCLUSIVE MODE")
            row = connection.execute(
                f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state)"
                " VALUES (%s, %s, %s, %s) RETURNING notification_id",
                (originator, version, TOPIC, body.model_dump_json().encode()),
            ).fetchone()
        return {"version": version, "position": int(row[0]) if row else 0}

    return router


def create_bench_app() -> FastAPI:
    settings = Settings()
    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as connection:
        connection.execute(RAW_DDL)
    pool: ConnectionPool[Any] = ConnectionPool(
        settings.postgres_conninfo(), min_size=5, max_size=EVENT_STORE_POOL_SIZE, open=True
    )
    app = create_app(settings)
    app.include_router(bare_router(pool))
    return app
