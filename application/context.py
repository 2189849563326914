"""Who is asking: the lab a request belongs to and the person recording it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """Every command and query runs on behalf of a caller in one lab.

    Aggregates of another lab are reported as not found, so ids leaked across labs reveal
    nothing.
    """

    lab: str
    actor: str
