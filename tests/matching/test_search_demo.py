"""The demo corpus with the real offline encoder: relevance on held-out everyday phrasings,
the relevance floor, diversity, and true evidence in the explanations."""

import csv
from collections import defaultdict

import pytest

from matcher.config import PACKAGE_DATA
from matcher.evaluation import metrics as ev

pytestmark = pytest.mark.slow

UNRELATED = [
    "Rezept für Apfelkuchen",
    "Wie wird das Wetter morgen",
    "Ergebnisse der Fußball-Bundesliga",
    "Urlaub auf Mallorca buchen",
    "Wie lange muss ein Ei kochen",
]


def _judgments():
    queries, rel = {}, defaultdict(dict)
    with (PACKAGE_DATA / "judgments" / "projects.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            queries[row["query_id"]] = row["query"]
            rel[row["query_id"]][row["item_id"]] = float(row["grade"])
    return queries, rel


def test_everyday_challenges_find_on_topic_projects_in_the_top_5(demo_service):
    queries, rel = _judgments()
    run = {q: [r.id for r in demo_service.search(t, "projects", k=10)] for q, t in queries.items()}
    on_topic = sum(any(rel[q].get(i, 0) >= 2 for i in run[q][:5]) for q in queries) / len(queries)
    ndcg = ev.evaluate(run, rel, {"ndcg": 10})["ndcg@10"]
    # Measured 0.81 and 0.58 when written; the guard leaves room for noise only.
    assert on_topic >= 0.72, on_topic
    assert ndcg >= 0.50, ndcg


def test_unrelated_questions_get_no_confident_results(demo_service):
    for text in UNRELATED:
        for kind in ("projects", "providers", "municipalities"):
            results = demo_service.search(text, kind, k=5)
            assert all(r.confidence == "niedrig" for r in results), (text, kind, results[:1])


@pytest.mark.xfail(
    strict=True,
    reason="„hoch“ is now a calibrated probability at 90 % precision (issue 26): the fast "
    "profile shows 12 of 460 held-out project results as „hoch“, and this query's first "
    "(insect-friendly path lighting) stays under the line",
)
def test_street_lights_challenge(demo_service):
    results = demo_service.search(
        "Unsere Laternen brennen die ganze Nacht, obwohl niemand unterwegs ist", "projects", k=5
    )
    assert results and results[0].confidence == "hoch"
    assert "energie" in results[0].categories
    for r in results:
        assert r.explanation.reasons
        assert {"dense", "lexical"} <= set(r.explanation.components)


def test_one_ordinary_shared_word_makes_nothing_confident_and_tags_nothing(demo_service):
    """Reported by users: a bus-stop display firm confident for LED street lights (it shares
    „Straßenbeleuchtung“ alone); Groß-Gerau's „Laternenladen“ (charging at street lamps)
    tagged „hat es gelöst“ for empty shops (it shares „Laden“ alone). Both were so before."""
    providers = demo_service.search(
        "Unsere Straßenbeleuchtung soll auf LED umgestellt werden", "providers", 10
    )
    assert providers[0].id == "lichtwerk" and providers[0].confidence == "hoch"
    display = next(p for p in providers if p.id == "haltestelle-live")
    assert display.confidence == "niedrig"
    peers = demo_service.search(
        "In der Innenstadt stehen immer mehr Läden leer", "municipalities", 30, "mossautal"
    )
    for town in peers:
        if town.id == "gross-gerau":
            assert town.relations == [] and town.confidence == "niedrig"
        if town.relations:
            assert town.confidence == "hoch"


# Words of one project's title that no other item uses, and the encoder alone misses
# (measured: of 318 such words, a one-word search missed 14 without the exact-match rule, 6
# with it; the rest are common stems that neither retriever brings up). "Bezahlfunktion" was one
# of them until BM25 also indexed the written stems (issue 26): it is found without the rule now.
NAMED = {
    "Mitverlegung": "prj-in-09",
    "Zwischennutzung": "prj-wi-05",
}


def test_a_search_for_a_word_only_one_project_uses_finds_that_project(demo_service):
    off = demo_service.ranking.model_copy(update={"exact_terms_max": 0})
    for word, project in NAMED.items():
        q = demo_service.query(word)
        without = demo_service.matcher(ranking=off).match(q, ["projects"], 10).projects
        assert project not in [p.id for p in without], word  # what the rule is for
        found = demo_service.search(word, "projects", 10)
        assert project in [p.id for p in found], word
        assert next(p for p in found if p.id == project).confidence == "niedrig"
