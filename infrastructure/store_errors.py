"""Which infrastructure errors mean "the database is unavailable, retry later", translated
into the application's ``StoreUnavailable``.

The database drivers are named here, in infrastructure, and nowhere in ``api/``: the
composition root hands ``STORE_ERRORS`` to the HTTP layer, which answers the translated
error as ``503 store-unavailable`` with ``Retry-After`` (never a 500), whichever route it
escapes from: a pool with no free connection, a connection lost or refused, a lock not granted
in time, SQLite's "database is locked". Use cases already turn most of them into
``StoreUnavailable``; this catches the ones raised where no use case wraps them (read models,
followers waited for, idempotency keys).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from psycopg_pool import PoolTimeout

from application.errors import ApplicationError, StoreUnavailable

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


def translate_store_error(error: BaseException) -> StoreUnavailable | None:
    """The application error for a driver's "unavailable" error; ``None`` for any other."""
    if not is_store_unavailable(error):
        return None
    return StoreUnavailable(f"the database is unavailable, retry later: {type(error).__name__}")


@dataclass(frozen=True)
class StoreErrors:
    """What the HTTP layer needs to know about the store's errors, without naming a driver:
    the exception types to catch, and their translation into application errors."""

    handled: tuple[type[BaseException], ...]
    translate: Callable[[BaseException], ApplicationError | None]


STORE_ERRORS = StoreErrors(handled=HANDLED, translate=translate_store_error)
