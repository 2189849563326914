"""The console in a real browser: Debian's Chromium driven by Playwright against a real uvicorn
server, on SQLite and on PostgreSQL.

What a person does: an account made with the CLI, its password set through the printed link,
sign in, register an association and a company, take a partnership from meeting to evaluation
with the forms, correct a milestone with a reason and read it in the timeline. Beside it: a
viewer sees no forms, a POST without the CSRF token is refused with a page, two browsers on the
same partnership (the second is told, nothing is overwritten), the pages in French and in
English, axe-core on the main pages at desktop and tablet widths, and a screenshot of each main
page in ``tests/e2e/screenshots/`` (git-ignored) for review.

One server per database for the module, one browser for the session.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from application.context import Caller
from domain.access.api_key import Role
from domain.values import OrganizationKind
from infrastructure.settings import Settings
from tests.conftest import TODAY, postgres_settings
from tests.faults.live import child_env

playwright_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "un mot de passe assez long"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium needed")


@dataclass
class Server:
    url: str
    settings: Settings
    app: object

    @property
    def lab(self) -> object:
        return self.app.state.runtime.app  # type: ignore[attr-defined]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    extra = {"fast_password_hashing": True, "console_url": url}
    if request.param == "postgres":
        database = request.getfixturevalue("postgres_database")
        settings = postgres_settings(database, **extra)
    else:
        path = tmp_path_factory.mktemp("console") / "partnerlab.sqlite3"
        settings = Settings(sqlite_path=path, **extra)  # type: ignore[arg-type]
    app = create_app(settings, clock=lambda: TODAY)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Server(url, settings, app)
    finally:
        running.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Browser, locale: str = "fr-FR", width: int = 1280) -> Page:
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    return context.new_page()


def cli_create_account(server: Server, email: str, role: str) -> str:
    """``partnerlab users create``, as an operator runs it: the link is its standard output."""
    from tests.faults.live import settings_env

    env = child_env(server.settings, {"PARTNERLAB_CONSOLE_URL": server.url})
    env.update(settings_env(server.settings))
    done = subprocess.run(
        [sys.executable, "-m", "partnerlab.cli", "users", "create", "--lab", "alsace",
         "--role", role, "--email", email],
        env={**env, "PARTNERLAB_FAST_PASSWORD_HASHING": "true"},
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    link = done.stdout.strip()
    assert link.startswith(f"{server.url}/set-password/"), link
    return link


def set_password_and_sign_in(page: Page, server: Server, link: str, email: str) -> None:
    page.goto(link)
    page.get_by_label("Nouveau mot de passe").fill(PASSWORD)
    page.get_by_label("Le même mot de passe, à nouveau").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe est enregistré")
    sign_in(page, email)


def sign_in(page: Page, email: str) -> None:
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À faire")


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def register(page: Page, server: Server, kind: str, name: str, territory: str) -> None:
    page.goto(f"{server.url}/console/organisations/new")
    page.get_by_label("Type").select_option(kind)
    page.get_by_label("Nom").fill(name)
    page.get_by_label("Département").fill(territory)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def staff_page(browser: Browser, server: Server, email: str) -> Page:
    page = new_page(browser)
    link = cli_create_account(server, email, "staff")
    set_password_and_sign_in(page, server, link, email)
    return page


def open_partnership(page: Page, server: Server, association: str, company: str) -> str:
    page.goto(f"{server.url}/console/partnerships/new")
    page.get_by_label("Association").select_option(label=association)
    page.get_by_label("Entreprise").select_option(label=company)
    page.get_by_label("Lieu de la rencontre").select_option("spontaneous")
    page.get_by_label("Première rencontre").fill("2026-09-01")
    page.get_by_role("button", name="Ouvrir le partenariat").click()
    expect(page.locator("#stage")).to_contain_text("rencontre")
    return page.url.split("#")[0]


def step(page: Page, summary: str) -> None:
    page.locator("summary", has_text=summary).click()


def test_from_the_cli_account_to_an_evaluated_partnership_with_a_correction(
    browser: Browser, server: Server
) -> None:
    tag = server.settings.backend
    page = new_page(browser)
    page.goto(server.url + "/")
    assert "/sign-in" in page.url, "no session: to the sign-in page"
    email = f"claire.{tag}@labo.example"
    link = cli_create_account(server, email, "staff")
    set_password_and_sign_in(page, server, link, email)
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("a déjà servi")

    register(page, server, "association", f"Emmaüs Strasbourg {tag}", "67")
    register(page, server, "company", f"IBM France {tag}", "92")
    page.goto(f"{server.url}/console/organisations?q=emmaus")
    expect(page.locator("#organisations")).to_contain_text(f"Emmaüs Strasbourg {tag}")

    url = open_partnership(page, server, f"Emmaüs Strasbourg {tag}", f"IBM France {tag}")
    shoot(page, f"partnership-{tag}")
    step(page, "Proposer une piste")
    page.get_by_label("Titre").fill("Atelier de réparation")
    page.locator("#idea-proposed_category").select_option("patronage")
    page.locator("#idea-occurred_on").fill("2026-09-10")
    page.get_by_role("button", name="Proposer la piste").click()
    expect(page.locator("#stage")).to_contain_text("piste de collaboration")

    step(page, "Engager la co-construction")
    page.locator("#co_construction-occurred_on").fill("2026-09-20")
    page.get_by_role("button", name="Engager la co-construction").click()
    expect(page.locator("#stage")).to_contain_text("co-construction")

    step(page, "Signer la convention")
    page.locator("#contract-category").select_option("patronage")
    page.locator("#contract-sub_kind").select_option("financial")
    page.locator("#contract-signed_on").fill("2026-10-01")
    page.locator("#contract-starts_on").fill("2026-10-01")
    page.locator("#contract-ends_on").fill("2026-09-30")  # before it starts: refused
    page.locator("#contract-financial_eur").fill("12 500,50")
    page.get_by_role("button", name="Signer la convention").click()
    expect(page.locator("#contract-ends_on-error")).to_contain_text(
        "ne peut pas finir avant de commencer"
    )
    expect(page.locator("#contract-financial_eur")).to_have_value("12 500,50")  # kept
    page.locator("#contract-ends_on").fill("2027-09-30")
    page.get_by_role("button", name="Signer la convention").click()
    expect(page.locator("#stage")).to_contain_text("convention")

    step(page, "Enregistrer une évaluation")
    page.locator("#evaluation-occurred_on").fill("2026-11-20")
    page.locator("#evaluation-beneficiaries").fill("40")
    page.locator("#evaluation-satisfaction").fill("4")
    page.get_by_role("button", name="Enregistrer l’évaluation").click()  # noqa: RUF001
    expect(page.locator("#stage")).to_contain_text("évaluation")

    step(page, "Corriger une étape")
    page.locator("#correction-target_version").select_option(index=1)  # the idea
    page.locator("#correction-field").select_option("occurred_on")
    page.locator("#correction-value").fill("12/09/2026")
    page.locator("#correction-reason").fill("date du compte rendu")
    page.get_by_role("button", name="Enregistrer la correction").click()
    correction = page.locator("li.correction")
    expect(correction).to_contain_text("2026-09-10")
    expect(correction).to_contain_text("2026-09-12")
    expect(page.locator(".timeline")).to_contain_text("date du compte rendu")
    expect(page.locator(".timeline")).to_contain_text(email)  # the account is the actor

    history = page.request.get(url.replace("/console/", "/api/v1/"))
    assert history.ok
    body = history.json()
    assert body["stage"] == "evaluation"
    assert body["milestones"][1]["actor"] == email
    assert body["contract"]["committed"]["financial_eur"] in ("12500.50", "12500.5")

    page.goto(url.replace("/console/", "/api/v1/") + "/lineage?format=html")
    expect(page.locator("body")).to_contain_text(f"Emmaüs Strasbourg {tag}")
    page.context.close()


def test_a_form_sent_twice_records_once_and_a_post_without_csrf_is_refused(
    browser: Browser, server: Server
) -> None:
    tag = server.settings.backend
    page = staff_page(browser, server, f"paul.{tag}@labo.example")
    register(page, server, "association", f"Banque alimentaire {tag}", "67")
    register(page, server, "company", f"Crédit Mutuel {tag}", "67")
    url = open_partnership(page, server, f"Banque alimentaire {tag}", f"Crédit Mutuel {tag}")
    step(page, "Enregistrer une rencontre")
    form = page.locator("form[action$='/meeting']")
    fields = {
        name: form.locator(f"input[name='{name}']").input_value()
        for name in ("csrf_token", "form_token", "version")
    }
    data: dict[str, str | float | bool] = {**fields, "meeting-occurred_on": "2026-10-05"}
    first = page.request.post(f"{url}/meeting", form=data, max_redirects=0)
    again = page.request.post(f"{url}/meeting", form=data, max_redirects=0)
    assert first.status == again.status == 303
    assert first.headers["location"] == again.headers["location"]
    body = page.request.get(url.replace("/console/", "/api/v1/")).json()
    assert [m["kind"] for m in body["milestones"]] == ["opening", "meeting"], "recorded once"

    refused = page.request.post(
        f"{url}/meeting", form={**data, "csrf_token": "", "form_token": "other"}, max_redirects=0
    )
    assert refused.status == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "envoyé depuis une page de ce site" in refused.text()
    page.context.close()


def test_two_browsers_on_one_partnership_the_second_is_told_and_nothing_is_overwritten(
    browser: Browser, server: Server
) -> None:
    tag = server.settings.backend
    first = staff_page(browser, server, f"anne.{tag}@labo.example")
    second = staff_page(browser, server, f"marc.{tag}@labo.example")
    register(first, server, "association", f"Restos du cœur {tag}", "67")
    register(first, server, "company", f"Adidas {tag}", "67")
    url = open_partnership(first, server, f"Restos du cœur {tag}", f"Adidas {tag}")
    second.goto(url)
    step(first, "Proposer une piste")
    first.get_by_label("Titre").fill("Collecte en magasin")
    first.locator("#idea-proposed_category").select_option("patronage")
    first.get_by_role("button", name="Proposer la piste").click()
    expect(first.locator("#stage")).to_contain_text("piste")

    step(second, "Proposer une piste")
    second.get_by_label("Titre").fill("Course solidaire")
    second.locator("#idea-proposed_category").select_option("social_innovation")
    second.get_by_role("button", name="Proposer la piste").click()
    conflict = second.locator("#conflict")
    expect(conflict).to_contain_text(f"anne.{tag}@labo.example")
    expect(conflict).to_contain_text("piste proposée")
    expect(second.get_by_label("Titre")).to_have_value("Course solidaire")
    body = second.request.get(url.replace("/console/", "/api/v1/")).json()
    assert [i["title"] for i in body["ideas"]] == ["Collecte en magasin"]
    first.context.close()
    second.context.close()


def test_a_viewer_sees_no_forms_and_is_refused_a_page(browser: Browser, server: Server) -> None:
    tag = server.settings.backend
    created = server.lab.accounts.create_account(  # type: ignore[attr-defined]
        Caller("alsace", "cli:test"), email=f"lea.{tag}@labo.example", role=Role.VIEWER
    )
    page = new_page(browser)
    set_password_and_sign_in(
        page, server, f"{server.url}/set-password/{created.link_token}", f"lea.{tag}@labo.example"
    )
    assert page.locator("main form").count() == 0
    page.goto(f"{server.url}/console/organisations/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Action non autorisée")
    assert page.locator("main form").count() == 0
    page.goto(f"{server.url}/dashboard")
    expect(page.locator("h1")).to_be_visible()
    page.context.close()


# axe-core reads the HTML the templates render, which does not depend on the database: the
# accessibility checks run against the SQLite server only (every flow above runs on both).
ON_SQLITE = pytest.mark.parametrize("server", ["sqlite"], indirect=True)


@ON_SQLITE
@pytest.mark.parametrize("width", [1280, 768])
def test_the_main_pages_pass_axe_and_read_in_english(
    browser: Browser, server: Server, width: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    tag = f"{server.settings.backend}{width}"
    page = staff_page(browser, server, f"axe.{tag}@labo.example")
    register(page, server, "association", f"Secours populaire {tag}", "67")
    register(page, server, "company", f"Schneider {tag}", "67")
    url = open_partnership(page, server, f"Secours populaire {tag}", f"Schneider {tag}")
    page.set_viewport_size({"width": width, "height": 900})
    axe = Axe()
    pages = {
        "home": "/",
        "organisations": "/console/organisations",
        "organisation-new": "/console/organisations/new",
        "partnerships": "/console/partnerships",
        "partnership-new": "/console/partnerships/new",
        "partnership": url.removeprefix(server.url),
    }
    for name, path in pages.items():
        page.goto(server.url + path)
        results = axe.run(page)
        bad = [
            (v["id"], v["impact"], v["help"])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], (name, bad)
        shoot(page, f"{name}-{width}")
    english = new_page(browser, locale="en-GB", width=width)
    english.goto(server.url + "/sign-in")
    expect(english.get_by_role("heading", level=1)).to_have_text("Sign in to Partnerlab")
    english.goto(server.url + "/language?lang=fr&next=/sign-in")
    expect(english.get_by_role("heading", level=1)).to_have_text("Se connecter à Partnerlab")
    shoot(page, f"sign-in-{width}")
    english.context.close()
    page.context.close()


def _organisations_of_the_lab(server: Server, tag: str, size: int) -> None:
    """Ten associations and ten companies, registered through the application (their forms
    are driven by the tests above)."""
    lab = server.lab
    caller = Caller(lab="alsace", actor="setup@labo.example")

    for kind, name in ((OrganizationKind.ASSOCIATION, "Asso"), (OrganizationKind.COMPANY, "Entr")):
        for n in range(size):
            lab.organizations.register_organization(  # type: ignore[attr-defined]
                caller, kind=kind, name=f"{name} {tag} {n:02d}", territory="67"
            )
    lab.read_models.wait_for_projections()  # type: ignore[attr-defined]


def test_a_ten_by_ten_speed_dating_from_creation_to_the_partnerships_it_opens(
    browser: Browser, server: Server
) -> None:
    tag = server.settings.backend
    size = 10
    _organisations_of_the_lab(server, f"sd{tag}", size)
    server.lab.organizations.register_organization(  # type: ignore[attr-defined]
        Caller(lab="alsace", actor="setup@labo.example"),
        kind=OrganizationKind.ASSOCIATION,
        name=f"Retrait sd{tag}",
        territory="67",
    )
    server.lab.read_models.wait_for_projections()  # type: ignore[attr-defined]
    page = staff_page(browser, server, f"sd.{tag}@labo.example")
    page.goto(f"{server.url}/console/speed-dating/new")
    page.get_by_label("Titre").fill(f"Rencontres d'automne {tag}")
    page.get_by_label("Date").fill(TODAY.isoformat())
    page.get_by_label("Lieu").fill("CCI Strasbourg")
    page.get_by_label("Entreprise d'accueil").select_option(label=f"Entr sd{tag} 00")
    page.get_by_role("button", name="Prévoir la session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Rencontres d'automne {tag}")
    session_url = page.url.split("#")[0]

    page.locator("summary", has_text="Inscrire des participants").click()
    for box in page.locator("#organization_id input[type=checkbox]").all():
        if f"sd{tag}" in (box.evaluate("b => b.parentElement.textContent") or ""):
            box.check()
    page.get_by_role("button", name="Inscrire", exact=True).click()
    expect(page.locator("#participants tbody tr")).to_have_count(2 * size + 1)
    # One association withdraws: first sent without choosing whom, refused beside the field
    # with the reason kept, then recorded.
    page.locator("summary", has_text="Retirer une inscription").click()
    page.get_by_label("Motif du retrait (facultatif)").fill("ne peut pas venir")
    page.get_by_role("button", name="Retirer l'inscription").click()
    expect(page.locator("#withdraw_organization_id-error")).to_contain_text("Saisissez")
    expect(page.get_by_label("Motif du retrait (facultatif)")).to_have_value("ne peut pas venir")
    page.get_by_label("Participant à retirer").select_option(label=f"Retrait sd{tag}")
    page.get_by_role("button", name="Retirer l'inscription").click()
    expect(page.locator("#participants tbody tr")).to_have_count(2 * size)
    expect(page.locator("#participants")).not_to_contain_text(f"Retrait sd{tag}")
    page.get_by_role("button", name="Établir le planning").click()
    expect(page.locator("#schedule")).to_contain_text("10 tours, 100 rencontres.")
    shoot(page, f"speed-dating-{tag}")

    screen_url = page.locator("#big-screen").get_attribute("href")
    assert screen_url
    screen = page.context.new_page()
    screen.goto(server.url + screen_url)
    expect(screen.locator("body")).to_contain_text(f"Rencontres d'automne {tag}")
    shoot(screen, f"big-screen-{tag}")
    screen.close()

    page.goto(f"{session_url}/check-in")
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet at the door
    for _ in range(2 * size):
        page.locator("#check-in button", has_text="Arrivé").first.click()
        page.wait_for_load_state()
    expect(page.locator("#check-in .attendance-checked_in")).to_have_count(2 * size)
    shoot(page, f"check-in-{tag}")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(session_url)  # nothing is marked as not held yet: no catch-up to plan
    page.get_by_role("button", name="Prévoir le rattrapage").click()
    expect(page.locator("#catch_up-error")).to_contain_text("rien à rattraper")

    page.goto(f"{session_url}/outcomes")
    rows = page.locator("#grid tbody tr")
    expect(rows).to_have_count(size * size)
    follow_ups = 3
    for index in range(follow_ups):
        row = rows.nth(index)
        row.locator("select[name^=ai-]").select_option("follow_up")
        row.locator("select[name^=ci-]").select_option("follow_up")
    rows.nth(follow_ups).locator("select[name^=ai-]").select_option("follow_up")  # one side
    rows.nth(size * size - 1).locator("select[name^=held-]").select_option("")  # not known
    rows.nth(size * size - 2).locator("select[name^=held-]").select_option("no")  # missed
    shoot(page, f"outcomes-{tag}")
    page.get_by_role("button", name="Enregistrer tous les résultats").click()
    expect(page.locator("#outcome-count")).to_contain_text("99 rencontres sur 100")

    # The missed meeting is planned again in a catch-up round, then taken back.
    expect(page.locator("#catch-up-state")).to_contain_text("non tenues : 1.")
    page.get_by_role("button", name="Prévoir le rattrapage").click()
    expect(page.locator("#catch-up-state")).to_contain_text("Rattrapage prévu : 1 tours")
    expect(page.locator("#schedule")).to_contain_text("11 tours")
    shoot(page, f"catch-up-{tag}")
    page.get_by_label("Motif du retrait du rattrapage (facultatif)").fill("salle fermée")
    page.get_by_role("button", name="Retirer le rattrapage").click()
    expect(page.locator("#catch-up-state")).to_contain_text("Aucun rattrapage prévu.")
    expect(page.locator("#schedule")).to_contain_text("10 tours, 100 rencontres.")

    page.get_by_role("button", name="Clôturer la session").click()
    expect(page.locator("#confirm_missing-error")).to_be_visible()  # one outcome is missing
    page.locator("#confirm_missing").check()
    page.get_by_role("button", name="Clôturer la session").click()
    expect(page.locator("#status")).to_have_text("clôturée")
    opened = page.locator("#opened a")
    expect(opened).to_have_count(follow_ups)
    opened.first.click()
    expect(page.locator("#stage")).to_contain_text("rencontre")
    page.context.close()


def test_a_report_downloads_as_csv_and_xlsx(browser: Browser, server: Server) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    tag = server.settings.backend
    page = staff_page(browser, server, f"reports.{tag}@labo.example")
    page.goto(f"{server.url}/console/reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapports")
    section = page.locator("section", has=page.locator("#figure-pipeline"))
    with page.expect_download() as csv_download:
        section.get_by_role("link", name="Télécharger en CSV").click()
    content = Path(csv_download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Étape", "Partenariats en cours"]
    assert rows[-1][0] == "Total"
    total = int(rows[-1][1])
    assert total >= 1
    with page.expect_download() as xlsx_download:
        section.get_by_role("link", name="Télécharger en Excel (XLSX)").click()
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["Étape", "Partenariats en cours"]
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[0] == "Total"
    assert isinstance(last[1], int)
    assert last[1] == total
    shoot(page, f"reports-{tag}")
    page.context.close()


@ON_SQLITE
@pytest.mark.parametrize("width", [1280, 768])
def test_the_new_pages_pass_axe(browser: Browser, server: Server, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = staff_page(browser, server, f"axe2.{width}@labo.example")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server.url}/console/speed-dating")
    first = page.locator("#sessions tbody a").first
    pages = {
        "reports": "/console/reports",
        "speed-datings": "/console/speed-dating",
        "speed-dating-new": "/console/speed-dating/new",
        "events": "/console/events",
        "consulting": "/console/consulting",
        "trainings": "/console/trainings",
        "funding": "/console/funding",
    }
    if first.count():
        session = (first.get_attribute("href") or "").split("#")[0]
        pages |= {"speed-dating": session, "check-in": f"{session}/check-in",
                  "outcomes": f"{session}/outcomes"}  # fmt: skip
    axe = Axe()
    for name, path in pages.items():
        page.goto(server.url + path)
        results = axe.run(page)
        bad = [
            (v["id"], v["impact"], v["help"])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], (name, bad)
        shoot(page, f"{name}-{width}")
    page.context.close()
    if width != 1280:
        return  # the admin's and auditor's pages: at desktop width (they are read at a desk)
    admin = new_page(browser, width=width)
    email = f"admin.axe{width}@labo.example"
    set_password_and_sign_in(admin, server, cli_create_account(server, email, "admin"), email)
    for name, path in {"accounts": "/console/admin/accounts", "keys": "/console/admin/keys",
                       "audit": "/console/audit?verify=1"}.items():  # fmt: skip
        admin.goto(server.url + path)
        results = axe.run(admin)
        bad = [
            (v["id"], v["impact"], v["help"])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], (name, bad)
        shoot(admin, f"{name}-{width}")
    admin.context.close()
