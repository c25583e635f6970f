"""Handing out the towns to meet: near first, every town's first before anyone's second, and
no experienced town suggested more often than the cap."""

from __future__ import annotations

from collections import Counter

from matcher.matching.exchange import Pairing, allocate


def _options(planner: str, *others: tuple[str, float]) -> list[Pairing]:
    pairs = [Pairing(planner, other, km, score=0.5) for other, km in others]
    return sorted(pairs, key=lambda p: p.order)


def test_the_cap_holds_when_everyone_wants_the_same_town():
    options = {f"t{i}": _options(f"t{i}", ("star", 1.0), (f"o{i}", 50.0)) for i in range(10)}
    chosen = allocate(options, cap=3, per_town=2)
    asked = Counter(p.experienced for pairs in chosen.values() for p in pairs)
    assert asked["star"] == 3
    assert max(asked.values()) <= 3
    # Everyone still gets a suggestion: the others fall back to their next option.
    assert all(chosen[t] for t in options)


def test_each_towns_list_is_near_first():
    options = {"a": _options("a", ("x", 30.0), ("y", 5.0), ("z", None), ("w", 12.0))}
    chosen = allocate(options, cap=3, per_town=3)["a"]
    assert [p.experienced for p in chosen] == ["y", "w", "x"]


def test_everyone_gets_a_first_before_anyone_gets_a_second():
    # "a" could take both seats of "star"; with a cap of 2, "b" must still get one.
    options = {
        "a": _options("a", ("star", 1.0), ("star2", 2.0)),
        "b": _options("b", ("star", 3.0)),
        "c": _options("c", ("star", 3.0)),
    }
    chosen = allocate(options, cap=2, per_town=2)
    assert sum(1 for t in ("a", "b", "c") if any(p.experienced == "star" for p in chosen[t])) == 2
    assert [p.experienced for p in chosen["a"]][-1] == "star2"


def test_a_town_with_fewer_options_chooses_first():
    options = {
        "many": _options("many", ("star", 1.0), ("b", 2.0), ("c", 3.0)),
        "few": _options("few", ("star", 9.0)),
    }
    chosen = allocate(options, cap=1, per_town=1)
    assert [p.experienced for p in chosen["few"]] == ["star"]
    assert [p.experienced for p in chosen["many"]] == ["b"]
