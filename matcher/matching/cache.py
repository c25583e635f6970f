"""Answers of the matcher kept for repeated questions, valid for one version of the data."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class AnswerCache(Generic[V]):
    """The last `size` answers (least recently used go first), for one data version: an answer
    asked for under another version empties the cache, so no answer outlives a write.
    Answers are immutable models; callers share them. Not thread-safe: the caller locks."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, V] = OrderedDict()
        self._version = -1

    def get(self, key: Hashable, version: int) -> V | None:
        """The answer for `key` under `version`, or None."""
        if version != self._version:
            self._answers.clear()
            self._version = version
            return None
        hit = self._answers.get(key)
        if hit is not None:
            self._answers.move_to_end(key)
        return hit

    def put(self, key: Hashable, version: int, answer: V) -> None:
        """Keep an answer computed under `version`."""
        if version != self._version:
            self._answers.clear()
            self._version = version
        self._answers[key] = answer
        if len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def clear(self) -> None:
        self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)
