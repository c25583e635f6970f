"""Crawling the app as a client would: every GET operation of its OpenAPI document and every
page type, with real ids of the demo store (tests of the one privacy rule and of the limits)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from matcher.keys import add_key
from matcher.service import MatcherService
from matcher.web import create_app
from tests.helpers import ADMIN_KEY, make_settings
from tools.fakes import FakeEncoder

ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Where a crawl does not go: assets, Swagger's own files, and the pages behind a sign-in
# (without one they redirect to /anmelden, which the crawl visits).
NOT_CRAWLED = ("/static/", "/openapi/", "/mein-bereich")


def mailbox(kind: str, item_id: str) -> str:
    return f"postfach-{kind[:4]}-{re.sub(r'[^a-z0-9]', '', item_id.lower())}@example.org"


def demo_ids(service: MatcherService) -> dict[str, list[str]]:
    """A few ids of each kind, with a district and an association among the municipalities."""
    towns = service.catalog.items["municipalities"].values()
    chosen = {
        kind: sorted(service.catalog.items[kind])[:3]
        for kind in ("projects", "providers", "offerings", "needs")
    }
    by_kind = {k: sorted(m.id for m in towns if m.kind == k)[:2] for k in ("kreis", "verband")}
    assert by_kind["kreis"] and by_kind["verband"], "the demo has districts and associations"
    chosen["municipalities"] = ["mossautal", *by_kind["kreis"], *by_kind["verband"]]
    chosen["programmes"] = [p.id for p in service.programmes()][:2]
    chosen["groups"] = [g.id for g in service.exchange.groups()][:2]
    chosen["events"] = [e.id for e in service.exchange.events()][:2]
    chosen["documents"] = [d.id for d in service.all_documents()][:2]  # the Toolbox
    chosen["joint"] = [g.id for g in service.joint_projects(3).items]  # their sheets
    chosen["testfields"] = sorted(service.catalog.items["testfields"])[:3]
    chosen["applications"] = ["bew-0000000000000000"]  # private: 401 without a key
    return chosen


def api_urls(client, ids: dict[str, list[str]]) -> list[str]:
    """Every GET operation of the OpenAPI document, its path ids filled with real ones."""
    paths = client.get("/openapi.json").get_json()["paths"]
    urls = []
    for path, operations in paths.items():
        if "get" not in operations:
            continue
        if "{id}" not in path:
            urls.append(path + ("?limit=500" if path.startswith("/api/v1/") else ""))
            continue
        kind = path.split("/")[3]
        assert kind in ids, f"no ids for {path}: add its kind to the crawl"
        urls += [path.replace("{id}", quote(i)) for i in ids[kind]]
    return urls


def page_urls(app, ids: dict[str, list[str]]) -> list[str]:
    """Every page type (each GET rule of the app outside the API), with real ids, and the
    start page with an answer."""
    words = {
        "kommunen": "municipalities",
        "projekte": "projects",
        "anbieter": "providers",
        "bedarfe": "needs",
        "foerderung": "programmes",
        "gemeinschaftsprojekte": "joint",
        "testfelder": "testfields",
    }
    urls = ["/?text=" + quote("Unsere Laternen brennen die ganze Nacht"), "/?text=xy"]
    # A search too long for an address, under its saved id (the start page's post saves it).
    saved = app.extensions["matcher"].save_search(
        urlencode({"text": "Unsere Laternen brennen die ganze Nacht. " * 60, "wir": "Mossautal"})
    )
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/api/", *NOT_CRAWLED)):
            continue
        if not rule.arguments:
            urls.append(rule.rule)
            continue
        if rule.rule == "/suche/<search_id>":
            urls += [f"/suche/{saved}", "/suche/gibt-es-nicht"]
            continue
        if rule.rule.startswith("/austausch/"):  # /austausch/gruppen/…, /austausch/termine/…
            kind = {"gruppen": "groups", "termine": "events"}[rule.rule.split("/")[2]]
            urls += [rule.rule.replace("<item_id>", quote(i)) for i in ids[kind]]
            continue
        kind = words[rule.rule.split("/")[1]]
        urls += [rule.rule.replace("<item_id>", quote(i)) for i in ids[kind]]
    urls += ["/projekte?seite=2", "/kommunen?art=kreis", "/gibt-es-nicht"]
    return urls


def assert_no_address(client, url: str, headers: dict | None = None) -> None:
    response = client.get(url, headers=headers or {})
    assert response.status_code < 500, (url, response.status_code)
    # A download (a Toolbox document) may be binary: read as text, its addresses still show.
    body = response.get_data().decode("utf-8", errors="replace")
    response.close()  # a file response (the favicon) holds its file open until then
    found = ADDRESS.findall(body)
    assert not found, (url, found[:3])


def demo_app(home):
    """The demo corpus (fake encoder) in which every municipality, district, association,
    provider and project has a contact address; keys of a town and a provider."""
    settings = make_settings(home / "home", admin_key=ADMIN_KEY, keys_file=home / "keys.json")
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build()
    for kind in ("municipalities", "providers", "projects", "testfields"):
        items = [
            item.model_copy(update={"contact_email": mailbox(kind, item.id)})
            for item in service.catalog.items[kind].values()
        ]
        service.upsert(kind, items)
    app = create_app(settings, service, {"TESTING": True})
    provider = sorted(service.catalog.items["providers"])[0]
    town_key = add_key(settings.keys_file, "municipality:mossautal")
    provider_key = add_key(settings.keys_file, f"provider:{provider}")
    app.extensions["test_keys"] = {
        "town": {"Authorization": f"Bearer {town_key}"},
        "provider": {"Authorization": f"Bearer {provider_key}"},
    }
    return app
