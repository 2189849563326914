"""Who is asking: the lab a request belongs to and the person recording it."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

ACTING_KEY: ContextVar[str | None] = ContextVar("partnerlab_acting_key", default=None)
"""The id (hex) of the API key the current request came with, set by the HTTP layer: every
event recorded meanwhile carries it as ``actor_key_id`` beside the actor (the key's name),
so that a key named after someone else cannot pass for them in a history. Events recorded
without a key (the CLI, the activity policy, events older than this) have none."""
ACTOR_KEY_ID = "actor_key_id"


@dataclass(frozen=True)
class Caller:
    """Every command and query runs on behalf of a caller in one lab.

    Aggregates of another lab are reported as not found, so ids leaked across labs reveal
    nothing.
    """

    lab: str
    actor: str
