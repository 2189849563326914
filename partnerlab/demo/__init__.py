"""A realistic demonstration data set, loaded only through the application's use cases.

The stories come from the source document on Alsace Active's regional partnership lab: IBM and
the food bank, La Poste and the sheltered workshops, Sati's coffee packs and roasting waste, the
outdoor-games maker and the parents' association, Lyonnaise des eaux and the integration
association, the fast-food restaurant and the theatre. Around them, enough other organisations
and partnerships (2008-2026) to make the reports meaningful: every origin, every stage, losses
with their reasons, evaluations, renewals, a correction and ideas that were not chosen.

The data set is data: ``data/organizations.json`` and ``data/partnerships.json`` (the source's
stories first, then the years before the Labo, 2008-2011, then the Labo's, 2012 on), read by
``specs`` and loaded by ``loader``.

Organisations are legal persons only: no contact person appears anywhere. Apart from
La Poste's public SIREN (``356000000``, the domain's documented exception), the legal
identifiers are made up (``identifiers.siren``): checksum-valid SIRENs and well-formed RNA
numbers, so that the data looks real without describing anyone. (Associations registered under
local law in Alsace-Moselle are in the court register rather than the RNA; the demo gives them
RNA-style numbers anyway.)
"""

from partnerlab.demo.identifiers import luhn_check_digit, siren
from partnerlab.demo.loader import DEMO_LAB, DemoSummary, lab_has_organizations, load_demo
from partnerlab.demo.specs import (
    LATEST_DATE,
    ORGANIZATIONS,
    PARTNERSHIPS,
    DemoDataError,
    OrganizationSpec,
    PartnershipSpec,
)

__all__ = [
    "DEMO_LAB",
    "LATEST_DATE",
    "ORGANIZATIONS",
    "PARTNERSHIPS",
    "DemoDataError",
    "DemoSummary",
    "OrganizationSpec",
    "PartnershipSpec",
    "lab_has_organizations",
    "load_demo",
    "luhn_check_digit",
    "siren",
]
