"""Browsing the catalog by funding, size, derived topics and name order; spelling suggestions."""

from __future__ import annotations

from matcher.domain.catalog import Catalog
from matcher.domain.schema import Browse, Municipality, Need, Offering, Project, Provider


def _catalog() -> Catalog:
    towns = {
        "mossautal": Municipality(id="mossautal", name="Mossautal", population=2400),
        "gross-umstadt": Municipality(id="gross-umstadt", name="Groß-Umstadt", population=21000),
        "erbach": Municipality(id="erbach", name="Erbach (Odenwald)", population=13000),
    }
    return Catalog(
        {
            "municipalities": towns,
            "providers": {
                "licht": Provider(id="licht", name="LichtWerk"),
                "amt": Provider(id="amt", name="Amtsdigital"),
            },
            "offerings": {
                "o1": Offering(id="o1", provider="licht", title="LED", categories=["energie"]),
            },
            "projects": {
                "p1": Project(
                    id="p1", title="Zebra", municipalities=["mossautal"], funding="LEADER"
                ),
                "p2": Project(
                    id="p2", title="Ampel", municipalities=["gross-umstadt"], categories=["energie"]
                ),
            },
            "needs": {
                "n1": Need(id="n1", municipality="erbach", title="Licht", categories=["energie"])
            },
        }
    )


def test_funding_and_population_band():
    cat = _catalog()
    assert [p.id for p in cat.browse("projects", Browse(funding="LEADER"))[0]] == ["p1"]
    small = Browse(max_population=4999)
    assert [p.id for p in cat.browse("projects", small)[0]] == ["p1"]
    middle = Browse(min_population=5000, max_population=19999)
    assert [m.id for m in cat.browse("municipalities", middle)[0]] == ["erbach"]
    assert cat.browse("projects", middle)[1] == 0


def test_topics_of_providers_and_municipalities_are_derived():
    cat = _catalog()
    energy = Browse(categories=["energie"])
    assert [p.id for p in cat.browse("providers", energy)[0]] == ["licht"]
    found = {m.id for m in cat.browse("municipalities", energy)[0]}
    assert found == {"gross-umstadt", "erbach"}  # by a project, by a need


def test_order_by_name_and_folded_text():
    cat = _catalog()
    assert [p.id for p in cat.browse("projects", Browse(by_name=True))[0]] == ["p2", "p1"]
    assert [p.id for p in cat.browse("projects", Browse())[0]] == ["p1", "p2"]
    assert cat.browse("municipalities", Browse(text="gross-umst"))[1] == 1


def test_suggestions_for_close_spellings_only():
    cat = _catalog()
    assert [m.id for m in cat.suggest_municipalities("Mossautahl")] == ["mossautal"]
    assert [m.id for m in cat.suggest_municipalities("Grossumstadt")] == ["gross-umstadt"]
    assert cat.suggest_municipalities("Frankfurt") == []
    assert cat.suggest_municipalities("  ") == []
    cat.put("municipalities", [Municipality(id="mossbach", name="Mossbachtal")])
    assert "mossbach" in {m.id for m in cat.suggest_municipalities("Mosbachtal")}
