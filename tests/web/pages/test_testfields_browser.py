"""Issue 24 in a real browser (Debian's Chromium via Playwright, a real `matcher serve` on the
demo data): a provider signs in, finds the stadium test field from its crowd-sensor offering
and applies; the stadium's owner signs in and shortlists the application. The test-field pages
pass axe and fit a phone; screenshots at 1366 px and 390 × 844 go to test-output/screenshots/."""

from __future__ import annotations

import pytest

from matcher.keys import add_key
from tests.web.pages.axe import need_axe, report, serious_violations
from tests.web.pages.site import SHOTS, SIZES, new_page, sign_in
from tools.live_server import serve, stop

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")
STADIUM = "Stadion als Testfeld: Deutsche Bank Park"
CROWD = "Crowd-Sensorik für Stadien und Großveranstaltungen"
MESSAGE = "Wir möchten unsere Crowd-Sensoren an drei Spieltagen an den Zugängen erproben."


@pytest.fixture(scope="module")
def site(site_home):
    home = site_home("testfields-home")
    keys = {
        "provider": add_key(home / "keys.json", "provider:sensorik-mitte"),
        "owner": add_key(home / "keys.json", "municipality:frankfurt-am-main"),
    }
    process, base = serve(home)
    yield base, keys
    stop(process)


def checked(page, name: str, size: str) -> None:
    """No serious axe violation, nothing wider than the window, a screenshot."""
    found = serious_violations(page)
    assert not found, report(found)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"
    page.screenshot(path=SHOTS / f"{name}-{size}.png", full_page=True)


def test_provider_applies_to_the_stadium_and_the_owner_shortlists(site, browser):
    need_axe()
    base, keys = site
    page = new_page(browser, "phone")
    sign_in(page, base, keys["provider"])
    page.get_by_role("link", name="Testfelder").first.click()
    page.get_by_label("Passend zu meinem Angebot").select_option(label=CROWD)
    page.get_by_role("button", name="Passende Testfelder finden").click()
    page.get_by_role("heading", name=f"Testfelder für „{CROWD}“").wait_for()
    first = page.locator(".testfield-matches li.card").first
    assert STADIUM in first.inner_text() and "vorhanden:" in first.inner_text()
    checked(page, "testfields-offering", "phone")
    first.get_by_role("link", name=STADIUM).click()
    page.get_by_role("heading", name=STADIUM, level=1).wait_for()
    page.get_by_label("Angebot").select_option(label=CROWD)
    page.get_by_label("Was möchten Sie hier erproben").fill(MESSAGE)
    page.get_by_role("button", name="Interesse bekunden").click()
    page.get_by_text("Ihre Interessenbekundung ist beim Gastgeber angekommen").wait_for()
    assert "beworben" in page.locator(".tf-applications").inner_text()
    checked(page, "testfield-applied", "phone")
    assert not page.errors, page.errors

    owner = new_page(browser, "desktop")
    sign_in(owner, base, keys["owner"])
    owner.goto(base + "/testfelder?ort=stadion")
    owner.get_by_role("link", name=STADIUM).click()
    application = owner.locator(".tf-applications li.card").first
    assert MESSAGE in application.inner_text() and "Sensorik Mitte AG" in application.inner_text()
    application.get_by_role("button", name="in der engeren Wahl").click()
    owner.get_by_text("Der Stand der Bewerbung ist gespeichert").wait_for()
    assert "in der engeren Wahl" in owner.locator(".tf-applications").inner_text()
    checked(owner, "testfield-owner", "desktop")
    assert not owner.errors, owner.errors


@pytest.mark.parametrize("size", SIZES)
def test_the_list_passes_axe_and_fits(site, browser, size):
    need_axe()
    base, _ = site
    page = new_page(browser, size)
    page.goto(base + "/testfelder?thema=mobilitaet")
    page.locator(".browse-list li.card").first.wait_for()
    checked(page, "testfields-list", size)
    page.goto(base + "/testfelder/tf-modellquartier-darmstadt")
    page.get_by_role("heading", name="Passende Anbieter").wait_for()
    assert "testfeld@darmstadt.example" not in page.content()  # no key, no contact
    checked(page, "testfield", size)
