"""A realistic demonstration data set, loaded only through the application's use cases.

The stories come from the source document on Alsace Active's regional partnership lab: IBM and
the food bank, La Poste and the sheltered workshops, Sati's coffee packs and roasting waste, the
outdoor-games maker and the parents' association, Lyonnaise des eaux and the integration
association, the fast-food restaurant and the theatre. Around them, enough other organisations
and partnerships (2008-2026) to make the reports meaningful: every origin, every stage, losses
with their reasons, evaluations, renewals, a correction and ideas that were not chosen.

Organisations are legal persons only: no contact person appears anywhere. Apart from
La Poste's public SIREN (``356000000``, the domain's documented exception), the legal
identifiers are made up: checksum-valid SIRENs and well-formed RNA numbers, so that the data
looks real without describing anyone. (Associations registered under local law in Alsace-Moselle
are in the court register rather than the RNA; the demo gives them RNA-style numbers anyway.)

Loading is deterministic and idempotent in effect: a lab that already has organisations in its
catalogue gets nothing new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeAlias
from uuid import UUID

from application.context import Caller
from application.errors import StoreUnavailable
from application.lab import PartnerLab
from application.partnerships.views import OrganizationFilter
from application.results import CommandResult, PageRequest
from domain.values import Category, OrganizationKind, OriginKind, Stage, SubKind

ASSOCIATION = OrganizationKind.ASSOCIATION
COMPANY = OrganizationKind.COMPANY


class DemoDataError(Exception):
    """The demo data set cannot be loaded into this application (e.g. its clock is too early)."""


# ---------------------------------------------------------------------------- identifiers


def luhn_check_digit(base: str) -> str:
    """The digit that makes ``base`` + digit pass the Luhn check (the SIREN key)."""
    total = 0
    for position, char in enumerate(reversed(base)):
        digit = int(char)
        if position % 2 == 0:  # these digits are in odd positions once the key is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def siren(base: str) -> str:
    """A 9-digit SIREN from its first 8 digits, with its Luhn key."""
    if not (base.isdigit() and len(base) == 8):
        raise ValueError(f"a SIREN base is 8 digits, got {base!r}")
    return base + luhn_check_digit(base)


# ---------------------------------------------------------------------------- the data set


@dataclass(frozen=True)
class OrganizationSpec:
    key: str
    kind: OrganizationKind
    name: str
    territory: str
    field_of_activity: str
    description: str
    legal_identifier: str | None = None


@dataclass(frozen=True)
class Meeting:
    on: date
    note: str | None = None


@dataclass(frozen=True)
class Idea:
    key: str
    title: str
    category: Category
    on: date
    description: str | None = None


@dataclass(frozen=True)
class CoConstruction:
    idea: str
    on: date
    note: str | None = None


@dataclass(frozen=True)
class Progress:
    text: str
    on: date


@dataclass(frozen=True)
class Contract:
    category: Category
    sub_kind: SubKind
    signed_on: date
    starts_on: date
    ends_on: date
    financial_eur: Decimal = Decimal(0)
    in_kind_eur: Decimal = Decimal(0)
    skills_days: Decimal = Decimal(0)
    note: str | None = None


@dataclass(frozen=True)
class Evaluation:
    on: date
    beneficiaries: int = 0
    jobs_created: int = 0
    volunteer_days: Decimal = Decimal(0)
    in_kind_eur: Decimal = Decimal(0)
    satisfaction: int | None = None
    findings: str | None = None


@dataclass(frozen=True)
class Renewal:
    on: date
    ends_on: date
    financial_eur: Decimal = Decimal(0)
    in_kind_eur: Decimal = Decimal(0)
    skills_days: Decimal = Decimal(0)
    note: str | None = None


@dataclass(frozen=True)
class Abandonment:
    reason: str
    on: date


@dataclass(frozen=True)
class Correction:
    """Correct the milestone recorded by step ``step`` of the story (0 is the opening)."""

    step: int
    changes: dict[str, Any]
    reason: str


Step: TypeAlias = (
    Meeting
    | Idea
    | CoConstruction
    | Progress
    | Contract
    | Evaluation
    | Renewal
    | Abandonment
    | Correction
)


@dataclass(frozen=True)
class PartnershipSpec:
    key: str
    association: str
    company: str
    origin: OriginKind
    reference_id: str | None
    opened_on: date
    note: str | None
    steps: tuple[Step, ...] = ()

    @property
    def dates(self) -> list[date]:
        found = [self.opened_on]
        for step in self.steps:
            if isinstance(step, Contract):
                found.extend((step.signed_on, step.starts_on))
            elif not isinstance(step, Correction):
                found.append(step.on)
        return found


D = date
EUR = Decimal

# Origins: the lab's events, referenced by a stable id.
SPEED_DATING = OriginKind.SPEED_DATING
THEMATIC = OriginKind.THEMATIC_EVENT
FORUM = OriginKind.OPEN_FORUM
CONSULTING = OriginKind.CONSULTING
SPONTANEOUS = OriginKind.SPONTANEOUS

SD_2008 = "speed-dating-2008-06"
SD_2010 = "speed-dating-2010-11"
SD_2013 = "speed-dating-2013-03"
SD_2015 = "speed-dating-2015-10"
SD_2019 = "speed-dating-2019-05"
SD_2024 = "speed-dating-2024-03"
SD_2026 = "speed-dating-2026-03"
EVENT_ALCHEMY = "thematic-2013-10-alchimie-improbable"
EVENT_SUSTAINABLE = "thematic-2016-05-developpement-durable"
FORUM_2014 = "open-forum-2014-centre-alsace"
CONSULTING_LA_POSTE = "consulting-2013-la-poste"
CONSULTING_SATI = "consulting-2013-sati"
CONSULTING_LYONNAISE = "consulting-2014-lyonnaise-des-eaux"
CONSULTING_HYPER = "consulting-2017-hyper-haguenau"

PATRONAGE = Category.PATRONAGE
RESPONSIBLE = Category.RESPONSIBLE_PRACTICES
ECONOMIC = Category.ECONOMIC_COOPERATION
INNOVATION = Category.SOCIAL_INNOVATION


ORGANIZATIONS: tuple[OrganizationSpec, ...] = (
    # ------------------------------------------------------------------ companies
    OrganizationSpec(
        "ibm",
        COMPANY,
        "IBM France",
        "67",
        "IT services and consulting",
        "IT company whose staff give skills patronage to local associations.",
        siren("81524370"),
    ),
    OrganizationSpec(
        "la-poste",
        COMPANY,
        "La Poste",
        "67",
        "Postal services",
        "The postal group's Alsace management, buying from the sheltered-work sector.",
        "356000000",
    ),
    OrganizationSpec(
        "sati",
        COMPANY,
        "Cafés Sati",
        "67",
        "Coffee roasting",
        "Strasbourg coffee roaster looking for a use for its defective packs and roasting waste.",
        siren("80317562"),
    ),
    OrganizationSpec(
        "aires-ludiques",
        COMPANY,
        "Aires Ludiques d'Alsace",
        "68",
        "Outdoor games and playground equipment",
        "Maker of outdoor games and playground equipment for towns and campsites.",
        siren("79246105"),
    ),
    OrganizationSpec(
        "lyonnaise",
        COMPANY,
        "Lyonnaise des eaux - agence Alsace",
        "67",
        "Water supply and sanitation",
        "Water company whose plumbing works damage public fittings that must be restored.",
        siren("84103927"),
    ),
    OrganizationSpec(
        "resto-rapide",
        COMPANY,
        "Resto Rapide Hautepierre SARL",
        "67",
        "Fast-food restaurant (franchise)",
        "Local fast-food franchise restaurant near a children's theatre.",
        siren("51890234"),
    ),
    OrganizationSpec(
        "flams",
        COMPANY,
        "Flam's",
        "67",
        "Restaurants",
        "Tarte flambée restaurants; its co-founder hosted the first speed-dating in 2008.",
        siren("38245109"),
    ),
    OrganizationSpec(
        "solivers",
        COMPANY,
        "Soli'Vers SCIC",
        "67",
        "Social economy cooperative",
        "Collective-interest cooperative of the social and solidarity economy.",
        siren("75310486"),
    ),
    OrganizationSpec(
        "imprimerie-rhenane",
        COMPANY,
        "Imprimerie Rhénane",
        "67",
        "Printing",
        "Commercial printer in Strasbourg.",
        siren("43027815"),
    ),
    OrganizationSpec(
        "brasserie-ried",
        COMPANY,
        "Brasserie du Ried",
        "67",
        "Brewing",
        "Independent brewery in the Ried.",
        siren("48912367"),
    ),
    OrganizationSpec(
        "transports-kieffer",
        COMPANY,
        "Transports Kieffer",
        "68",
        "Road haulage and logistics",
        "Regional haulier with a warehouse near Mulhouse.",
        siren("39561042"),
    ),
    OrganizationSpec(
        "alsace-numerique",
        COMPANY,
        "Alsace Numérique Services",
        "67",
        "IT services",
        "IT maintenance and equipment refurbishing for small businesses.",
        siren("82650193"),
    ),
    OrganizationSpec(
        "rhin-audit",
        COMPANY,
        "Rhin Audit Expertise",
        "67",
        "Accounting and audit",
        "Chartered accountants' firm.",
        siren("44718206"),
    ),
    OrganizationSpec(
        "hyper-haguenau",
        COMPANY,
        "Hyper Haguenau Distribution",
        "67",
        "Retail (hypermarket)",
        "Hypermarket in Haguenau.",
        siren("52093718"),
    ),
    OrganizationSpec(
        "boulangerie-heitz",
        COMPANY,
        "Boulangerie Heitz",
        "68",
        "Bakery and catering",
        "Bakery with several shops and a catering service in centre Alsace.",
        siren("41376950"),
    ),
    OrganizationSpec(
        "menuiserie-wolff",
        COMPANY,
        "Menuiserie Wolff et Fils",
        "68",
        "Joinery and carpentry",
        "Family joinery workshop.",
        siren("35289614"),
    ),
    OrganizationSpec(
        "hotel-parc",
        COMPANY,
        "Hôtel du Parc Colmar",
        "68",
        "Hotels and restaurants",
        "Hotel and restaurant in Colmar.",
        siren("49705328"),
    ),
    OrganizationSpec(
        "mulhouse-textiles",
        COMPANY,
        "Mulhouse Textiles Techniques",
        "68",
        "Technical textiles",
        "Maker of technical and work clothing.",
        siren("33168092"),
    ),
    OrganizationSpec(
        "energies-lorraine",
        COMPANY,
        "Énergies Renouvelables Lorraine",
        "57",
        "Renewable energy",
        "Installer of solar and heat-pump systems.",
        siren("80942751"),
    ),
    OrganizationSpec(
        "labo-vosgiens",
        COMPANY,
        "Laboratoires Vosgiens",
        "88",
        "Pharmaceuticals",
        "Pharmaceutical laboratory in the Vosges.",
        siren("57023146"),
    ),
    OrganizationSpec(
        "carrosserie-muller",
        COMPANY,
        "Garage et Carrosserie Muller",
        "67",
        "Car repair",
        "Garage that collects abandoned bikes left in car parks it services.",
        siren("42851730"),
    ),
    # ------------------------------------------------------------------ associations
    OrganizationSpec(
        "banque-alimentaire",
        ASSOCIATION,
        "Banque alimentaire du Bas-Rhin",
        "67",
        "Food aid",
        "Collects and distributes food to partner charities; volunteers run its warehouse.",
        "W672000481",
    ),
    OrganizationSpec(
        "esat-ill",
        ASSOCIATION,
        "ESAT Les Ateliers de l'Ill",
        "67",
        "Sheltered work (ESAT)",
        "Sheltered-work establishment employing disabled workers; cycle repair workshop.",
        "W672003157",
    ),
    OrganizationSpec(
        "esat-florival",
        ASSOCIATION,
        "ESAT du Florival",
        "68",
        "Sheltered work (ESAT)",
        "Sheltered-work establishment in the Haut-Rhin; mechanics and green spaces.",
        "W681001246",
    ),
    OrganizationSpec(
        "tri-couture",
        ASSOCIATION,
        "Chantier d'insertion Tri-Couture",
        "67",
        "Work integration (sewing and recycling)",
        "Integration workshop turning salvaged materials into sewn goods.",
        "W672004820",
    ),
    OrganizationSpec(
        "jardins-cocagne",
        ASSOCIATION,
        "Les Jardins de Cocagne",
        "67",
        "Work integration (organic market gardening)",
        "Organic market garden employing people in integration.",
        "W672001935",
    ),
    OrganizationSpec(
        "ptits-pas",
        ASSOCIATION,
        "Les P'tits Pas - parents d'enfants handicapés",
        "68",
        "Disability (parents' association)",
        "Parents of disabled children campaigning for accessible leisure.",
        "W683002714",
    ),
    OrganizationSpec(
        "renov-emploi",
        ASSOCIATION,
        "Rénov'Emploi",
        "67",
        "Work integration (public works finishing)",
        "Integration association doing small public works and finishing.",
        "W672005316",
    ),
    OrganizationSpec(
        "theatre-lucioles",
        ASSOCIATION,
        "Théâtre des Lucioles",
        "67",
        "Culture (young audiences theatre)",
        "Neighbourhood theatre staging shows for young audiences.",
        "W672002648",
    ),
    OrganizationSpec(
        "ariena",
        ASSOCIATION,
        "Ariena",
        "67",
        "Nature and environment education",
        "Regional network promoting nature and environment education.",
        "W671000358",
    ),
    OrganizationSpec(
        "mj-haguenau",
        ASSOCIATION,
        "Maison des jeunes de Haguenau",
        "67",
        "Youth",
        "Youth centre running leisure and citizenship activities.",
        "W673001472",
    ),
    OrganizationSpec(
        "lire-ensemble",
        ASSOCIATION,
        "Lire Ensemble Strasbourg",
        "67",
        "Reading and literacy",
        "Volunteers reading to children in schools and libraries.",
        "W672006093",
    ),
    OrganizationSpec(
        "ressourcerie-ried",
        ASSOCIATION,
        "Ressourcerie du Ried",
        "67",
        "Reuse and recycling",
        "Collects, repairs and resells objects and furniture.",
        "W671002587",
    ),
    OrganizationSpec(
        "epicerie-mulhouse",
        ASSOCIATION,
        "Épicerie solidaire de Mulhouse",
        "68",
        "Food aid (social grocery)",
        "Social grocery selling food at low prices to households in difficulty.",
        "W683004105",
    ),
    OrganizationSpec(
        "coup-de-pouce",
        ASSOCIATION,
        "Coup de Pouce Devoirs Neudorf",
        "67",
        "Education (homework help)",
        "Homework help for primary and secondary pupils.",
        "W672007264",
    ),
    OrganizationSpec(
        "handisport-colmar",
        ASSOCIATION,
        "Handisport Colmar",
        "68",
        "Sport (disability)",
        "Sports club for people with physical disabilities.",
        "W681003390",
    ),
    OrganizationSpec(
        "maraichage-centre-alsace",
        ASSOCIATION,
        "Maraîchage d'insertion du Centre Alsace",
        "67",
        "Work integration (market gardening)",
        "Integration market garden near Sélestat.",
        "W671003619",
    ),
    OrganizationSpec(
        "passerelle-mulhouse",
        ASSOCIATION,
        "Accueil de jour La Passerelle",
        "68",
        "Homelessness",
        "Day centre for homeless people in Mulhouse.",
        "W683005872",
    ),
    OrganizationSpec(
        "repair-cafe",
        ASSOCIATION,
        "Repair Café Strasbourg",
        "67",
        "Reuse and repair",
        "Volunteers helping people repair their objects.",
        "W672008451",
    ),
    OrganizationSpec(
        "numerique-solidaire",
        ASSOCIATION,
        "Collectif Numérique Solidaire",
        "57",
        "Digital inclusion",
        "Helps people with few digital skills use online services.",
        "W572004936",
    ),
    OrganizationSpec(
        "velo-ecole",
        ASSOCIATION,
        "Vélo-école de Strasbourg",
        "67",
        "Mobility (cycling school)",
        "Teaches adults to ride a bike, for work and independence.",
        "W672009137",
    ),
    OrganizationSpec(
        "sport-adapte-vosges",
        ASSOCIATION,
        "Sport adapté des Vosges",
        "88",
        "Sport (intellectual disability)",
        "Adapted sport for people with intellectual or mental disabilities.",
        "W882001573",
    ),
    OrganizationSpec(
        "ressourcerie-sundgau",
        ASSOCIATION,
        "Ressourcerie du Sundgau",
        "68",
        "Reuse and recycling",
        "Reuse centre in the south of the Haut-Rhin.",
        "W682000864",
    ),
    OrganizationSpec(
        "jardins-partages-colmar",
        ASSOCIATION,
        "Jardins partagés de Colmar",
        "68",
        "Urban gardening",
        "Shared gardens in Colmar's neighbourhoods (in the catalogue, no partnership yet).",
        "W681004021",
    ),
)


PARTNERSHIPS: tuple[PartnershipSpec, ...] = (
    # ---------------------------------------------------------------- the source's stories
    PartnershipSpec(
        "ibm-food-bank",
        "banque-alimentaire",
        "ibm",
        SPEED_DATING,
        SD_2013,
        D(2013, 3, 21),
        "The food bank described its paper-heavy stock traceability.",
        (
            Meeting(D(2013, 4, 11), "Visit of the food bank's warehouse with IBM's team."),
            Idea(
                "software",
                "Optimise the food traceability software and train the volunteers",
                PATRONAGE,
                D(2013, 4, 11),
                "IBM staff adapt the tool to the warehouse and train volunteers to use it.",
            ),
            Idea(
                "collection",
                "IBM staff join the food collection weekend",
                PATRONAGE,
                D(2013, 4, 25),
            ),
            CoConstruction("software", D(2013, 5, 16), "Labo workshop: scope and training plan."),
            Progress("Requirements gathered with six warehouse volunteers.", D(2013, 7, 4)),
            Contract(
                PATRONAGE,
                SubKind.SKILLS,
                signed_on=D(2013, 9, 19),
                starts_on=D(2013, 10, 1),
                ends_on=D(2014, 9, 30),
                skills_days=EUR(45),
            ),
            Evaluation(
                D(2014, 10, 16),
                beneficiaries=38,
                volunteer_days=EUR(45),
                in_kind_eur=EUR(18000),
                satisfaction=5,
                findings=(
                    "Traceability errors down; volunteers use the tool on their own. IBM's "
                    "consultants learned to explain software to non-specialists."
                ),
            ),
            Evaluation(
                D(2015, 10, 15),
                beneficiaries=52,
                volunteer_days=EUR(6),
                satisfaction=4,
                findings="Tool in daily use in three depots; trained volunteers now train others.",
            ),
        ),
    ),
    PartnershipSpec(
        "la-poste-esat-ill",
        "esat-ill",
        "la-poste",
        CONSULTING,
        CONSULTING_LA_POSTE,
        D(2013, 6, 4),
        "La Poste asked the Labo how to buy from the sheltered-work sector.",
        (
            Meeting(D(2013, 7, 2), "Visit of the ESAT's cycle workshop."),
            Idea(
                "bikes",
                "Repair and service the postmen's bikes in the Bas-Rhin",
                RESPONSIBLE,
                D(2013, 7, 2),
            ),
            CoConstruction(
                "bikes", D(2013, 9, 10), "Labo workshops with the ESATs to pool capacity."
            ),
            Progress("Pilot on 40 bikes of the Strasbourg sorting centre.", D(2013, 11, 20)),
            Contract(
                RESPONSIBLE,
                SubKind.RESPONSIBLE_PURCHASING,
                signed_on=D(2014, 1, 27),
                starts_on=D(2014, 2, 1),
                ends_on=D(2015, 1, 31),
                financial_eur=EUR(38000),
            ),
            Renewal(
                D(2015, 1, 12),
                ends_on=D(2017, 1, 31),
                financial_eur=EUR(80000),
                note="Renewed for two years after the pilot year.",
            ),
        ),
    ),
    PartnershipSpec(
        "la-poste-esat-florival",
        "esat-florival",
        "la-poste",
        CONSULTING,
        CONSULTING_LA_POSTE,
        D(2014, 3, 18),
        "Second sheltered workshop, for the Haut-Rhin rounds.",
        (
            Idea(
                "bikes",
                "Service the bikes of the Haut-Rhin delivery rounds",
                RESPONSIBLE,
                D(2014, 4, 8),
            ),
            CoConstruction("bikes", D(2014, 6, 3)),
            Contract(
                RESPONSIBLE,
                SubKind.RESPONSIBLE_PURCHASING,
                signed_on=D(2014, 10, 6),
                starts_on=D(2014, 11, 1),
                ends_on=D(2016, 10, 31),
                financial_eur=EUR(41000),
            ),
        ),
    ),
    PartnershipSpec(
        "sati-integration-workshop",
        "tri-couture",
        "sati",
        CONSULTING,
        CONSULTING_SATI,
        D(2013, 11, 7),
        "Sati asked what to do with its defective coffee packs.",
        (
            Idea(
                "bags",
                "Turn defective coffee packs into bags and pencil cases",
                ECONOMIC,
                D(2013, 11, 7),
            ),
            Idea(
                "machines",
                "Sati sponsors the workshop's sewing machines",
                PATRONAGE,
                D(2013, 11, 7),
            ),
            CoConstruction("bags", D(2014, 1, 14)),
            Progress(
                "Prototype bags approved; cleaning process for the packs fixed.", D(2014, 3, 4)
            ),
            Contract(
                ECONOMIC,
                SubKind.CIRCULAR_ECONOMY,
                signed_on=D(2014, 4, 1),
                starts_on=D(2014, 4, 1),
                ends_on=D(2016, 3, 31),
                in_kind_eur=EUR(6000),
            ),
            Evaluation(
                D(2015, 4, 9),
                beneficiaries=12,
                jobs_created=2,
                in_kind_eur=EUR(6500),
                satisfaction=4,
                findings="About 3,000 bags and pencil cases made from 1.2 t of packs.",
            ),
        ),
    ),
    PartnershipSpec(
        "sati-jardins-cocagne",
        "jardins-cocagne",
        "sati",
        CONSULTING,
        CONSULTING_SATI,
        D(2013, 12, 5),
        "Sati's roasting waste was going to landfill.",
        (
            Idea(
                "compost",
                "Compost the roasting waste in the market garden",
                ECONOMIC,
                D(2013, 12, 5),
            ),
            CoConstruction("compost", D(2014, 2, 11)),
            Contract(
                ECONOMIC,
                SubKind.CIRCULAR_ECONOMY,
                signed_on=D(2014, 5, 15),
                starts_on=D(2014, 6, 1),
                ends_on=D(2017, 5, 31),
                in_kind_eur=EUR(1500),
            ),
            Evaluation(
                D(2016, 6, 2),
                beneficiaries=25,
                in_kind_eur=EUR(2100),
                satisfaction=5,
                findings=(
                    "About 8 t of roasting waste composted a year; "
                    "Sati no longer pays for its removal."
                ),
            ),
        ),
    ),
    PartnershipSpec(
        "outdoor-games-parents",
        "ptits-pas",
        "aires-ludiques",
        THEMATIC,
        EVENT_ALCHEMY,
        D(2013, 10, 17),
        "Met at the event 'Associations & Entreprises, l'alchimie improbable ?'.",
        (
            Meeting(D(2013, 11, 28)),
            Idea(
                "games",
                "Design outdoor games accessible to disabled children",
                INNOVATION,
                D(2013, 11, 28),
            ),
            CoConstruction("games", D(2014, 2, 20)),
            Progress("Parents and therapists test three prototypes.", D(2014, 6, 12)),
            Progress("Wheelchair-accessible carousel prototype validated.", D(2014, 11, 5)),
            Contract(
                INNOVATION,
                SubKind.NEW_PRODUCT,
                signed_on=D(2015, 3, 10),
                starts_on=D(2015, 4, 1),
                ends_on=D(2017, 3, 31),
                financial_eur=EUR(12000),
                skills_days=EUR(20),
            ),
            Evaluation(
                D(2017, 4, 20),
                beneficiaries=400,
                jobs_created=1,
                satisfaction=5,
                findings="Two accessible games in the catalogue, installed in six playgrounds.",
            ),
        ),
    ),
    PartnershipSpec(
        "lyonnaise-integration",
        "renov-emploi",
        "lyonnaise",
        CONSULTING,
        CONSULTING_LYONNAISE,
        D(2014, 1, 23),
        "Consulting: bringing the social economy into the agency's strategy.",
        (
            Idea(
                "fittings",
                "Restore public fittings damaged by the plumbing works",
                RESPONSIBLE,
                D(2014, 2, 13),
            ),
            Idea(
                "awareness",
                "Water-saving awareness visits by the association",
                INNOVATION,
                D(2014, 2, 13),
            ),
            CoConstruction("fittings", D(2014, 3, 20)),
            Contract(
                RESPONSIBLE,
                SubKind.INCLUSION,
                signed_on=D(2014, 6, 2),
                starts_on=D(2014, 7, 1),
                ends_on=D(2015, 6, 30),
                financial_eur=EUR(60000),
            ),
            Evaluation(
                D(2015, 5, 21),
                beneficiaries=8,
                jobs_created=3,
                satisfaction=5,
                findings="Frees the equivalent of two full-time staff at the agency.",
            ),
            Renewal(
                D(2015, 6, 18),
                ends_on=D(2017, 6, 30),
                financial_eur=EUR(130000),
                note="The agency aims at one contract a year with the social economy.",
            ),
        ),
    ),
    PartnershipSpec(
        "fast-food-theatre",
        "theatre-lucioles",
        "resto-rapide",
        SPEED_DATING,
        SD_2010,
        D(2010, 11, 18),
        "Seven minutes were enough to imagine the project.",
        (
            Idea(
                "tickets",
                "Two tickets for a children's show in each children's menu",
                ECONOMIC,
                D(2010, 11, 18),
            ),
            CoConstruction("tickets", D(2010, 12, 9)),
            Contract(  # step 3: its signing date is corrected below
                ECONOMIC,
                SubKind.JOINT_OFFER,
                signed_on=D(2011, 5, 13),
                starts_on=D(2011, 4, 1),
                ends_on=D(2012, 3, 31),
                financial_eur=EUR(4800),
            ),
            Evaluation(
                D(2012, 4, 26),
                beneficiaries=640,
                satisfaction=4,
                findings="640 children came to the theatre, many for the first time.",
            ),
            Correction(
                3,
                {"occurred_on": D(2011, 3, 15)},
                (
                    "Date copied from the archive folder's label; "
                    "the agreement is dated 15 March 2011."
                ),
            ),
        ),
    ),
    # ---------------------------------------------------------------- before the Labo (2008-2011)
    PartnershipSpec(
        "flams-reading",
        "lire-ensemble",
        "flams",
        SPEED_DATING,
        SD_2008,
        D(2008, 6, 12),
        "First professional speed-dating, in a Strasbourg café.",
        (
            Idea(
                "reading",
                "Reading workshops for children in the restaurants",
                INNOVATION,
                D(2008, 6, 12),
            ),
            Abandonment(
                "No follow-up: neither side had time to build the project, and there was no "
                "Labo yet to support it.",
                D(2009, 3, 5),
            ),
        ),
    ),
    PartnershipSpec(
        "printer-ressourcerie",
        "ressourcerie-ried",
        "imprimerie-rhenane",
        SPEED_DATING,
        SD_2008,
        D(2008, 6, 12),
        None,
        (
            Abandonment(
                "Contact lost after the session; the association's coordinator left.",
                D(2009, 1, 15),
            ),
        ),
    ),
    PartnershipSpec(
        "brewery-ressourcerie",
        "ressourcerie-ried",
        "brasserie-ried",
        SPEED_DATING,
        SD_2010,
        D(2010, 11, 18),
        None,
        (
            Idea(
                "crates",
                "Collect and resell the brewery's used crates and pallets",
                ECONOMIC,
                D(2011, 1, 20),
            ),
            Abandonment(
                "The brewery's owner retired; his successor did not pursue local partnerships.",
                D(2011, 9, 8),
            ),
        ),
    ),
    # ---------------------------------------------------------------- the Labo (2012 on)
    PartnershipSpec(
        "haulier-grocery",
        "epicerie-mulhouse",
        "transports-kieffer",
        SPEED_DATING,
        SD_2013,
        D(2013, 3, 21),
        None,
        (
            Idea(
                "transport",
                "Free transport of donated food from the regional platform",
                PATRONAGE,
                D(2013, 4, 18),
            ),
            CoConstruction("transport", D(2013, 6, 6)),
            Contract(
                PATRONAGE,
                SubKind.LOGISTICS,
                signed_on=D(2013, 11, 14),
                starts_on=D(2014, 1, 1),
                ends_on=D(2016, 12, 31),
                in_kind_eur=EUR(9000),
            ),
        ),
    ),
    PartnershipSpec(
        "it-homework",
        "coup-de-pouce",
        "alsace-numerique",
        SPEED_DATING,
        SD_2013,
        D(2013, 3, 21),
        None,
        (
            Abandonment(
                "The association's homework programme closed for lack of volunteers.",
                D(2013, 9, 12),
            ),
        ),
    ),
    PartnershipSpec(
        "audit-handisport",
        "handisport-colmar",
        "rhin-audit",
        THEMATIC,
        EVENT_ALCHEMY,
        D(2013, 10, 17),
        None,
        (
            Idea(
                "bookkeeping",
                "Pro bono bookkeeping and budget training for volunteer treasurers",
                PATRONAGE,
                D(2013, 12, 3),
            ),
            CoConstruction("bookkeeping", D(2014, 1, 21)),
            Contract(
                PATRONAGE,
                SubKind.SKILLS,
                signed_on=D(2014, 3, 3),
                starts_on=D(2014, 3, 1),
                ends_on=D(2015, 2, 28),
                skills_days=EUR(12),
            ),
        ),
    ),
    PartnershipSpec(
        "bakery-market-garden",
        "maraichage-centre-alsace",
        "boulangerie-heitz",
        FORUM,
        FORUM_2014,
        D(2014, 6, 14),
        "Open forum: 'how to develop work for everyone in centre Alsace?'.",
        (
            Meeting(D(2014, 7, 3), "Drinks offered by the Labo to follow up the forum."),
            Idea(
                "vegetables",
                "Organic vegetables from the integration garden for the bakery's catering",
                ECONOMIC,
                D(2014, 7, 3),
            ),
            CoConstruction("vegetables", D(2014, 9, 16)),
            Contract(
                ECONOMIC,
                SubKind.SUPPLY_CHAIN,
                signed_on=D(2015, 1, 19),
                starts_on=D(2015, 2, 1),
                ends_on=D(2017, 1, 31),
                financial_eur=EUR(22000),
            ),
            Evaluation(
                D(2016, 2, 25),
                beneficiaries=14,
                jobs_created=2,
                satisfaction=4,
                findings="Two integration jobs created to meet the bakery's weekly orders.",
            ),
        ),
    ),
    PartnershipSpec(
        "joinery-ressourcerie",
        "ressourcerie-ried",
        "menuiserie-wolff",
        FORUM,
        FORUM_2014,
        D(2014, 6, 14),
        None,
        (
            Idea(
                "furniture",
                "Train job seekers to refurbish furniture in the joinery's workshop",
                INNOVATION,
                D(2014, 7, 3),
            ),
            CoConstruction("furniture", D(2014, 10, 7)),
            Progress(
                "Insurance for trainees on woodworking machines refused twice.", D(2015, 1, 15)
            ),
            Abandonment(
                "No insurance cover could be found for trainees on woodworking machines.",
                D(2015, 4, 2),
            ),
        ),
    ),
    PartnershipSpec(
        "hotel-market-garden",
        "maraichage-centre-alsace",
        "hotel-parc",
        FORUM,
        FORUM_2014,
        D(2014, 6, 14),
        None,
        (
            Meeting(D(2014, 9, 4)),
            Abandonment("No shared interest found after a second meeting.", D(2014, 11, 20)),
        ),
    ),
    PartnershipSpec(
        "textiles-day-centre",
        "passerelle-mulhouse",
        "mulhouse-textiles",
        SPEED_DATING,
        SD_2015,
        D(2015, 10, 8),
        None,
        (
            Idea(
                "clothing",
                "Donate end-of-series technical clothing to the day centre",
                PATRONAGE,
                D(2015, 10, 29),
            ),
            CoConstruction("clothing", D(2015, 12, 3)),
            Contract(
                PATRONAGE,
                SubKind.IN_KIND,
                signed_on=D(2016, 1, 21),
                starts_on=D(2016, 2, 1),
                ends_on=D(2017, 1, 31),
                in_kind_eur=EUR(7500),
            ),
            Evaluation(
                D(2017, 2, 16),
                beneficiaries=210,
                in_kind_eur=EUR(8200),
                satisfaction=4,
                findings="Warm work clothing handed out through two winters.",
            ),
        ),
    ),
    PartnershipSpec(
        "cooperative-repair-cafe",
        "repair-cafe",
        "solivers",
        SPEED_DATING,
        SD_2015,
        D(2015, 10, 8),
        None,
        (
            Idea(
                "offer",
                "Joint repair offer for the cooperative's members",
                ECONOMIC,
                D(2015, 11, 19),
            ),
            Idea(
                "sessions",
                "Repair café sessions in the cooperative's premises",
                INNOVATION,
                D(2016, 1, 14),
            ),
        ),
    ),
    PartnershipSpec(
        "energy-digital",
        "numerique-solidaire",
        "energies-lorraine",
        THEMATIC,
        EVENT_SUSTAINABLE,
        D(2016, 5, 26),
        "Met at 'Le développement durable : niches et opportunités pour les entreprises'.",
        (
            Idea(
                "bills",
                "Digital workshops on energy bills for low-income households",
                INNOVATION,
                D(2016, 6, 30),
            ),
            Abandonment(
                "The company moved its CSR budget to its national foundation.", D(2017, 2, 9)
            ),
        ),
    ),
    PartnershipSpec(
        "brewery-nature",
        "ariena",
        "brasserie-ried",
        THEMATIC,
        EVENT_SUSTAINABLE,
        D(2016, 5, 26),
        None,
        (
            Idea(
                "outings",
                "The brewery funds nature outings for schoolchildren",
                PATRONAGE,
                D(2016, 6, 16),
            ),
            CoConstruction("outings", D(2016, 9, 22)),
            Contract(
                PATRONAGE,
                SubKind.FINANCIAL,
                signed_on=D(2017, 1, 12),
                starts_on=D(2017, 1, 1),
                ends_on=D(2017, 12, 31),
                financial_eur=EUR(5000),
            ),
            Evaluation(
                D(2018, 1, 25),
                beneficiaries=320,
                satisfaction=4,
                findings="Twelve school classes went on a nature outing.",
            ),
        ),
    ),
    PartnershipSpec(
        "hypermarket-youth-centre",
        "mj-haguenau",
        "hyper-haguenau",
        CONSULTING,
        CONSULTING_HYPER,
        D(2017, 9, 14),
        "Consulting: the store wanted a local anchor for its CSR policy.",
        (
            Idea(
                "events",
                "Young people from the youth centre run the store's summer events",
                INNOVATION,
                D(2017, 10, 5),
            ),
            CoConstruction("events", D(2017, 11, 23)),
            Progress("First workshop held; waiting for the store's new director.", D(2018, 3, 15)),
        ),
    ),
    PartnershipSpec(
        "pharma-adapted-sport",
        "sport-adapte-vosges",
        "labo-vosgiens",
        SPEED_DATING,
        SD_2019,
        D(2019, 5, 16),
        None,
        (
            Idea(
                "sessions",
                "Fund adapted sport sessions for people with intellectual disabilities",
                PATRONAGE,
                D(2019, 6, 6),
            ),
            CoConstruction("sessions", D(2019, 9, 12)),
            Contract(
                PATRONAGE,
                SubKind.FINANCIAL,
                signed_on=D(2019, 12, 5),
                starts_on=D(2020, 1, 1),
                ends_on=D(2021, 12, 31),
                financial_eur=EUR(15000),
            ),
        ),
    ),
    PartnershipSpec(
        "it-digital-inclusion",
        "numerique-solidaire",
        "alsace-numerique",
        SPEED_DATING,
        SD_2019,
        D(2019, 5, 16),
        None,
        (
            Idea(
                "laptops",
                "Refurbished laptops and a help desk for the association's users",
                INNOVATION,
                D(2019, 6, 20),
            ),
            CoConstruction("laptops", D(2019, 11, 7)),
            Progress("On hold during the lockdown.", D(2020, 3, 19)),
        ),
    ),
    PartnershipSpec(
        "garage-bike-school",
        "velo-ecole",
        "carrosserie-muller",
        SPONTANEOUS,
        None,
        D(2021, 4, 15),
        "The association contacted the garage directly.",
        (
            Idea(
                "bikes",
                "Refurbish abandoned bikes collected by the garage for the learners",
                ECONOMIC,
                D(2021, 5, 6),
            ),
            CoConstruction("bikes", D(2021, 6, 17)),
            Contract(
                ECONOMIC,
                SubKind.SUPPLY_CHAIN,
                signed_on=D(2021, 10, 4),
                starts_on=D(2021, 10, 1),
                ends_on=D(2023, 9, 30),
                in_kind_eur=EUR(4000),
            ),
            Evaluation(D(2022, 10, 13), beneficiaries=85, satisfaction=5),
            Evaluation(
                D(2023, 10, 5),
                beneficiaries=130,
                jobs_created=1,
                satisfaction=4,
                findings="A part-time mechanic hired by the bike school.",
            ),
        ),
    ),
    PartnershipSpec(
        "ibm-coding-clubs",
        "coup-de-pouce",
        "ibm",
        SPONTANEOUS,
        None,
        D(2022, 9, 22),
        None,
        (
            Idea(
                "clubs",
                "IBM volunteers run coding clubs during homework help",
                PATRONAGE,
                D(2022, 10, 13),
            ),
            Idea("laptops", "Donation of refurbished laptops", PATRONAGE, D(2022, 11, 17)),
        ),
    ),
    PartnershipSpec(
        "flams-theatre",
        "theatre-lucioles",
        "flams",
        SPEED_DATING,
        SD_2024,
        D(2024, 3, 21),
        None,
        (Meeting(D(2024, 6, 13), "Second meeting at the theatre."),),
    ),
    PartnershipSpec(
        "hypermarket-food-bank",
        "banque-alimentaire",
        "hyper-haguenau",
        SPEED_DATING,
        SD_2024,
        D(2024, 3, 21),
        None,
        (
            Idea(
                "unsold",
                "Daily collection of the store's unsold food",
                PATRONAGE,
                D(2024, 4, 18),
            ),
            CoConstruction("unsold", D(2024, 6, 6)),
            Contract(
                PATRONAGE,
                SubKind.IN_KIND,
                signed_on=D(2024, 11, 7),
                starts_on=D(2024, 12, 1),
                ends_on=D(2026, 11, 30),
                in_kind_eur=EUR(48000),
            ),
            Evaluation(
                D(2025, 12, 4),
                beneficiaries=1800,
                volunteer_days=EUR(210),
                in_kind_eur=EUR(52000),
                satisfaction=4,
                findings="About 40 t of food a year saved from waste.",
            ),
        ),
    ),
    PartnershipSpec(
        "printer-parents",
        "ptits-pas",
        "imprimerie-rhenane",
        SPEED_DATING,
        SD_2024,
        D(2024, 3, 21),
        None,
        (
            Idea(
                "rules",
                "Print braille and easy-to-read game rules",
                INNOVATION,
                D(2024, 5, 2),
            ),
        ),
    ),
    PartnershipSpec(
        "haulier-sundgau",
        "ressourcerie-sundgau",
        "transports-kieffer",
        SPONTANEOUS,
        None,
        D(2026, 2, 12),
        "The haulier offered empty return trips.",
    ),
    PartnershipSpec(
        "textiles-theatre",
        "theatre-lucioles",
        "mulhouse-textiles",
        SPEED_DATING,
        SD_2026,
        D(2026, 3, 19),
        None,
    ),
    PartnershipSpec(
        "audit-grocery",
        "epicerie-mulhouse",
        "rhin-audit",
        SPEED_DATING,
        SD_2026,
        D(2026, 3, 19),
        None,
        (
            Idea(
                "budget",
                "Budget workshops for the grocery's customers, run by the firm's accountants",
                PATRONAGE,
                D(2026, 4, 9),
            ),
            CoConstruction("budget", D(2026, 6, 11)),
        ),
    ),
)

LATEST_DATE: date = max(d for spec in PARTNERSHIPS for d in spec.dates)


# ---------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class DemoSummary:
    """What ``load_demo`` did. ``loaded`` is False when the lab already had organisations."""

    lab: str
    loaded: bool
    organizations: int = 0
    partnerships: int = 0
    by_stage: dict[Stage, int] = field(default_factory=dict)
    abandoned: int = 0
    ideas: int = 0
    contracts: int = 0
    evaluations: int = 0
    renewals: int = 0
    corrections: int = 0
    events: int = 0
    last_position: int | None = None
    organization_ids: dict[str, UUID] = field(default_factory=dict)
    partnership_ids: dict[str, UUID] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if not self.loaded:
            return f"lab {self.lab!r} already has organisations: nothing loaded"
        return (
            f"loaded {self.organizations} organisations and {self.partnerships} partnerships "
            f"({self.events} events) into lab {self.lab!r}"
        )


def lab_has_organizations(app: PartnerLab, caller: Caller) -> bool:
    """True when the lab's catalogue lists any organisation; no catalogue counts as empty.

    The catalogue is a projection: wait for it to include everything recorded so far.
    """
    app.read_models.wait_for_projections(timeout=30.0)
    try:
        page = app.organizations.list_organizations(
            caller, OrganizationFilter(include_archived=True), PageRequest(limit=1)
        )
    except StoreUnavailable:  # no catalogue configured
        return False
    return page.total > 0


DEMO_LAB = "alsace"
"""The lab the demo loads into by default: the README's first key and dashboard use it too."""


def load_demo(
    app: PartnerLab,
    *,
    lab: str = DEMO_LAB,
    actor: str = "demo",
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Load the demo data set into ``lab`` unless it already has organisations;
    ``progress(done, total)`` hears each organisation and partnership loaded."""
    caller = Caller(lab=lab, actor=actor)
    if lab_has_organizations(app, caller):
        return DemoSummary(lab=lab, loaded=False)
    today = app.clock()
    if today < LATEST_DATE:
        raise DemoDataError(
            f"the demo data set goes up to {LATEST_DATE.isoformat()}, "
            f"but the application's today is {today.isoformat()}"
        )
    loader = _Loader(app, caller)
    total = len(ORGANIZATIONS) + len(PARTNERSHIPS)
    for done, organization in enumerate(ORGANIZATIONS, 1):
        loader.register(organization)
        if progress is not None:
            progress(done, total)
    for done, partnership in enumerate(PARTNERSHIPS, len(ORGANIZATIONS) + 1):
        loader.open(partnership)
        if progress is not None:
            progress(done, total)
    return loader.summary()


class _Loader:
    def __init__(self, app: PartnerLab, caller: Caller) -> None:
        self.app = app
        self.caller = caller
        self.organization_ids: dict[str, UUID] = {}
        self.partnership_ids: dict[str, UUID] = {}
        self.counts: Counter[str] = Counter()
        self.last_position: int | None = None

    def _track(self, position: int | None, kind: str) -> None:
        self.counts[kind] += 1
        self.counts["events"] += 1
        if position is not None:
            self.last_position = max(position, self.last_position or 0)

    def register(self, spec: OrganizationSpec) -> None:
        result = self.app.organizations.register_organization(
            self.caller,
            kind=spec.kind,
            name=spec.name,
            territory=spec.territory,
            legal_identifier=spec.legal_identifier,
            field_of_activity=spec.field_of_activity,
            description=spec.description,
        )
        self.organization_ids[spec.key] = result.id
        self._track(result.position, "organizations")

    def open(self, spec: PartnershipSpec) -> None:
        result = self.app.partnerships.open_partnership(
            self.caller,
            association_id=self.organization_ids[spec.association],
            company_id=self.organization_ids[spec.company],
            origin_kind=spec.origin,
            origin_reference_id=spec.reference_id,
            occurred_on=spec.opened_on,
            note=spec.note,
        )
        partnership_id = result.id
        self.partnership_ids[spec.key] = partnership_id
        self._track(result.position, "partnerships")
        versions = [result.version]  # the version each step recorded, the opening first
        ideas: dict[str, UUID] = {}
        for step in spec.steps:
            result = self._apply(partnership_id, step, versions, ideas)
            versions.append(result.version)
            if isinstance(step, Idea):
                view = self.app.partnerships.get_partnership(self.caller, partnership_id)
                ideas[step.key] = next(i.id for i in view.ideas if i.title == step.title)

    def _apply(
        self, pid: UUID, step: Step, versions: list[int], ideas: dict[str, UUID]
    ) -> CommandResult:
        app, caller = self.app, self.caller
        if isinstance(step, Meeting):
            result = app.partnerships.record_meeting(
                caller, pid, occurred_on=step.on, note=step.note
            )
            kind = "meetings"
        elif isinstance(step, Idea):
            result = app.partnerships.propose_idea(
                caller,
                pid,
                title=step.title,
                proposed_category=step.category,
                occurred_on=step.on,
                description=step.description,
            )
            kind = "ideas"
        elif isinstance(step, CoConstruction):
            result = app.partnerships.start_co_construction(
                caller, pid, idea_id=ideas[step.idea], occurred_on=step.on, note=step.note
            )
            kind = "co_constructions"
        elif isinstance(step, Progress):
            result = app.partnerships.record_progress(
                caller, pid, progress=step.text, occurred_on=step.on
            )
            kind = "progress"
        elif isinstance(step, Contract):
            result = app.partnerships.sign_contract(
                caller,
                pid,
                category=step.category,
                sub_kind=step.sub_kind,
                signed_on=step.signed_on,
                starts_on=step.starts_on,
                ends_on=step.ends_on,
                financial_eur=step.financial_eur,
                in_kind_eur=step.in_kind_eur,
                skills_days=step.skills_days,
                note=step.note,
            )
            kind = "contracts"
        elif isinstance(step, Evaluation):
            result = app.partnerships.record_evaluation(
                caller,
                pid,
                occurred_on=step.on,
                beneficiaries=step.beneficiaries,
                jobs_created=step.jobs_created,
                volunteer_days=step.volunteer_days,
                in_kind_eur=step.in_kind_eur,
                satisfaction=step.satisfaction,
                findings=step.findings,
            )
            kind = "evaluations"
        elif isinstance(step, Renewal):
            result = app.partnerships.renew_contract(
                caller,
                pid,
                occurred_on=step.on,
                ends_on=step.ends_on,
                financial_eur=step.financial_eur,
                in_kind_eur=step.in_kind_eur,
                skills_days=step.skills_days,
                note=step.note,
            )
            kind = "renewals"
        elif isinstance(step, Abandonment):
            result = app.partnerships.abandon_partnership(
                caller, pid, reason=step.reason, occurred_on=step.on
            )
            kind = "abandoned"
        else:
            result = app.partnerships.correct_milestone(
                caller,
                pid,
                target_version=versions[step.step],
                changes=step.changes,
                reason=step.reason,
            )
            kind = "corrections"
        self._track(result.position, kind)
        return result

    def summary(self) -> DemoSummary:
        stages: Counter[Stage] = Counter(
            self.app.partnerships.get_partnership(self.caller, pid).stage
            for pid in self.partnership_ids.values()
        )
        return DemoSummary(
            lab=self.caller.lab,
            loaded=True,
            organizations=self.counts["organizations"],
            partnerships=self.counts["partnerships"],
            by_stage={stage: stages.get(stage, 0) for stage in Stage},
            abandoned=self.counts["abandoned"],
            ideas=self.counts["ideas"],
            contracts=self.counts["contracts"],
            evaluations=self.counts["evaluations"],
            renewals=self.counts["renewals"],
            corrections=self.counts["corrections"],
            events=self.counts["events"],
            last_position=self.last_position,
            organization_ids=dict(self.organization_ids),
            partnership_ids=dict(self.partnership_ids),
        )
