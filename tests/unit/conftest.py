"""The food bank / IBM partnership at each stage of its lifecycle (``tests/unit/stories.py``),
as fixtures: a fresh aggregate for every test, with its events already collected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.partnerships.partnership import Partnership
from tests.unit import stories


def story(build: Callable[[], Partnership]) -> Any:
    """A fixture named after the story ``build``: a partnership of its own for each test."""

    def fresh() -> Partnership:
        return build()

    return pytest.fixture(name=build.__name__)(fresh)


freshly_opened = story(stories.freshly_opened)
with_idea = story(stories.with_idea)
in_co_construction = story(stories.in_co_construction)
under_contract = story(stories.under_contract)
evaluated = story(stories.evaluated)
abandoned = story(stories.abandoned)
