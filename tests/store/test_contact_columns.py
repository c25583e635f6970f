"""A database from before contact mailboxes and web sessions gains them at start-up."""

from __future__ import annotations

from sqlalchemy import JSON, Column, MetaData, String, Table, Text, create_engine, insert, inspect

from matcher.domain.schema import Provider
from matcher.store import Store


def test_an_old_providers_table_gains_contact_email_and_sessions_appear(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = MetaData()
    providers = Table(
        "providers",
        old,
        Column("id", String(120), primary_key=True),
        Column("name", String(300), nullable=False),
        Column("description", Text, nullable=False),
        Column("regions", JSON, nullable=False),
    )
    engine = create_engine(url)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(providers).values(id="lw", name="LichtWerk", description="", regions=[])
        )
    engine.dispose()
    store = Store(url)
    try:
        kept = store.get("providers", "lw")
        assert isinstance(kept, Provider) and kept.contact_email == ""
        store.upsert(
            "providers", [kept.model_copy(update={"contact_email": "vertrieb@lw.example"})]
        )
        again = store.get("providers", "lw")
        assert isinstance(again, Provider) and again.contact_email == "vertrieb@lw.example"
        assert "web_sessions" in inspect(store.engine).get_table_names()
    finally:
        store.close()
