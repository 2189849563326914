"""``ReadModels.caught_up``: a page of several reads waits once for their read models, and
the reads inside (threads included, in a copy of the context) do not wait again each."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from typing import Any

import pytest

from application.errors import ProjectionStopped
from application.read_models import ReadModels


class Log:
    def __init__(self) -> None:
        self.heads = 0

    def head(self) -> int:
        self.heads += 1
        return 7


class Follower:
    def __init__(self, faults: Sequence[Any] = ()) -> None:
        self.waits: list[tuple[int, tuple[str, ...] | None]] = []
        self.faults = list(faults)

    def wait_until(self, position: int, timeout: float, names: Sequence[str] | None) -> bool:
        self.waits.append((position, tuple(names) if names is not None else None))
        return True

    def stopped(self, names: Sequence[str], lab: str) -> list[Any]:
        return self.faults


def read_models() -> tuple[ReadModels, Log, Follower]:
    log, follower = Log(), Follower()
    return ReadModels(log, follower), log, follower  # type: ignore[arg-type]


def test_the_reads_inside_wait_once_threads_included() -> None:
    models, _log, follower = read_models()
    with models.caught_up(("reports", "catalog"), "alsace"):
        assert follower.waits == [(7, ("reports", "catalog"))]
        models.wait_for_projections(read_models=("reports",), lab="alsace")
        models.settled(read_models=("catalog",), lab="alsace")
        with ThreadPoolExecutor(2) as pool:
            read = lambda: models.wait_for_projections(read_models=("reports",), lab="alsace")  # noqa: E731
            assert pool.submit(copy_context().run, read).result()
        assert len(follower.waits) == 1


def test_other_read_models_another_lab_a_position_and_afterwards_still_wait() -> None:
    models, _log, follower = read_models()
    with models.caught_up(("reports",), "alsace"):
        models.wait_for_projections(read_models=("reports", "catalog"), lab="alsace")
        models.wait_for_projections(read_models=("reports",), lab="lorraine")
        models.wait_for_projections()
        models.wait_for_projections(5, read_models=("reports",), lab="alsace")
    models.wait_for_projections(read_models=("reports",), lab="alsace")
    assert [names for _position, names in follower.waits] == [
        ("reports",),
        ("reports", "catalog"),
        ("reports",),
        None,
        ("reports",),
        ("reports",),
    ]
    assert follower.waits[4][0] == 5


def test_a_stopped_read_model_refuses_the_page_before_any_read() -> None:
    log = Log()
    fault = type("Fault", (), {"read_model": "reports", "state": "stopped"})()
    models = ReadModels(log, Follower([fault]))  # type: ignore[arg-type]
    with pytest.raises(ProjectionStopped), models.caught_up(("reports",), "alsace"):
        raise AssertionError("not reached")
