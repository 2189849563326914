"""A small lab whose report figures are worked out by hand (see the tests that use it).

Six partnerships, recorded in this order:

- A  food bank - IBM, speed-dating ``sd-2014-03``, met 2014-03-12, idea 2014-04-02 (patronage),
  co-construction 2014-05-20, contract 2014-09-15 (patronage/skills, 2 500 EUR in kind,
  12.5 skills days), evaluation 2015-06-30 (120 beneficiaries, 1 job, 4 volunteer days,
  10 skills days, 500 EUR in kind, satisfaction 5), renewal 2015-09-01 (1 000 EUR, 5 days);
- B  ESAT - La Poste (Paris, 75), thematic event ``forum-2013``, met 2013-06-03, idea
  2013-07-01 (responsible practices), co-construction 2013-09-02, contract entered as
  2014-01-15 (10 000 EUR), **corrected later** to 2013-12-20;
- C  Jardins de Cocagne - Sati, consulting, met 2015-02-10, idea 2015-03-01 (economic
  cooperation), abandoned 2015-05-01 "no budget";
- D  parents' association - games maker, spontaneous, met 2016-01-05, meeting 2016-02-01,
  abandoned 2016-03-01 "contact lost", **reason corrected later** to "the association merged";
- F  ESAT - IBM, open forum, met 2026-09-01, meeting 2026-10-20 (recent: not stalled);

then ``before_late_entries`` is taken, and only after it:

- E  food bank - La Poste, **entered late** (backdated): speed-dating ``sd-2014-03``, met
  2014-03-12, idea 2014-06-01 (social innovation), nothing since (stalled);
- the two corrections above.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from application.context import Caller
from application.lab import PartnerLab
from domain.values import Category, OrganizationKind, OriginKind, SubKind
from tests.lab_stories import open_between, propose, to_contract

ASSOCIATION = OrganizationKind.ASSOCIATION
COMPANY = OrganizationKind.COMPANY
PROJECT = "a shared project"
"""The title of every idea."""


@dataclass
class Lab:
    a: UUID
    b: UUID
    c: UUID
    d: UUID
    e: UUID
    f: UUID
    before_late_entries: datetime
    last_position: int


def _pause() -> datetime:
    """A recording time strictly between two writes."""
    time.sleep(0.005)
    moment = datetime.now(UTC)
    time.sleep(0.005)
    return moment


def record_the_lab(app: PartnerLab, staff: Caller) -> Lab:
    org = {
        key: app.organizations.register_organization(
            staff, kind=kind, name=name, territory=territory
        ).id
        for key, kind, name, territory in (
            ("food_bank", ASSOCIATION, "Banque alimentaire du Bas-Rhin", "67"),
            ("ibm", COMPANY, "IBM France", "67"),
            ("esat", ASSOCIATION, "ESAT du Neuhof", "67"),
            ("la_poste", COMPANY, "La Poste", "75"),
            ("jardins", ASSOCIATION, "Jardins de Cocagne", "68"),
            ("sati", COMPANY, "Cafés Sati", "68"),
            ("parents", ASSOCIATION, "Association de parents", "67"),
            ("games", COMPANY, "Jeux de plein air", "57"),
        )
    }

    def open_(assoc: str, company: str, kind: OriginKind, on: date, ref: str | None) -> UUID:
        return open_between(app, staff, org[assoc], org[company], on, kind, ref)

    a = open_("food_bank", "ibm", OriginKind.SPEED_DATING, date(2014, 3, 12), "sd-2014-03")
    a_amounts = {"in_kind_eur": Decimal("2500.00"), "skills_days": Decimal("12.5")}
    a_timeline = "2014-04-02 2014-05-20 2014-09-15 2014-10-01 2015-09-30"
    to_contract(app, staff, a, PROJECT, SubKind.SKILLS, a_timeline, **a_amounts)
    app.partnerships.record_evaluation(
        staff,
        a,
        occurred_on=date(2015, 6, 30),
        beneficiaries=120,
        jobs_created=1,
        volunteer_days=Decimal(4),
        skills_days=Decimal(10),
        in_kind_eur=Decimal(500),
        satisfaction=5,
    )
    app.partnerships.renew_contract(
        staff,
        a,
        occurred_on=date(2015, 9, 1),
        ends_on=date(2016, 9, 30),
        financial_eur=Decimal(1000),
        skills_days=Decimal(5),
    )

    b = open_("esat", "la_poste", OriginKind.THEMATIC_EVENT, date(2013, 6, 3), "forum-2013")
    b_timeline = "2013-07-01 2013-09-02 2014-01-15 2014-02-01 2015-01-31"
    b_amount = Decimal(10000)
    to_contract(
        app, staff, b, PROJECT, SubKind.RESPONSIBLE_PURCHASING, b_timeline, financial_eur=b_amount
    )

    c = open_("jardins", "sati", OriginKind.CONSULTING, date(2015, 2, 10), None)
    propose(app, staff, c, PROJECT, Category.ECONOMIC_COOPERATION, date(2015, 3, 1))
    app.partnerships.abandon_partnership(staff, c, reason="no budget", occurred_on=date(2015, 5, 1))

    d = open_("parents", "games", OriginKind.SPONTANEOUS, date(2016, 1, 5), None)
    app.partnerships.record_meeting(staff, d, occurred_on=date(2016, 2, 1))
    app.partnerships.abandon_partnership(
        staff, d, reason="contact lost", occurred_on=date(2016, 3, 1)
    )

    f = open_("esat", "ibm", OriginKind.OPEN_FORUM, date(2026, 9, 1), None)
    app.partnerships.record_meeting(staff, f, occurred_on=date(2026, 10, 20))

    before_late_entries = _pause()

    e = open_("food_bank", "la_poste", OriginKind.SPEED_DATING, date(2014, 3, 12), "sd-2014-03")
    propose(app, staff, e, PROJECT, Category.SOCIAL_INNOVATION, date(2014, 6, 1))
    app.partnerships.correct_milestone(
        staff,
        b,
        target_version=4,
        changes={"signed_on": "2013-12-20"},
        reason="the signature date was misread",
    )
    last = app.partnerships.correct_milestone(
        staff,
        d,
        target_version=3,
        changes={"reason": "the association merged"},
        reason="the real reason came to light",
    )
    assert last.position is not None
    return Lab(a, b, c, d, e, f, before_late_entries, last.position)
