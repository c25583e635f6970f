"""One real `matcher serve` and one Chromium for the browser modules that ask for them
(`live_site`, `chromium_browser`): the page-type sweeps (phone layout, axe, screenshots) and the
leads test share the server; every browser module shares the one Chromium (Playwright's sync API
runs one instance per process: a second one started beside it fails)."""

from __future__ import annotations

import pytest

from matcher.keys import add_key
from tests.web.chromium import launched, need_chromium
from tests.web.pages import KEYS
from tools.live_server import serve, stop


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """(base URL, home) of a real server on the demo data; skips without Chromium."""
    need_chromium()
    home = tmp_path_factory.mktemp("web-site")
    KEYS["town"] = add_key(home / "keys.json", "municipality:mossautal")
    process, base = serve(home)
    yield base, home
    stop(process)


@pytest.fixture(scope="session")
def chromium_browser():
    need_chromium()
    yield from launched()
