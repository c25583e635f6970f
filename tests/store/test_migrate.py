"""A database made before districts and associations is upgraded at start-up."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, create_engine, insert

from matcher.domain.schema import Municipality, Need, Project
from matcher.store import Store
from matcher.store import tables as t
from matcher.store.migrate import _add, upgrade
from tests.helpers import pg_database_or_skip


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def old_database(request, tmp_path) -> str:
    """A database with the first release's municipalities table and one town in it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        url = pg_database_or_skip()
    old = MetaData()
    municipalities = Table(
        "municipalities",
        old,
        Column("id", String(120), primary_key=True),
        Column("name", String(300), nullable=False),
        Column("district", String(300), nullable=False),
        Column("region", String(300), nullable=False),
        Column("population", Integer),
        Column("latitude", Float),
        Column("longitude", Float),
        Column("ags", String(8), nullable=False, index=True),
    )
    engine = create_engine(url)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(municipalities).values(
                id="mossautal",
                name="Mossautal",
                district="Odenwaldkreis",
                region="Darmstadt",
                population=2500,
                ags="06437012",
            )
        )
    engine.dispose()
    return url


def test_an_old_database_gains_the_new_columns_and_keeps_its_rows(old_database):
    store = Store(old_database)
    try:
        town = store.get("municipalities", "mossautal")
        assert isinstance(town, Municipality)
        assert (town.kind, town.area_km2, town.population) == ("gemeinde", None, 2500)
        store.upsert(
            "municipalities",
            [
                Municipality(id="06437", ags="06437", name="Odenwaldkreis", kind="kreis"),
                Municipality(
                    id="zv",
                    ags="064375001",
                    name="Zweckverband X",
                    kind="verband",
                    members=["mossautal"],
                ),
            ],
        )
        store.upsert("projects", [Project(id="p", title="LoRaWAN", municipalities=["06437"])])
        store.upsert("needs", [Need(id="n", municipality="06437", title="Sirenen")])
        verband = store.get("municipalities", "zv")
        assert isinstance(verband, Municipality) and verband.members == ["mossautal"]
        # A member is not deleted from under its association.
        assert store.referencing("municipalities", "mossautal") == {"municipalities": ["zv"]}
        assert store.referencing("municipalities", "06437") == {
            "projects": ["p"],
            "needs": ["n"],
        }
        assert upgrade(store.engine, t.metadata) == []  # nothing left to do
        _add(store.engine, "municipalities", t.municipalities.c.kind)  # another worker's race
    finally:
        store.close()
    again = Store(old_database)
    assert again.get("municipalities", "06437").kind == "kreis"
    again.close()
