"""Every direction gives the same answer whatever was asked before it, in this process or a
fresh one: no result may depend on what an earlier query left behind (the old per-query cache
keyed by object address served one query's projects to another)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.service import MatcherService
from tests.helpers import DEMO_DATA, make_settings
from tools.fakes import FakeEncoder

ROOT = Path(__file__).resolve().parents[2]


def _answer(service: MatcherService, direction: str, item_id: str) -> str:
    found = getattr(service, direction)(item_id, 10)
    return json.dumps(found.model_dump(mode="json"), sort_keys=True)


def _everything(service: MatcherService) -> list[tuple[str, str]]:
    """(direction, id) for every demo municipality, provider and project."""
    cat = service.catalog
    return (
        [("peers", m) for m in sorted(cat.municipalities)]
        + [("leads", p) for p in sorted(cat.providers)]
        + [("similar", p) for p in sorted(cat.projects)]
    )


def _answers(service: MatcherService, asks: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    return {ask: _answer(service, *ask) for ask in asks}


@pytest.fixture(scope="module")
def fake_demo(tmp_path_factory):
    """The demo corpus with the fake encoder (fast enough to ask everything twice)."""
    home = tmp_path_factory.mktemp("fake-demo")
    service = MatcherService(make_settings(home), encoder=FakeEncoder())
    service.build(DEMO_DATA)
    yield service
    service.close()


_FRESH = """
import json, sys
from matcher.service import MatcherService
from tests.helpers import make_settings
from tools.fakes import FakeEncoder
from pathlib import Path
home, asks, real = Path(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3] == "real"
if real:
    from matcher.embeddings.use import USEEncoder
    encoder = USEEncoder(threads=1)
else:
    encoder = FakeEncoder()
service = MatcherService(make_settings(home), encoder=encoder)
service.open()
out = {}
for direction, item_id in asks:
    found = getattr(service, direction)(item_id, 10)
    out[direction + "/" + item_id] = json.dumps(found.model_dump(mode="json"), sort_keys=True)
print(json.dumps(out))
"""


def _in_fresh_process(home: Path, asks: list[tuple[str, str]], real: bool) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _FRESH, str(home), json.dumps(asks), "real" if real else "fake"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found = json.loads(done.stdout)
    return {tuple(key.split("/", 1)): value for key, value in found.items()}


def _sample(asks: list[tuple[str, str]], per_direction: int) -> list[tuple[str, str]]:
    out = []
    for direction in ("peers", "leads", "similar"):
        mine = [a for a in asks if a[0] == direction]
        step = max(1, len(mine) // per_direction)
        out += mine[::step][:per_direction]
    return out


def test_every_direction_is_the_same_in_any_order_and_in_a_fresh_process(fake_demo):
    asks = _everything(fake_demo)
    assert len(asks) == 87 + 45 + 263
    forward = _answers(fake_demo, asks)
    # Another order: backwards, and the kinds interleaved.
    backward = list(reversed(asks))
    interleaved = backward[::2] + backward[1::2]
    again = _answers(fake_demo, interleaved)
    differ = [ask for ask in asks if forward[ask] != again[ask]]
    assert differ == []
    sample = _sample(asks, 6)
    fresh = _in_fresh_process(Path(fake_demo.settings.home), sample, real=False)
    assert {ask: forward[ask] for ask in sample} == fresh


def test_the_real_encoder_gives_the_same_answers_in_any_order_and_process(demo_service):
    sample = _sample(_everything(demo_service), 4)
    first = _answers(demo_service, sample)
    # Everything else asked in between, then the sample again, in the other order.
    for direction, item_id in _sample(_everything(demo_service), 12):
        _answer(demo_service, direction, item_id)
    second = _answers(demo_service, list(reversed(sample)))
    assert first == second
    fresh = _in_fresh_process(Path(demo_service.settings.home), sample, real=True)
    assert first == fresh
