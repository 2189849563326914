"""The words a person reads for the codes the API keeps: stages, categories, origins, kinds.

The English labels here are message ids: ``N_`` only marks them for ``pybabel extract``; a
template translates them when it shows them (``{{ _(labels.stage[code]) }}``), so the French
words come from the catalogue (``api/console/locale/fr/LC_MESSAGES/messages.po``).
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Mark a message for extraction; it is translated where it is shown."""
    return message


stage: Mapping[str, str] = {
    "meeting": N_("meeting"),
    "idea": N_("idea"),
    "co_construction": N_("co-construction"),
    "contract": N_("contract"),
    "evaluation": N_("evaluation"),
}
category: Mapping[str, str] = {
    "patronage": N_("Patronage"),
    "responsible_practices": N_("Responsible practices"),
    "economic_cooperation": N_("Economic cooperation"),
    "social_innovation": N_("Social innovation"),
}
origin: Mapping[str, str] = {
    "speed_dating": N_("speed-dating"),
    "thematic_event": N_("thematic event"),
    "open_forum": N_("open forum"),
    "consulting": N_("consulting"),
    "spontaneous": N_("spontaneous"),
}
organization_kind: Mapping[str, str] = {
    "association": N_("association"),
    "company": N_("company"),
}
status: Mapping[str, str] = {
    "open": N_("open"),
    "abandoned": N_("abandoned"),
    "active": N_("active"),
    "ended": N_("ended"),
}


class Labels:
    """The mappings above, handed to templates as ``labels``."""

    stage = stage
    category = category
    origin = origin
    organization_kind = organization_kind
    status = status

    @staticmethod
    def of(mapping: Mapping[str, str], code: str | None) -> str:
        """The label of a code, or the code itself if it has none (never an error)."""
        if code is None:
            return ""
        return mapping.get(code, code)
