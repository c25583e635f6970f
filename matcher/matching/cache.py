"""Answers of the matcher kept for repeated questions, valid for one version of the data."""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from pydantic import BaseModel

V = TypeVar("V")
M = TypeVar("M", bound=BaseModel)

# Memory a result model takes per byte of its JSON. Measured with tracemalloc on the demo
# corpus (fake encoder, all three kinds, 3 × 30 answers each, memory freed when the answers
# were dropped): k=100 answers 690 kB for 147 kB of JSON (4.7), k=10 124 kB for 25 kB (5.0),
# k=1 17 kB for 3.3 kB (5.2; there the entry count binds first). Strings shared with the
# catalog are not counted, as they are not the cache's.
MODEL_BYTES_PER_JSON_BYTE = 5


def model_bytes(answer: BaseModel) -> int:
    """The memory a result model is estimated to take, from its JSON measured once when it
    is kept (a k=100 answer of 150 kB serialises in about 3 ms; its matching takes 80 ms)."""
    return len(answer.model_dump_json()) * MODEL_BYTES_PER_JSON_BYTE


def _key_bytes(key: Hashable) -> int:
    """The memory of a key: a challenge's text may be longer than a small answer."""
    if isinstance(key, tuple):
        return sys.getsizeof(key) + sum(sys.getsizeof(part) for part in key)
    return sys.getsizeof(key)


class AnswerCache(Generic[V]):
    """The last answers (least recently used go first), at most `size` of them and, with
    `max_bytes`, at most that many bytes as `weigh` estimates an answer's memory (plus its
    key's); an answer larger than the whole budget is not kept. For one data version: an
    answer asked for under another version empties the cache, so no answer outlives a write.
    Answers are immutable models; callers share them. Not thread-safe: the caller locks."""

    def __init__(
        self,
        size: int,
        max_bytes: int | None = None,
        weigh: Callable[[V], int] | None = None,
    ) -> None:
        if max_bytes is not None and weigh is None:
            raise ValueError("a byte budget needs a `weigh` function")
        self.size = size
        self.max_bytes = max_bytes
        self._weigh = weigh
        self._answers: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._version = -1
        self.bytes = 0  # accounted: the estimates of the answers kept and their keys

    @staticmethod
    def of_models(size: int, max_bytes: int) -> AnswerCache[M]:
        """A cache of result models, weighed by `model_bytes`."""
        return AnswerCache(size, max_bytes, model_bytes)

    @staticmethod
    def of_bytes(size: int, max_bytes: int) -> AnswerCache[bytes]:
        """A cache of serialised answers, weighed by their length."""
        return AnswerCache(size, max_bytes, len)

    def get(self, key: Hashable, version: int) -> V | None:
        """The answer for `key` under `version`, or None."""
        if version != self._version:
            self.clear()
            self._version = version
            return None
        hit = self._answers.get(key)
        if hit is None:
            return None
        self._answers.move_to_end(key)
        return hit[0]

    def put(self, key: Hashable, version: int, answer: V, weight: int | None = None) -> None:
        """Keep an answer computed under `version`, dropping the least recently used answers
        until the cache is within its size and byte budget; `weight`, when the caller knows
        it, instead of weighing the answer again."""
        if version != self._version:
            self.clear()
            self._version = version
        self._forget(key)
        if weight is None:
            weight = self._weigh(answer) if self._weigh is not None else 0
        cost = _key_bytes(key) + weight
        if self.max_bytes is not None and cost > self.max_bytes:
            return
        self._answers[key] = (answer, cost)
        self.bytes += cost
        while len(self._answers) > self.size or (
            self.max_bytes is not None and self.bytes > self.max_bytes
        ):
            _, (_, dropped) = self._answers.popitem(last=False)
            self.bytes -= dropped

    def _forget(self, key: Hashable) -> None:
        kept = self._answers.pop(key, None)
        if kept is not None:
            self.bytes -= kept[1]

    def clear(self) -> None:
        self._answers.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._answers)
