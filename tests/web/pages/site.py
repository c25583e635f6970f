"""One example of every page type, as a browser test opens it: the phone-layout, axe and
screenshot tests run over this list. A new page type (browse, sign-in, forms …) is one more
entry here; its `open` gets a Playwright page and the server's base URL and leaves the page
drawn (wait for something that shows it is)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matcher.config import REPO_ROOT
from tests.web.pages.axe import report, serious_violations

SHOTS = REPO_ROOT / "test-output" / "screenshots"  # where the browser tests save screenshots
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


# Keys for the signed-in page types (the live site writes them before it starts): a
# municipality's ("town", Mossautal), a provider's ("provider", LichtWerk), the admin key ("staff").
KEYS: dict[str, str] = {}


def signed_in(path: str, ready: str = "h1", who: str = "town") -> Callable[..., None]:
    """Sign in as `who` (its key from `KEYS`), then open `path`."""

    def go(page, base: str) -> None:
        page.goto(base + "/anmelden")
        page.get_by_label("Zugangsschlüssel").fill(KEYS[who])
        page.get_by_role("button", name="Anmelden").click()
        page.get_by_role("heading", name="Ihr Bereich:").wait_for()
        page.goto(base + path)
        page.locator(ready).first.wait_for()

    return go


def staff_feedback(page, base: str) -> None:
    """The staff's feedback list, with a verdict in it."""
    from tools.live_server import call

    verdict = {"query": CHALLENGE, "item_kind": "projects", "item_id": "prj-en-01"}
    call(base + "/api/v1/feedback", "POST", {**verdict, "verdict": "passt"})
    signed_in("/mein-bereich/rueckmeldungen", ".review-list", "staff")(page, base)


def staff_evaluation(page, base: str) -> None:
    """The result page of an evaluation: the last one, or one started now and waited for."""
    signed_in("/mein-bereich", "h1", "staff")(page, base)
    last = page.get_by_role("link", name="Nr.")
    if last.count():
        last.first.click()
    else:
        page.get_by_role("button", name="Auswertung jetzt berechnen").first.click()
    page.locator("[data-job]:not([data-state='laeuft'])").wait_for(timeout=180_000)
    page.locator("h1").wait_for()


PAGE_TYPES: list[PageType] = [
    PageType("start", visit("/")),
    PageType("results", search(CHALLENGE, "Mossautal")),
    PageType("results-filter-empty", search(CHALLENGE, "Mossautal", max_km="3")),
    # A challenge too long for an address: the post is redirected to its saved search.
    PageType("results-saved", search((CHALLENGE + " ") * 40, "Mossautal")),
    PageType("project", visit("/projekte/prj-en-01")),
    PageType("municipality", visit("/kommunen/mossautal")),
    PageType("need", visit("/bedarfe/need-001", "article.card")),
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
    PageType(
        "need-form-from-search", signed_in("/mein-bereich/bedarfe/neu?text=" + CHALLENGE, "form")
    ),
    PageType("provider-area", signed_in("/mein-bereich", ".area-leads .lead", "provider")),
    PageType("staff-area", signed_in("/mein-bereich", "h1", "staff")),
    PageType("staff-feedback", staff_feedback),
    PageType("staff-evaluation", staff_evaluation),
    PageType("exchange", visit("/austausch")),
    PageType("toolbox", visit("/vorlagen?art=leistungsbeschreibung", ".browse-list")),
    # Mossautal's own project with its demo document: the list and the upload form.
    PageType("project-documents-owner", signed_in("/projekte/prj-vw-02", "form.upload")),
    PageType(
        "exchange-event-staff",
        signed_in("/austausch/termine/termin-licht-2027-02", ".invitations", "staff"),
    ),
]


# -- what the browser tests of one journey share ------------------------------------------------

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def new_page(browser, size: str = "desktop"):
    """A page in a fresh context at a named width, collecting its script errors in `errors`."""
    context = browser.new_context(viewport=SIZES[size], locale="de-DE")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def sign_in(page, base: str, key: str) -> None:
    """Sign in with `key` on the sign-in page and wait for the account's own area."""
    page.goto(base + "/anmelden")
    page.get_by_label("Zugangsschlüssel").fill(key)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Ihr Bereich:").wait_for()


def checked_at_both_widths(page, name: str) -> None:
    """At each width: no serious axe violation, no sideways scrolling, a screenshot."""
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        found = serious_violations(page)
        assert not found, report(found)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{page.url} is {width} px wide at {size}"
        page.screenshot(path=SHOTS / f"{name}-{size}.png", full_page=True)
    page.set_viewport_size(SIZES["desktop"])
