"""The API layer names no database driver: store errors are translated in infrastructure
(``infrastructure.store_errors``) and handed to it by the composition."""

from __future__ import annotations

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
DRIVERS = {"psycopg", "psycopg_pool", "psycopg2", "sqlite3"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_under_api_imports_a_database_driver() -> None:
    files = sorted(API.rglob("*.py"))
    assert len(files) > 20  # the walk found the layer
    offenders = {
        str(path.relative_to(API.parent)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] in DRIVERS
        )
        for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_walk_would_see_a_driver_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import sqlite3\nfrom psycopg_pool import PoolTimeout\n")
    assert imported_modules(module) == {"sqlite3", "psycopg_pool"}
