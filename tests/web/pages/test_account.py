"""Signing in, reporting a need and contacting a match, in a real browser (Debian's Chromium via
Playwright) against a real `matcher serve`: the need is found by the very next search, a result's
"Kontakt aufnehmen" carries subject and challenge, another site's form post is refused, signing
out ends the session. Screenshots of the sign-in page and the forms (desktop 1366 and phone
390 wide) go to test-output/screenshots/."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from matcher.keys import add_key
from tests.web.pages.site import SHOTS
from tools.live_server import call, serve, stop

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # the browser tests need Playwright
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CHALLENGE = "Unsere Laternen brennen die ganze Nacht, obwohl um 2 Uhr niemand unterwegs ist."
NEED_TITLE = "Glättemeldeanlage für die Talbrücke am Ortseingang"
NEED_TEXT = (
    "Im Winter friert die Talbrücke als erstes. Sensoren sollen Eisglätte an der Brücke "
    "messen und den Winterdienst des Bauhofs direkt alarmieren, bevor Pendler ausrutschen."
)


@pytest.fixture(scope="module")
def site(site_home):
    home = site_home("account-home")
    keys = {
        "town": add_key(home / "keys.json", "municipality:mossautal"),
        "provider": add_key(home / "keys.json", "provider:lichtwerk"),
    }
    process, base = serve(home)
    yield base, keys
    stop(process)


def new_page(browser, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="de-DE")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def sign_in(page, base: str, key: str, shot: str | None = None) -> None:
    page.goto(base + "/anmelden")
    page.get_by_role("heading", name="Anmelden für Kommunen und Anbieter").wait_for()
    if shot:
        page.screenshot(path=SHOTS / shot, full_page=True)
    page.get_by_label("Zugangsschlüssel").fill(key)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Ihr Bereich:").wait_for()


def search(page, base: str, text: str, town: str | None = None) -> None:
    page.goto(base + "/")
    page.get_by_label("Herausforderung").fill(text)
    if town is not None:
        page.get_by_label("Wir sind (optional)").fill(town)
    page.get_by_role("button", name="Passende Lösungen finden").click()
    page.get_by_role("heading", name="Ergebnisse").wait_for()


def no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def test_sign_in_report_a_need_and_find_it(site, browser):
    base, keys = site
    page = new_page(browser)
    sign_in(page, base, keys["town"], shot="account-sign-in.png")
    assert page.get_by_role("heading", name="Ihr Bereich: Mossautal").is_visible()
    page.get_by_role("link", name="Neuen Bedarf melden").click()
    page.get_by_role("heading", name="Neuen Bedarf melden").wait_for()
    # First without a title: the model refuses it, the form says why, in German.
    page.get_by_role("button", name="Speichern und veröffentlichen").click()
    page.get_by_role("alert").wait_for()
    assert page.get_by_text("Bitte füllen Sie dieses Feld aus.", exact=True).is_visible()
    assert page.get_by_label("Titel").get_attribute("aria-invalid") == "true"
    page.screenshot(path=SHOTS / "account-need-form-error.png", full_page=True)
    page.get_by_label("Titel").fill(NEED_TITLE)
    page.get_by_label("Beschreibung").fill(NEED_TEXT)
    page.get_by_label("Mobilität & Verkehr").check()
    page.screenshot(path=SHOTS / "account-need-form.png", full_page=True)
    page.get_by_role("button", name="Speichern und veröffentlichen").click()
    notice = page.get_by_role("status").filter(has_text="Ihr Bedarf")
    notice.wait_for()
    assert "ist jetzt sichtbar und wird in der Suche gefunden" in notice.inner_text()
    page.screenshot(path=SHOTS / "account-home.png", full_page=True)
    notice.get_by_role("link", name="Jetzt ansehen").click()
    # The need's own page (issue 25): its town, and the projects, towns and providers it matches.
    page.get_by_role("heading", level=1, name=NEED_TITLE).wait_for()
    assert page.url.startswith(base + "/bedarfe/")
    assert page.locator("p.crumbs").get_by_role("link", name="Mossautal").is_visible()
    for kind in ("project", "municipality"):  # providers: only where an offering fits
        assert page.locator(f"article[data-kind={kind}]").count() >= 1, kind
    assert page.get_by_role("heading", level=3, name="Anbieter").is_visible()
    page.screenshot(path=SHOTS / "account-need-page.png", full_page=True)

    # The very next search finds the town by its new need (asked without place: signed in,
    # „Wir sind“ is Mossautal, which is no peer of itself).
    search(page, base, NEED_TEXT, town="")
    town = page.locator("article[data-kind=municipality]").filter(
        has=page.get_by_role("link", name="Mossautal", exact=True)
    )
    assert town.count() >= 1
    assert "gleicher Bedarf" in town.first.inner_text()
    status, found = call(
        base + "/api/v1/match", "POST", {"text": NEED_TEXT, "kinds": ["municipalities"]}
    )
    assert status == 200 and "mossautal" in [m["id"] for m in found["municipalities"][:3]]
    assert not page.errors, page.errors


def test_contact_from_a_result_prepares_a_message(site, browser):
    base, keys = site
    page = new_page(browser)
    search(page, base, CHALLENGE)
    cards = page.locator("article[data-kind=provider]")
    if not cards.first.is_visible():  # the providers folded away as „unsicher“: open them
        page.locator("details.more:has(article[data-kind=provider]) > summary").first.click()
    assert cards.first.get_by_role("link", name="nach Anmeldung").is_visible()
    assert ".example" not in page.content()  # no address before signing in

    sign_in(page, base, keys["provider"])
    search(page, base, CHALLENGE)
    link = page.locator("article[data-kind=project] a[data-contact]").first
    assert link.inner_text().startswith("Kontakt aufnehmen")
    href = link.get_attribute("href")
    address, _, query = href.removeprefix("mailto:").partition("?")
    fields = parse_qs(query)
    assert address.endswith(".example")
    assert fields["subject"][0].startswith("Anfrage zu Ihrem Projekt")
    assert f"„{CHALLENGE}“" in fields["body"][0]
    assert fields["body"][0].rstrip().endswith("LichtWerk Kommunal GmbH")
    page.screenshot(path=SHOTS / "account-results-contact.png", full_page=False)
    assert not page.errors, page.errors


class _Attacker(BaseHTTPRequestHandler):
    """Another origin's page with a form that posts a need to the matcher."""

    target = ""

    def do_GET(self):  # noqa: N802 - http.server's name
        html = (
            f'<!doctype html><form method="post" action="{self.target}">'
            '<input name="title" value="Untergeschobener Bedarf">'
            '<input name="description" value="von einer fremden Seite">'
            '<button type="submit">Gewinnspiel</button></form>'
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(html.encode())

    def log_message(self, *args):  # quiet
        pass


def test_a_cross_site_form_post_is_refused(site, browser):
    base, keys = site
    page = new_page(browser)
    sign_in(page, base, keys["town"])
    _Attacker.target = base + "/mein-bereich/bedarfe/neu"
    attacker = ThreadingHTTPServer(("127.0.0.1", 0), _Attacker)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{attacker.server_address[1]}/")
        with page.expect_response(_Attacker.target) as answer:
            page.get_by_role("button", name="Gewinnspiel").click()
        assert answer.value.status == 403
        page.get_by_role("heading", name="Anfrage abgelehnt").wait_for()
    finally:
        attacker.shutdown()
        attacker.server_close()
    status, needs = call(base + "/api/v1/needs?q=Untergeschobener&limit=5")
    assert status == 200 and needs["total"] == 0
    # The page's own form still works in the same session.
    page.goto(base + "/mein-bereich")
    assert page.get_by_role("heading", name="Ihr Bereich: Mossautal").is_visible()


def test_sign_out(site, browser):
    base, keys = site
    page = new_page(browser)
    sign_in(page, base, keys["town"])
    page.get_by_role("button", name="Abmelden").click()
    page.get_by_text("Sie sind abgemeldet.").wait_for()
    assert page.get_by_role("link", name="Anmelden", exact=True).is_visible()
    page.goto(base + "/mein-bereich")
    assert urlsplit(page.url).path == "/anmelden"
    assert unquote(parse_qs(urlsplit(page.url).query)["weiter"][0]) == "/mein-bereich"
    page.goto(base + "/anbieter/lichtwerk")
    assert ".example" not in page.content()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_forms_screenshots_and_no_overflow(site, browser, viewport):
    base, keys = site
    size = "desktop" if viewport is DESKTOP else "phone"
    page = new_page(browser, viewport)
    sign_in(page, base, keys["town"], shot=f"account-sign-in-{size}.png")
    no_overflow(page)
    page.screenshot(path=SHOTS / f"account-home-municipality-{size}.png", full_page=True)
    for word, name in (("bedarfe", "need"), ("projekte", "project")):
        page.goto(f"{base}/mein-bereich/{word}/neu")
        no_overflow(page)
        page.screenshot(path=SHOTS / f"account-{name}-form-{size}.png", full_page=True)
    page.goto(base + "/mein-bereich/kontakt")
    page.screenshot(path=SHOTS / f"account-contact-form-{size}.png", full_page=True)
    page.goto(base + "/projekte/prj-mob-01")
    no_overflow(page)
    page.screenshot(path=SHOTS / f"project-contact-{size}.png", full_page=True)

    provider = new_page(browser, viewport)
    sign_in(provider, base, keys["provider"])
    provider.goto(base + "/mein-bereich/angebote/neu")
    no_overflow(provider)
    provider.screenshot(path=SHOTS / f"account-offering-form-{size}.png", full_page=True)
    assert not page.errors and not provider.errors
