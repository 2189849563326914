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
milestone: Mapping[str, str] = {
    "opening": N_("opened"),
    "meeting": N_("meeting"),
    "idea": N_("idea proposed"),
    "co_construction": N_("co-construction started"),
    "progress": N_("progress"),
    "contract": N_("contract signed"),
    "renewal": N_("contract renewed"),
    "evaluation": N_("evaluation"),
    "abandonment": N_("abandoned"),
}
sub_kind: Mapping[str, str] = {
    "financial": N_("financial"),
    "skills": N_("skills"),
    "in_kind": N_("in kind"),
    "logistics": N_("logistics"),
    "responsible_purchasing": N_("responsible purchasing"),
    "inclusion": N_("inclusion"),
    "supply_chain": N_("supply chain"),
    "circular_economy": N_("circular economy"),
    "joint_offer": N_("joint offer"),
    "new_product": N_("new product"),
    "new_service": N_("new service"),
}
role: Mapping[str, str] = {
    "staff": N_("staff"),
    "auditor": N_("auditor"),
    "viewer": N_("viewer"),
    "admin": N_("administrator"),
}


class Labels:
    """The mappings above, handed to templates as ``labels``."""

    stage = stage
    category = category
    origin = origin
    organization_kind = organization_kind
    status = status
    role = role
    milestone = milestone
    sub_kind = sub_kind

    @staticmethod
    def of(mapping: Mapping[str, str], code: str | None) -> str:
        """The label of a code, or the code itself if it has none (never an error)."""
        if code is None:
            return ""
        return mapping.get(code, code)
