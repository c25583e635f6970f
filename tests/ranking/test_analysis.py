from matcher.ranking.analysis import GermanAnalyzer, split_compound


def test_compounds_are_split_and_umlauts_folded():
    a = GermanAnalyzer()
    terms = set(a.terms("Straßenbeleuchtung"))
    assert {"beleucht", "strass"} <= terms
    assert set(a.terms("Strassenbeleuchtung")) == terms
    assert a.terms("Bürgerbüro")[0] == a.terms("Buergerbuero")[0]


def test_stop_words_and_digits_are_dropped():
    a = GermanAnalyzer()
    assert a.words("Unsere Laternen brennen die ganze Nacht 2024") == [
        "laternen",
        "brennen",
        "nacht",
    ]


def test_short_or_non_compounds_are_not_split():
    assert split_compound("laterne") == ()
    assert split_compound("verwaltung") == ()
