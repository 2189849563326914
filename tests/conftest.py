"""Shared fixtures: every persistent test runs on SQLite and on the real PostgreSQL.

PostgreSQL tests use a database made for this test run (dropped at the end) and a fresh
schema per test, so runs never see what earlier runs left behind. Under pytest-xdist each
worker makes its own database, named after the worker and a random suffix, so concurrent
runs and workers on the same server never share one. With
``PARTNERLAB_REQUIRE_POSTGRES=1`` (CI), an unreachable server fails the run instead of
skipping the PostgreSQL half.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

from infrastructure.settings import Settings
from tests.schema_pool import SchemaPool

TODAY = date(2026, 11, 26)
ADMIN_DSN = os.environ.get(
    "PARTNERLAB_TEST_POSTGRES_DSN", "postgresql://root@127.0.0.1:5432/postgres"
)


def _postgres_required() -> bool:
    return os.environ.get("PARTNERLAB_REQUIRE_POSTGRES", "") not in ("", "0", "false")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[dict[str, str]]:
    """A throw-away database on the PostgreSQL server for this test session."""
    try:
        admin = psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if _postgres_required():
            pytest.fail(f"PostgreSQL is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"partnerlab_test_{worker}_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    # A throw-away database need not survive a server crash: committing without waiting for
    # the WAL to reach the disk makes every write of every test (and each test's CREATE
    # TABLEs) cheaper. It changes nothing a test can observe (no test crashes this server;
    # the restart tests run on a cluster of their own).
    admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_DSN)
    try:
        yield {
            "host": str(info.get("host", "127.0.0.1")),
            "port": str(info.get("port", "5432")),
            "user": str(info.get("user", "root")),
            "password": str(info.get("password", "")),
            "dbname": name,
        }
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def postgres_settings(database: dict[str, str], **overrides: object) -> Settings:
    """Settings on a new, empty schema of ``database`` (never taken from the pool)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        host=database["host"],
        port=database["port"],
        user=database["user"],
        password=database["password"],
        dbname=database["dbname"],
        autocommit=True,
    ) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return postgres_settings_for(database, schema, **overrides)


def postgres_settings_for(database: dict[str, str], schema: str, **overrides: object) -> Settings:
    return Settings(
        postgres_host=database["host"],
        postgres_port=int(database["port"]),
        postgres_user=database["user"],
        postgres_password=database["password"],
        postgres_db=database["dbname"],
        postgres_schema=schema,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def postgres_schemas(postgres_database: dict[str, str]) -> SchemaPool:
    """Schemas of this worker's test database, handed from a finished test to the next
    emptied (``tests/schema_pool.py``)."""
    return SchemaPool(postgres_database)


def with_signing_key(settings: Settings, directory: Path) -> Settings:
    """The settings with an audit signing key: a fresh Ed25519 key file in ``directory``
    (tree heads signed, lab exports verifiable offline, no 503 from the head routes)."""
    from infrastructure.audit.signing import generate_private_key, write_private_key

    key_file = directory / "audit-signing.pem"
    if not key_file.exists():
        write_private_key(generate_private_key(), key_file)
    return settings.model_copy(update={"audit_signing_key_file": key_file})


def sqlite_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(sqlite_path=tmp_path / "partnerlab.sqlite3", **overrides)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a fresh, empty store on the backend under test."""
    if backend == "postgres":
        pool: SchemaPool = request.getfixturevalue("postgres_schemas")
        schema = pool.take()
        yield postgres_settings_for(pool.database, schema)
        pool.give_back(schema)
    else:
        yield sqlite_settings(tmp_path)


@pytest.fixture
def today() -> date:
    return TODAY


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgres":
            item.add_marker(pytest.mark.postgres)
