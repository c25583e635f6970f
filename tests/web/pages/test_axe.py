"""axe-core on every page type (tests/web/pages/site.py) at desktop and phone width: no serious or
critical violations. Skips when axe-core is not vendored (scripts/setup.sh fetches it)."""

from __future__ import annotations

import pytest

from tests.web.pages.axe import need_axe, report, serious_violations
from tests.web.pages.site import PAGE_TYPES, PageType

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # the browser tests need Playwright


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("kind", PAGE_TYPES, ids=lambda t: t.name)
def test_no_serious_accessibility_violations(live_site, chromium_browser, kind: PageType, width):
    need_axe()
    base, _ = live_site
    context = chromium_browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    try:
        page = context.new_page()
        kind.open(page, base)
        found = serious_violations(page)
    finally:
        context.close()
    assert not found, report(found)


def test_the_helper_finds_violations(chromium_browser):
    """The check can fail: a page with an unlabelled field and an image without text."""
    need_axe()
    page = chromium_browser.new_page()
    page.set_content('<html><body><main><img src="x.png"><input></main></body></html>')
    rules = {v["id"] for v in serious_violations(page)}
    page.close()
    assert {"image-alt", "label", "html-has-lang"} <= rules
