"""Which infrastructure errors mean "the database is unavailable, retry later".

They become ``503 store-unavailable`` with ``Retry-After`` (never a 500), whichever route they
escape from: a pool with no free connection, a connection lost or refused, a lock not granted
in time, SQLite's "database is locked". Use cases already turn most of them into
``StoreUnavailable``; this catches the ones raised where no use case wraps them (read models,
followers waited for, idempotency keys).
"""

from __future__ import annotations

import sqlite3

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from psycopg_pool import PoolTimeout

_TRANSIENT_SQLITE = ("database is locked", "database table is locked", "database is busy")

UNAVAILABLE: tuple[type[BaseException], ...] = (
    OperationalError,  # eventsourcing's, including ConnectionUnavailableError (pool timeout)
    InterfaceError,
    PoolTimeout,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)

HANDLED: tuple[type[BaseException], ...] = (*UNAVAILABLE, sqlite3.OperationalError)
"""Handled by the app's exception middleware, so that no traceback escapes to the server."""


def is_store_unavailable(error: BaseException) -> bool:
    """True when ``error`` says the database cannot serve the request right now."""
    if isinstance(error, sqlite3.OperationalError):
        return any(message in str(error).lower() for message in _TRANSIENT_SQLITE)
    return isinstance(error, UNAVAILABLE)
