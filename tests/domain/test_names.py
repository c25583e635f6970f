"""Place names as people write them: one key for the official and the everyday forms."""

from __future__ import annotations

import pytest

from matcher.domain.names import fold, normalize_name, parse_place, slug


@pytest.mark.parametrize(
    "written",
    [
        "Bad Homburg v. d. Höhe",
        "Bad Homburg v.d. Höhe",
        "Bad Homburg v.d.Höhe",
        "Bad Homburg vor der Höhe",
        "Bad Homburg v. d. Höhe, Stadt",
        "Stadt Bad Homburg v.d.H\u00f6he",
    ],
)
def test_official_abbreviations_and_suffixes_are_one_name(written):
    assert parse_place(written).full == parse_place("Bad Homburg vor der Höhe").full
    assert normalize_name(written) == "badhomburg"


@pytest.mark.parametrize(
    ("written", "full", "base", "qualifiers"),
    [
        ("Frankfurt a.M.", "frankfurtammain", "frankfurt", {"main"}),
        ("Frankfurt am Main", "frankfurtammain", "frankfurt", {"main"}),
        ("Frankfurt/Main", "frankfurt", "frankfurt", {"main"}),
        ("Frankfurt (Oder), Stadt", "frankfurt", "frankfurt", {"oder"}),
        ("Limburg a.d. Lahn, Kreisstadt", "limburganderlahn", "limburg", {"lahn"}),
        ("Erbach (Odenwald)", "erbach", "erbach", {"odenwald"}),
        ("Höchst i. Odw.", "hoechstimodenwald", "hoechst", {"odenwald"}),
    ],
)
def test_qualifiers_are_kept_apart_from_the_name(written, full, base, qualifiers):
    parsed = parse_place(written)
    assert (parsed.full, parsed.base, set(parsed.qualifiers)) == (full, base, qualifiers)


@pytest.mark.parametrize(
    ("written", "base", "hint"),
    [
        ("Gießen", "giessen", None),
        ("Universitätsstadt Gießen", "giessen", "gemeinde"),
        ("Gießen, Universitätsstadt", "giessen", "gemeinde"),
        ("Stadt Lich", "lich", "gemeinde"),
        ("Lich, Stadt", "lich", "gemeinde"),
        ("Gemeinde Mossautal", "mossautal", "gemeinde"),
        ("Kreisstadt Erbach", "erbach", "gemeinde"),
        ("Hansestadt Lübeck", "luebeck", "gemeinde"),
        ("Landkreis Gießen", "giessen", "kreis"),
        ("Kreis Gießen", "giessen", "kreis"),
        ("LK Gießen", "giessen", "kreis"),
        ("Lkr. Gießen", "giessen", "kreis"),
        ("Gießen, Landkreis", "giessen", "kreis"),
        ("Landkreis Darmstadt-Dieburg", "darmstadtdieburg", "kreis"),
        ("Kreis Darmstadt Dieburg", "darmstadtdieburg", "kreis"),
        ("Main-Kinzig-Kreis", "mainkinzig", "kreis"),
        ("Odenwaldkreis", "odenwald", "kreis"),
        ("Kreis Offenbach", "offenbach", "kreis"),
        ("Zweckverband Mobilität Oberer Vogelsberg", "mobilitaetoberervogelsberg", "verband"),
        ("Samtgemeinde Brome", "brome", "verband"),
    ],
)
def test_kind_words_are_taken_off_and_remembered(written, base, hint):
    parsed = parse_place(written)
    assert (parsed.base, parsed.hint) == (base, hint)


def test_umlauts_and_their_spellings_fold_alike():
    assert fold("Münster") == fold("Muenster") == "muenster"
    assert normalize_name("Groß-Umstadt") == normalize_name("Gross Umstadt") == "grossumstadt"
    assert normalize_name("Wächtersbach") == normalize_name("Waechtersbach")


def test_a_kind_word_inside_a_name_is_kept_in_its_literal_form():
    assert parse_place("Amt Neuhaus").literal == "amtneuhaus"
    assert parse_place("Amt Neuhaus").hint == "verband"


def test_slug_is_unchanged():
    assert slug("Groß-Umstadt") == "gross-umstadt"
