"""A server process's collector settings (matcher/web/heap.py)."""

import gc

from matcher.web import heap


def test_settling_freezes_what_is_loaded_and_raises_the_young_threshold():
    before = gc.get_threshold()
    kept = [object() for _ in range(100)]
    try:
        heap.settle()
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold() == (heap.YOUNG_GENERATION_THRESHOLD, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
