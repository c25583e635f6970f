"""Helpers shared by tests (fixtures live in conftest.py): paths and settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from matcher.config import REPO_ROOT, Settings, load_settings

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DEMO_DATA = REPO_ROOT / "data"


def make_settings(home: Path, **overrides: object) -> Settings:
    """Settings in `home`, untouched by the environment, without progress bars."""
    return load_settings(environ={}, home=home, progress=False, **overrides)


def run_cli(
    args: list[str], home: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """The `matcher` command in a fresh interpreter, on `home`, without the caller's settings."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    environ.update(MATCHER_HOME=str(home), MATCHER_PROGRESS="false", HF_HUB_OFFLINE="1", **env)
    return subprocess.run(
        [sys.executable, "-m", "matcher.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=600,
    )
