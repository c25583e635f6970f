"""Names in import rows → actor ids, in their place context, on a synthetic directory."""

from __future__ import annotations

import pytest

from matcher.domain.catalog import Catalog
from matcher.domain.errors import ValidationError
from matcher.domain.schema import Municipality, Need, Project
from matcher.importing import parse_file
from matcher.importing.reader import parse_bytes
from matcher.importing.resolve import Resolver
from tests.helpers import GV_SAMPLE


@pytest.fixture(scope="module")
def directory() -> dict[str, Municipality]:
    return {m.id: m for m in parse_file("municipalities", GV_SAMPLE).items}


def _catalog(directory) -> Catalog:
    return Catalog({"municipalities": dict(directory)})


def _resolve_projects(catalog: Catalog, jsonl: str, home_land: str = "Hessen") -> list[Project]:
    parsed = parse_bytes("projects", jsonl.encode(), "p.jsonl")
    resolver = Resolver(catalog, home_land)
    items = resolver.resolve("projects", parsed.items, parsed.lines, parsed.place_contexts())
    return [p for p in items if isinstance(p, Project)]


def test_districts_take_part_in_projects_by_the_names_people_use(directory):
    [p] = _resolve_projects(
        _catalog(directory),
        '{"id": "p1", "title": "Starkregen", "municipalities": ["Landkreis Darmstadt-Dieburg", '
        '"Kreis Offenbach", "Main-Kinzig-Kreis", "Odenwaldkreis", "Bad Homburg v.d. Höhe", '
        '"Muenster"]}\n',
    )
    assert p.municipalities == ["06432", "06438", "06435", "06437", "06434001", "06432015"]


def test_an_ambiguous_name_is_refused_with_its_candidates(directory):
    with pytest.raises(ValidationError) as info:
        _resolve_projects(
            _catalog(directory), '{"id": "p1", "title": "T", "municipalities": ["Münster"]}\n', ""
        )
    [(where, message)] = info.value.problems
    assert where == "line 1" and "mehrdeutig" in message
    assert "Münster (Landkreis Darmstadt-Dieburg, Hessen) [06432015]" in message
    assert "Münster (kreisfreie Stadt, Nordrhein-Westfalen) [05515000]" in message
    assert "Münster (Landkreis Donau-Ries, Bayern) [09779187]" in message


@pytest.mark.parametrize(
    ("row", "wanted"),
    [
        ('"land": "Nordrhein-Westfalen"', "05515000"),
        ('"bundesland": "Bayern"', "09779187"),
        ('"district": "Landkreis Darmstadt-Dieburg"', "06432015"),
        ('"region": "Schwaben"', "09779187"),
    ],
)
def test_the_rows_place_columns_decide_without_a_home_land(directory, row, wanted):
    [p] = _resolve_projects(
        _catalog(directory),
        '{"id": "p1", "title": "T", "municipalities": ["Münster"], ' + row + "}\n",
        "",
    )
    assert p.municipalities == [wanted]


def test_the_other_participants_decide_too(directory):
    [p] = _resolve_projects(
        _catalog(directory),
        '{"id": "p1", "title": "T", "municipalities": ["Münster", "Groß-Umstadt"]}\n',
        "",
    )
    assert p.municipalities == ["06432015", "06432010"]


def test_csv_place_columns_are_context_not_warnings(directory):
    data = "id;title;municipalities;land\np1;T;Münster;Bayern\n".encode()
    parsed = parse_bytes("projects", data, "p.csv")
    assert parsed.warnings == [] and parsed.place_contexts()[0].land == "Bayern"
    [p] = Resolver(_catalog(directory)).resolve(
        "projects", parsed.items, parsed.lines, parsed.place_contexts()
    )
    assert isinstance(p, Project) and p.municipalities == ["09779187"]


def test_a_district_owns_a_need(directory):
    need = Need(id="n1", municipality="Kreis Odenwald", title="Sirenen")
    [resolved] = Resolver(_catalog(directory), "Hessen").resolve("needs", [need], [0])
    assert isinstance(resolved, Need) and resolved.municipality == "06437"


def test_an_association_lists_its_members_by_name_or_key(directory):
    verband = Municipality(
        id="zv-test",
        name="Zweckverband Test",
        kind="verband",
        region="Darmstadt",
        members=["Mossautal", "Erbach (Odenwald)", "06432010"],
    )
    [out] = Resolver(_catalog(directory), "Hessen").resolve("municipalities", [verband], [2])
    assert isinstance(out, Municipality)
    assert out.members == ["06437012", "06437006", "06432010"]
    bad = verband.model_copy(update={"members": ["Nirgendwo"]})
    with pytest.raises(ValidationError, match="unknown"):
        Resolver(_catalog(directory), "Hessen").resolve("municipalities", [bad], [2])


def test_an_official_district_updates_the_demo_district_of_its_name(directory):
    demo = Municipality(
        id="odenwaldkreis",
        name="Odenwaldkreis",
        kind="kreis",
        district="Odenwaldkreis",
        region="Darmstadt",
    )
    catalog = Catalog({"municipalities": {"odenwaldkreis": demo}})
    official = directory["06437"]
    [merged] = Resolver(catalog).resolve("municipalities", [official], [0])
    assert isinstance(merged, Municipality)
    assert (merged.id, merged.ags, merged.population) == ("odenwaldkreis", "06437", 16_500)
    # A district never merges into a town of the same name.
    town = Municipality(id="giessen", name="Gießen", latitude=50.58, longitude=8.68)
    catalog = Catalog({"municipalities": {"giessen": town}})
    [district] = Resolver(catalog).resolve("municipalities", [directory["06531"]], [0])
    assert district.id == "06531"
