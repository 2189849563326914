"""What waiting for the read models needs from infrastructure."""

from __future__ import annotations

from typing import Protocol


class ProjectionFollower(Protocol):
    """Something that keeps read models up to date and can be waited for."""

    def wait_until(self, position: int, timeout: float) -> bool: ...
