import numpy as np
import pytest

from matcher.domain.errors import ConflictError, NotFoundError
from matcher.domain.schema import Municipality, Need, Offering, Project, Provider


def _seed(store):
    store.upsert(
        "municipalities",
        [
            Municipality(id="a", name="Astadt", population=1000, latitude=50.0, longitude=8.0),
            Municipality(id="b", name="Bdorf", district="Kreis X", region="Darmstadt"),
        ],
    )
    store.upsert("providers", [Provider(id="pv", name="Anbieter", regions=["Hessen", "Hessen"])])
    store.upsert(
        "projects",
        [
            Project(
                id="p1",
                title="Licht",
                municipalities=["a", "b"],
                providers=["pv"],
                categories=["energie"],
                year=2022,
                status="laufend",
            )
        ],
    )


def test_round_trip_keeps_every_field_and_relation_order(store):
    _seed(store)
    store.upsert("offerings", [Offering(id="o", provider="pv", title="LED", references=["p1"])])
    store.upsert("needs", [Need(id="n", municipality="b", title="Bus", date="2025-02-03")])
    p = store.get("projects", "p1")
    assert p.municipalities == ["a", "b"] and p.providers == ["pv"] and p.year == 2022
    assert store.get("providers", "pv").regions == ["Hessen"]
    assert store.get("offerings", "o").references == ["p1"]
    assert str(store.get("needs", "n").date) == "2025-02-03"
    assert store.get("municipalities", "a").latitude == 50.0
    assert store.count("projects") == 1 and store.ids("municipalities") == {"a", "b"}


def test_upsert_replaces_fields_and_relations(store):
    _seed(store)
    store.upsert("projects", [Project(id="p1", title="Licht neu", municipalities=["b"])])
    p = store.get("projects", "p1")
    assert p.title == "Licht neu" and p.municipalities == ["b"] and p.providers == []


def test_batch_with_a_broken_reference_writes_nothing(store):
    _seed(store)
    batch = [
        Project(id="p2", title="ok", municipalities=["a"]),
        Project(id="p3", title="kaputt", municipalities=["nirgendwo"]),
    ]
    with pytest.raises(ConflictError):
        store.upsert("projects", batch)
    assert store.ids("projects") == {"p1"}


def test_delete_referenced_municipality_is_a_conflict_and_keeps_it(store):
    _seed(store)
    with pytest.raises(ConflictError, match="p1"):
        store.delete("municipalities", "a")
    assert store.get("municipalities", "a").name == "Astadt"
    store.delete("projects", "p1")
    store.delete("municipalities", "a")
    with pytest.raises(NotFoundError):
        store.get("municipalities", "a")


def test_embedding_cache_round_trip(store):
    v = np.arange(4, dtype=np.float32)
    store.cache_vectors("m", {"h1": v})
    store.cache_vectors("m", {"h1": v * 2})  # an existing entry is kept
    found = store.cached_vectors("m", ["h1", "h2"])
    assert list(found) == ["h1"] and np.array_equal(found["h1"], v)
    assert store.cached_vectors("other-model", ["h1"]) == {}


def test_records_stored_before_the_id_and_one_line_rules_stay_readable(store):
    # Written before ids were a safe alphabet and one-line fields refused control characters:
    # the rules apply to writes, and a database that holds such a record still loads.
    legacy = Provider.model_construct(
        id="Alt..Anbieter",
        name="Licht\r\nWerk",
        description="Zeile\x07",  # PostgreSQL stores no NUL at all
        regions=["Nord\nhessen"],
        contact_email="",
    )
    store.upsert("providers", [legacy])
    loaded = store.get("providers", "Alt..Anbieter")
    assert (loaded.id, loaded.name, loaded.regions) == (
        "Alt..Anbieter",
        "Licht\r\nWerk",
        legacy.regions,
    )
    assert [p.id for p in store.all("providers")] == ["Alt..Anbieter"]
