"""The demo data set: every story of the source is there, through the use cases only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest

from application.context import Caller
from application.lab import PartnerLab
from application.partnerships.views import PartnershipView
from application.results import Page
from domain.values import (
    Category,
    OrganizationKind,
    OriginKind,
    Stage,
    SubKind,
    validate_legal_identifier,
)
from partnerlab.demo import (
    DEMO_LAB,
    ORGANIZATIONS,
    PARTNERSHIPS,
    DemoDataError,
    DemoSummary,
    load_demo,
    luhn_check_digit,
    siren,
)

TODAY = date(2026, 11, 26)
IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
CALLER = Caller(lab=DEMO_LAB, actor="test")  # the lab the demo loads into by default


def in_memory_app(today: date = TODAY) -> PartnerLab:
    return PartnerLab(IN_MEMORY, clock=lambda: today)


@pytest.fixture(scope="module")
def loaded() -> tuple[PartnerLab, DemoSummary]:
    app = in_memory_app()
    return app, load_demo(app)


def story(loaded: tuple[PartnerLab, DemoSummary], key: str) -> PartnershipView:
    app, summary = loaded
    return app.partnerships.get_partnership(CALLER, summary.partnership_ids[key])


def partner_names(loaded: tuple[PartnerLab, DemoSummary], view: PartnershipView) -> set[str]:
    app, _ = loaded
    return {
        app.organizations.get_organization(CALLER, view.association_id).name,
        app.organizations.get_organization(CALLER, view.company_id).name,
    }


def all_views(loaded: tuple[PartnerLab, DemoSummary]) -> list[PartnershipView]:
    return [story(loaded, key) for key in loaded[1].partnership_ids]


def test_the_summary_counts_what_was_loaded(loaded: tuple[PartnerLab, DemoSummary]) -> None:
    _, summary = loaded
    assert summary.loaded
    assert summary.organizations == len(ORGANIZATIONS) >= 40
    assert summary.partnerships == len(PARTNERSHIPS) >= 30
    assert sum(summary.by_stage.values()) == summary.partnerships
    assert summary.last_position is not None
    assert "loaded" in summary.message


def test_ibm_and_the_food_bank_reached_evaluation(loaded: tuple[PartnerLab, DemoSummary]) -> None:
    view = story(loaded, "ibm-food-bank")
    assert partner_names(loaded, view) == {"IBM France", "Banque alimentaire du Bas-Rhin"}
    assert view.stage is Stage.EVALUATION
    assert view.contract is not None
    assert (view.contract.category, view.contract.sub_kind) == (Category.PATRONAGE, SubKind.SKILLS)
    assert view.evaluations
    assert any("traceability" in idea.title for idea in view.ideas if idea.chosen)
    assert any(not idea.chosen for idea in view.ideas)


def test_la_poste_and_the_sheltered_workshops_are_under_contract(
    loaded: tuple[PartnerLab, DemoSummary],
) -> None:
    for key in ("la-poste-esat-ill", "la-poste-esat-florival"):
        view = story(loaded, key)
        assert "La Poste" in partner_names(loaded, view)
        assert view.stage is Stage.CONTRACT
        assert view.status == "open"
        assert view.contract is not None
        assert view.contract.category is Category.RESPONSIBLE_PRACTICES
        assert any("bikes" in idea.title for idea in view.ideas)
    renewed = story(loaded, "la-poste-esat-ill")
    assert renewed.contract is not None
    assert renewed.contract.renewals


@pytest.mark.parametrize(
    ("key", "partner", "category"),
    [
        ("sati-integration-workshop", "Cafés Sati", Category.ECONOMIC_COOPERATION),
        ("sati-jardins-cocagne", "Les Jardins de Cocagne", Category.ECONOMIC_COOPERATION),
        ("outdoor-games-parents", "Aires Ludiques d'Alsace", Category.SOCIAL_INNOVATION),
        (
            "lyonnaise-integration",
            "Lyonnaise des eaux - agence Alsace",
            Category.RESPONSIBLE_PRACTICES,
        ),
        ("fast-food-theatre", "Théâtre des Lucioles", Category.ECONOMIC_COOPERATION),
    ],
)
def test_the_other_stories_are_signed_in_their_category(
    loaded: tuple[PartnerLab, DemoSummary], key: str, partner: str, category: Category
) -> None:
    view = story(loaded, key)
    assert partner in partner_names(loaded, view)
    assert view.contract is not None
    assert view.contract.category is category
    assert view.evaluations


def test_the_fast_food_restaurant_met_the_theatre_at_a_speed_dating(
    loaded: tuple[PartnerLab, DemoSummary],
) -> None:
    view = story(loaded, "fast-food-theatre")
    assert view.origin_kind is OriginKind.SPEED_DATING
    assert view.origin_reference_id is not None
    assert view.origin_reference_id.startswith("speed-dating-")
    assert view.corrections, "the demo shows a correction of the signing date"
    assert view.contract is not None
    assert view.contract.signed_on == date(2011, 3, 15)


def test_every_stage_origin_and_outcome_is_represented(
    loaded: tuple[PartnerLab, DemoSummary],
) -> None:
    views = all_views(loaded)
    open_stages = Counter(v.stage for v in views if v.status == "open")
    assert set(open_stages) == set(Stage)
    assert {v.origin_kind for v in views} == set(OriginKind)
    abandoned = [v for v in views if v.status == "abandoned"]
    assert len(abandoned) >= 3
    assert all(v.abandonment_reason for v in abandoned)
    assert {v.stage for v in abandoned} >= {Stage.MEETING, Stage.IDEA, Stage.CO_CONSTRUCTION}
    assert {v.contract.category for v in views if v.contract} == set(Category)
    assert sum(len(v.evaluations) for v in views) >= 5
    assert sum(len(v.contract.renewals) for v in views if v.contract) >= 1
    assert any(v.corrections for v in views)
    assert any(len(v.ideas) > 1 and any(not i.chosen for i in v.ideas) for v in views)
    references = {v.origin_reference_id for v in views}
    assert "speed-dating-2013-03" in references
    assert "open-forum-2014-centre-alsace" in references


def test_business_dates_lie_between_2008_and_today(loaded: tuple[PartnerLab, DemoSummary]) -> None:
    dates = [m.occurred_on for v in all_views(loaded) for m in v.milestones]
    assert min(dates) >= date(2008, 1, 1)
    assert max(dates) <= TODAY
    assert min(dates).year == 2008
    assert max(dates).year == 2026


def test_organisations_are_legal_persons_with_valid_identifiers(
    loaded: tuple[PartnerLab, DemoSummary],
) -> None:
    app, summary = loaded
    organizations = [
        app.organizations.get_organization(CALLER, i) for i in summary.organization_ids.values()
    ]
    kinds = Counter(o.kind for o in organizations)
    assert kinds[OrganizationKind.ASSOCIATION] >= 15
    assert kinds[OrganizationKind.COMPANY] >= 15
    territories = Counter(o.territory for o in organizations)
    assert territories["67"] + territories["68"] >= 35
    assert set(territories) - {"67", "68"}, "a few organisations come from elsewhere"
    for organization in organizations:
        assert organization.legal_identifier is not None
        assert validate_legal_identifier(organization.kind, organization.legal_identifier)
        text = f"{organization.name} {organization.description}"
        assert "@" not in text
    assert len({o.legal_identifier for o in organizations}) == len(organizations)
    assert len({o.name for o in organizations}) == len(organizations)


def test_siren_keys_pass_the_luhn_check() -> None:
    assert siren("73282932") == "732829320"
    assert luhn_check_digit("35600000") == "0"  # La Poste's SIREN 356000000
    with pytest.raises(ValueError, match="8 digits"):
        siren("1234")


def test_loading_is_deterministic() -> None:
    def shape(app: PartnerLab, summary: DemoSummary) -> dict[str, list[tuple[str, date, str]]]:
        return {
            key: [
                (m.kind, m.occurred_on, repr(sorted(m.details)))
                for m in app.partnerships.get_partnership(CALLER, pid).milestones
            ]
            for key, pid in summary.partnership_ids.items()
        }

    first, second = in_memory_app(), in_memory_app()
    one, two = load_demo(first), load_demo(second)
    assert shape(first, one) == shape(second, two)
    assert (one.by_stage, one.events) == (two.by_stage, two.events)


@dataclass
class _CatalogWithOrganizations:
    total: int

    def list_organizations(self, lab: str, filters: object, page: object) -> Page[object]:
        return Page(items=[], total=self.total, limit=1, offset=0)

    def list_partnerships(self, lab: str, filters: object, page: object) -> Page[object]:
        return Page(items=[], total=0, limit=1, offset=0)


def test_a_lab_with_organisations_gets_nothing() -> None:
    app = PartnerLab(IN_MEMORY, clock=lambda: TODAY, catalog=_CatalogWithOrganizations(3))  # type: ignore[arg-type]
    summary = load_demo(app)
    assert not summary.loaded
    assert summary.organizations == summary.partnerships == 0
    assert "nothing loaded" in summary.message
    assert app.read_models.log_head() is None


def test_an_empty_catalogue_gets_the_data_set() -> None:
    app = PartnerLab(IN_MEMORY, clock=lambda: TODAY, catalog=_CatalogWithOrganizations(0))  # type: ignore[arg-type]
    assert load_demo(app, lab="other", actor="me").loaded


def test_a_clock_before_the_latest_date_refuses_to_load_anything() -> None:
    app = in_memory_app(date(2020, 1, 1))
    with pytest.raises(DemoDataError, match="2020-01-01"):
        load_demo(app)
    assert app.read_models.log_head() is None
