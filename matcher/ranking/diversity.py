"""Diversity: a result list should not be five projects of the same town."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def cap_per_group(ranked: Sequence[T], groups: dict[str, list[str]], key, cap: int) -> list[T]:
    """Reorder so that no group (e.g. municipality) has more than `cap` items ahead of others.

    Items whose groups are all at the cap move behind the rest, keeping their order.
    `key(item)` gives the id used to look up the item's groups.
    """
    seen: Counter[str] = Counter()
    head: list[T] = []
    tail: list[T] = []
    for item in ranked:
        item_groups = groups.get(key(item)) or []
        if item_groups and all(seen[g] >= cap for g in item_groups):
            tail.append(item)
            continue
        seen.update(item_groups)
        head.append(item)
    return head + tail
