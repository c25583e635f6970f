"""The tagged nouns of sentences kept in a file: the same nouns as tagging, and a file that is
missing, corrupt or written by another tagger is tagged afresh, never an error."""

from __future__ import annotations

import json

from matcher.ranking import analysis
from matcher.ranking.analysis import GermanAnalyzer, tagged_nouns
from matcher.ranking.tagging_cache import FILE_NAME, TaggingCache

TEXTS = [
    "In der Innenstadt stehen immer mehr Läden leer. Wir suchen Ideen für Zwischennutzung!",
    "Laden für Urlaubsgäste: Schnellladesäulen für E-Autos am Wanderparkplatz.",
    "mülleimer quellen über, der rufbus fährt nur zweimal am tag",
    "Digitale Bürgerbeteiligung\nMit einer Plattform für Hinweise zur Straßenbeleuchtung.",
]
SENTENCES = [s for text in TEXTS for s in analysis.sentences_of(text)]


class CountingTagger:
    """`tagged_nouns`, counting the sentences it was asked to tag."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, sentence: str) -> tuple[str, ...]:
        self.asked.append(sentence)
        return tagged_nouns(sentence)


def _cache(tagger: CountingTagger, version: str = "v1") -> TaggingCache:
    return TaggingCache(tagger, lambda: version)


def test_nouns_read_from_the_file_are_those_tagged_cold(tmp_path):
    cold = GermanAnalyzer()
    want = {text: (cold.topic_words(text), cold.noun_terms(text)) for text in TEXTS}
    assert cold.keep_nouns(tmp_path, TEXTS) == len(SENTENCES)  # tagged, and written
    assert (tmp_path / FILE_NAME).is_file()

    warm = GermanAnalyzer()
    tagger = CountingTagger()
    warm.tagging = TaggingCache(tagger, analysis.tagger_fingerprint)
    assert warm.keep_nouns(tmp_path, TEXTS) == 0
    assert {text: (warm.topic_words(text), warm.noun_terms(text)) for text in TEXTS} == want
    assert tagger.asked == []  # every sentence came from the file


def test_a_corrupt_file_is_ignored_and_written_anew(tmp_path):
    path = tmp_path / FILE_NAME
    for broken in (b"{not json", b'{"format": 1, "tagger": "v1", "nouns": {"k": [1]}}', b"[]"):
        path.write_bytes(broken)
        tagger = CountingTagger()
        cache = _cache(tagger)
        assert cache.keep(path, SENTENCES) == len(SENTENCES)
        assert [cache.nouns(s) for s in SENTENCES] == [tagged_nouns(s) for s in SENTENCES]
        assert _cache(CountingTagger()).keep(path, SENTENCES) == 0  # the new file is whole


def test_a_file_of_another_tagger_or_rule_is_tagged_again(tmp_path):
    path = tmp_path / FILE_NAME
    _cache(CountingTagger(), "old rule").keep(path, SENTENCES)
    tagger = CountingTagger()
    assert _cache(tagger, "new rule").keep(path, SENTENCES) == len(SENTENCES)
    assert sorted(tagger.asked) == sorted(set(SENTENCES))
    assert json.loads(path.read_text())["tagger"] == "new rule"


def test_the_file_keeps_the_named_sentences_only(tmp_path):
    path = tmp_path / FILE_NAME
    cache = _cache(CountingTagger())
    cache.keep(path, SENTENCES)
    tagger = CountingTagger()
    again = _cache(tagger)
    assert again.keep(path, SENTENCES[1:] + ["Ein neuer Satz über Glasfaser."]) == 1
    assert tagger.asked == ["Ein neuer Satz über Glasfaser."]
    assert len(json.loads(path.read_text())["nouns"]) == len(set(SENTENCES[1:])) + 1
    # A sentence never kept (a query's) is tagged, not kept.
    assert again.nouns("Wer hilft beim Breitband?") == tagged_nouns("Wer hilft beim Breitband?")
    assert len(again) == len(set(SENTENCES[1:])) + 1


def test_an_unwritable_home_only_costs_the_tagging(tmp_path):
    (tmp_path / "file").write_text("")
    path = tmp_path / "file" / FILE_NAME  # (its directory is a file)
    cache = _cache(CountingTagger())
    assert cache.keep(path, SENTENCES) == len(SENTENCES)
    assert cache.nouns(SENTENCES[0]) == tagged_nouns(SENTENCES[0])


def test_the_fingerprint_names_the_rule(monkeypatch):
    before = analysis.tagger_fingerprint()
    assert analysis.tagger_fingerprint() == before
    monkeypatch.setattr(analysis, "NOUN_RULE_VERSION", analysis.NOUN_RULE_VERSION + 1)
    assert analysis.tagger_fingerprint() != before
