from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.lexical import LexicalIndex


def _index():
    ix = LexicalIndex(GermanAnalyzer())
    ix.add(
        ["licht", "bus", "akte"],
        ["LED-Straßenbeleuchtung mit Dimmung", "Rufbus für Dörfer", "E-Akte in der Verwaltung"],
    )
    return ix


def test_compound_part_matches_and_unknown_terms_score_zero():
    ix = _index()
    a = GermanAnalyzer()
    assert ix.top(a.terms("Beleuchtung nachts"), 3)[0][0] == "licht"
    assert ix.top(a.terms("Apfelkuchen"), 3) == []


def test_updates_are_seen_by_the_next_query():
    ix = _index()
    a = GermanAnalyzer()
    ix.remove(["licht"])
    assert ix.top(a.terms("Beleuchtung"), 3) == []
    ix.add(["licht2"], ["Beleuchtung am Sportplatz"])
    assert ix.top(a.terms("Beleuchtung"), 3)[0][0] == "licht2"
