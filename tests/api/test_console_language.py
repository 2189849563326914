"""The pages speak French first, English on request, and remember the person's choice."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import API

HTML = {"Accept": "text/html"}


def test_the_dashboard_is_in_french_unless_the_browser_prefers_english(
    client: TestClient, contracted: dict[str, Any]
) -> None:
    french = client.get("/dashboard", headers=HTML)
    assert french.headers["content-language"] == "fr"
    assert '<html lang="fr">' in french.text
    assert "Tableau de bord du Labo des partenariats" in french.text
    assert "Mécénat" in french.text
    assert "piste de collaboration" in french.text
    assert "Patronage" not in french.text
    english = client.get("/dashboard", headers={**HTML, "Accept-Language": "en-GB,en;q=0.9"})
    assert english.headers["content-language"] == "en"
    assert "Partnership lab dashboard" in english.text
    assert "Patronage" in english.text


def test_a_chosen_language_is_remembered_over_the_browsers(client: TestClient) -> None:
    browser = TestClient(client.app, follow_redirects=False, headers=client.headers)
    chosen = browser.get("/language", params={"lang": "en", "next": "/dashboard?territory=67"})
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/dashboard?territory=67"
    cookie = chosen.headers["set-cookie"].lower()
    assert "partnerlab_locale=en" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    page = browser.get("/dashboard", headers={**HTML, "Accept-Language": "fr-FR"})
    assert "Partnership lab dashboard" in page.text
    back = browser.get("/language", params={"lang": "fr", "next": "//elsewhere.example/x"})
    assert back.headers["location"] == "/dashboard", "never sent to another host"


def test_the_lineage_page_names_the_partners_in_french(
    client: TestClient, with_idea: dict[str, Any]
) -> None:
    page = client.get(f"{API}/partnerships/{with_idea['id']}/lineage", headers=HTML)
    assert page.headers["content-language"] == "fr"
    assert "Comment ce partenariat est né" in page.text
    assert "Banque alimentaire du Bas-Rhin et IBM France" in page.text
    assert "piste de collaboration" in page.text
