"""The kinds of milestone a partnership records, and the stage each one marks."""

from __future__ import annotations

from domain.values import Stage

OPENING = "opening"
MEETING = "meeting"
IDEA = "idea"
CO_CONSTRUCTION = "co_construction"
PROGRESS = "progress"
CONTRACT = "contract"
EVALUATION = "evaluation"
RENEWAL = "renewal"
ABANDONMENT = "abandonment"

STAGE_OF_KIND: dict[str, Stage] = {
    OPENING: Stage.MEETING,
    MEETING: Stage.MEETING,
    IDEA: Stage.IDEA,
    CO_CONSTRUCTION: Stage.CO_CONSTRUCTION,
    PROGRESS: Stage.CO_CONSTRUCTION,
    CONTRACT: Stage.CONTRACT,
    RENEWAL: Stage.CONTRACT,
    EVALUATION: Stage.EVALUATION,
}


FOLLOWS: dict[str, tuple[str, ...]] = {
    CO_CONSTRUCTION: (IDEA,),
    PROGRESS: (CO_CONSTRUCTION,),
    CONTRACT: (CO_CONSTRUCTION,),
    EVALUATION: (CONTRACT,),
    RENEWAL: (CONTRACT,),
}
"""The milestone kind each kind follows (the opening for every other kind): its business date
may not precede that milestone's. A co-construction follows the idea it chose."""
