"""The list pages (matcher/web/pages/browse.py) through the Flask test client on the demo data with
the fake encoder: filters, paging, shareable URLs, empty-list advice, "Meinten Sie …?", the
favicon."""

import re

import pytest

from matcher.service import MatcherService
from matcher.web import create_app
from tests.helpers import make_settings
from tools.fakes import FakeEncoder


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("browse-home"))
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build()  # the demo data: 82 towns, 263 projects, 45 providers
    yield create_app(settings, service, {"TESTING": True}).test_client()
    service.close()


def _titles(html: str) -> list[str]:
    return re.findall(r'<li class="card">\s*(?:{%.*?%})?\s*<h3><a href="[^"]+">([^<]+)</a>', html)


def test_projects_by_district_and_topic(client):
    page = client.get("/projekte?kreis=Odenwaldkreis&thema=energie")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    titles = _titles(html)
    assert titles and len(titles) <= 20
    count = int(re.search(r'<h2 id="treffer" class="count">(\d+) Projekt', html)[1])
    assert count == len(titles) or count > 20
    assert 'option value="Odenwaldkreis" selected' in html
    everything = int(
        re.search(r"(\d+) Projekte", client.get("/projekte").get_data(as_text=True))[1]
    )
    assert 0 < count < everything


def test_paging_keeps_the_filters_and_pages_differ(client):
    first = client.get("/projekte?thema=verwaltung").get_data(as_text=True)
    second = client.get("/projekte?thema=verwaltung&seite=2").get_data(as_text=True)
    assert 'href="/projekte?thema=verwaltung&amp;seite=2" rel="next"' in first
    assert 'href="/projekte?thema=verwaltung" rel="prev"' in second
    assert set(_titles(first)).isdisjoint(_titles(second))


def test_funding_status_and_size_filters(client):
    html = client.get("/projekte?foerderung=LEADER&status=laufend&groesse=klein").get_data(
        as_text=True
    )
    assert "LEADER" in html and _titles(html)
    assert "laufend" in html


def test_municipality_directory_by_kind_and_size(client):
    html = client.get("/kommunen?art=kreis").get_data(as_text=True)
    assert "Odenwaldkreis" in html and "Landkreis</span>" in html
    small = client.get("/kommunen?groesse=klein").get_data(as_text=True)
    assert "Mossautal" in small and "Frankfurt am Main</a>" not in small


def test_a_misspelt_name_gets_a_suggestion(client):
    html = client.get("/kommunen?q=Mossautahl").get_data(as_text=True)
    assert "0 Einträge" in html
    assert re.search(r'Meinten Sie\s*<a href="/kommunen/mossautal">Mossautal</a>', html)
    assert "Meinten Sie" not in client.get("/kommunen?q=Xyzzyqwv").get_data(as_text=True)


def test_search_folds_umlauts_and_sharp_s(client):
    html = client.get("/kommunen?q=gross-umstadt").get_data(as_text=True)
    assert "Groß-Umstadt</a>" in html


def test_an_empty_list_names_the_filter_to_loosen(client):
    html = client.get("/projekte?kreis=Odenwaldkreis&thema=sicherheit&status=geplant").get_data(
        as_text=True
    )
    assert "0 Projekte" in html
    assert "Lockern Sie einen davon" in html or "Alle Filter zurücksetzen" in html
    advice = re.findall(r'<li><a href="([^"]+)">Ohne „([^“]+)“</a>: (\d+) Treffer', html)
    assert advice, "names at least one filter to drop"
    for url, _, count in advice:
        again = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
        assert f"{count} Projekt" in again


def test_unknown_filter_values_are_named_and_ignored(client):
    html = client.get("/projekte?kreis=Atlantis&seite=abc").get_data(as_text=True)
    assert "„Atlantis“ gibt es bei „Landkreis“ nicht" in html
    assert "<script>" not in client.get("/kommunen?q=<script>").get_data(as_text=True)


def test_provider_directory_by_topic(client):
    html = client.get("/anbieter?thema=energie").get_data(as_text=True)
    assert "LichtWerk Kommunal GmbH" in html
    assert len(_titles(html)) < len(_titles(client.get("/anbieter").get_data(as_text=True)))


def test_favicon_and_nav_links(client):
    for url in ("/favicon.ico", "/static/favicon.svg"):
        with client.get(url) as response:  # a file response: closed after reading
            assert response.status_code == 200 and b"<svg" in response.data
    html = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in html
    for path in ("/projekte", "/kommunen", "/anbieter"):
        assert f'href="{path}"' in html


def test_an_unknown_asker_on_the_start_page_gets_a_suggestion(client):
    html = client.post(
        "/",
        data={"text": "Unsere Laternen brennen die ganze Nacht", "wir": "Mossautahl"},
        headers={"Origin": "http://localhost"},
        follow_redirects=True,  # the post answers with the results' own address (issue 25)
    ).get_data(as_text=True)
    assert "Die Kommune „Mossautahl“ kennen wir nicht. Meinten Sie „Mossautal“?" in html
    # Result cards sit one heading level below the three column headings.
    assert '<h3 id="h-projekte"' in html and "<h4><a href=" in html
