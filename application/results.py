"""What every context's use cases return alike: a write's result and a page of a list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID


@dataclass(frozen=True)
class CommandResult:
    """What a write returns: the aggregate, its new version and the log position it reached.

    ``position`` lets a caller wait until projections have caught up with its own write.
    """

    id: UUID
    version: int
    position: int | None
    warnings: tuple[str, ...] = field(default=(), kw_only=True)
    """What the caller should know although the write was recorded (a look-alike name...)."""
    aggregate: Any = field(default=None, compare=False, repr=False, kw_only=True)
    """The aggregate as the write left it (when the use case has it), so that the response
    can show it without loading it again."""


@dataclass(frozen=True)
class PageRequest:
    limit: int = 50
    offset: int = 0


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
