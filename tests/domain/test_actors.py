"""Actors by name in their place context, and the members of districts and associations."""

from __future__ import annotations

import pytest

from matcher.domain.actors import NameIndex, PlaceContext, describe, describe_candidates
from matcher.domain.catalog import Catalog
from matcher.domain.geography import land_of
from matcher.domain.schema import Municipality
from matcher.importing import parse_file
from tests.helpers import GV_SAMPLE


@pytest.fixture(scope="module")
def directory() -> dict[str, Municipality]:
    items = parse_file("municipalities", GV_SAMPLE).items
    return {m.id: m for m in items if isinstance(m, Municipality)}


@pytest.fixture(scope="module")
def index(directory) -> NameIndex:
    return NameIndex(directory.values())


def _found(index: NameIndex, ref: str, **context) -> str | None:
    hit = index.lookup(ref, PlaceContext(**context)).found
    return hit.id if hit else None


@pytest.mark.parametrize(
    ("ref", "wanted"),
    [
        ("Landkreis Darmstadt-Dieburg", "06432"),
        ("Kreis Darmstadt-Dieburg", "06432"),
        ("Kreis Offenbach", "06438"),
        ("Landkreis Offenbach", "06438"),
        ("Main-Kinzig-Kreis", "06435"),
        ("Odenwaldkreis", "06437"),
        ("Kreis Odenwald", "06437"),
        ("LK Gießen", "06531"),
        ("Lkr. Gießen", "06531"),
        ("Landkreis Gießen", "06531"),
        ("Gießen", "06531005"),  # the town, not the district
        ("Universitätsstadt Gießen", "06531005"),
        ("Bad Homburg v.d. Höhe", "06434001"),
        ("Bad Homburg v.d.Höhe", "06434001"),
        ("Frankfurt a.M.", None),  # not in the sample
        ("Offenbach a.M.", "06413000"),
        ("Stadt Offenbach am Main", "06413000"),
        ("Gelnhausen, Stadt", "06435012"),
        ("Samtgemeinde Heideland", "035995401"),
        ("Heidedorf", "03599001"),
        ("06437012", "06437012"),  # an AGS is an id here
        ("06437", "06437"),
    ],
)
def test_names_as_people_write_them(index, ref, wanted):
    assert _found(index, ref) == wanted


def test_a_name_of_several_laender_needs_context_and_says_which_it_could_be(index):
    without = index.lookup("Münster")
    assert without.found is None
    assert {m.id for m in without.candidates} == {"05515000", "06432015", "09779187"}
    message = describe_candidates(without.candidates, "Hessen")
    assert message.startswith("Münster (Landkreis Darmstadt-Dieburg, Hessen) [06432015]")
    assert "Münster (kreisfreie Stadt, Nordrhein-Westfalen) [05515000]" in message
    assert "Münster (Landkreis Donau-Ries, Bayern) [09779187]" in message
    assert _found(index, "Münster", home_land="Hessen") == "06432015"
    assert _found(index, "Muenster", home_land="Hessen") == "06432015"
    assert _found(index, "Münster", land="Nordrhein-Westfalen", home_land="Hessen") == "05515000"
    assert _found(index, "Münster", region="Schwaben") == "09779187"
    assert _found(index, "Münster", district="Kreis Darmstadt-Dieburg") == "06432015"
    assert _found(index, "Münster (Hessen)") == "06432015"


def test_the_actors_named_beside_a_name_tell_where_it_is(index, directory):
    near = (directory["09779187"],)
    assert _found(index, "Münster", near=(directory["06432010"],)) == "06432015"
    # The same district beats the home Land; the same Land beats nothing.
    assert (
        index.lookup("Münster", PlaceContext(near=near, home_land="Hessen")).found
        == (directory["09779187"])
    )
    offenbach = index.lookup("Offenbach")
    assert offenbach.found is None and len(offenbach.candidates) == 2
    assert _found(index, "Offenbach", home_land="Hessen") == "06413000"


def test_the_kind_a_name_says_is_never_a_town_of_that_name(index):
    assert _found(index, "Landkreis Offenbach am Main") == "06438"  # never the city
    assert _found(index, "Kreis Mossautal") is None


def test_describe_names_district_and_land(directory):
    assert describe(directory["06437"]) == "Odenwaldkreis (Landkreis, Hessen) [06437]"
    assert describe(directory["06437006"]) == "Erbach (Odenwaldkreis, Hessen) [06437006]"
    assert land_of(Municipality(id="x", name="X", region="Gießen")) == "Hessen"


def test_members_of_a_district_by_key_and_by_name(directory):
    catalog = Catalog({"municipalities": directory})
    odenwald = directory["06437"]
    assert [m.id for m in catalog.members(odenwald)] == ["06437006", "06437012"]
    assert [m.id for m in catalog.memberships(directory["06437012"])] == ["06437"]
    # The kreisfreie Stadt belongs to no district, a town without a key by its district's name.
    assert catalog.memberships(directory["06413000"]) == []
    catalog.put(
        "municipalities",
        [Municipality(id="beerfelden", name="Beerfelden", district="Odenwaldkreis")],
    )
    assert "beerfelden" in {m.id for m in catalog.members(odenwald)}
    heideland = directory["035995401"]
    assert [m.name for m in catalog.members(heideland)] == ["Heidedorf", "Moorhausen"]
    assert [m.id for m in catalog.memberships(directory["03599001"])] == ["03599", "035995401"]


def test_demo_style_districts_without_keys_find_their_towns():
    towns = {
        "mossautal": Municipality(id="mossautal", name="Mossautal", district="Odenwaldkreis"),
        "dieburg": Municipality(
            id="dieburg", name="Dieburg", district="Landkreis Darmstadt-Dieburg"
        ),
        "kassel": Municipality(id="kassel", name="Kassel", district="Kassel (kreisfreie Stadt)"),
        "ldk-kassel": Municipality(id="ldk-kassel", name="Landkreis Kassel", kind="kreis"),
        "odw": Municipality(id="odw", name="Odenwaldkreis", kind="kreis"),
        "dadi": Municipality(id="dadi", name="Kreis Darmstadt-Dieburg", kind="kreis"),
    }
    catalog = Catalog({"municipalities": towns})
    assert [m.id for m in catalog.members(towns["odw"])] == ["mossautal"]
    assert [m.id for m in catalog.members(towns["dadi"])] == ["dieburg"]
    assert catalog.members(towns["ldk-kassel"]) == []  # the city is no member
    assert catalog.members(towns["mossautal"]) == []
    assert catalog.find_municipality("Kreis Odenwald") == "odw"
    assert catalog.find_municipality("Mossautal") == "mossautal"


def test_the_index_follows_writes():
    catalog = Catalog({"municipalities": {"a": Municipality(id="a", name="Altdorf")}})
    assert catalog.find_municipality("Altdorf") == "a"
    catalog.put("municipalities", [Municipality(id="a", name="Neudorf")])
    assert catalog.find_municipality("Altdorf") is None
    assert catalog.find_municipality("Neudorf") == "a"
    catalog.drop("municipalities", ["a"])
    assert catalog.find_municipality("Neudorf") is None
