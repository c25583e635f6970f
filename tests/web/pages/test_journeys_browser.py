"""Journeys that close (issue 25) in a real browser (Debian's Chromium via Playwright) against a
real `matcher serve`, signed in as Mossautal (its pages are `no-store`, which made Back fail):
Back and reload after a 5,000-character search show the results; the signed-in town is the
default „Wir sind“, so its own projects are marked and its peers have distances; a search is
reported as a need and the need's page shows its matches; the results' skip links reach the
providers in a few Tab presses; the phone header stays small."""

from __future__ import annotations

import re

import pytest

from matcher.keys import add_key
from tests.web.pages.site import SHOTS
from tools.live_server import serve, stop

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # the browser tests need Playwright
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SENTENCE = "Unsere Straßenlaternen brennen nachts, obwohl niemand unterwegs ist; Kosten ↑ – Hilfe? "
TAXI = "Ein Anrufsammeltaxi, das man rund um die Uhr für die Ortsteile bestellen kann"
# Measured on 2026-12-06 (README, "Web pages"): 199 px and 43 Tab presses before, 68 px and 4.
MAX_PHONE_HEADER_PX = 80
MAX_TABS_TO_A_PROVIDER = 6


@pytest.fixture(scope="module")
def site(site_home):
    home = site_home("journeys-home")
    key = add_key(home / "keys.json", "municipality:mossautal")
    process, base = serve(home)
    yield base, key
    stop(process)


@pytest.fixture
def open_page(site, chromium_browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    contexts = []
    errors: list[str] = []

    def make(viewport=DESKTOP, signed_in: bool = True):
        context = chromium_browser.new_context(viewport=viewport, locale="de-DE")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        if signed_in:
            base, key = site
            page.goto(base + "/anmelden")
            page.get_by_label("Zugangsschlüssel").fill(key)
            page.get_by_role("button", name="Anmelden").click()
            page.get_by_role("heading", name="Ihr Bereich:").wait_for()
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


def _results(page) -> None:
    page.get_by_role("heading", name=re.compile("^Ergebnisse")).wait_for()


def test_back_and_reload_after_a_5000_character_search_show_the_results(site, open_page):
    base, _ = site
    page = open_page()
    text = (SENTENCE * 60)[:5000]
    page.goto(base + "/")
    page.get_by_label("Herausforderung").fill(text)
    page.get_by_role("button", name="Passende Lösungen finden").click()
    _results(page)
    address = page.url
    assert re.fullmatch(re.escape(base) + r"/suche/[0-9a-f]{24}#ergebnisse", address)
    first = page.locator("article[data-kind=project] h4 a").first
    title = first.inner_text()
    first.click()
    page.get_by_role("heading", level=1, name=title).wait_for()
    page.go_back()
    _results(page)  # before: Chrome's ERR_CACHE_MISS ("Confirm Form Resubmission")
    assert page.url == address
    assert page.get_by_label("Herausforderung").input_value() == text
    assert page.locator("article[data-kind=project]").count() >= 1
    page.reload()
    _results(page)
    page.screenshot(path=SHOTS / "journey-back-long-search.png", full_page=False)
    # A bookmark: the address alone, in a new browser, gives the same answer.
    other = open_page(signed_in=False)
    other.goto(address)
    _results(other)
    assert other.get_by_label("Herausforderung").input_value() == text


def test_a_signed_in_town_searches_as_itself_with_marks_and_distances(site, open_page):
    base, _ = site
    page = open_page()
    page.goto(base + "/")
    assert page.get_by_label("Wir sind (optional)").input_value() == "Mossautal"
    page.get_by_label("Herausforderung").fill(TAXI)
    page.get_by_role("button", name="Passende Lösungen finden").click()
    page.get_by_role("heading", name="Ergebnisse für Mossautal").wait_for()
    assert page.locator("article[data-kind=project] .badge.own").count() >= 1  # „Ihr Projekt“
    towns = page.locator("article[data-kind=municipality]")
    assert towns.count() >= 1
    names = [towns.nth(i).locator("h4 a").inner_text() for i in range(towns.count())]
    assert "Mossautal" not in names  # not its own peer
    assert re.search(r"· \d+ km", towns.first.locator("p.meta").inner_text())
    page.screenshot(path=SHOTS / "journey-signed-in-results.png", full_page=False)
    # Changeable: without „Wir sind“ the same search is without place.
    page.get_by_label("Wir sind (optional)").fill("")
    page.get_by_role("button", name="Passende Lösungen finden").click()
    page.get_by_role("heading", name="Ergebnisse", exact=True).wait_for()
    assert page.locator(".badge.own").count() == 0


def test_a_search_reported_as_a_need_gets_a_page_with_matches(site, open_page):
    base, _ = site
    page = open_page(PHONE)
    page.goto(base + "/")
    page.get_by_label("Herausforderung").fill(TAXI)
    page.get_by_role("button", name="Passende Lösungen finden").click()
    _results(page)
    page.get_by_role("link", name="Diese Herausforderung als Bedarf melden").click()
    page.get_by_role("heading", name="Neuen Bedarf melden").wait_for()
    assert page.get_by_label("Titel").input_value() == TAXI
    assert page.get_by_label("Beschreibung").input_value() == TAXI
    page.screenshot(path=SHOTS / "journey-need-prefilled-phone.png", full_page=True)
    page.get_by_role("button", name="Speichern und veröffentlichen").click()
    page.get_by_role("link", name="Jetzt ansehen").click()
    page.get_by_role("heading", level=1, name=TAXI).wait_for()
    assert page.url.startswith(base + "/bedarfe/")
    for kind in ("project", "municipality"):  # providers: only where an offering fits
        assert page.locator(f"article[data-kind={kind}]").count() >= 1, kind
    assert page.get_by_role("heading", level=3, name="Anbieter").is_visible()
    page.screenshot(path=SHOTS / "journey-need-page-phone.png", full_page=True)
    # The town's area lists it with its best matches.
    page.goto(base + "/mein-bereich")
    need = page.locator("article[data-kind=need]").filter(has_text=TAXI)
    assert need.locator("ul.best li").count() >= 1
    page.screenshot(path=SHOTS / "journey-area-phone.png", full_page=True)


def _tabs_to_first_provider(page, limit: int = 80) -> int:
    """Tab presses from the results' heading until the first link or button of the providers'
    list has the focus (a card's, or „Weitere, weniger sichere Treffer“ when all are folded),
    following the skip link to the providers when it has the focus (Enter)."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
                 const list = e.closest('section[aria-labelledby=h-anbieter]');
                 return [list !== null && e.tagName !== 'H3', e.textContent]; }"""
        )
        if focused[0]:
            return presses
        if focused[1].startswith("Anbieter ("):
            page.keyboard.press("Enter")
    return limit + 1


def test_the_providers_are_a_few_tab_presses_away(site, open_page):
    base, _ = site
    page = open_page(signed_in=False)
    page.goto(base + "/?text=" + SENTENCE.strip() + "#ergebnisse")
    assert page.evaluate("document.activeElement.id") == "ergebnisse"
    presses = _tabs_to_first_provider(page)
    assert presses <= MAX_TABS_TO_A_PROVIDER, presses
    # On a wide screen the skip links are out of sight again once the focus has left them.
    box = page.get_by_role("navigation", name="Ergebnislisten").bounding_box()
    assert box is not None and box["x"] + box["width"] < 0
    page.screenshot(path=SHOTS / "journey-tab-to-providers.png", full_page=False)


def test_the_phone_header_is_small(site, open_page):
    base, _ = site
    for signed_in in (False, True):
        page = open_page(PHONE, signed_in=signed_in)
        page.goto(base + "/")
        height = page.evaluate("document.querySelector('header.site').offsetHeight")
        assert height <= MAX_PHONE_HEADER_PX, (signed_in, height)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Every menu entry stays reachable: the menu's line scrolls sideways.
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
            "link", name="Relevanz"
        ).click()
        page.get_by_role("heading", level=1).first.wait_for()
        assert page.url.endswith("/relevanz")
