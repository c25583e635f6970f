"""One real `matcher serve` and one Chromium for the browser modules that ask for them
(`live_site`, `chromium_browser`): the page-type sweeps (phone layout, axe, screenshots) and the
leads test share the server; every browser module shares the one Chromium (Playwright's sync API
runs one instance per process: a second one started beside it fails). Modules that write keep
their own server, on a copy of the demo home built once per session (`site_home`)."""

from __future__ import annotations

import pytest

from matcher.keys import add_key
from tests.web.pages.chromium import launched, need_chromium
from tests.web.pages.site import KEYS, SHOTS
from tools.live_server import KEY as ADMIN
from tools.live_server import serve, stop


@pytest.fixture(scope="session")
def _chromium_present() -> None:
    need_chromium()


@pytest.fixture(scope="session")
def site_home(_chromium_present, demo_copy):
    """A function giving a fresh home with its own copy of the demo store and index built once
    per session (tests/conftest.py `demo_home`): a server on it loads them instead of building
    the demo again. Skips without Chromium (first, before the demo is built)."""
    return demo_copy


@pytest.fixture(scope="session")
def live_site(site_home):
    """(base URL, home) of a real server on the demo data; skips without Chromium."""
    home = site_home("web-site")
    KEYS["town"] = add_key(home / "keys.json", "municipality:mossautal")
    KEYS["provider"] = add_key(home / "keys.json", "provider:lichtwerk")
    KEYS["staff"] = ADMIN  # the server's admin key (tools.live_server)
    process, base = serve(home)
    yield base, home
    stop(process)


@pytest.fixture(scope="session")
def chromium_browser():
    need_chromium()
    yield from launched()


@pytest.fixture(scope="module")
def browser(site, chromium_browser):
    """The shared Chromium for a module, once its own server (`site`) is up; screenshots go to
    SHOTS."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return chromium_browser
