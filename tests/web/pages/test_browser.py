"""The web pages in a real browser (Debian's Chromium driven by Playwright) against a real
`matcher serve` process: enter a challenge, read the three lists, follow links, send feedback,
use the keyboard; screenshots of the main pages go to test-output/."""

import pytest

from matcher.store import Store
from tests.web.pages.site import SHOTS
from tools.live_server import KEY, call, serve, stop

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # the browser tests need Playwright
CHALLENGE = "Unsere Laternen brennen die ganze Nacht, obwohl um 2 Uhr niemand unterwegs ist."


@pytest.fixture(scope="module")
def site(site_home):
    home = site_home("web-home")
    process, base = serve(home)
    yield base, home
    stop(process)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def test_challenge_gives_three_linked_lists_and_feedback_is_stored(site, page):
    base, home = site
    page.goto(base + "/")
    page.get_by_label("Herausforderung").fill(CHALLENGE)
    page.get_by_label("Wir sind (optional)").fill("Mossautal")
    page.get_by_role("button", name="Passende Lösungen finden").click()
    page.get_by_role("heading", name="Ergebnisse für Mossautal").wait_for()
    for section in ("Projekte", "Partnerkommunen", "Anbieter"):
        heading = page.get_by_role("heading", name=section, exact=True)
        assert heading.is_visible()
    projects = page.locator("article[data-kind=project]")
    assert projects.count() >= 3
    assert page.locator("article[data-kind=municipality]").count() >= 1
    # First in order; shown or folded away as „unsicher“ by its calibrated probability (with
    # the fast profile's encoder it is folded for this challenge: issue 26, still open).
    first_provider = page.locator("article[data-kind=provider]").first.text_content() or ""
    assert first_provider.strip().startswith("LichtWerk")
    first = projects.first
    first.get_by_text("Warum passt das?").click()
    assert first.locator("details.why li").count() >= 1
    page.screenshot(path=SHOTS / "start-results.png", full_page=True)

    title = first.locator("h4 a").inner_text()
    first.get_by_role("button", name="passt", exact=True).click()
    first.get_by_text("Danke für Ihre Rückmeldung!").wait_for()
    store = Store(f"sqlite:///{home / 'matcher.sqlite3'}")
    stored = store.feedback()
    store.close()
    assert stored and stored[-1]["verdict"] == "passt" and stored[-1]["query"] == CHALLENGE

    page.get_by_role("link", name=title).first.click()
    page.get_by_role("heading", level=1, name=title).wait_for()
    assert page.get_by_role("heading", name="Ähnliche Projekte anderswo").is_visible()
    page.screenshot(path=SHOTS / "project.png", full_page=True)


def test_link_from_a_project_to_its_provider_and_municipality(site, page):
    base, _ = site
    page.goto(base + "/projekte/prj-en-01")
    page.get_by_role("link", name="LichtWerk Kommunal GmbH").first.click()
    page.get_by_role("heading", level=1, name="LichtWerk Kommunal GmbH").wait_for()
    page.get_by_label("Für das Angebot").select_option("off-lichtwerk-1")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**angebot=off-lichtwerk-1")
    assert page.locator("article[data-kind=lead]").count() >= 2
    page.screenshot(path=SHOTS / "provider-leads.png", full_page=True)
    page.goto(base + "/kommunen/mossautal")
    page.get_by_role("heading", name="Partnerkommunen").wait_for()
    page.screenshot(path=SHOTS / "municipality.png", full_page=True)


def test_joint_projects_map_draws_without_tiles(site, page):
    base, _ = site
    page.goto(base + "/gemeinschaftsprojekte")
    page.locator("#karte .leaflet-interactive").first.wait_for()
    assert page.locator("#karte .leaflet-interactive").count() >= 20  # points and lines
    assert page.locator("article.joint").count() >= 10
    page.screenshot(path=SHOTS / "joint-projects.png", full_page=True)


def test_keyboard_phone_and_empty_states(site, browser):
    base, _ = site
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE")
    page = context.new_page()
    page.goto(base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    page.goto(base + "/?text=" + "Rezept für Apfelkuchen")
    assert page.locator(".badge.weak").count() >= 1 or page.locator(".empty").count() >= 1
    page.goto(base + "/?text=" + CHALLENGE)
    page.screenshot(path=SHOTS / "phone-results.png", full_page=False)
    page.goto(base + "/projekte/gibt-es-nicht")
    assert page.get_by_role("heading", name="Nicht gefunden").is_visible()
    assert "Traceback" not in page.content()
    context.close()


def test_stored_script_in_a_title_does_not_run(site, page):
    base, _ = site
    evil = {
        "id": "prj-xss",
        "title": '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>',
        "description": "Straßenbeleuchtung Test",
        "municipalities": ["mossautal"],
    }
    assert call(base + "/api/v1/projects", "POST", evil, KEY)[0] == 201
    page.goto(base + "/projekte/prj-xss")
    assert page.evaluate("window.__xss") is None
    assert "<script>window.__xss=2</script>" in page.locator("h1").inner_text()
    page.goto(base + "/?text=Straßenbeleuchtung Test")
    assert page.evaluate("window.__xss") is None
    assert call(base + "/api/v1/projects/prj-xss", "DELETE", key=KEY)[0] == 204


def test_staff_relevance_page(site, page):
    """The stored figures for everyone; the evaluation is the signed-in staff's, as a
    background job (tests/web/pages/test_area_browser.py), and a header starts nothing."""
    base, _ = site
    page.set_extra_http_headers({"Authorization": f"Bearer {KEY}"})
    page.goto(base + "/relevanz?auswerten=1")
    assert page.get_by_role("button", name="Auswertung jetzt berechnen").count() == 0
    assert "matcher eval" in page.locator("#h-auswertung + p + p").inner_text()
    assert page.get_by_role("table", name="Gewichte der Teile einer Punktzahl").is_visible()
    page.screenshot(path=SHOTS / "relevance.png", full_page=True)


def test_a_filter_that_empties_the_lists_is_named_and_can_be_left_out(site, page):
    base, _ = site
    page.goto(base + "/")
    page.get_by_label("Herausforderung").fill(CHALLENGE)
    page.get_by_label("Wir sind (optional)").fill("Mossautal")
    page.get_by_text("Weitere Filter").click()
    page.get_by_label("Höchstens km entfernt").fill("3")
    page.get_by_role("button", name="Passende Lösungen finden").click()
    advice = page.locator(".loosen").first
    advice.wait_for()
    words = advice.inner_text()
    assert words.startswith("Keine Treffer im Umkreis von 3 km – ohne Entfernungsfilter"), words
    assert "andere Begriffe" not in page.locator("main").inner_text()
    page.screenshot(path=SHOTS / "results-filter-advice.png", full_page=True)
    advice.get_by_role("button", name="Ohne Entfernungsfilter suchen").click()
    page.get_by_role("heading", name="Ergebnisse für Mossautal").wait_for()
    assert page.locator(".loosen").count() == 0
    assert page.locator("#max_km").input_value() == ""
    assert page.locator("article[data-kind=project]").count() >= 1
