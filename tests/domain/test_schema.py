import pytest
from pydantic import ValidationError

from matcher.domain.schema import (
    Category,
    Filters,
    Municipality,
    Need,
    Offering,
    Project,
    Provider,
    model_for,
    text_of,
)


def test_project_needs_only_id_title_and_dedupes_lists():
    p = Project(id="p1", title="Titel", categories=["energie", "energie"])
    assert p.categories == [Category.energie]
    assert text_of(p) == "Titel"


def test_unknown_field_category_and_status_are_rejected():
    with pytest.raises(ValidationError):
        Project(id="p1", title="T", colour="red")
    with pytest.raises(ValidationError):
        Project(id="p1", title="T", categories=["kochen"])
    with pytest.raises(ValidationError):
        Need(id="n", municipality="m", title="T", status="vielleicht")


def test_ids_must_not_be_blank_or_contain_slashes():
    with pytest.raises(ValidationError):
        Project(id="  ", title="T")
    with pytest.raises(ValidationError):
        Project(id="a/b", title="T")


def test_model_for_unknown_kind_is_a_domain_error():
    from matcher.domain.errors import ValidationError as DomainValidation

    with pytest.raises(DomainValidation):
        model_for("recipes")


def test_filters_empty():
    assert Filters().is_empty()
    assert not Filters(region="Kassel").is_empty()


# -- ids: a safe slug alphabet, NFC-normalised, no dot-only or `..` ids -------------------------

UNSAFE_IDS = [
    "..",
    ".",
    "...",
    "a..b",
    "a\u200bb",  # a zero-width space: looks like "ab"
    "\u200bmossautal",
    "a\u00adb",  # a soft hyphen (a format character)
    "a\ufeffb",
    "a b",
    "a\tb",
    "abc\n",
    "a/b",
    "a\\b",
    "a?b",
    "a#b",
    "a%2fb",
    "Mossautal",  # ids are lower case: "Mossautal" and "mossautal" would be two look-alikes
    "-abc",
    ".abc",
    "a\u0130b",
]


@pytest.mark.parametrize("bad", UNSAFE_IDS)
def test_unsafe_ids_are_refused(bad):
    with pytest.raises(ValidationError) as caught:
        Project(id=bad, title="T")
    assert [e["loc"] for e in caught.value.errors()] == [("id",)]


@pytest.mark.parametrize(
    "good", ["mossautal", "06411000", "prj-mob-01", "bedarf-x_2", "v1.2", "münchen", "groß-gerau"]
)
def test_safe_ids_are_taken(good):
    assert Project(id=good, title="T").id == good


def test_ids_are_nfc_normalised():
    decomposed = "mu\u0308nchen"  # u + combining diaeresis: looks like "münchen"
    assert Project(id=decomposed, title="T").id == "m\u00fcnchen"


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Offering, "provider", ".."),
        (Offering, "provider", "licht\u200bwerk"),
        (Offering, "references", ["p-licht", ".."]),
        (Project, "providers", ["licht\u200bwerk"]),
        (Project, "municipalities", [".."]),
        (Project, "municipalities", ["\u200bkassel"]),
        (Need, "municipality", "..."),
        (Municipality, "members", ["kassel\u200b"]),
    ],
)
def test_references_to_unsafe_ids_are_refused_naming_the_field(model, field, value):
    base = {
        Offering: {"id": "o1", "provider": "lichtwerk", "title": "T"},
        Project: {"id": "p1", "title": "T"},
        Need: {"id": "n1", "municipality": "kassel", "title": "T"},
        Municipality: {"id": "v1", "name": "V", "kind": "verband"},
    }[model]
    with pytest.raises(ValidationError) as caught:
        model(**{**base, field: value})
    assert {e["loc"][0] for e in caught.value.errors()} == {field}


def test_references_may_still_be_names():
    project = Project(id="p1", title="T", municipalities=["Erbach (Odenwald)", "Groß-Gerau"])
    assert project.municipalities == ["Erbach (Odenwald)", "Groß-Gerau"]


# -- control characters -------------------------------------------------------------------------

CRLF = "Licht\r\nBcc: evil@x.example"
SINGLE_LINE = [
    (Project, "title", CRLF),
    (Project, "title", "Licht\nBcc"),
    (Project, "title", "Licht\x00"),
    (Project, "title", "Licht\x1b[31m"),
    (Project, "title", "Licht\u2028Bcc"),  # a Unicode line separator
    (Project, "title", "Licht\x85Bcc"),  # NEL, a C1 control
    (Project, "funding", "LEADER\r\nBcc"),
    (Project, "contact", "Bauamt\nBcc: x"),
    (Project, "municipalities", ["kas\r\nsel"]),
    (Municipality, "name", "Kassel\rX"),
    (Municipality, "district", "Kreis\tKassel"),
    (Municipality, "region", "Kassel\x7f"),
    (Provider, "name", "LichtWerk\nGmbH"),
    (Provider, "regions", ["Nord\nhessen"]),
    (Need, "title", "Bedarf\r\nBcc"),
]


@pytest.mark.parametrize(("model", "field", "value"), SINGLE_LINE)
def test_control_characters_are_refused_in_single_line_fields(model, field, value):
    base = {
        Project: {"id": "p1", "title": "T"},
        Municipality: {"id": "m1", "name": "M"},
        Provider: {"id": "a1", "name": "A"},
        Need: {"id": "n1", "municipality": "kassel", "title": "T"},
    }[model]
    with pytest.raises(ValidationError) as caught:
        model(**{**base, field: value})
    assert {e["loc"][0] for e in caught.value.errors()} == {field}


def test_descriptions_keep_line_breaks_and_tabs_but_no_other_control_characters():
    kept = Project(id="p1", title="T", description="Zeile 1\n\tZeile 2\r\nZeile 3")
    assert kept.description == "Zeile 1\n\tZeile 2\nZeile 3"  # CRLF as LF
    for bad in ("Zeile\x00", "Zeile\x1b[2J", "Zei\x0ble", "Zei\x85le", "Zei\x0cle"):
        with pytest.raises(ValidationError) as caught:
            Project(id="p1", title="T", description=bad)
        assert [e["loc"] for e in caught.value.errors()] == [("description",)]


def test_surrounding_white_space_is_still_dropped():
    assert Project(id="p1", title="  Titel \r\n").title == "Titel"


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ags", ["٠٦٤١١٠٠٠", "０６４１１０００", "0641100²"])
def test_official_keys_are_ascii_digits(ags):
    with pytest.raises(ValidationError) as caught:
        Municipality(id="m1", name="M", ags=ags)
    assert [e["loc"] for e in caught.value.errors()] == [("ags",)]
