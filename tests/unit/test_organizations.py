"""Organisations: registering associations and companies, checking their legal identifiers."""

from __future__ import annotations

import pytest

from domain.errors import (
    InvalidLegalIdentifier,
    InvalidTerritory,
    OrganizationArchived,
    RequiredValueMissing,
)
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind, validate_legal_identifier, validate_territory
from tests.unit.stories import (
    FOOD_BANK_RNA,
    IBM_SIREN,
    IBM_SIRET,
    LA_POSTE_SIRET,
    LAB,
    STAFF,
    food_bank,
    ibm,
    la_poste,
)

COMPANY = OrganizationKind.COMPANY
ASSOCIATION = OrganizationKind.ASSOCIATION


# ---------------------------------------------------------------------- registering


def test_registering_ibm_records_who_and_what_with_cleaned_values() -> None:
    # When
    org = Organization.register(
        lab=LAB,
        kind=COMPANY,
        name="  IBM France ",
        territory=" 67",
        actor=STAFF,
        legal_identifier="552 118 465",
        field_of_activity="   ",
        description="Big Blue's French arm",
    )

    # Then
    [registered] = org.collect_events()
    assert isinstance(registered, Organization.Registered)
    assert registered.name == "IBM France"
    assert registered.legal_identifier == IBM_SIREN
    assert registered.territory == "67"
    assert registered.field_of_activity is None
    assert registered.actor == STAFF
    assert registered.lab == LAB
    assert registered.originator_version == 1
    assert org.kind is COMPANY
    assert org.archived is False
    assert org.registered_by == STAFF
    assert org.organization_id == org.id


def test_an_organisation_without_a_name_is_refused() -> None:
    with pytest.raises(RequiredValueMissing) as error:
        Organization.register(lab=LAB, kind=ASSOCIATION, name="  ", territory="67", actor=STAFF)

    assert error.value.field == "name"
    assert error.value.rule == "value-required"


def test_nobody_can_register_anonymously() -> None:
    with pytest.raises(RequiredValueMissing) as error:
        Organization.register(lab=LAB, kind=ASSOCIATION, name="Emmaüs", territory="67", actor="")

    assert error.value.field == "actor"


# ---------------------------------------------------------------------- legal identifiers


@pytest.mark.parametrize(
    "identifier",
    [
        pytest.param(IBM_SIREN, id="IBM France SIREN"),
        pytest.param(IBM_SIRET, id="IBM France SIRET"),
        pytest.param("552 118 465 03644", id="SIRET with spaces"),
        pytest.param(LA_POSTE_SIRET, id="La Poste SIRET (digit sum multiple of 5)"),
        pytest.param("356000000", id="La Poste SIREN (plain Luhn)"),
    ],
)
def test_valid_company_identifiers_are_accepted(identifier: str) -> None:
    assert validate_legal_identifier(COMPANY, identifier) == identifier.replace(" ", "")


@pytest.mark.parametrize(
    "identifier",
    [
        pytest.param("552118466", id="SIREN with a wrong key"),
        pytest.param("55211846503645", id="SIRET with a wrong key"),
        pytest.param("35600000049838", id="La Poste SIRET whose digit sum is not a multiple of 5"),
        pytest.param("35600000000048", id="La Poste SIRET that only passes Luhn"),
        pytest.param("55211846", id="too short"),
        pytest.param("5521184650", id="ten digits"),
        pytest.param("55211846A", id="a letter"),
        pytest.param(FOOD_BANK_RNA, id="an RNA number for a company"),
    ],
)
def test_invalid_company_identifiers_are_refused(identifier: str) -> None:
    with pytest.raises(InvalidLegalIdentifier) as error:
        validate_legal_identifier(COMPANY, identifier)

    assert error.value.rule == "legal-identifier-invalid"
    assert error.value.field == "legal_identifier"


def test_a_la_poste_siret_is_checked_by_its_digit_sum_not_by_luhn() -> None:
    digit_sum = sum(int(c) for c in LA_POSTE_SIRET)

    assert digit_sum % 5 == 0
    assert la_poste().legal_identifier == LA_POSTE_SIRET


@pytest.mark.parametrize(
    ("identifier", "stored"),
    [
        (FOOD_BANK_RNA, FOOD_BANK_RNA),
        ("w672001234", FOOD_BANK_RNA),
        ("W 672 001 234", FOOD_BANK_RNA),
    ],
)
def test_an_association_is_identified_by_its_rna_number(identifier: str, stored: str) -> None:
    assert validate_legal_identifier(ASSOCIATION, identifier) == stored


@pytest.mark.parametrize(
    "identifier",
    ["W67200123", "W6720012345", "672001234", "X672001234", IBM_SIREN],
)
def test_an_association_identifier_must_be_w_and_nine_digits(identifier: str) -> None:
    with pytest.raises(InvalidLegalIdentifier):
        validate_legal_identifier(ASSOCIATION, identifier)


@pytest.mark.parametrize("kind", list(OrganizationKind))
@pytest.mark.parametrize("identifier", [None, "", "   "])
def test_a_legal_identifier_is_optional(kind: OrganizationKind, identifier: str | None) -> None:
    assert validate_legal_identifier(kind, identifier) is None


# ---------------------------------------------------------------------- territories


@pytest.mark.parametrize(
    ("code", "normalized"),
    [
        ("67", "67"),
        ("68", "68"),
        ("01", "01"),
        ("19", "19"),
        ("21", "21"),
        ("95", "95"),
        ("2A", "2A"),
        ("2b", "2B"),
        ("974", "974"),
        ("971", "971"),
        ("978", "978"),
        (" 67 ", "67"),
    ],
)
def test_french_departement_codes_are_valid_territories(code: str, normalized: str) -> None:
    assert validate_territory(code) == normalized


@pytest.mark.parametrize("code", ["20", "00", "99", "96", "979", "970", "2C", "6", "", "Bas-Rhin"])
def test_other_territory_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidTerritory) as error:
        validate_territory(code)

    assert error.value.rule == "territory-invalid"
    assert error.value.field == "territory"


def test_registering_with_corsica_as_a_whole_is_refused() -> None:
    with pytest.raises(InvalidTerritory):
        Organization.register(
            lab=LAB, kind=ASSOCIATION, name="Corsica Ciclismu", territory="20", actor=STAFF
        )


# ---------------------------------------------------------------------- updating, archiving


def test_updating_records_only_the_fields_that_change() -> None:
    # Given
    food = food_bank()

    # When
    changed = food.update(
        actor=STAFF,
        name="Banque alimentaire du Bas-Rhin",
        territory="68",
        description="  collects and shares food  ",
    )

    # Then
    assert changed is True
    [updated] = food.collect_events()
    assert isinstance(updated, Organization.Updated)
    assert updated.changes == {"territory": "68", "description": "collects and shares food"}
    assert updated.actor == STAFF
    assert food.territory == "68"
    assert food.version == 2


def test_an_update_that_changes_nothing_records_nothing() -> None:
    food = food_bank()

    changed = food.update(actor=STAFF, territory="67", legal_identifier="w672001234")

    assert changed is False
    assert food.collect_events() == []
    assert food.version == 1


def test_an_update_is_validated_like_a_registration() -> None:
    company = ibm()

    with pytest.raises(InvalidLegalIdentifier):
        company.update(actor=STAFF, legal_identifier="552118466")

    assert company.legal_identifier == IBM_SIREN
    assert company.collect_events() == []


def test_an_unknown_organisation_field_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        ibm().update(actor=STAFF, kind=ASSOCIATION)


def test_archiving_an_organisation_records_the_reason() -> None:
    # Given
    workshop = food_bank()

    # When
    workshop.archive(actor=STAFF, reason="  merged into a regional network ")

    # Then
    [archived] = workshop.collect_events()
    assert isinstance(archived, Organization.Archived)
    assert archived.reason == "merged into a regional network"
    assert workshop.archived is True


def test_an_archived_organisation_can_be_neither_updated_nor_archived_again() -> None:
    gone = ibm(archived=True)

    with pytest.raises(OrganizationArchived) as error:
        gone.update(actor=STAFF, name="IBM")
    assert error.value.rule == "organization-not-archived"

    with pytest.raises(OrganizationArchived):
        gone.archive(actor=STAFF)
    assert gone.collect_events() == []
