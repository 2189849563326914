"""Fixtures of the fault-injection tests: a runtime whose followers the test drives itself,
and a PostgreSQL-only variant for faults that only PostgreSQL has (sequence gaps, pools)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest

from application.context import Caller
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime
from tests.conftest import postgres_settings

LAB = "alsace"


@pytest.fixture
def staff() -> Caller:
    return Caller(lab=LAB, actor="claire.staff")


@pytest.fixture
def pg_settings(postgres_database: dict[str, str]) -> Settings:
    """A fresh schema on the shared PostgreSQL server (faults only PostgreSQL has)."""
    return postgres_settings(postgres_database)


@pytest.fixture
def pg_runtime(pg_settings: Settings, today: date) -> Iterator[Runtime]:
    """The application on PostgreSQL, with followers driven by the test, not by threads."""
    runtime = build_runtime(pg_settings, clock=lambda: today, run_projections=False)
    try:
        yield runtime
    finally:
        runtime.close()


@pytest.fixture
def admin(pg_settings: Settings) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A connection of the test's own to the same schema, outside the application."""
    with psycopg.connect(pg_settings.postgres_conninfo(), autocommit=True) as connection:
        yield connection
