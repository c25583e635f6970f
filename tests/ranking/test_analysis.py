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


def test_split_points_are_those_of_the_compound_split_library():
    """best_split loads only the German tables; it must choose what char_split chooses."""
    from compound_split import char_split

    from matcher.ranking.analysis import best_split

    words = [
        "straßenbeleuchtung",
        "bürgerbeteiligung",
        "abwasserbeseitigung",
        "hochwasserschutz",
        "digitalisierungsstrategie",
        "gemeindeverwaltung",
        "fahrradparkhaus",
        "ladeinfrastruktur",
        "schülerbeförderung",
        "bauantragsverfahren",
        "feuerwehrgerätehaus",
        "leerstandsmanagement",
        "grünflächenpflege",
        "bürgerbus",
        "kreisverwaltung",
        "schließen",
    ]
    for word in words:
        score, head, tail = char_split.split_compound(word)[0]
        ours = best_split(word)
        assert ours[0] == score
        assert (ours[1] + ours[2]) == word and len(ours[1]) == len(head), word
