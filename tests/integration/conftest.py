from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from application.context import Caller
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime


@pytest.fixture
def runtime(settings: Settings, today: date) -> Iterator[Runtime]:
    """A wired application on a fresh store, with the catalogue followed in this process."""
    runtime = build_runtime(settings, clock=lambda: today)
    try:
        yield runtime
    finally:
        runtime.close()


@pytest.fixture
def staff() -> Caller:
    return Caller(lab="alsace", actor="claire.staff")
