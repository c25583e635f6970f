import pytest

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


@pytest.mark.parametrize(
    ("umlauts", "written"),
    [
        ("Fahrgastzählung", "Fahrgastzaehlung"),
        ("Grünflächenpflege", "Gruenflaechenpflege"),
        ("Schülerbeförderung", "Schuelerbefoerderung"),
        ("Feuerwehrgerätehaus", "Feuerwehrgeraetehaus"),
    ],
)
def test_ae_oe_ue_spellings_give_the_same_terms_as_umlauts(umlauts, written):
    a = GermanAnalyzer()
    assert a.terms(written) == a.terms(umlauts)


def test_real_ue_and_ae_are_left_alone_when_splitting():
    from matcher.ranking.analysis import with_umlauts

    assert with_umlauts("feuerwehr") == "feuerwehr"  # eu-e, not ü
    assert with_umlauts("bauernhof") == "bauernhof"
    assert with_umlauts("quellwasser") == "quellwasser"
    assert with_umlauts("fahrgastzaehlung") == "fahrgastzählung"


def test_a_challenge_about_fahrgaeste_meets_a_fahrgastzaehlung():
    from matcher.ranking.lexical import LexicalIndex

    a = GermanAnalyzer()
    index = LexicalIndex(a)
    index.add(["p1", "p2"], ["Automatische Fahrgastzaehlung im Bus", "Gruenflaechen pflegen"])
    assert index.query(a.terms("Wie viele Fahrgäste fahren mit?")).of("p1") > 0


def test_noun_terms_are_the_nouns_in_context():
    a = GermanAnalyzer()
    text = (
        "Zweimal am Tag fährt der Rufbus. Ältere Menschen kommen so zum Arzt; die älteren "
        "Bäume stehen „Straßenbeleuchtung“ voll."
    )
    nouns = a.noun_terms(text)
    assert {"rufbus", "arzt", "bäum", "strassenbeleucht", "beleucht"} <= nouns
    assert not nouns & {"zweimal", "alt", "voll", "alter", "steh", "fahrt"}
    # A title is a noun phrase: its first word counts.
    assert "rufbus" in a.noun_terms("Rufbus im Hohen Vogelsberg")


def test_verbs_and_common_words_are_no_topic_words_even_with_a_capital():
    a = GermanAnalyzer()
    # "Stehen" starts a sentence, so it has a capital; "Stadt" and "Zeit" are ordinary words.
    found = a.topic_words("Stehen die Läden leer, verliert die Stadt mit der Zeit ihre Mitte.")
    assert "läden" in found
    assert not found & {"stehen", "leer", "verliert", "stadt", "zeit"}
    assert a.topic_words("In der Ortsmitte stehen immer mehr Läden leer") == {"ortsmitte", "läden"}
    # A verb in lower case that the tagger would take for a noun ("Quellen") is none.
    assert "quellen" not in a.topic_words("Parkbänke und Mülleimer im Park quellen über")


def test_a_topic_word_is_matched_in_its_own_spelling_and_by_its_head():
    a = GermanAnalyzer()
    # Shops are no charging: the umlaut is kept in a topic term.
    assert not a.topic_terms("läden") & a.noun_terms("Laden für Urlaubsgäste im Upland")
    # The head of a compound carries its meaning, a modifier does not.
    assert a.topic_terms("beleuchtung") & a.noun_terms("Die Straßenbeleuchtung wird erneuert")
    assert not a.topic_terms("straße") & a.noun_terms("Die Straßenbeleuchtung wird erneuert")
    # "ae" written for "ä" meets the umlaut.
    assert a.topic_terms("fahrgastzaehlung") & a.noun_terms("Eine Fahrgastzählung im Bus")


def test_a_word_with_an_umlaut_has_its_written_stem_beside_the_folded_one():
    a = GermanAnalyzer()
    assert a.word_terms("läden") == ("lad", "läd")
    assert a.word_terms("laden") == ("lad",)
    assert a.terms("Fahrgastzaehlung") == a.terms("Fahrgastzählung")
