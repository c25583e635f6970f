"""The app on the tiny fixture corpus (fake encoder) with its clients: `client` for the API,
`pages_client` for the pages, and `limited` with tight rate limits."""

import pytest

from matcher.service import MatcherService
from matcher.web import create_app
from tests.helpers import ADMIN_KEY, FIXTURES, LIMITED_KEY, OWN_ORIGIN, make_settings
from tools.fakes import FakeEncoder


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
    """A client of the API: no Origin, as from a program."""
    return app.test_client()


@pytest.fixture
def pages_client(app):
    """A client of the pages as a browser on them: every request says it comes from this
    server (Origin), so form posts pass the pages' origin check."""
    browser = app.test_client()
    browser.environ_base["HTTP_ORIGIN"] = OWN_ORIGIN
    return browser


@pytest.fixture
def app_service(app):
    """The service behind `app`."""
    return app.extensions["matcher"]


@pytest.fixture
def keys(app):
    return app.extensions["test_keys"]


@pytest.fixture
def limited(tmp_path):
    """A client of an app with tight rate limits (3 matches, 2 writes, 2 verdicts a minute)."""
    settings = make_settings(
        tmp_path,
        admin_key=LIMITED_KEY,
        rate_limit_match="3 per minute",
        rate_limit_write="2 per minute",
        rate_limit_feedback="2 per minute",
    )
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build(FIXTURES)
    return create_app(settings, service, {"TESTING": True}).test_client()
