"""The start page by POST, the advice when filters empty the lists (naming the filter and what
leaving it out would find), and the staff page in plain German with the feedback by topic.
Flask's test client on the fixture corpus with the fake encoder."""

from __future__ import annotations

import re

TEXT = "Straßenbeleuchtung nachts aus"


def _advice(html: str) -> list[str]:
    found = re.findall(r'<div class="notice warn loosen">\s*<p>(.*?)</p>', html, re.S)
    return [" ".join(a.split()) for a in found]


def test_the_form_posts_and_a_long_challenge_is_answered(pages_client):
    html = pages_client.get("/").get_data(as_text=True)
    assert re.search(r'<form class="search" method="post" action="/#ergebnisse"', html)
    long = ("Straßenbeleuchtung nachts aus, Kosten senken. " * 120)[:5000]
    response = pages_client.post("/", data={"text": long}, follow_redirects=True)
    assert response.status_code == 200 and response.request.path.startswith("/suche/")
    html = response.get_data(as_text=True)
    # The saved search's own short address is the link to pass on.
    assert 'id="ergebnisse"' in html
    assert f'href="{response.request.path}#ergebnisse">Link zu diesen Ergebnissen' in html
    assert pages_client.post("/", data={"text": long + "x"}).status_code == 400
    short = pages_client.post("/", data={"text": TEXT, "wir": "Mossautal"}, follow_redirects=True)
    assert 'href="/?text=Stra%C3%9Fenbeleuchtung+nachts+aus&amp;wir=Mossautal#ergebnisse"' in (
        short.get_data(as_text=True)
    )


def test_a_cross_site_search_post_is_refused(pages_client):
    response = pages_client.post(
        "/", data={"text": TEXT}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_a_filter_that_empties_every_list_is_named_with_what_its_absence_gives(pages_client):
    data = {"text": TEXT, "kreis": "Kassel (kreisfreie Stadt)"}
    html = pages_client.post("/", data=data, follow_redirects=True).get_data(as_text=True)
    (advice,) = _advice(html)
    assert advice.startswith(
        "Keine Treffer im Kreis „Kassel (kreisfreie Stadt)“ – ohne Kreisfilter gäbe es"
    )
    assert re.search(r"gäbe es \d+ Projekt", advice)
    assert "versuchen Sie andere Begriffe" not in html.lower()
    form = re.search(r'<div class="notice warn loosen">.*?</form>', html, re.S)
    assert form and 'name="kreis"' not in form.group(0) and 'name="text"' in form.group(0)
    assert "Ohne Kreisfilter suchen" in form.group(0)


def test_the_distance_filter_is_named_for_the_lists_it_empties(pages_client):
    data = {"text": TEXT, "wir": "Mossautal", "max_km": "1"}
    (advice,) = _advice(
        pages_client.post("/", data=data, follow_redirects=True).get_data(as_text=True)
    )
    assert advice.startswith("Keine Partnerkommunen im Umkreis von 1 km – ohne Entfernungsfilter")


def test_without_filters_the_empty_lists_advise_other_words(pages_client):
    html = pages_client.post(
        "/", data={"text": "Rezept für Apfelkuchen"}, follow_redirects=True
    ).get_data(as_text=True)
    assert not _advice(html) and "Versuchen Sie andere Begriffe." in html


def test_the_staff_page_explains_every_figure_in_german(pages_client):
    html = pages_client.get("/relevanz").get_data(as_text=True)
    for term in ("nDCG@10", "MRR@10", "Recall@10", "95 %-KI", "bm25", "dense", "Gewichte"):
        assert re.search(rf"<dt>{re.escape(term)}</dt><dd>[^<]{{20,}}</dd>", html), term
    for weight in ("Bedeutung:", "Wörter:", "Thema:", "Nähe:", "Größe:", "Belege:"):
        assert weight in html
    assert "Noch keine Rückmeldungen gespeichert." in html


def test_the_staff_page_counts_feedback_by_topic_and_list(pages_client, app_service):
    # Three clients (one verdict each per query and item: a second would replace the first).
    app_service.add_feedback(TEXT, "projects", "p-licht", "passt", "ip:1")
    app_service.add_feedback(TEXT, "projects", "p-licht", "passt", "ip:2")
    app_service.add_feedback(TEXT, "projects", "p-licht", "passt_nicht", "ip:3")
    app_service.add_feedback(TEXT, "municipalities", "mossautal", "passt_nicht", "ip:1")
    html = pages_client.get("/relevanz").get_data(as_text=True)
    cells = r"</th><td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td>"
    assert re.search(r"Energie &amp; Beleuchtung" + cells, html).groups() == ("2", "1", "67 %")
    assert re.search(r"ohne Thema" + cells, html).groups() == ("0", "1", "0 %")
    assert re.search(r"Projekte" + cells, html).groups() == ("2", "1", "67 %")
    assert re.search(r"Alle" + cells, html).groups() == ("2", "2", "50 %")
