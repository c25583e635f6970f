import pytest

from matcher.domain.errors import ValidationError
from matcher.importing import parse_file
from matcher.importing.reader import parse_bytes


def test_csv_with_lists_and_unknown_column_warns():
    data = (
        b"id,title,description,categories,municipalities,farbe\n"
        b"p1,Licht,Text,energie;infrastruktur,Mossautal; Erbach,rot\n"
    )
    parsed = parse_bytes("projects", data, "p.csv")
    p = parsed.items[0]
    assert p.categories == ["energie", "infrastruktur"]
    assert p.municipalities == ["Mossautal", "Erbach"]
    assert parsed.warnings and "farbe" in parsed.warnings[0]


def test_bad_rows_reject_the_whole_file_with_line_numbers():
    data = (
        b"id,title,categories,year\n"
        b"p1,Gut,energie,2020\n"
        b"p2,,energie,2020\n"
        b"p3,Schlecht,kochen,zwanzig\n"
    )
    with pytest.raises(ValidationError) as info:
        parse_bytes("projects", data, "p.csv")
    where = [w for w, _ in info.value.problems]
    assert "line 3" in where and "line 4" in where and "line 2" not in where


def test_repeated_id_in_one_file_is_an_error():
    data = b'{"id": "p1", "title": "A"}\n{"id": "p1", "title": "B"}\n'
    with pytest.raises(ValidationError, match="nothing was imported"):
        parse_bytes("projects", data, "p.jsonl")


def test_jsonl_invalid_line_is_named():
    data = b'{"id": "p1", "title": "A"}\n{kaputt\n'
    with pytest.raises(ValidationError) as info:
        parse_bytes("projects", data, "p.jsonl")
    assert info.value.problems[0][0] == "line 2"


def test_excel_export_cp1252_semicolons_and_bom():
    text = "id;name;district;population\nwaechtersbach;Wächtersbach;Main-Kinzig-Kreis;12500\n"
    for data in (text.encode("cp1252"), "\ufeff".encode() + text.encode("utf-8")):
        m = parse_bytes("municipalities", data, "m.csv").items[0]
        assert m.name == "Wächtersbach" and m.population == 12500


def test_broken_quoting_is_rejected():
    data = b'id,title\np1,"offen\np2,zu\n'
    with pytest.raises(ValidationError):
        parse_bytes("projects", data, "p.csv")


def test_binary_file_is_rejected():
    with pytest.raises(ValidationError, match="binary"):
        parse_bytes("projects", b"\x00\x01\x02", "p.csv")


def test_demo_corpus_files_parse(tmp_path):
    from matcher.config import PACKAGE_DATA

    for kind, name in [
        ("municipalities", "municipalities.csv"),
        ("projects", "projects.jsonl"),
        ("needs", "needs.jsonl"),
    ]:
        assert parse_file(kind, PACKAGE_DATA / name).items
