"""What every context's use cases return alike: a write's result, a page of a list and the
view of a record."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


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


View = TypeVar("View", bound="DataclassInstance")


def record_view(view: type[View], record: Any, **shown: Any) -> View:
    """The ``view`` of a record: each field is the record's attribute of the same name
    (``created_at`` and ``modified_at`` its ``created_on`` and ``modified_on``), but for those
    ``shown`` otherwise (names looked up, lists turned into views, sums)."""
    kept = (f.name for f in fields(view) if f.name not in shown)
    return view(**{name: getattr(record, STAMPS.get(name, name)) for name in kept}, **shown)


STAMPS = {"created_at": "created_on", "modified_at": "modified_on"}
"""A view's fields that are its record's of another name."""
