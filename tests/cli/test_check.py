"""``partnerlab check`` on data recorded before the rules (events written directly, bypassing
every new check): the histories load as they are, and each breach is listed with its ids."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

from typer.testing import CliRunner

from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership
from domain.values import Category, OrganizationKind, Origin, OriginKind
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.cli import cli
from tests.cli.test_cli import clean_environment, sqlite_file  # noqa: F401

runner = CliRunner()
TODAY = date(2026, 11, 26)
SIREN = "552118465"


def test_check_lists_what_older_data_breaks_and_exits_non_zero(
    sqlite_file: Path,  # noqa: F811
) -> None:
    runtime = build_runtime(Settings(sqlite_path=sqlite_file), run_projections=False)
    lab = runtime.settings.default_lab
    try:
        log = runtime.app.log

        def org(kind: OrganizationKind, name: str, siren: str | None = None) -> Organization:
            o = Organization.register(
                lab=lab, kind=kind, name=name, territory="67", actor="old", legal_identifier=siren
            )
            log.save(o)  # no claim: recorded before the rule
            return o

        ibm = org(OrganizationKind.COMPANY, "IBM France", SIREN)
        twin = org(OrganizationKind.COMPANY, "IBM (doublon)", SIREN)
        bank = org(OrganizationKind.ASSOCIATION, "Banque alimentaire")

        def opened(on: date) -> Partnership:
            return Partnership.open(
                association=bank,
                company=ibm,
                origin=Origin(OriginKind.SPONTANEOUS, None),
                occurred_on=on,
                actor="old",
                today=TODAY,
            )

        first, second = opened(date(2014, 1, 1)), opened(date(2015, 1, 1))
        idea = first.propose_idea(
            title="Software",
            proposed_category=Category.PATRONAGE,
            occurred_on=date(2014, 6, 1),
            actor="old",
            today=TODAY,
        )
        # as an old history has it: co-construction dated before its idea
        first._start_co_construction(
            idea_id=idea, occurred_on=date(2014, 3, 1), actor="old", note=None
        )
        log.save(first, second)
        runtime.followers.catch_up()
        replayed = log.get(first.id)  # replay never re-checks
        assert replayed.milestones[-1].occurred_on == date(2014, 3, 1)
        assert log.get(twin.id).legal_identifier == SIREN
    finally:
        runtime.close()

    result = runner.invoke(cli, ["check"])

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    [dates] = [line for line in lines if "[milestone-not-before-predecessor]" in line]
    assert str(first.id) in dates
    assert "co_construction" in dates
    assert "2014-03-01" in dates
    [twins] = [line for line in lines if "[legal-identifier-unique]" in line]
    assert str(ibm.id) in twins
    assert str(twin.id) in twins
    [pairs] = [line for line in lines if "[one-open-partnership-per-pair]" in line]
    assert str(first.id) in pairs
    assert str(second.id) in pairs

    clean = runner.invoke(cli, ["check", "--lab", f"empty-{uuid4().hex[:6]}"])
    assert clean.exit_code == 0, clean.output
    assert "no recorded data breaks a rule" in clean.output
