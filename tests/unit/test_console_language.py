"""The console's languages: catalogues complete and in step with the code, the locale chosen
the right way, and dates, amounts and percentages written the reader's way."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from api.console.labels import category, stage
from api.console.locales import catalogue_path, negotiate, translator
from api.console.templating import environment

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_of_the_code_is_in_the_french_catalogue(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "--no-location", "-o", str(template), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with template.open("rb") as extracted:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(extracted) if m.id}
    assert len(wanted) > 100
    with catalogue_path("fr").open("rb") as po:
        french = read_po(po, locale="fr")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in french
        if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else all(m.string or ()))
    }
    assert wanted - translated == set(), "run pybabel extract/update and translate (README)"


def test_the_lab_reads_its_own_words_in_french() -> None:
    _ = translator("fr")
    assert [_(category[c]) for c in category] == [
        "Mécénat",
        "Pratiques responsables",
        "Coopération économique",
        "Innovation sociale",
    ]
    assert [_(stage[s]) for s in stage] == [
        "rencontre",
        "piste de collaboration",
        "co-construction",
        "convention",
        "évaluation",
    ]
    assert translator("en")(category["patronage"]) == "Patronage"


@pytest.mark.parametrize(
    ("remembered", "accept", "expected"),
    [
        (None, None, "fr"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "de-DE, en;q=0.5", "en"),
        (None, "de-DE", "fr"),
        (None, "fr-CH, en;q=0.5", "fr"),
        (None, "en;q=0, fr;q=0.1", "fr"),
        ("en", "fr-FR", "en"),
        ("xx", "en", "en"),
        (None, "en;q=abc", "fr"),
    ],
)
def test_the_remembered_choice_wins_then_the_browser_then_french(
    remembered: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(remembered, accept) == expected


def test_dates_amounts_and_percentages_are_written_the_readers_way() -> None:
    source = "{{ d | day }}|{{ a | euros }}|{{ p | percent }}|{{ n | number }}"
    values = {"d": date(2026, 12, 15), "a": "1234.56", "p": "0.5", "n": 12345}
    french = environment("fr").from_string(source).render(**values)
    english = environment("en").from_string(source).render(**values)
    nbsp = "\u202f"
    assert french == f"15/12/2026|1{nbsp}234,56{chr(0xA0)}€|50{chr(0xA0)}%|12{nbsp}345"
    assert english == "15/12/2026|€1,234.56|50%|12,345"
