"""The list pages and the joint-projects map in a real browser (Debian's Chromium under
Playwright) against a real `matcher serve`: browsing by Landkreis, a "Meinten Sie …?" suggestion,
the map's district outline, visible names and keyboard path, the favicon; screenshots at desktop
(1366) and phone (390) width go to test-output/screenshots/."""

import pytest

from tests.web.pages.site import SHOTS
from tools.live_server import serve, stop

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # the browser tests need Playwright
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_TABS = 10  # from the top of the page to the list of suggestions


@pytest.fixture(scope="module")
def site(site_home):
    process, base = serve(site_home("browse-home"))
    yield base
    stop(process)


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="de-DE")
    page = context.new_page()
    page.errors, page.missing = [], []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("response", lambda r: r.status >= 400 and page.missing.append(r.url))
    return page


@pytest.fixture
def page(browser):
    page = _page(browser, DESKTOP)
    yield page
    page.context.close()
    assert not page.errors, page.errors
    assert not page.missing, page.missing  # no 404, e.g. for a favicon


def _count(page) -> int:
    return int(page.locator("h2#treffer").inner_text().split()[0])


def _no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_browsing_projects_by_landkreis(site, page):
    page.goto(site + "/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Projekte", exact=True
    ).click()
    page.get_by_role("heading", level=1, name="Projekte").wait_for()
    everything = _count(page)
    page.get_by_label("Landkreis").select_option("Odenwaldkreis")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**kreis=Odenwaldkreis**")
    in_district = _count(page)
    assert 0 < in_district < everything
    first = page.locator("ol.browse-list > li").first
    first.locator("h3 a").click()
    page.get_by_role("heading", level=1).wait_for()
    assert "Odenwald" in page.content()  # a town of the district is named on the project
    page.go_back()
    page.get_by_label("Thema").select_option("sicherheit")
    page.get_by_label("Status").select_option("geplant")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**status=geplant**")
    if _count(page) == 0:
        advice = page.locator(".empty-advice a").first
        assert advice.inner_text().startswith(("Ohne", "Alle Filter"))
    page.goto(site + "/projekte?kreis=Odenwaldkreis")
    page.screenshot(path=SHOTS / "browse-projects.png", full_page=True)


def test_a_misspelt_town_gets_a_suggestion(site, page):
    page.goto(site + "/kommunen")
    page.get_by_label("Name").fill("Mossautahl")
    page.get_by_role("button", name="Anzeigen").click()
    suggestion = page.get_by_role("status").filter(has_text="Meinten Sie")
    suggestion.wait_for()
    page.screenshot(path=SHOTS / "browse-municipalities-suggestion.png", full_page=True)
    suggestion.get_by_role("link", name="Mossautal").click()
    page.get_by_role("heading", level=1, name="Mossautal").wait_for()


def test_map_has_an_outline_names_and_a_keyboard_path_to_the_list(site, page):
    page.goto(site + "/gemeinschaftsprojekte")
    page.locator("#karte[data-outline-drawn='26']").wait_for()
    assert page.locator("#karte svg path").count() >= 26 + 10  # 26 districts, group lines
    labels = page.locator("#karte .town-label")
    assert labels.count() >= 10
    first_group = page.locator("article.joint").first
    member = first_group.locator("ul.members a").first.inner_text()
    assert page.locator("#karte .town-label", has_text=member).first.is_visible()
    assert page.locator("#karte [tabindex]").count() == 0  # no tab stop in the map
    assert "GeoBasis-DE / BKG" in page.locator("#karte .leaflet-control-attribution").inner_text()
    page.screenshot(path=SHOTS / "joint-map.png", full_page=False)
    page.screenshot(path=SHOTS / "joint-map-full.png", full_page=True)

    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement.textContent")
            == "Zur Liste der Vorschläge springen"
        ):
            break
    else:
        raise AssertionError(f"no way to the list in {MAX_TABS} Tab presses")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "vorschlaege"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "document.activeElement.closest('article') && document.activeElement.closest('article').id"
    )
    assert focused == first_group.get_attribute("id")

    pin = page.locator("#karte .group-pin").first
    pin.click()
    assert page.evaluate("location.hash") == "#" + first_group.get_attribute("id")


def test_phone_widths_do_not_overflow(site, browser):
    phone = _page(browser, PHONE)
    for name, path in (
        ("projects", "/projekte?kreis=Odenwaldkreis"),
        ("municipalities", "/kommunen?q=Mossautahl"),
        ("providers", "/anbieter?thema=energie"),
        ("joint-map", "/gemeinschaftsprojekte"),
    ):
        phone.goto(site + path)
        if name == "joint-map":
            phone.locator("#karte[data-outline-drawn]").wait_for()
        _no_overflow(phone)
        phone.screenshot(path=SHOTS / f"browse-{name}-phone.png", full_page=True)
    desktop = _page(browser, DESKTOP)
    for name, path in (("municipalities", "/kommunen"), ("providers", "/anbieter")):
        desktop.goto(site + path)
        desktop.screenshot(path=SHOTS / f"browse-{name}.png", full_page=True)
    errors = phone.errors + desktop.errors
    missing = phone.missing + desktop.missing
    phone.context.close()
    desktop.context.close()
    assert not errors and not missing, (errors, missing)


def test_favicon_is_served(site, page):
    for path in ("/favicon.ico", "/static/favicon.svg"):
        response = page.request.get(site + path)
        assert response.status == 200 and "svg" in response.headers["content-type"]
    page.goto(site + "/projekte")
    assert page.locator("link[rel=icon]").get_attribute("href") == "/static/favicon.svg"
