"""Persistence: one store over SQLAlchemy, SQLite by default, PostgreSQL by URL."""

from matcher.store.repository import Store

__all__ = ["Store"]
