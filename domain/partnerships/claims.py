"""Claims: what may be held by one record at a time in a lab (a legal identifier; ``pair_key``
names an open partnership of one association and one company, should pairs be claimed too).

A claim's id is derived from the lab and the thing claimed (``claim_id``), so two writers
claiming the same thing create the same aggregate: the event store's unique
(originator_id, version) lets only one of them record it. A claim is saved in the same
transaction as the record that takes it. When its holder lets go (an organisation archived or
its identifier changed), the next record takes it over
(``Claim.hand_to``, again one version that only one writer can record).

Replay never re-checks: records made before claims existed have none (``partnerlab check``
lists the duplicates among them).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import LifecycleViolation
from domain.values import require_text

CLAIM_NAMESPACE = UUID("5b0f8a43-6d5e-4c1e-9a57-3f6f1c2d9e10")
"""Fixed forever: claim ids are derived from it."""


class DuplicateLegalIdentifier(LifecycleViolation):
    """The SIREN, SIRET or RNA number is already held by another organisation of the lab."""

    rule = "legal-identifier-unique"

    def __init__(self, message: str, *, holder_id: UUID, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.holder_id = holder_id
        self.extensions: dict[str, Any] = {"holder_id": str(holder_id)}


class DuplicateOpenPartnership(LifecycleViolation):
    """The association and the company already have an open partnership together."""

    rule = "one-open-partnership-per-pair"

    def __init__(self, message: str, *, existing_id: UUID, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.existing_id = existing_id
        self.extensions: dict[str, Any] = {"existing_partnership_id": str(existing_id)}


def claim_id(lab: str, key: str) -> UUID:
    return uuid5(CLAIM_NAMESPACE, f"{lab}\n{key}")


def identifier_key(legal_identifier: str) -> str:
    """SIREN, SIRET and RNA numbers compared without spaces, dots or case."""
    return "legal-identifier:" + re.sub(r"[^0-9A-Z]", "", legal_identifier.upper())


def pair_key(association_id: UUID, company_id: UUID) -> str:
    return f"open-pair:{association_id}:{company_id}"


def name_key(name: str) -> str:
    """A name as look-alikes compare: accents, case, punctuation and spacing ignored
    ("Emmaüs Mundolsheim" and "EMMAUS - mundolsheim" are the same)."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


class Claim(Aggregate):
    """One thing of a lab held by one record (``holder_id``)."""

    TOPIC = "partnerlab:Claim"

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:Claim.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:Claim.Created"

    class Taken(Created):
        TOPIC = "partnerlab:Claim.Taken"
        lab: str
        key: str
        holder_id: UUID
        actor: str

    class Handed(Event):
        """The previous holder let go; another record holds it from now on."""

        TOPIC = "partnerlab:Claim.Handed"
        holder_id: UUID
        previous_holder_id: UUID
        actor: str

    @event(Taken)
    def __init__(self, lab: str, key: str, holder_id: UUID, actor: str) -> None:
        self.lab = lab
        self.key = key
        self.holder_id = holder_id

    @classmethod
    def take(cls, *, lab: str, key: str, holder_id: UUID, actor: str) -> Claim:
        return cls._create(
            cls.Taken,
            id=claim_id(lab, key),
            lab=require_text(lab, "lab"),
            key=key,
            holder_id=holder_id,
            actor=require_text(actor, "actor"),
        )

    def hand_to(self, holder_id: UUID, *, actor: str) -> None:
        if holder_id != self.holder_id:
            self._hand(
                holder_id=holder_id,
                previous_holder_id=self.holder_id,
                actor=require_text(actor, "actor"),
            )

    @event(Handed)
    def _hand(self, holder_id: UUID, previous_holder_id: UUID, actor: str) -> None:
        self.holder_id = holder_id
