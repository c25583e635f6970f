"""Signing in to the pages (matcher/web/pages/session.py, matcher/web/pages/account.py) with
Flask's test client: the session cookie's flags, what the database keeps, form tokens and
origins on every post, the tenancy rules in the forms, contacts only for signed-in accounts, and
signing out."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select

from matcher.domain.schema import Municipality, Project, Provider
from matcher.keys import KeyRing, add_key, hash_key
from matcher.service import MatcherService
from matcher.store import tables as t
from matcher.web import create_app
from matcher.web.pages.contact import MAX_QUOTED_CHARS, Contact, mailto
from tests.helpers import ADMIN_KEY, FIXTURES, OWN_ORIGIN, make_settings
from tools.fakes import FakeEncoder

OWN = {"Origin": OWN_ORIGIN}
FOREIGN = {"Origin": "http://evil.example"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NEED = {
    "title": "Glättewarnung an der Talbrücke",
    "description": "Sensoren sollen Eisglätte an der Brücke direkt dem Bauhof melden.",
    "categories": ["mobilitaet"],
    "status": "offen",
    "date": "2025-01-15",
}


@pytest.fixture
def app(tmp_path):
    settings = make_settings(tmp_path / "home", admin_key=ADMIN_KEY, keys_file=tmp_path / "k.json")
    keys = {
        "mossautal": add_key(settings.keys_file, "municipality:mossautal"),
        "brensbach": add_key(settings.keys_file, "municipality:brensbach"),
        "lichtwerk": add_key(settings.keys_file, "provider:lichtwerk"),
    }
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build(FIXTURES)
    # Role mailboxes at reserved example domains, as the demo data has them.
    for kind, item_id, email in (
        ("municipalities", "mossautal", "digitalisierung@mossautal.example"),
        ("municipalities", "brensbach", "digitalisierung@brensbach.example"),
        ("providers", "lichtwerk", "vertrieb@lichtwerk.example"),
    ):
        item = service.catalog.get(kind, item_id)
        assert item is not None
        service.upsert(kind, [item.model_copy(update={"contact_email": email})])
    app = create_app(settings, service, {"TESTING": True})
    app.extensions["test_keys"] = keys
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, key: str, **extra):
    page = client.get("/anmelden")
    token = TOKEN.search(page.text).group(1)
    return client.post(
        "/anmelden", data={"csrf_token": token, "schluessel": key, **extra}, headers=OWN
    )


def form_token(client) -> str:
    return TOKEN.search(client.get("/mein-bereich").text).group(1)


def session_rows(app) -> list:
    engine = app.extensions["matcher"].store.engine
    with engine.begin() as conn:
        return list(conn.execute(select(t.web_sessions)))


def test_sign_in_sets_a_secure_session_cookie_and_stores_only_hashes(app, client):
    key = app.extensions["test_keys"]["mossautal"]
    response = sign_in(client, key)
    assert response.status_code == 303 and response.headers["Location"] == "/mein-bereich"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "matcher_sitzung=" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; over https see the next test
    token = cookie.split(";")[0].split("=", 1)[1]
    rows = session_rows(app)
    assert len(rows) == 1
    assert rows[0].role == "municipality:mossautal" and rows[0].key_hash == hash_key(key)
    stored = " ".join(str(v) for v in rows[0])
    assert token not in stored and key not in stored
    home = client.get("/mein-bereich")
    assert home.status_code == 200 and "Ihr Bereich: Mossautal" in home.text
    assert home.headers["Cache-Control"] == "no-store"


def test_the_cookie_is_secure_over_https(app):
    client = app.test_client()
    page = client.get("/anmelden", base_url="https://localhost")
    token = TOKEN.search(page.text).group(1)
    response = client.post(
        "/anmelden",
        data={"csrf_token": token, "schluessel": app.extensions["test_keys"]["lichtwerk"]},
        headers={"Origin": "https://localhost"},
        base_url="https://localhost",
    )
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert any("matcher_sitzung=" in c and "; Secure" in c for c in cookies)


def test_an_unknown_key_opens_no_session(app, client):
    response = sign_in(client, "not-a-key-at-all-but-long-enough")
    assert response.status_code == 400 and "kennen wir nicht" in response.text
    assert session_rows(app) == []


def test_the_admin_key_opens_a_staff_session(app, client):
    """Issue 25: staff sign in with the admin key (before: refused with a 403); the session is
    the staff's (tests/web/pages/test_team.py: what it may do)."""
    response = sign_in(client, ADMIN_KEY)
    assert response.status_code == 303
    assert [row.role for row in session_rows(app)] == ["admin"]


def test_sign_in_form_needs_its_token_and_this_origin(app, client):
    key = app.extensions["test_keys"]["mossautal"]
    client.get("/anmelden")
    assert client.post("/anmelden", data={"schluessel": key}, headers=OWN).status_code == 403
    token = TOKEN.search(client.get("/anmelden").text).group(1)
    data = {"csrf_token": token, "schluessel": key}
    assert client.post("/anmelden", data=data, headers=FOREIGN).status_code == 403
    # A token without its cookie (another browser's) is refused too.
    other = app.test_client()
    assert other.post("/anmelden", data=data, headers=OWN).status_code == 403
    assert session_rows(app) == []


def test_a_new_need_is_live_at_once_and_found_by_matching(app, client):
    sign_in(client, app.extensions["test_keys"]["mossautal"])
    token = form_token(client)
    response = client.post(
        "/mein-bereich/bedarfe/neu", data={**NEED, "csrf_token": token}, headers=OWN
    )
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    need_id = query["id"][0]
    service = app.extensions["matcher"]
    need = service.catalog.needs[need_id]
    assert need.municipality == "mossautal" and need.title == NEED["title"]
    home = client.get(response.headers["Location"])
    assert "ist jetzt sichtbar und wird in der Suche gefunden" in home.text
    assert 'href="/kommunen/mossautal"' in home.text
    found = client.post(
        "/api/v1/match",
        json={"text": "Glättewarnung Talbrücke Eisglätte Bauhof", "kinds": ["municipalities"]},
    ).get_json()
    towns = {m["id"]: m for m in found["municipalities"]}
    assert "mossautal" in towns and "gleicher_bedarf" in towns["mossautal"]["relations"]


@pytest.mark.parametrize(
    ("headers", "with_token"),
    [(OWN, False), (FOREIGN, True), ({}, True)],
    ids=["no-token", "foreign-origin", "no-origin"],
)
def test_cross_site_posts_are_refused_and_write_nothing(app, client, headers, with_token):
    sign_in(client, app.extensions["test_keys"]["mossautal"])
    data = {**NEED, **({"csrf_token": form_token(client)} if with_token else {})}
    before = dict(app.extensions["matcher"].catalog.needs)
    response = client.post("/mein-bereich/bedarfe/neu", data=data, headers=headers)
    assert response.status_code == 403 and "Anfrage abgelehnt" in response.text
    assert dict(app.extensions["matcher"].catalog.needs) == before


def test_a_token_of_another_session_is_refused(app, client):
    sign_in(client, app.extensions["test_keys"]["mossautal"])
    other = app.test_client()
    sign_in(other, app.extensions["test_keys"]["brensbach"])
    data = {**NEED, "csrf_token": form_token(other)}
    assert client.post("/mein-bereich/bedarfe/neu", data=data, headers=OWN).status_code == 403


def test_forms_validate_with_the_models_in_german(app, client):
    sign_in(client, app.extensions["test_keys"]["mossautal"])
    token = form_token(client)
    bad = {**NEED, "title": " ", "date": "gestern", "csrf_token": token}
    response = client.post("/mein-bereich/bedarfe/neu", data=bad, headers=OWN)
    assert response.status_code == 400
    assert "Bitte füllen Sie dieses Feld aus." in response.text
    assert "Bitte ein Datum angeben" in response.text
    project = {"title": "Sensoren", "year": "1850", "contact_email": "kein@", "csrf_token": token}
    response = client.post("/mein-bereich/projekte/neu", data=project, headers=OWN)
    assert response.status_code == 400
    assert "1990 und 2100" in response.text and "E-Mail-Adresse" in response.text


def test_form_fields_refuse_line_breaks_and_non_ascii_digits_in_german(app, client):
    sign_in(client, app.extensions["test_keys"]["mossautal"])
    token = form_token(client)
    before = dict(app.extensions["matcher"].catalog.needs)
    bad = {**NEED, "title": "Glätte\r\nBcc: evil@x.example", "csrf_token": token}
    response = client.post("/mein-bereich/bedarfe/neu", data=bad, headers=OWN)
    assert response.status_code == 400
    assert 'id="fehler-title"' in response.text and "Zeilenumbrüche" in response.text
    assert dict(app.extensions["matcher"].catalog.needs) == before
    projects = dict(app.extensions["matcher"].catalog.projects)
    for year in ("２０２４", "2_024", "²⁰²⁴", "+2024"):
        project = {"title": "Sensoren", "year": year, "csrf_token": token}
        response = client.post("/mein-bereich/projekte/neu", data=project, headers=OWN)
        assert response.status_code == 400, year
        assert 'id="fehler-year"' in response.text and "ganze Zahl" in response.text
    assert dict(app.extensions["matcher"].catalog.projects) == projects


def test_the_tenancy_rules_decide_edits(app, client):
    service = app.extensions["matcher"]
    sign_in(client, app.extensions["test_keys"]["mossautal"])
    token = form_token(client)
    foreign = service.catalog.needs["n-licht"]  # Brensbach's need
    assert foreign.municipality == "brensbach"
    assert client.get(f"/mein-bereich/bedarfe/{foreign.id}").status_code == 403
    data = {**NEED, "csrf_token": token}
    response = client.post(f"/mein-bereich/bedarfe/{foreign.id}", data=data, headers=OWN)
    assert response.status_code == 403
    assert service.catalog.needs[foreign.id].title == foreign.title
    # A municipality reports no offerings; a provider no needs.
    assert client.get("/mein-bereich/angebote/neu").status_code == 404


def test_edit_keeps_what_the_form_does_not_show(app, client):
    service = app.extensions["matcher"]
    sign_in(client, app.extensions["test_keys"]["mossautal"])
    token = form_token(client)
    project = next(p for p in service.catalog.projects.values() if "mossautal" in p.municipalities)
    data = {"title": project.title + " (2. Phase)", "csrf_token": token, "status": "laufend"}
    response = client.post(f"/mein-bereich/projekte/{project.id}", data=data, headers=OWN)
    assert response.status_code == 303
    saved = service.catalog.projects[project.id]
    assert saved.title.endswith("(2. Phase)")
    assert saved.municipalities == project.municipalities and saved.providers == project.providers


def test_a_provider_adds_an_offering(app, client):
    service = app.extensions["matcher"]
    sign_in(client, app.extensions["test_keys"]["lichtwerk"])
    token = form_token(client)
    data = {"title": "Nachtabsenkung als Dienst", "categories": ["energie"], "csrf_token": token}
    response = client.post("/mein-bereich/angebote/neu", data=data, headers=OWN)
    assert response.status_code == 303
    offering_id = parse_qs(urlsplit(response.headers["Location"]).query)["id"][0]
    assert service.catalog.offerings[offering_id].provider == "lichtwerk"


def test_contacts_only_for_signed_in_accounts(app, client):
    for path in ("/anbieter/lichtwerk", "/kommunen/brensbach"):
        page = client.get(path).text
        assert ".example" not in page and "Anmelden, um Kontakt aufzunehmen" in page
    assert "contact_email" not in client.get("/api/v1/providers/lichtwerk").get_json()
    keyed = {"Authorization": f"Bearer {app.extensions['test_keys']['brensbach']}"}
    assert client.get("/api/v1/providers/lichtwerk", headers=keyed).get_json()["contact_email"]
    sign_in(client, app.extensions["test_keys"]["brensbach"])
    page = client.get("/anbieter/lichtwerk").text
    assert "vertrieb@lichtwerk.example" in page and "Kontakt aufnehmen" in page
    assert page.count("private, no-store") == 0  # a header, not text
    assert client.get("/anbieter/lichtwerk").headers["Cache-Control"] == "private, no-store"


def test_a_provider_account_sees_only_the_mailboxes_of_towns_with_an_open_need(app, client):
    """The API's one rule in the pages (issue "privacy and abuse", finding 14): Brensbach
    reported an open need, Kassel did not (nor does a project of Kassel name LichtWerk)."""
    service = app.extensions["matcher"]
    kassel = service.catalog.get("municipalities", "kassel")
    service.upsert(
        "municipalities", [kassel.model_copy(update={"contact_email": "it@kassel.example"})]
    )
    sign_in(client, app.extensions["test_keys"]["lichtwerk"])
    assert "digitalisierung@brensbach.example" in client.get("/kommunen/brensbach").text
    assert "it@kassel.example" not in client.get("/kommunen/kassel").text
    town = app.test_client()
    sign_in(town, app.extensions["test_keys"]["mossautal"])  # a town sees it
    assert "it@kassel.example" in town.get("/kommunen/kassel").text


def test_contact_from_a_result_quotes_the_challenge(app, client):
    sign_in(client, app.extensions["test_keys"]["brensbach"])
    challenge = "Straßenbeleuchtung nachts aus, Strom sparen"
    page = client.get("/", query_string={"text": challenge}).text
    links = [unquote(h.replace("&amp;", "&")) for h in re.findall(r'href="(mailto:[^"]+)"', page)]
    assert links, "no contact link on the results"
    assert all("subject=" in link and f"„{challenge}“" in link for link in links)
    assert any(link.startswith("mailto:vertrieb@lichtwerk.example?") for link in links)


def test_sign_out_ends_the_session_everywhere(app, client):
    sign_in(client, app.extensions["test_keys"]["mossautal"])
    cookie = client.get_cookie("matcher_sitzung").value
    token = form_token(client)
    response = client.post("/abmelden", data={"csrf_token": token}, headers=OWN)
    assert response.status_code == 303 and session_rows(app) == []
    # The old cookie, replayed, opens nothing.
    client.set_cookie("matcher_sitzung", cookie)
    assert client.get("/mein-bereich").status_code == 302


def test_a_revoked_key_ends_its_sessions(app, client):
    sign_in(client, app.extensions["test_keys"]["mossautal"])
    assert client.get("/mein-bereich").status_code == 200
    app.extensions["matcher_keys"] = KeyRing({})  # the key deleted, the service restarted
    assert client.get("/mein-bereich").status_code == 302


def test_schema_takes_role_mailboxes_and_refuses_header_tricks():
    assert Provider(id="x", name="X", contact_email=" vertrieb@x.example ").contact_email == (
        "vertrieb@x.example"
    )
    for bad in ("a@b.example?cc=c@d.example", "a b@c.example", "kein", "a@localhost"):
        with pytest.raises(ValueError):
            Municipality(id="m", name="M", contact_email=bad)
    assert Project(id="p", title="P").contact_email == ""


def test_mailto_carries_subject_and_a_shortened_challenge():
    contact = Contact("projects", "Rufbus", "mobilitaet@schotten.example", "Mobilitätskoordination")
    link = mailto(contact, "Busse " * 200, "Mossautal")
    address, _, query = link.removeprefix("mailto:").partition("?")
    fields = parse_qs(query)
    assert address == "mobilitaet@schotten.example"
    assert fields["subject"] == ["Anfrage zu Ihrem Projekt „Rufbus“"]
    body = fields["body"][0]
    assert "Unsere Herausforderung:" in body and body.endswith("Mossautal")
    quoted = body.split("Unsere Herausforderung:\r\n„", 1)[1].split("“", 1)[0]
    assert len(quoted) <= MAX_QUOTED_CHARS + 2 and quoted.endswith("…")
