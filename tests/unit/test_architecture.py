"""Layering: the domain is pure, the application knows nothing of HTTP or SQL."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = frozenset(sys.stdlib_module_names)

FORBIDDEN_IN_APPLICATION = frozenset(
    {
        "fastapi",
        "starlette",
        "uvicorn",
        "pydantic",
        "pydantic_settings",
        "psycopg",
        "psycopg_pool",
        "sqlite3",
        "api",
        "infrastructure",
        "partnerlab",
    }
)


def imported_modules(path: Path) -> Iterator[str]:
    """Every absolute module a file imports, at any depth (function-level imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # A relative import stays inside the package it is written in.
                yield f"{path.parent.name}.{node.module or ''}".rstrip(".")
            elif node.module is not None:
                yield node.module


def python_files(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python file found in {package}/"
    return files


def domain_may_import(module: str) -> bool:
    top = module.split(".", maxsplit=1)[0]
    return (
        top in STDLIB
        or module == "eventsourcing.domain"
        or module == "domain"
        or module.startswith("domain.")
    )


@pytest.mark.parametrize("path", python_files("domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_imports_only_the_standard_library_and_eventsourcing_domain(
    path: Path,
) -> None:
    foreign = [m for m in imported_modules(path) if not domain_may_import(m)]

    assert foreign == [], f"domain/{path.name} imports {foreign}"


@pytest.mark.parametrize(
    "path", python_files("application"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_the_application_never_imports_web_sql_or_outer_layers(path: Path) -> None:
    foreign = [m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN_IN_APPLICATION]

    assert foreign == [], f"application/{path.name} imports {foreign}"


def test_the_import_check_would_catch_a_forbidden_import(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.py"
    leaky.write_text(
        "import json\n"
        "from eventsourcing.persistence import Transcoder\n"
        "def later():\n"
        "    import fastapi\n",
        encoding="utf-8",
    )

    modules = list(imported_modules(leaky))

    assert modules == ["json", "eventsourcing.persistence", "fastapi"]
    assert [m for m in modules if not domain_may_import(m)] == [
        "eventsourcing.persistence",
        "fastapi",
    ]


CONTEXTS = ("partnerships", "activities", "reporting", "audit", "access", "followups")
SHARED = {
    "application": {
        "__init__.py",
        "lab.py",
        "event_log.py",
        "read_models.py",
        "idempotency.py",
        "results.py",
        "context.py",
        "errors.py",
        "transcodings.py",
        "followers.py",
    },
    "infrastructure": {
        "__init__.py",
        "settings.py",
        "database.py",
        "follower.py",
        "log_gaps.py",
        "idempotency.py",
        "projector_heartbeats.py",
        "projection_faults.py",
        "store_errors.py",
        "blue_green.py",
    },
}


@pytest.mark.parametrize("layer", sorted(SHARED))
def test_every_module_sits_in_a_context_package_or_is_named_shared(layer: str) -> None:
    """A context reads top-down through the layers: nothing drifts back to a flat layout."""
    stray = [
        str(path.relative_to(ROOT))
        for path in python_files(layer)
        if (path.parent == ROOT / layer and path.name not in SHARED[layer])
        or (path.parent != ROOT / layer and path.relative_to(ROOT / layer).parts[0] not in CONTEXTS)
    ]

    assert stray == [], f"outside a context package and not named shared: {stray}"


def test_no_use_case_class_is_assembled_from_several_bases() -> None:
    """Services take their collaborators in their constructor; no class of mixins."""
    assembled = []
    for path in python_files("application"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b) for b in node.bases]
                own = [b for b in bases if b not in ("Protocol", "Generic[T]", "Exception")]
                if len(own) > 1:
                    assembled.append(f"{path.relative_to(ROOT)}:{node.name}({', '.join(bases)})")

    assert assembled == []
