"""What explanations keep of the items' text across queries, and how much of it."""

from __future__ import annotations

import numpy as np

from matcher.matching import texts, towns
from matcher.matching.texts import ItemTexts, sentences
from matcher.matching.towns import TownPairs
from matcher.ranking import analysis, tagging_cache
from matcher.ranking.analysis import GermanAnalyzer
from matcher.service import MatcherService
from tools.fakes import FakeEncoder


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


def test_a_new_version_keeps_what_it_knew_of_untouched_items_only(service):
    old = ItemTexts(service.catalog, service.indexes.lexical, service.analyzer)
    assert old.warm(limit=10_000) == sum(len(items) for items in service.catalog.items.values())
    changed_id, other_id = list(service.catalog.projects)[:2]
    changed = service.catalog.projects[changed_id].model_copy(
        update={"description": "Neue Glasfaser für Aussiedlerhöfe. Sie kommt bald."}
    )
    service.upsert("projects", [changed])
    new = ItemTexts(
        service.catalog,
        service.indexes.lexical,
        service.analyzer,
        previous=old,
        changed={("projects", changed_id)},
    )
    fresh = ItemTexts(service.catalog, service.indexes.lexical, service.analyzer)
    assert [s for s, _ in new.sentences("projects", changed_id)] == [
        "Neue Glasfaser für Aussiedlerhöfe.",
        "Sie kommt bald.",
    ]
    for kind, key in (("projects", changed_id), ("projects", other_id)):
        assert new.terms(kind, key) == fresh.terms(kind, key)
        assert new.nouns(kind, key) == fresh.nouns(kind, key)
        assert new.sentences(kind, key) == fresh.sentences(kind, key)
    # The untouched item's text was not worked out again.
    assert new._sentences[("projects", other_id)] is old._sentences[("projects", other_id)]


def test_warming_stops_at_its_limit(service):
    kept = ItemTexts(service.catalog, service.indexes.lexical, service.analyzer)
    assert kept.warm(limit=3) == 3
    assert len(kept._nouns) == len(kept._sentences) == 3


def test_the_service_warms_item_texts_and_keeps_them_across_a_write(service):
    service.warm_up(encoder=False)
    warmed = service.replica._texts
    total = sum(len(items) for items in service.catalog.items.values())
    assert len(warmed._sentences) == min(total, service.settings.warm_texts)
    challenge = "Straßenbeleuchtung nachts dimmen"
    answer = service.match(challenge).model_dump()
    # The same answer from texts worked out on demand.
    service.clear_query_caches()
    service.replica._texts = ItemTexts(
        service.catalog, service.indexes.lexical, service.analyzer, encoder=service.indexes.encoder
    )
    assert service.match(challenge).model_dump() == answer
    service.replica._texts = warmed
    changed_id, other_id = list(service.catalog.projects)[:2]
    changed = service.catalog.projects[changed_id].model_copy(
        update={"description": "Neue Glasfaser für Aussiedlerhöfe."}
    )
    service.upsert("projects", [changed])
    service.matcher()
    assert service.replica._texts is not warmed
    assert (
        service.replica._texts._sentences[("projects", other_id)]
        is warmed._sentences[("projects", other_id)]
    )
    assert [s for s, _ in service.replica._texts.sentences("projects", changed_id)] == [
        "Neue Glasfaser für Aussiedlerhöfe."
    ]


def test_sentence_vectors_are_encoded_at_build_and_read_from_the_cache(service):
    encoder = service.indexes.encoder
    before = encoder.encoded_count
    kept = ItemTexts(service.catalog, service.indexes.lexical, service.analyzer, encoder=encoder)
    item = service.catalog.projects["p-bus"]
    senses = kept.senses("projects", "p-bus")
    assert senses is not None
    assert encoder.encoded_count == before  # `build` put them in the embedding cache
    # The title, then each sentence of the description, in the order of `sentences`.
    assert len(senses.vectors) == len(senses.topics) == 1 + len(kept.sentences("projects", "p-bus"))
    assert senses.topics[0] == service.analyzer.noun_terms(item.title)
    assert np.allclose(senses.vectors[0], encoder.encode([item.title])[0])
    assert (
        ItemTexts(service.catalog, service.indexes.lexical, service.analyzer).senses(
            "projects", "p-bus"
        )
        is None
    )  # without an encoder, no sense to tell


def test_a_service_opened_again_reads_the_items_nouns_from_its_home(service, monkeypatch):
    """`build` kept the tagged nouns of the items' sentences in the home: a service opened
    again on it (another process) tags none of them, and explains with the same nouns as
    tagging them cold."""
    cold = ItemTexts(service.catalog, service.indexes.lexical, GermanAnalyzer())
    keys = [(kind, item_id) for kind, items in service.catalog.items.items() for item_id in items]
    want = {key: cold.nouns(*key) for key in keys}
    assert (service.settings.index_dir / tagging_cache.FILE_NAME).is_file()
    tag, asked = analysis.tagged_nouns, []
    monkeypatch.setattr(analysis, "tagged_nouns", lambda s: asked.append(s) or tag(s))
    again = MatcherService(service.settings, encoder=FakeEncoder())
    try:
        again.open()
        with again.snapshot(fresh=False) as view:
            assert view.texts is not None
            assert {key: view.texts.nouns(*key) for key in keys} == want
            assert view.texts.senses(*keys[0]) is not None
    finally:
        again.close()
    assert set(asked) <= set(analysis._PROBE)  # (the tagger's fingerprint)
