"""Bringing a database made by an older version up to the current tables, at start-up.

There is no migration tool: the changes so far only add tables, add columns that have a
default, and widen text columns, and this module does exactly these, safely and idempotently.
New tables come from `metadata.create_all`; here an existing table gains the columns it lacks
(each with its server default, so existing rows get a value) and, on PostgreSQL, a VARCHAR
shorter than declared is widened (SQLite does not enforce lengths). Several processes may start
at once: a column another one added meanwhile is not an error.
"""

from __future__ import annotations

from sqlalchemy import Column, Engine, MetaData, String, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateColumn

from matcher.domain.errors import ConfigError


def _missing_columns(engine: Engine, metadata: MetaData) -> list[tuple[str, Column]]:
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    missing: list[tuple[str, Column]] = []
    for table in metadata.sorted_tables:
        if table.name not in tables:
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing.extend((table.name, c) for c in table.columns if c.name not in have)
    return missing


def _short_columns(engine: Engine, metadata: MetaData) -> list[tuple[str, Column]]:
    if engine.dialect.name != "postgresql":
        return []
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    short: list[tuple[str, Column]] = []
    for table in metadata.sorted_tables:
        if table.name not in tables:
            continue
        have = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            wanted = column.type.length if isinstance(column.type, String) else None
            found = getattr(have.get(column.name), "length", None)
            if wanted and found and found < wanted:
                short.append((table.name, column))
    return short


def _add(engine: Engine, table: str, column: Column) -> str:
    if column.primary_key or (not column.nullable and column.server_default is None):
        raise ConfigError(
            f"the database's table {table} lacks column {column.name}, which cannot be added "
            "to existing rows (no default): export the data and import it into a new database"
        )
    preparer = engine.dialect.identifier_preparer
    spec = str(CreateColumn(column).compile(dialect=engine.dialect))
    exists = " IF NOT EXISTS" if engine.dialect.name == "postgresql" else ""
    statement = f"ALTER TABLE {preparer.quote(table)} ADD COLUMN{exists} {spec}"
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    except DBAPIError as exc:
        # Another process added it a moment ago (SQLite has no IF NOT EXISTS for columns).
        if "duplicate column" not in str(exc.orig).lower():
            raise
    return f"{table}.{column.name} added"


def _widen(engine: Engine, table: str, column: Column) -> str:
    preparer = engine.dialect.identifier_preparer
    kind = column.type.compile(dialect=engine.dialect)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"ALTER TABLE {preparer.quote(table)} ALTER COLUMN "
                f"{preparer.quote(column.name)} TYPE {kind}"
            )
        )
    return f"{table}.{column.name} widened to {kind}"


def upgrade(engine: Engine, metadata: MetaData) -> list[str]:
    """Add missing columns and widen short text columns of existing tables; what was done."""
    done = [_add(engine, table, column) for table, column in _missing_columns(engine, metadata)]
    done += [_widen(engine, table, column) for table, column in _short_columns(engine, metadata)]
    return done
