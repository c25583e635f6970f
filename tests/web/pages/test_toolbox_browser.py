"""The Toolbox in a real browser (Debian's Chromium via Playwright, a real `matcher serve` on
the demo with the fast USE encoder): a town enters its challenge on the start page, finds a
tender template under „Vorlagen zu Ihrer Herausforderung“ with the fitting passage quoted and
downloads it; the answer and /vorlagen pass axe at desktop and phone width without sideways
scrolling."""

from __future__ import annotations

import pytest

from tests.web.pages.axe import need_axe
from tests.web.pages.site import SHOTS, SIZES, checked_at_both_widths

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # the browser tests need Playwright
CHALLENGE = (
    "Wir wollen unsere Straßenbeleuchtung auf LED umrüsten und nachts dimmen. Wie schreiben "
    "wir das aus?"
)
TEMPLATE = "Leistungsbeschreibung: LED-Straßenbeleuchtung mit Dimmprofilen"


def test_a_town_finds_a_tender_template_for_its_challenge_and_downloads_it(
    live_site, chromium_browser
):
    need_axe()
    SHOTS.mkdir(parents=True, exist_ok=True)
    base, _ = live_site
    context = chromium_browser.new_context(
        viewport=SIZES["desktop"], locale="de-DE", accept_downloads=True
    )
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/")
        page.get_by_label("Herausforderung").fill(CHALLENGE)
        page.get_by_label("Wir sind (optional)").fill("Mossautal")
        page.get_by_role("button", name="Passende Lösungen finden").click()
        page.get_by_role("heading", name="Vorlagen zu Ihrer Herausforderung").wait_for()
        card = page.locator(".templates li.document").filter(has_text=TEMPLATE)
        assert card.count() == 1
        quoted = card.locator("blockquote.passage").inner_text()
        assert "Dimm" in quoted or "LED" in quoted, quoted
        assert "CC BY 4.0" in card.inner_text()
        checked_at_both_widths(page, "toolbox-answer")
        with page.expect_download() as started:
            card.get_by_role("link", name="herunterladen").click()
        download = started.value
        assert download.suggested_filename.endswith(".pdf")
        with open(download.path(), "rb") as saved:
            assert saved.read(5) == b"%PDF-"
        card.get_by_role("link", name="Gemeinsame LED-Umrüstung").click()
        page.get_by_role("heading", name="Dokumente zum Nachnutzen").wait_for()
        page.goto(base + "/vorlagen?art=leistungsbeschreibung")
        assert TEMPLATE in page.locator(".browse-list").inner_text()
        checked_at_both_widths(page, "toolbox-list")
    finally:
        context.close()
    assert not errors, errors
