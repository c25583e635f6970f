"""Private fields leave the service only for roles that may see them (issue: privacy and abuse,
finding 1 and 14), by one rule at the boundary: every GET operation of the OpenAPI document and
every page type, crawled without a key on the demo store in which every actor and project has a
contact address, shows none; keys see what `matcher.domain.access.Viewer` allows.

Before the fix `GET /api/v1/municipalities/{id}/members` answered every member's mailbox to
anyone (25 of 87 demo mailboxes from 87 anonymous requests)."""

from __future__ import annotations

import pytest

from matcher.domain.access import Actor
from tests.helpers import ADMIN
from tests.web import crawl


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = crawl.demo_app(tmp_path_factory.mktemp("privacy"))
    yield app
    app.extensions["matcher"].close()


def test_every_get_operation_and_page_type_shows_no_address_without_a_key(demo_app):
    client = demo_app.test_client()
    service = demo_app.extensions["matcher"]
    ids = crawl.demo_ids(service)
    api_urls = crawl.api_urls(client, ids)
    page_urls = crawl.page_urls(demo_app, ids)
    # The crawl reaches what the finding named, and each page type.
    assert "/api/v1/municipalities/mossautal/members" in api_urls
    assert any(u.startswith("/kommunen/") for u in page_urls)
    assert any(u.endswith("/leads.csv") for u in page_urls)
    for url in api_urls + page_urls:
        crawl.assert_no_address(client, url)


def test_the_finding_as_reported_a_districts_members_without_a_key(demo_app):
    client = demo_app.test_client()
    service = demo_app.extensions["matcher"]
    district = next(
        m for m in service.catalog.items["municipalities"].values() if m.kind == "kreis"
    )
    body = client.get(f"/api/v1/municipalities/{district.id}/members").get_json()
    assert body["members"], "the district has members"
    assert all("contact_email" not in m for m in body["members"] + body["memberships"])
    # The same request with an admin key carries them: the rule, not a lost field.
    body = client.get(f"/api/v1/municipalities/{district.id}/members", headers=ADMIN).get_json()
    assert all(m["contact_email"].endswith("@example.org") for m in body["members"])


def test_a_town_key_sees_every_contact(demo_app):
    client = demo_app.test_client()
    keys = demo_app.extensions["test_keys"]
    items = client.get("/api/v1/municipalities?limit=500", headers=keys["town"]).get_json()
    assert all(i["contact_email"] for i in items["items"])
    project = client.get("/api/v1/projects?limit=1", headers=keys["town"]).get_json()["items"][0]
    assert project["contact_email"]


def test_a_provider_key_sees_only_the_mailboxes_of_towns_with_an_open_need(demo_app):
    """Finding 14, decided (SECURITY.md): a provider sees its own record's mailbox, its
    references' and the towns' that reported an open need; no other town's or provider's."""
    client = demo_app.test_client()
    service = demo_app.extensions["matcher"]
    keys = demo_app.extensions["test_keys"]
    me = Actor("provider:" + sorted(service.catalog.items["providers"])[0])  # the fixture's key
    asking = {
        n.municipality for n in service.catalog.items["needs"].values() if n.status == "offen"
    }
    items = client.get("/api/v1/municipalities?limit=500", headers=keys["provider"]).get_json()
    shown = {i["id"] for i in items["items"] if i.get("contact_email")}
    assert shown == asking & {i["id"] for i in items["items"]}
    assert 0 < len(shown) < items["total"]
    providers = client.get("/api/v1/providers?limit=500", headers=keys["provider"]).get_json()
    assert {p["id"] for p in providers["items"] if p.get("contact_email")} == {me.owner}
    projects = client.get("/api/v1/projects?limit=500", headers=keys["provider"]).get_json()
    for project in projects["items"]:
        assert bool(project.get("contact_email")) == (me.owner in project["providers"])


def test_a_dump_without_a_viewer_has_no_private_field(demo_app):
    """The default of the rule: a dump that does not say who asks carries no address."""
    service = demo_app.extensions["matcher"]
    town = service.catalog.municipality("mossautal")
    assert town is not None and town.contact_email
    assert "contact_email" not in town.model_dump()
    assert "@" not in town.model_dump_json()
