import json
import logging

import numpy as np
import pytest

from matcher.domain.errors import NotReadyError
from matcher.ranking import lexical_snapshot
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.lexical import LexicalIndex, Terms

TEXTS = {
    f"d{i}": f"{w} Projekt Nummer {i} im Landkreis"
    for i, w in enumerate(
        ["Straßenbeleuchtung", "Rufbus", "Glasfaser", "Bürgerbüro", "Hochwasser", "Schule"] * 5
    )
}
QUERIES = ("Rufbus", "Glasfaser Schule", "Straßenbeleuchtung Landkreis", "Bürgerbüros")


class CountingAnalyzer:
    """The German analyzer, counting the texts it analysed."""

    def __init__(self) -> None:
        self.inner = GermanAnalyzer()
        self.calls = 0

    def terms(self, text: str) -> list[str]:
        self.calls += 1
        return self.inner.terms(text)


def _hashes(texts):
    return {i: str(hash(t)) for i, t in texts.items()}


def _fresh(texts, analyzer):
    index = LexicalIndex(analyzer)
    index.add(list(texts), list(texts.values()))
    return index


def _same_answers(got: LexicalIndex, want: LexicalIndex, analyzer) -> None:
    for query in QUERIES:
        a, b = got.query(analyzer.terms(query)), want.query(analyzer.terms(query))
        for item in TEXTS.keys() | {"new"}:
            assert a.of(item) == pytest.approx(b.of(item), rel=1e-5, abs=1e-6), (query, item)
    for item in TEXTS:
        assert got.terms_of(item) == want.terms_of(item)
    for term in ("rufbus", "projekt", "landkreis"):
        assert got.document_frequency(term) == want.document_frequency(term)


def test_saved_index_loads_with_the_same_scores_terms_and_frequencies(tmp_path):
    analyzer = GermanAnalyzer()
    built = _fresh(TEXTS, analyzer)
    lexical_snapshot.save(built, tmp_path, "projects", _hashes(TEXTS))
    loaded, hashes = lexical_snapshot.load(tmp_path, "projects", analyzer)
    assert hashes == _hashes(TEXTS) and len(loaded) == len(TEXTS)
    _same_answers(loaded, built, analyzer)


def test_start_up_analyses_only_the_texts_changed_since_the_snapshot(tmp_path):
    analyzer = CountingAnalyzer()
    lexical_snapshot.reconciled(tmp_path, "projects", analyzer, TEXTS, _hashes(TEXTS))
    now = dict(TEXTS, d1="Glasfaser statt Rufbus", new="Rufbus und Bürgerbus für Dörfer")
    del now["d7"]
    analyzer.calls = 0
    index = lexical_snapshot.reconciled(tmp_path, "projects", analyzer, now, _hashes(now))
    assert analyzer.calls == 2 + 2  # d1 and new; the probe at loading and at saving
    want = _fresh(now, GermanAnalyzer())
    for query in QUERIES:
        got = index.query(analyzer.terms(query))
        expected = want.query(analyzer.terms(query))
        assert got.of("d7") == 0.0
        for item in ("d1", "new", "d2"):
            assert got.of(item) == pytest.approx(expected.of(item), rel=1e-5, abs=1e-6)
    # The changed index was saved: the next start analyses nothing.
    analyzer.calls = 0
    lexical_snapshot.reconciled(tmp_path, "projects", analyzer, now, _hashes(now))
    assert analyzer.calls == 1  # the probe only


def test_a_corrupt_snapshot_is_refused_and_analysed_afresh(tmp_path, caplog):
    analyzer = GermanAnalyzer()
    lexical_snapshot.save(_fresh(TEXTS, analyzer), tmp_path, "projects", _hashes(TEXTS))
    (terms,) = tmp_path.glob("projects.lexical-*/terms.npy")
    data = bytearray(terms.read_bytes())
    data[-1] ^= 0xFF
    terms.write_bytes(bytes(data))
    with pytest.raises(NotReadyError, match="checksum"):
        lexical_snapshot.load(tmp_path, "projects", analyzer)
    with caplog.at_level(logging.WARNING):
        index = lexical_snapshot.reconciled(tmp_path, "projects", analyzer, TEXTS, _hashes(TEXTS))
    assert "analysing the projects texts again" in caplog.text
    _same_answers(index, _fresh(TEXTS, analyzer), analyzer)
    lexical_snapshot.load(tmp_path, "projects", analyzer)  # saved anew, whole


def test_a_snapshot_of_another_analyzer_is_refused(tmp_path):
    lexical_snapshot.save(_fresh(TEXTS, GermanAnalyzer()), tmp_path, "projects", _hashes(TEXTS))
    with pytest.raises(NotReadyError, match="another analyzer"):
        lexical_snapshot.load(tmp_path, "projects", GermanAnalyzer(compounds=False))


def test_a_save_cut_short_leaves_the_previous_snapshot_in_force(tmp_path):
    analyzer = GermanAnalyzer()
    lexical_snapshot.save(_fresh(TEXTS, analyzer), tmp_path, "projects", _hashes(TEXTS))
    # A process killed while writing a new snapshot leaves a folder the config does not name.
    (tmp_path / "projects.lexical-999999999-1").mkdir()
    (tmp_path / "projects.lexical-999999999-1" / "terms.npy").write_bytes(b"half")
    loaded, _ = lexical_snapshot.load(tmp_path, "projects", analyzer)
    _same_answers(loaded, _fresh(TEXTS, analyzer), analyzer)
    lexical_snapshot.save(loaded, tmp_path, "projects", _hashes(TEXTS))
    assert len(list(tmp_path.glob("projects.lexical-*"))) == 1  # the dead writer's is gone


def _config(directory) -> dict:
    return json.loads((directory / "projects.lexical.json").read_text())


def test_saved_counts_are_the_counts_of_the_saved_terms(tmp_path):
    analyzer = GermanAnalyzer()
    lexical_snapshot.save(_fresh(TEXTS, analyzer), tmp_path, "projects", _hashes(TEXTS))
    loaded, _ = lexical_snapshot.load(tmp_path, "projects", analyzer)
    config = _config(tmp_path)
    (folder,) = tmp_path.glob("projects.lexical-*")
    vocabulary = json.loads((folder / "ids.json").read_text())["vocabulary"]
    recounted = Terms(
        list(TEXTS),
        vocabulary,
        np.load(folder / "terms.npy"),
        np.load(folder / "offsets.npy"),
    ).base_counts()
    assert config["format"] == lexical_snapshot.FORMAT_VERSION
    assert loaded._df == recounted[0] and loaded._total_length == recounted[1]


def _as_first_format(directory) -> None:
    """Turn a snapshot into one of format 1 (no saved counts), as older versions wrote."""
    config = _config(directory)
    (directory / config["folder"] / "df.npy").unlink()
    del config["sha256"]["df.npy"], config["total_length"]
    config["format"] = 1
    (directory / "projects.lexical.json").write_text(json.dumps(config))


def test_a_snapshot_without_counts_is_counted_once_and_saved_anew_without_analysing(tmp_path):
    analyzer = CountingAnalyzer()
    lexical_snapshot.reconciled(tmp_path, "projects", analyzer, TEXTS, _hashes(TEXTS))
    _as_first_format(tmp_path)
    analyzer.calls = 0
    index = lexical_snapshot.reconciled(tmp_path, "projects", analyzer, TEXTS, _hashes(TEXTS))
    assert analyzer.calls == 2  # the probe at loading and at saving: no item analysed
    assert _config(tmp_path)["format"] == lexical_snapshot.FORMAT_VERSION
    _same_answers(index, _fresh(TEXTS, GermanAnalyzer()), GermanAnalyzer())
    loaded, _ = lexical_snapshot.load(tmp_path, "projects", analyzer)
    _same_answers(loaded, _fresh(TEXTS, GermanAnalyzer()), GermanAnalyzer())


def test_counts_that_disagree_with_the_terms_are_refused_and_analysed_afresh(tmp_path):
    analyzer = GermanAnalyzer()
    lexical_snapshot.save(_fresh(TEXTS, analyzer), tmp_path, "projects", _hashes(TEXTS))
    config = _config(tmp_path)
    config["total_length"] += 1  # the config is not under its own checksum
    (tmp_path / "projects.lexical.json").write_text(json.dumps(config))
    with pytest.raises(NotReadyError, match="counts"):
        lexical_snapshot.load(tmp_path, "projects", analyzer)
    index = lexical_snapshot.reconciled(tmp_path, "projects", analyzer, TEXTS, _hashes(TEXTS))
    _same_answers(index, _fresh(TEXTS, analyzer), analyzer)
    lexical_snapshot.load(tmp_path, "projects", analyzer)  # saved anew, whole
