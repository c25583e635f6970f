"""A provider's own area has its leads (issue 25, item 3), with the Flask test client on the demo
store in which every actor and project has a mailbox: „Ihr Bereich“ lists the leads per
offering with their needs and the joint-project suggestions they are part of, and its CSV has a
contact column, both carrying a town's mailbox only as `Viewer` allows (the town reported an
open need). Before, the area listed only the offerings."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.web import crawl

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = crawl.demo_app(tmp_path_factory.mktemp("provider-area"))
    yield app
    app.extensions["matcher"].close()


def signed_in(app, name: str):
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    key = app.extensions["test_keys"][name]["Authorization"].split()[1]
    token = TOKEN.search(client.get("/anmelden").text).group(1)
    assert (
        client.post("/anmelden", data={"csrf_token": token, "schluessel": key}).status_code == 303
    )
    return client


@pytest.fixture(scope="module")
def facts(demo_app):
    service = demo_app.extensions["matcher"]
    provider = sorted(service.catalog.items["providers"])[0]  # the demo app's provider key
    asking = {
        n.municipality for n in service.catalog.items["needs"].values() if n.status == "offen"
    }
    allowed = {crawl.mailbox("municipalities", t) for t in asking}
    allowed.add(crawl.mailbox("providers", provider))
    offerings = service.catalog.offerings_of_provider[provider]
    joint = service.joint_projects(20).items
    return provider, allowed, offerings, joint


def test_the_area_lists_leads_per_offering_with_only_allowed_mailboxes(demo_app, facts):
    provider, allowed, offerings, joint = facts
    client = signed_in(demo_app, "provider")
    html = client.get("/mein-bereich").text
    assert "Interessierte Kommunen je Angebot" in html
    for offering in offerings:
        assert f'href="/mein-bereich/interessenten.csv?angebot={offering.id}"' in html
    assert html.count('data-kind="lead"') >= len(offerings)
    assert "Bedarf:" in html  # with the needs that matched
    shown = set(crawl.ADDRESS.findall(html))
    assert shown and shown <= allowed, shown - allowed
    # A lead that is a member of a joint-project suggestion says which (numbered as its page).
    numbered = {m.id: i for i, g in enumerate(joint, 1) for m in g.members}
    leads = re.findall(r'data-lead="([^"]+)"', html)
    noted = [t for t in leads if t in numbered]
    for town in noted:
        assert f"Teil von Gemeinschaftsvorschlag Nr. {numbered[town]}" in html
    if not noted:  # with the fake encoder this provider's leads may be in none
        assert "Teil von Gemeinschaftsvorschlag" not in html


def test_the_area_csv_has_the_contact_column_by_the_one_rule(demo_app, facts):
    provider, allowed, offerings, _ = facts
    client = signed_in(demo_app, "provider")
    response = client.get("/mein-bereich/interessenten.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][-1] == "Kontakt (E-Mail)"
    mailboxes = [r[-1] for r in rows[1:]]
    assert any(mailboxes) and not any(m and m not in allowed for m in mailboxes)
    ids = [r[rows[0].index("Kommunen-ID")] for r in rows[1:]]
    for town, mailbox in zip(ids, mailboxes, strict=True):
        expected = crawl.mailbox("municipalities", town)
        assert mailbox in ("", expected) and (mailbox == expected) == (expected in allowed)
    one = client.get(f"/mein-bereich/interessenten.csv?angebot={offerings[0].id}")
    assert one.status_code == 200
    assert client.get("/mein-bereich/interessenten.csv?angebot=fremd").status_code == 404


def test_the_public_csv_keeps_no_contact_column(demo_app, facts):
    provider = facts[0]
    body = demo_app.test_client().get(f"/anbieter/{provider}/leads.csv").text
    assert "Kontakt (E-Mail)" not in body and not crawl.ADDRESS.findall(body)


def test_others_have_no_leads_export(demo_app):
    assert demo_app.test_client().get("/mein-bereich/interessenten.csv").status_code == 302
    town = signed_in(demo_app, "town")
    assert town.get("/mein-bereich/interessenten.csv").status_code == 404
    assert "Interessierte Kommunen je Angebot" not in town.get("/mein-bereich").text
