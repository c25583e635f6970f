import pytest

from api import create_app
from matcher.service import MatcherService
from tests.helpers import FIXTURES, make_settings
from tools.fakes import FakeEncoder

ADMIN_KEY = "admin-test-key-with-at-least-32-characters"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def app(tmp_path):
    """The app on the tiny fixture corpus with the fake encoder, an admin key and two role keys."""
    from matcher.keys import add_key

    settings = make_settings(
        tmp_path / "home",
        admin_key=ADMIN_KEY,
        keys_file=tmp_path / "keys.json",
        max_body_bytes=64 * 1024,
    )
    keys = {
        "brensbach": add_key(settings.keys_file, "municipality:brensbach"),
        "kassel": add_key(settings.keys_file, "municipality:kassel"),
        "lichtwerk": add_key(settings.keys_file, "provider:lichtwerk"),
    }
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build(FIXTURES)
    app = create_app(settings, service, {"TESTING": True})
    app.extensions["test_keys"] = {k: {"Authorization": f"Bearer {v}"} for k, v in keys.items()}
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def keys(app):
    return app.extensions["test_keys"]
