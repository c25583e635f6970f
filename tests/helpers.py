"""Helpers shared by tests (fixtures live in conftest.py): paths and settings."""

from __future__ import annotations

from pathlib import Path

from matcher.config import REPO_ROOT, Settings, load_settings

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DEMO_DATA = REPO_ROOT / "data"


def make_settings(home: Path, **overrides: object) -> Settings:
    """Settings in `home`, untouched by the environment, without progress bars."""
    return load_settings(environ={}, home=home, progress=False, **overrides)
