"""Security of the web pages: no stored script in the map, a Content-Security-Policy and the
other security headers, same-origin form posts with local redirects only, page parameters that
never give a 500, and the on-demand evaluation only for an admin key.

Most checks use Flask's test client on the tiny fixture corpus; the stored-script case and the
CSP check run in Chromium against a real `matcher serve` (like tests/web/pages/test_browser.py)."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

from matcher.domain.names import slug
from tests.helpers import ADMIN_KEY
from tests.helpers import OWN_ORIGIN as OWN
from tools.live_server import KEY, call, serve, stop

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
HTML_PAGES = [
    "/",
    "/?text=Straßenbeleuchtung+nachts+aus",
    "/gemeinschaftsprojekte",
    "/relevanz",
    "/kommunen/mossautal",
    "/projekte/p-licht",
    "/anbieter/lichtwerk",
    "/projekte/gibt-es-nicht",  # the German 404 page
]
REQUIRED_CSP = [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]


def _policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    parts = [p.strip().split(None, 1) for p in header.split(";") if p.strip()]
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


# -- 2. security headers -------------------------------------------------------------------


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_page_sends_csp_and_security_headers(client, path):
    response = client.get(path)
    assert response.mimetype == "text/html"
    header = response.headers.get("Content-Security-Policy", "")
    for directive in REQUIRED_CSP:
        assert directive in header, (directive, header)
    policy = _policy(response)
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path", ["/health", "/api/v1/projects", "/static/site.js", "/openapi.json"]
)
def test_nosniff_on_every_response(client, path):
    response = client.get(path)
    response.close()  # a static file is streamed from disk
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_swagger_ui_has_its_own_policy_and_still_loads(client):
    response = client.get("/openapi/swagger")
    assert response.status_code == 200
    policy = _policy(response)
    # Swagger UI boots from an inline script: allowed there only, still nothing from elsewhere.
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "http" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", HTML_PAGES)
def test_pages_have_no_inline_code(client, path):
    html = client.get(path).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"<[^>]+\sstyle\s*=", html), "inline style attribute"
    assert "javascript:" not in html


# -- 3. CSRF and open redirect on the feedback form -------------------------------------------

FORM = {"item_kind": "projects", "item_id": "p-licht", "query": "Laternen", "verdict": "passt"}


def _stored(app) -> int:
    return len(app.extensions["matcher"].store.feedback())


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost.evil.example"},
        {"Origin": "https://localhost"},  # other scheme
        {"Referer": "https://evil.example/seite"},
        {"Referer": "http://localhost.evil.example/"},
        {"Origin": "https://evil.example", "Referer": OWN + "/"},  # Origin decides
    ],
)
def test_cross_site_feedback_post_is_refused(client, app, headers):
    before = _stored(app)
    response = client.post("/rueckmeldung", data={**FORM, "back": "/"}, headers=headers)
    assert response.status_code == 403
    assert "Location" not in response.headers
    html = response.get_data(as_text=True)
    assert 'lang="de"' in html and "Anfrage abgelehnt" in html
    assert response.headers["X-Frame-Options"] == "DENY"
    assert _stored(app) == before


@pytest.mark.parametrize("headers", [{"Origin": OWN}, {"Referer": OWN + "/?text=Laternen"}])
def test_same_origin_feedback_post_is_stored(client, app, headers):
    before = _stored(app)
    response = client.post("/rueckmeldung", data={**FORM, "back": "/?text=x"}, headers=headers)
    assert response.status_code == 303
    assert response.headers["Location"] == "/?text=x&danke=1"
    assert _stored(app) == before + 1


@pytest.mark.parametrize(
    "back",
    [
        "/\t/evil.example/phish",
        "/\n/evil.example/phish",
        "\t//evil.example/phish",
        " //evil.example",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "/ \\evil.example",
        "\\\\evil.example",
        "https://evil.example/phish",
        "javascript:alert(1)",
        "evil.example",
        "/\r\nSet-Cookie: x=1",
        "/x\r\nLocation: https://evil.example",
        "\x00//evil.example",
        "",
    ],
)
def test_feedback_redirects_only_to_local_paths(client, back):
    response = client.post("/rueckmeldung", data={**FORM, "back": back}, headers={"Origin": OWN})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    # Where a browser goes: this server, whatever the rest of the path says.
    assert urlsplit(urljoin(OWN + "/seite", location)).netloc == "localhost", location
    assert not re.search(r"[\x00-\x20\x7f]", location)
    assert "Set-Cookie" not in response.headers
    if "evil.example/phish" in back or back.strip(" \t\x00").startswith(("//", "\\")):
        assert location == "/?danke=1"


@pytest.mark.parametrize(
    "back, location",
    [
        ("/kommunen/mossautal", "/kommunen/mossautal?danke=1"),
        ("/?text=Laternen&wir=Mossautal", "/?text=Laternen&wir=Mossautal&danke=1"),
        ("/projekte/p-licht?", "/projekte/p-licht?danke=1"),
    ],
)
def test_feedback_goes_back_to_the_local_page(client, back, location):
    response = client.post("/rueckmeldung", data={**FORM, "back": back}, headers={"Origin": OWN})
    assert response.status_code == 303
    assert response.headers["Location"] == location


# -- 4. page parameters never give a 500 ------------------------------------------------------

LONG = "x" * 301
BAD_QUERIES = [
    "/?text=Laternen+nachts&kreis=" + LONG,
    "/?text=Laternen+nachts&region=" + LONG,
    "/?text=Laternen+nachts&max_km=1e999",
    "/?text=Laternen+nachts&max_km=abc",
    "/?text=Laternen+nachts&max_km=-5",
    "/?text=Laternen+nachts&max_km=nan",
    "/?text=Laternen+nachts&min_ew=%C2%B2",  # a superscript two: isdigit() but not int()
    "/?text=Laternen+nachts&max_ew=" + "9" * 5000,
    "/?text=Laternen+nachts&min_ew=-1",
    "/?text=Laternen+nachts&wir=" + "M" * 5000,
    "/?text=Laternen+nachts&kategorie=" + LONG + "&kategorie=kochen",
    "/?text=" + "Laterne " * 1000,
    "/?text=Laternen%00nachts&wir=Moss%00autal&kreis=Oden%00wald",
    "/gemeinschaftsprojekte?kreis=" + LONG,
    "/gemeinschaftsprojekte?region=" + LONG,
    "/gemeinschaftsprojekte?min_ew=%C2%B2&max_ew=" + "9" * 5000,
    "/gemeinschaftsprojekte?max_km=1e999",
    "/anbieter/lichtwerk?angebot=" + "y" * 5000,
    "/relevanz?auswerten=" + LONG,
]


@pytest.mark.parametrize("url", BAD_QUERIES)
def test_bad_page_parameters_give_a_german_page_not_a_500(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404), response.status_code
    html = response.get_data(as_text=True)
    assert 'lang="de"' in html and "Traceback" not in html
    assert "Ein Fehler ist aufgetreten" not in html  # the 500 page


@pytest.mark.parametrize(
    "query, words",
    [
        ("kreis=" + LONG, "Kreis"),
        ("region=" + LONG, "Regierungsbezirk"),
        ("max_km=abc", "Kilometer"),
        ("max_km=1e999", "Kilometer"),
        ("min_ew=%C2%B2", "Einwohner"),
        ("max_ew=" + "9" * 5000, "Einwohner"),
        ("wir=" + "M" * 5000, "Wir sind"),
    ],
)
def test_bad_filter_is_named_in_german_on_the_start_page(client, query, words):
    response = client.get("/?text=Laternen+nachts&" + query)
    assert response.status_code == 200
    notice = re.search(r'<p class="notice warn" role="alert">(.*?)</p>', response.get_data(True))
    assert notice and words in notice.group(1), notice


def test_good_filters_still_work(client):
    response = client.get(
        "/?text=Stra%C3%9Fenbeleuchtung+nachts+aus&kreis=Odenwaldkreis&min_ew=1.000"
        "&max_ew=20000&max_km=30,5&wir=Mossautal&kategorie=energie"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'role="alert"' not in html
    assert "Ergebnisse für Mossautal" in html


def test_bad_filter_on_the_joint_projects_page_is_named(client):
    response = client.get("/gemeinschaftsprojekte?kreis=" + LONG)
    assert response.status_code == 200
    assert 'role="alert"' in response.get_data(as_text=True)


# -- 4b. numbers are ASCII digits; ids, titles and links carry no control characters -------

UNICODE_DIGITS = ["²", "①", "٣", "２", "1²", "¹⁰"]


@pytest.mark.parametrize("path", ["/projekte", "/kommunen", "/anbieter"])
@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_unicode_digits_as_page_number_are_named_in_german_not_a_500(client, path, digits):
    response = client.get(f"{path}?seite={quote(digits)}")
    assert response.status_code == 200, response.status_code
    notice = re.search(r'<p class="notice warn" role="alert">(.*?)</p>', response.get_data(True))
    assert notice and "Seitenzahl" in notice.group(1), notice


def test_an_ascii_page_number_still_turns_the_page(client):
    first = client.get("/kommunen").get_data(as_text=True)
    second = client.get("/kommunen?seite=2").get_data(as_text=True)
    assert 'role="alert"' not in second and first != second


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_unicode_digits_in_page_filters_are_named_in_german(client, digits):
    for name, words in (("min_ew", "Einwohner"), ("max_ew", "Einwohner"), ("max_km", "Kilometer")):
        response = client.get(f"/?text=Laternen+nachts&{name}={quote(digits)}")
        assert response.status_code == 200
        notice = re.search(
            r'<p class="notice warn" role="alert">(.*?)</p>', response.get_data(True)
        )
        assert notice and words in notice.group(1), (name, notice)


@pytest.mark.parametrize(
    "text", [*UNICODE_DIGITS, "", " ", "1_000", "+5", "-5", "0x10", "1e3", "5 "]
)
def test_whole_numbers_take_ascii_digits_only(text):
    from matcher.domain.errors import ValidationError
    from matcher.web.pages.numbers import whole_number

    with pytest.raises(ValidationError) as caught:
        whole_number(text, "seite", "Bitte eine Seitenzahl angeben.")
    assert caught.value.problems == [("seite", "Bitte eine Seitenzahl angeben.")]


@pytest.mark.parametrize(
    "text", [*UNICODE_DIGITS, "1,5", "1.", ".5", "1e3", "inf", "nan", "1_0", "٣.٥", "2.²"]
)
def test_decimal_numbers_take_an_ascii_decimal_only(text):
    from matcher.domain.errors import ValidationError
    from matcher.web.pages.numbers import decimal_number

    with pytest.raises(ValidationError):
        decimal_number(text, "max_km", "Bitte eine Zahl angeben.")


def test_ascii_numbers_are_read():
    from matcher.web.pages.numbers import decimal_number, whole_number

    assert whole_number("0042", "x", "") == 42
    assert decimal_number("12.5", "x", "") == 12.5 and decimal_number("7", "x", "") == 7.0


def test_mailto_subject_and_body_carry_no_control_characters():
    from urllib.parse import parse_qs

    from matcher.web.pages.contact import Contact, mailto

    title = "Licht\r\nBcc: evil@x.example"
    contact = Contact("projects", title, "mobilitaet@schotten.example")
    link = mailto(contact, "Busse\x00 nachts\r\nCc: evil@x.example", "Moss\nautal")
    _, _, query = link.partition("?")
    assert "%0D%0ABcc" not in query and "%0ABcc" not in query and "%00" not in query
    fields = parse_qs(query)
    assert fields["subject"] == ["Anfrage zu Ihrem Projekt „Licht Bcc: evil@x.example“"]
    lines = fields["body"][0].split("\r\n")  # the body's own line breaks stay
    assert "„Busse nachts Cc: evil@x.example“" in lines and lines[-1] == "Moss autal"
    assert not any(line.startswith(("Bcc", "Cc")) for line in lines)


@pytest.mark.parametrize("item_id", ["..", "p-licht\u200b", "a b", "P-LICHT"])
def test_feedback_for_an_unsafe_id_is_refused_and_not_stored(client, app, item_id):
    form = {**FORM, "item_id": item_id}
    response = client.post("/rueckmeldung", data=form, headers={"Origin": OWN})
    assert response.status_code == 400 and 'lang="de"' in response.get_data(as_text=True)
    stored = [f["item_id"] for f in app.extensions["matcher"].store.feedback()]
    assert item_id not in stored


# -- 5. the evaluation runs only for signed-in staff, in the background ------------------------


@pytest.fixture
def evaluation(monkeypatch):
    """The evaluation replaced by a quick fake that counts its runs."""
    from matcher.evaluation import judgments

    runs = []
    monkeypatch.setattr(judgments, "load", lambda data_dir: "judged")
    monkeypatch.setattr(judgments, "table", lambda svc, judged: runs.append(1) or {})
    return runs


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer falsch"}, {"Authorization": "Basic eDp5"}, "town", "admin"],
)
def test_no_request_runs_the_evaluation_on_the_relevance_page(client, app, evaluation, headers):
    """Before, `/relevanz?auswerten=1` with an admin key held a worker for 20 s; now staff start
    it as a background job from their signed-in pages, and an admin header does nothing here."""
    headers = {"town": app.extensions["test_keys"]["brensbach"], "admin": ADMIN}.get(
        headers if isinstance(headers, str) else "", headers
    )
    response = client.get("/relevanz?auswerten=1", headers=headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert evaluation == []
    assert "matcher eval" in html and "Admin-Schlüssel" in html
    assert "Auswertung jetzt berechnen" not in html  # the button is the staff's
    assert "Kennzahl" in html  # the stored figures


def test_starting_the_evaluation_needs_a_staff_session(client, evaluation):
    for headers in ({}, ADMIN, {"Origin": OWN}, {"Origin": OWN, **ADMIN}):
        response = client.post("/mein-bereich/auswertungen", headers=headers)
        assert response.status_code in (302, 403)
    assert evaluation == []


# -- in a real browser -----------------------------------------------------------------------

EVIL = "Göttingen, <img src=x onerror=alert(1)>"
EVIL_MEMBER = 'Klein-Evil <img src=y onerror="window.__xss=1"><b id=injected>fett</b>'


@pytest.fixture(scope="module")
def site(site_home):
    home = site_home("web-security-home")
    process, base = serve(home)
    yield base
    stop(process)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    page = context.new_page()
    seen = {"dialogs": [], "errors": [], "csp": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and seen["csp"].append(m.text),
    )
    page.seen = seen  # type: ignore[attr-defined]
    yield page
    context.close()


def _plant(base: str) -> list[tuple[str, str]]:
    """The two payloads, planted through the API; returns what to delete afterwards."""
    # 1. A town created by naming it in a project (the resolver geocodes "Göttingen").
    project = {
        "id": "prj-evil-town",
        "title": "Digitale Bürgerdienste gemeinsam",
        "description": "Test",
        "municipalities": ["mossautal", EVIL],
    }
    assert call(base + "/api/v1/projects", "POST", project, KEY)[0] == 201
    # 2. A small town next to a member of the first joint group, with the same need: it becomes
    # a numbered group member on the map (marker, title and tooltip).
    status, joint = call(base + "/api/v1/joint-projects?k=1")
    assert status == 200 and joint["items"], joint
    model = joint["items"][0]["members"][0]
    status, need = call(base + "/api/v1/needs/" + model["need"])
    assert status == 200
    town = {
        "id": "klein-evil",
        "name": EVIL_MEMBER,
        "population": 1000,
        "latitude": model["latitude"] + 0.01,
        "longitude": model["longitude"] + 0.01,
    }
    assert call(base + "/api/v1/municipalities", "POST", town, KEY)[0] == 201
    twin = {
        "id": "need-klein-evil",
        "municipality": "klein-evil",
        "title": need["title"],
        "description": need.get("description", ""),
        "categories": need.get("categories", []),
    }
    assert call(base + "/api/v1/needs", "POST", twin, KEY)[0] == 201
    status, joint = call(base + "/api/v1/joint-projects?k=20")
    names = [m["name"] for g in joint["items"] for m in g["members"]]
    assert EVIL_MEMBER in names, names
    evil_id = slug(EVIL)
    assert call(base + "/api/v1/municipalities/" + evil_id)[1]["name"] == EVIL
    return [
        ("needs", "need-klein-evil"),
        ("municipalities", "klein-evil"),
        ("projects", "prj-evil-town"),
        ("municipalities", evil_id),
    ]


def test_town_names_in_the_joint_projects_map_stay_text(site, page):
    planted = _plant(site)
    try:
        page.goto(site + "/gemeinschaftsprojekte")
        page.locator("#karte .leaflet-interactive").first.wait_for()
        # Open every tooltip: hover each dot and numbered pin.
        page.evaluate(
            """() => document.querySelectorAll('#karte .leaflet-interactive').forEach(
                 el => el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))"""
        )
        page.wait_for_timeout(300)
        assert page.seen["dialogs"] == []  # type: ignore[attr-defined]
        assert page.evaluate("window.__xss") is None
        assert page.locator("#karte img, #injected, .leaflet-tooltip b").count() == 0
        assert page.seen["errors"] == []  # type: ignore[attr-defined]
        assert page.seen["csp"] == []  # type: ignore[attr-defined]
        # The group members' names are there, as the literal text they are (the map names
        # group members only; the town of the first payload is in no group).
        texts = page.locator(".leaflet-tooltip").all_inner_texts()
        assert EVIL_MEMBER in texts, texts[:20]
        pin = page.locator(".leaflet-marker-icon[title$='fett</b>']")
        assert pin.count() == 1 and pin.get_attribute("title").endswith(EVIL_MEMBER)
        # The pins still carry their number and colour (set through the DOM, not as HTML).
        first = page.locator(".group-pin span").first
        assert first.inner_text() == "1"
        assert first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    finally:
        for kind, item_id in planted:
            call(f"{site}/api/v1/{kind}/{item_id}", "DELETE", key=KEY)


CHALLENGE = "Unsere Laternen brennen die ganze Nacht, obwohl um 2 Uhr niemand unterwegs ist."


def test_pages_work_under_the_content_security_policy(site, page):
    for path in [
        "/",
        "/?text=" + quote(CHALLENGE) + "&wir=Mossautal",
        "/gemeinschaftsprojekte",
        "/kommunen/mossautal",
        "/projekte/prj-en-01",
        "/relevanz",
        "/projekte/gibt-es-nicht",
    ]:
        response = page.goto(site + path)
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(site + "/gemeinschaftsprojekte")
    page.locator("#karte .leaflet-interactive").first.wait_for()
    assert page.locator(".group-pin span").count() >= 2
    # site.js runs: feedback is sent without leaving the page.
    page.goto(site + "/?text=" + quote(CHALLENGE))
    card = page.locator("article[data-kind=project]").first
    card.get_by_role("button", name="passt", exact=True).click()
    card.get_by_text("Danke für Ihre Rückmeldung!").wait_for()
    # Swagger UI renders under its own policy.
    page.goto(site + "/openapi/swagger")
    page.locator(".opblock").first.wait_for()
    assert page.seen == {"dialogs": [], "errors": [], "csp": []}  # type: ignore[attr-defined]


def test_feedback_form_without_javascript_passes_the_origin_check(site, browser):
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    page.goto(site + "/?text=" + quote(CHALLENGE))
    card = page.locator("article[data-kind=project]").first
    card.get_by_role("button", name="passt", exact=True).click()
    page.get_by_text("Danke für Ihre Rückmeldung!").wait_for()
    assert page.url.startswith(site + "/?text=") and page.url.endswith("&danke=1")
    context.close()
