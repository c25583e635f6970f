"""Issue 23 in a real browser (Debian's Chromium via Playwright, a real `matcher serve` on the
demo with the fast USE encoder): a challenge on the start page, with the asking town and a
cost, shows the „Förderung“ box; its programme link leads to the programme page; the
joint-projects page leads to a group's printable sheet, whose print layout drops the site's
frame. Both new pages pass axe at desktop and phone width without sideways scrolling."""

from __future__ import annotations

import re

import pytest

from tests.web.pages.axe import need_axe
from tests.web.pages.site import SHOTS, SIZES, checked_at_both_widths

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # the browser tests need Playwright
CHALLENGE = "Unsere Laternen brennen die ganze Nacht, obwohl um 2 Uhr niemand unterwegs ist."


def test_a_challenge_leads_to_a_programme_and_a_group_sheet(live_site, chromium_browser):
    need_axe()
    SHOTS.mkdir(parents=True, exist_ok=True)
    base, _ = live_site
    context = chromium_browser.new_context(viewport=SIZES["desktop"], locale="de-DE")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/")
        page.get_by_label("Herausforderung").fill(CHALLENGE)
        page.locator("#wir").fill("Mossautal")
        page.get_by_role("button", name="Passende Lösungen finden").click()
        box = page.locator("#f-foerderung")
        box.wait_for()
        box.get_by_label("Kosten (EUR)").fill("300.000")
        box.get_by_role("button", name="Förderung schätzen").click()
        box.locator("li.programme").first.wait_for()
        assert re.search(r"[\d.]+ EUR Förderung", box.inner_text())
        checked_at_both_widths(page, "funding-results")
        first = box.locator("li.programme a[href^='/foerderung/']").first
        title = first.inner_text()
        first.click()
        page.get_by_role("heading", level=1, name=title).wait_for()
        assert "Angaben ohne Gewähr, Stand" in page.locator("main").inner_text()
        checked_at_both_widths(page, "funding-programme")

        page.goto(base + "/gemeinschaftsprojekte")
        group = page.locator("article.joint").first
        group.get_by_role("link", name=re.compile("Gruppenblatt")).click()
        page.get_by_role("heading", level=1, name=re.compile("^Gemeinschaftsprojekt")).wait_for()
        assert "Beispiele, keine Empfehlung" in page.locator("main").inner_text()
        checked_at_both_widths(page, "funding-sheet")
        page.emulate_media(media="print")
        assert not page.locator("header.site").is_visible()
        assert page.locator("table.members").is_visible()
    finally:
        context.close()
    assert not errors, errors
