"""Read back everything a store holds, to prove that something is nowhere in it."""

from __future__ import annotations

import base64
import json
from typing import Any

from infrastructure.database import Database


def table_names(database: Database) -> list[str]:
    if database.dialect == "postgres":
        rows = database.query(
            "SELECT table_name AS name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    else:
        rows = database.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    return sorted(str(r["name"]) for r in rows)


def as_text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def every_value(database: Database) -> str:
    """Every value of every table (event tables included), as text."""
    tables = table_names(database)
    assert tables, "the store has no table"
    return "\n".join(
        as_text(value)
        for table in tables
        for row in database.query(f'SELECT * FROM "{table}"')
        for value in row.values()
    )


def readable_export(export: str) -> str:
    """An audit export (JSON Lines) with each event's stored state decoded from base64, so
    that a search sees what the events hold."""
    lines = []
    for line in export.splitlines():
        record = json.loads(line)
        if "state" in record:
            record["state"] = base64.b64decode(record["state"]).decode("utf-8", errors="replace")
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines)
