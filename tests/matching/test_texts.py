"""What explanations keep of the items' text across queries, and how much of it."""

from __future__ import annotations

from matcher.matching import texts, towns
from matcher.matching.texts import ItemTexts, sentences
from matcher.matching.towns import TownPairs
from matcher.ranking.analysis import GermanAnalyzer


def test_sentences_know_where_each_term_first_appears():
    analyzer = GermanAnalyzer()
    found = sentences(analyzer, "Alte Lampen.  Neue Straßenbeleuchtung und  Beleuchtung!")
    assert [s for s, _ in found] == ["Alte Lampen.", "Neue Straßenbeleuchtung und Beleuchtung!"]
    first = found[1][1]
    assert first[analyzer.word_terms("straßenbeleuchtung")[0]] == len("Neue ")
    # A compound's parts count from the compound's own position, not the later plain word.
    assert first[analyzer.word_terms("beleuchtung")[0]] == len("Neue ")
    assert analyzer.word_terms("lampen")[0] not in first


def test_item_texts_and_town_pairs_keep_a_bounded_number(service, monkeypatch):
    monkeypatch.setattr(texts, "MAX_ITEMS", 2)
    monkeypatch.setattr(towns, "MAX_PAIRS", 2)
    kept = ItemTexts(service.catalog, service.indexes.lexical, service.analyzer)
    for project_id in service.catalog.projects:
        assert kept.terms("projects", project_id) == frozenset(
            service.indexes.lexical["projects"].terms_of(project_id)
        )
        kept.sentences("projects", project_id)
    assert len(kept._terms) == 2 and len(kept._sentences) == 2
    assert kept.nouns("projects", "no-such-project") is None
    pairs = TownPairs(service.catalog)
    all_towns = list(service.catalog.municipalities.values())
    for town in all_towns:
        pairs.distance_km(all_towns[0], town)
        pairs.likeness(all_towns[0], town)
    assert len(pairs._km) == 2 and len(pairs._alike) == 2
