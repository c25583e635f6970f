"""Debian's Chromium for the browser tests: where it is, how it starts, and Playwright on it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from matcher.config import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Headless, and without the background connections that this machine's closed network refuses.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_chromium() -> None:
    """Skip unless Playwright and Chromium are installed (.ci/run installs both)."""
    pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium") and not (REPO_ROOT / CHROMIUM).exists():
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")


def launched() -> Iterator:
    """A running Chromium under Playwright (for a module-scoped fixture to yield from)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
