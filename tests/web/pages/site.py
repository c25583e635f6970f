"""One example of every page type, as a browser test opens it: the phone-layout, axe and
screenshot tests run over this list. A new page type (browse, sign-in, forms …) is one more
entry here; its `open` gets a Playwright page and the server's base URL and leaves the page
drawn (wait for something that shows it is)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

CHALLENGE = "Unsere Laternen brennen die ganze Nacht, obwohl um 2 Uhr niemand unterwegs ist."


@dataclass(frozen=True)
class PageType:
    name: str  # also the screenshot's file name
    open: Callable[..., None]  # (page, base) -> None


def visit(path: str, ready: str = "h1") -> Callable[..., None]:
    """Open `path` and wait until `ready` (a CSS selector) is there."""

    def go(page, base: str) -> None:
        page.goto(base + path)
        page.locator(ready).first.wait_for()

    return go


def search(text: str, town: str = "", **filters: str) -> Callable[..., None]:
    """Send the start page's form (POST) with a challenge, a town and filters by field id."""

    def go(page, base: str) -> None:
        page.goto(base + "/")
        page.locator("#text").fill(text)
        if town:
            page.locator("#wir").fill(town)
        if filters:
            page.locator("details.filters summary").click()
        for field, value in filters.items():
            box = page.locator(f"#{field}")
            if box.evaluate("e => e.tagName") == "SELECT":
                box.select_option(value)
            else:
                box.fill(value)
        page.get_by_role("button", name="Passende Lösungen finden").click()
        page.locator("#ergebnisse").wait_for()

    return go


# A municipality's key for the signed-in page types (the live site writes it before it starts).
KEYS: dict[str, str] = {}


def signed_in(path: str, ready: str = "h1") -> Callable[..., None]:
    """Sign in as Mossautal (its key from `KEYS`), then open `path`."""

    def go(page, base: str) -> None:
        page.goto(base + "/anmelden")
        page.get_by_label("Zugangsschlüssel").fill(KEYS["town"])
        page.get_by_role("button", name="Anmelden").click()
        page.get_by_role("heading", name="Ihr Bereich:").wait_for()
        page.goto(base + path)
        page.locator(ready).first.wait_for()

    return go


PAGE_TYPES: list[PageType] = [
    PageType("start", visit("/")),
    PageType("results", search(CHALLENGE, "Mossautal")),
    PageType("results-filter-empty", search(CHALLENGE, "Mossautal", max_km="3")),
    PageType("project", visit("/projekte/prj-en-01")),
    PageType("municipality", visit("/kommunen/mossautal")),
    PageType("district", visit("/kommunen/odenwaldkreis")),
    PageType("provider-leads", visit("/anbieter/lichtwerk?angebot=off-lichtwerk-1", ".lead")),
    PageType("joint", visit("/gemeinschaftsprojekte", "#karte .leaflet-interactive")),
    PageType("relevance", visit("/relevanz")),
    PageType("error", visit("/projekte/gibt-es-nicht")),
    PageType("browse-projects", visit("/projekte?kreis=Odenwaldkreis&thema=energie")),
    PageType("browse-municipalities", visit("/kommunen?q=Mossautahl")),
    PageType("browse-providers", visit("/anbieter")),
    PageType("sign-in", visit("/anmelden")),
    PageType("account", signed_in("/mein-bereich")),
    PageType("need-form", signed_in("/mein-bereich/bedarfe/neu", "form")),
]
