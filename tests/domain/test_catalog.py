"""The typed catalog: one mapping per kind, relations both ways, browsing and name look-up."""

from __future__ import annotations

import pytest

from matcher.domain.catalog import Catalog
from matcher.domain.schema import Browse, Municipality, Need, Offering, Project, Provider


def _catalog() -> Catalog:
    return Catalog(
        {
            "municipalities": {
                "erbach": Municipality(
                    id="erbach", name="Erbach (Odenwald)", district="Odenwaldkreis"
                ),
                "erbach-rheingau": Municipality(
                    id="erbach-rheingau", name="Erbach", district="Rheingau"
                ),
                "mossautal": Municipality(
                    id="mossautal", name="Mossautal", district="Odenwaldkreis"
                ),
            },
            "providers": {"licht": Provider(id="licht", name="LichtWerk")},
            "projects": {
                "p1": Project(id="p1", title="LED", municipalities=["erbach"], providers=["licht"]),
                "p2": Project(id="p2", title="Bus", municipalities=["mossautal", "erbach"]),
            },
            "offerings": {
                "o1": Offering(id="o1", provider="licht", title="LED-Umrüstung", references=["p2"])
            },
            "needs": {"n1": Need(id="n1", municipality="mossautal", title="Licht")},
        }
    )


def test_items_are_typed_per_kind_and_the_wrong_model_is_refused():
    cat = _catalog()
    assert isinstance(cat.projects["p1"], Project)
    assert cat.items["needs"]["n1"] is cat.needs["n1"]
    with pytest.raises(TypeError):
        cat.put("projects", [Municipality(id="x", name="X")])


def test_relations_follow_writes():
    cat = _catalog()
    assert {p.id for p in cat.reference_projects("licht")} == {"p1", "p2"}
    assert [p.id for p in cat.projects_of_municipality["mossautal"]] == ["p2"]
    cat.drop("projects", ["p2"])
    assert [p.id for p in cat.reference_projects("licht")] == ["p1"]
    assert cat.projects_of_municipality.get("mossautal", []) == []


def test_browse_filters_by_town_district_and_text():
    cat = _catalog()
    items, total = cat.browse("projects", Browse(district="Odenwaldkreis", limit=1))
    assert total == 2 and [i.id for i in items] == ["p1"]
    items, total = cat.browse("projects", Browse(municipality="mossautal"))
    assert [i.id for i in items] == ["p2"]
    assert cat.browse("projects", Browse(text="bus"))[1] == 1
    assert cat.browse("offerings", Browse(provider="licht"))[1] == 1


def test_a_town_is_found_by_id_or_unique_name_and_an_ambiguous_name_by_its_full_form():
    cat = _catalog()
    assert cat.find_municipality("mossautal") == "mossautal"
    assert cat.find_municipality("  Mossautal ") == "mossautal"
    assert cat.find_municipality("Erbach") == "erbach-rheingau"  # the exact name decides
    assert cat.find_municipality("Erbach (Odenwald)") == "erbach"
    assert cat.find_municipality("Nirgendwo") is None
