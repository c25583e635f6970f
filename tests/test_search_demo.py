"""The demo corpus with the real offline encoder: relevance on held-out everyday phrasings,
the relevance floor, diversity, and true evidence in the explanations."""

import csv
from collections import Counter, defaultdict

import pytest

from matcher.config import REPO_ROOT
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
    with (REPO_ROOT / "data" / "judgments" / "projects.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            queries[row["query_id"]] = row["query"]
            rel[row["query_id"]][row["item_id"]] = float(row["grade"])
    return queries, rel


def test_everyday_challenges_find_on_topic_projects_in_the_top_5(demo_service):
    queries, rel = _judgments()
    run = {
        q: [r["id"] for r in demo_service.search(t, "projects", k=10)] for q, t in queries.items()
    }
    on_topic = sum(any(rel[q].get(i, 0) >= 2 for i in run[q][:5]) for q in queries) / len(queries)
    ndcg = ev.evaluate(run, rel, {"ndcg": 10})["ndcg@10"]
    # Measured 0.81 and 0.58 when written; the guard leaves room for noise only.
    assert on_topic >= 0.72, on_topic
    assert ndcg >= 0.50, ndcg


def test_unrelated_questions_get_no_confident_results(demo_service):
    for text in UNRELATED:
        for kind in ("projects", "providers", "municipalities"):
            results = demo_service.search(text, kind, k=5)
            assert all(r["confidence"] == "niedrig" for r in results), (text, kind, results[:1])


def test_street_lights_challenge(demo_service):
    results = demo_service.search(
        "Unsere Laternen brennen die ganze Nacht, obwohl niemand unterwegs ist", "projects", k=5
    )
    assert results and results[0]["confidence"] == "hoch"
    assert "energie" in results[0]["categories"]
    for r in results:
        assert r["explanation"]["reasons"]
        assert {"dense", "lexical"} <= set(r["explanation"]["components"])


def test_no_town_dominates_a_list(demo_service):
    results = demo_service.search("Digitalisierung in einer kleinen Gemeinde", "projects", k=10)
    counts = Counter(m for r in results for m in r["municipality_ids"][:1])
    assert max(counts.values()) <= 2


def test_provider_evidence_is_true(demo_service):
    catalog = demo_service.catalog
    providers = demo_service.search("LED-Straßenbeleuchtung mit Dimmung nachts", "providers", k=5)
    assert providers[0]["id"] == "lichtwerk"
    for p in providers:
        for ref in p["references"]:
            project = catalog.get("projects", ref["id"])
            cited = {o.provider for o in catalog.offerings_citing.get(ref["id"], [])}
            assert p["id"] in set(project.providers) | cited


def test_peer_municipalities_are_backed_by_their_own_projects_or_needs(demo_service):
    catalog = demo_service.catalog
    towns = demo_service.search("Der Bus fährt bei uns nur zweimal am Tag", "municipalities", k=5)
    assert towns
    for t in towns:
        for pid in t["projects"]:
            assert t["id"] in catalog.get("projects", pid).municipalities
        for nid in t["needs"]:
            assert catalog.get("needs", nid).municipality == t["id"]
    assert any(
        catalog.get("projects", p).categories[0] == "mobilitaet" for p in towns[0]["projects"]
    )
