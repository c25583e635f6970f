"""The limiter's in-process storage: counts like limits' own, without a timer thread."""

import re
import threading
import time

import pytest
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from matcher.keys import add_key
from matcher.service import MatcherService
from matcher.web import create_app
from matcher.web.core.limits import BUDGETS, SweptMemoryStorage, budget_of, storage_uri
from tests.helpers import FIXTURES, OWN_ORIGIN, make_settings
from tests.web import crawl
from tools.fakes import FakeEncoder


def test_the_default_storage_is_the_swept_one_registered_with_limits():
    assert storage_uri("memory://") == "swept-memory://"
    assert storage_uri("redis://cache:6379") == "redis://cache:6379"
    assert type(storage_from_string(storage_uri("memory://"))) is SweptMemoryStorage


def test_counting_starts_no_thread(monkeypatch):
    """limits' MemoryStorage starts a timer thread 10 ms after the last one ended: a thread
    per request under load. If an upgrade renames the hook this class replaces, this fails."""
    storage = SweptMemoryStorage()  # the parent's constructor starts one, once
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    limiter = FixedWindowRateLimiter(storage)
    limit = RateLimitItemPerSecond(1000)
    for _ in range(50):
        assert limiter.hit(limit, "client")
        time.sleep(0.001)
    assert started == []


def test_a_window_refuses_over_the_limit_and_starts_again_when_it_ends():
    limiter = FixedWindowRateLimiter(SweptMemoryStorage())
    limit = RateLimitItemPerSecond(2)
    assert limiter.hit(limit, "a") and limiter.hit(limit, "a")
    assert not limiter.hit(limit, "a")
    assert limiter.hit(limit, "b")  # per client
    time.sleep(1.05)
    assert limiter.hit(limit, "a")


def test_the_counts_of_quiet_clients_are_swept_by_a_later_request(monkeypatch):
    storage = SweptMemoryStorage()
    monkeypatch.setattr(SweptMemoryStorage, "SWEEP_EVERY", 0.0)
    storage.incr("quiet", 0.01)
    assert "quiet" in storage.storage
    time.sleep(0.05)
    storage.incr("busy", 60)
    assert "quiet" not in storage.storage and "quiet" not in storage.expirations
    assert storage.get("busy") == 1


# -- issue "privacy and abuse": limits declared on the views, sign-in's own budget, proxies ------

OWN = {"Origin": OWN_ORIGIN}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
MATCHING_METHODS = (
    "match",
    "match_json",
    "peers",
    "leads",
    "similar",
    "joint_projects",
    "need_matches",
)
READ_ONLY = {"GET", "HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = crawl.demo_app(tmp_path_factory.mktemp("limits"))
    yield app
    app.extensions["matcher"].close()


def test_every_route_that_matches_or_writes_declares_its_budget(demo_app, monkeypatch):
    """Finding 7: the pages that ran matching (/kommunen/<id>, /projekte/<id>, /anbieter/<id>,
    leads.csv, /gemeinschaftsprojekte) had no limit (1,300 leads.csv requests all 200). The
    crawl visits every GET operation and page type and notes which ran matching."""
    service = demo_app.extensions["matcher"]
    ran: list[str] = []
    for name in MATCHING_METHODS:
        method = getattr(service, name)

        def noted(*args, _method=method, _name=name, **kwargs):
            ran.append(_name)
            return _method(*args, **kwargs)

        monkeypatch.setattr(service, name, noted)
    client = demo_app.test_client()
    ids = crawl.demo_ids(service)
    adapter = demo_app.url_map.bind("localhost")
    matching = set()
    for url in crawl.api_urls(client, ids) + crawl.page_urls(demo_app, ids):
        ran.clear()
        client.get(url).close()
        if ran:
            matching.add(adapter.match(url.split("?")[0])[0])
    expected = {
        "public.project",
        "public.municipality",
        "public.provider",
        "public.leads_csv",
        "public.joint",
        "public.need",
        "public.saved_search",
    }
    assert expected <= matching
    for endpoint in matching:
        assert budget_of(demo_app.view_functions[endpoint]) == "matching", endpoint
    for rule in demo_app.url_map.iter_rules():
        if set(rule.methods or ()) - READ_ONLY:
            assert budget_of(demo_app.view_functions[rule.endpoint]) in BUDGETS, rule.rule


def test_the_page_that_ran_matching_unlimited_is_limited(tmp_path):
    """Finding 7 as reported: leads.csv with k = 50, over the matching budget, is a 429."""
    settings = make_settings(tmp_path / "home", rate_limit_match="3 per minute")
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build(FIXTURES)
    client = create_app(settings, service, {"TESTING": True}).test_client()
    codes = [client.get("/anbieter/lichtwerk/leads.csv?k=50").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


@pytest.fixture
def signin_app(tmp_path):
    settings = make_settings(tmp_path / "home", keys_file=tmp_path / "keys.json")
    key = add_key(settings.keys_file, "municipality:mossautal")
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build(FIXTURES)
    app = create_app(settings, service, {"TESTING": True})
    app.extensions["test_key"] = key
    return app


def _sign_in(client, key: str) -> int:
    token = TOKEN.search(client.get("/anmelden").text).group(1)
    data = {"csrf_token": token, "schluessel": key}
    return client.post("/anmelden", data=data, headers=OWN).status_code


def test_anonymous_feedback_does_not_lock_out_a_correct_sign_in(signin_app):
    """Finding 2 as reported: 300 feedback posts from one address, then a correct sign-in from
    the same address got 429. Feedback now has its own budget, sign-in another."""
    client = signin_app.test_client()
    verdict = {"query": "Laternen", "item_kind": "projects", "item_id": "p-licht"}
    codes = [
        client.post("/api/v1/feedback", json={**verdict, "verdict": "passt"}).status_code
        for _ in range(300)
    ]
    assert 429 in codes  # feedback is capped ...
    assert _sign_in(client, signin_app.extensions["test_key"]) == 303  # ... sign-in is not


def _match_codes(app, forwarded_for: str, n: int) -> list[int]:
    client = app.test_client()
    headers = {"X-Forwarded-For": forwarded_for}
    body = {"text": "Laternen brennen nachts", "k": 1}
    return [client.post("/api/v1/match", json=body, headers=headers).status_code for _ in range(n)]


@pytest.mark.parametrize("proxies", [0, 1])
def test_clients_behind_a_trusted_proxy_are_counted_by_their_own_address(tmp_path, proxies):
    """Finding 2: behind the proxy every client shares its address. With trusted_proxies=1 the
    address the proxy names in X-Forwarded-For counts; without, the header is ignored (a client
    cannot pick itself a fresh budget)."""
    settings = make_settings(
        tmp_path / "home", rate_limit_match="3 per minute", trusted_proxies=proxies
    )
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build(FIXTURES)
    app = create_app(settings, service, {"TESTING": True})
    assert _match_codes(app, "198.51.100.7", 4) == [200, 200, 200, 429]
    second = _match_codes(app, "198.51.100.8", 1)
    assert second == ([200] if proxies else [429])
