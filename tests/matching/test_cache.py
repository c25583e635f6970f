"""The answer caches: bounded by the memory their answers take, not only by their count."""

from __future__ import annotations

import pytest

import matcher.service.answers as answers_module
from matcher.matching.cache import MODEL_BYTES_PER_JSON_BYTE, AnswerCache, model_bytes
from matcher.matching.results import MatchResult
from matcher.service import MatcherService
from tests.helpers import FIXTURES
from tools.fakes import FakeEncoder

KIB = 1024


def test_large_answers_stay_within_the_byte_budget_and_the_oldest_go():
    cache: AnswerCache[bytes] = AnswerCache.of_bytes(size=512, max_bytes=100 * KIB)
    for n in range(10):
        cache.put(f"q{n}", 1, bytes(30 * KIB))
        assert cache.bytes <= 100 * KIB
    assert len(cache) == 3  # three answers and their keys fit, a fourth does not
    assert [cache.get(f"q{n}", 1) is not None for n in range(10)] == [False] * 7 + [True] * 3


def test_the_least_recently_used_answer_goes_first():
    cache: AnswerCache[bytes] = AnswerCache.of_bytes(size=512, max_bytes=100 * KIB)
    for n in range(3):
        cache.put(f"q{n}", 1, bytes(30 * KIB))
    assert cache.get("q0", 1) is not None  # used again: now q1 is the oldest
    cache.put("q3", 1, bytes(30 * KIB))
    assert [cache.get(f"q{n}", 1) is not None for n in range(4)] == [True, False, True, True]


def test_an_answer_larger_than_the_budget_is_not_kept_and_drops_nothing():
    cache: AnswerCache[bytes] = AnswerCache.of_bytes(size=512, max_bytes=100 * KIB)
    cache.put("small", 1, b"{}")
    cache.put("huge", 1, bytes(101 * KIB))
    assert cache.get("huge", 1) is None
    assert cache.get("small", 1) == b"{}"


def test_the_accounting_follows_replacements_versions_and_clearing():
    cache: AnswerCache[bytes] = AnswerCache.of_bytes(size=2, max_bytes=100 * KIB)
    cache.put("q", 1, bytes(10 * KIB))
    once = cache.bytes
    cache.put("q", 1, bytes(10 * KIB))  # the same question again: counted once
    assert cache.bytes == once and len(cache) == 1
    for n in range(5):
        cache.put(f"q{n}", 1, bytes(KIB))
    assert len(cache) == 2  # the entry count still caps it
    assert cache.get("q4", 2) is None and cache.bytes == 0  # a write emptied it
    cache.put("q", 2, b"x")
    cache.clear()
    assert cache.bytes == 0 and len(cache) == 0


def test_a_result_is_weighed_by_its_json_measured_once(service):
    found = service.match("Straßenbeleuchtung nachts dimmen", k=100)
    assert model_bytes(found) == len(found.model_dump_json()) * MODEL_BYTES_PER_JSON_BYTE
    cache: AnswerCache[MatchResult] = AnswerCache.of_models(size=8, max_bytes=10**6)
    cache.put("q", 1, found)
    assert model_bytes(found) < cache.bytes < model_bytes(found) + 1000  # the key's text


def test_six_hundred_answers_leave_the_caches_within_their_budget(settings, monkeypatch):
    # On the tiny fixture corpus a k=100 answer is about 2.5 kB of JSON (12 kB as objects):
    # with the real budget (32 MiB) the entry count would bind first, so the budget is made
    # small enough to bind.
    budget = 256 * KIB
    monkeypatch.setattr(answers_module, "RESULT_CACHE_BYTES", budget)
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build(FIXTURES)
    try:
        texts = [f"Straßenbeleuchtung nachts dimmen, Anfrage {n}" for n in range(600)]
        bodies = [service.match_json(text, k=100) for text in texts]
        json_answers, results = service.answers.json_answers, service.answers.results
        kept = len(json_answers)
        # All questions differ and none came twice: the newest are the ones kept.
        assert sum(map(len, bodies[-kept:])) <= budget
        assert sum(map(len, bodies[-kept:])) <= json_answers.bytes <= budget
        assert 0 < results.bytes <= budget and 0 < len(results) < kept
        assert service.match_json(texts[-1], k=100) is bodies[-1]  # the newest: kept
    finally:
        service.close()


def test_a_byte_budget_needs_a_weighing():
    with pytest.raises(ValueError, match="weigh"):
        AnswerCache(8, max_bytes=10)
