"""The service's home directory, its database and its encoder, each made on first need.

Constructing a service creates no directory and no engine: a CLI command that fails on its
arguments, a test that only builds settings, or a worker that takes over an opened service
touches nothing on disk.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from matcher.config import Settings
from matcher.embeddings import CachedEncoder, Encoder, create_encoder
from matcher.store import Store


class Home:
    """Where a service keeps its data, and the two heavy things made from it."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self._raw_encoder = encoder
        self._store: Store | None = None
        self._encoder: CachedEncoder | None = None

    @property
    def store(self) -> Store:
        """The database (engine and tables), made on first use, in a home made first."""
        if self._store is None:
            self.make()
            self._store = Store(
                self.settings.database_url, self.settings.db_statement_timeout or None
            )
        return self._store

    @property
    def encoder(self) -> CachedEncoder:
        """The encoder, loaded on first use, with the store as its cache."""
        if self._encoder is None:
            raw = self._raw_encoder or create_encoder(
                self.settings.encoder, self.settings.threads, self.settings.batch_size
            )
            self._encoder = CachedEncoder(
                raw, self.store, self.settings.batch_size, progress=self.settings.progress
            )
        return self._encoder

    def make(self) -> None:
        """The home holds the database, keys and indexes: a new one is its owner's alone."""
        with contextlib.suppress(FileExistsError):
            self.settings.home.mkdir(parents=True, mode=0o700)

    def index_dir(self) -> Path:
        """The directory of the saved indexes, made (with the home) if it is missing."""
        self.make()
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        return self.settings.index_dir

    def close(self) -> None:
        """Release the database's connections (nothing to do if it was never opened)."""
        if self._store is not None:
            self._store.close()
