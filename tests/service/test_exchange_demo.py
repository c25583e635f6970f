"""The exchange suggestions over the whole demo (fake encoder): the cap per experienced town
holds across every town's pairings, each town's list is near first, and the demo's groups and
events load with the demo."""

from __future__ import annotations

from collections import Counter

import pytest

from matcher.matching.exchange import allocate, options_of
from matcher.service import MatcherService
from tests.helpers import make_settings
from tools.fakes import FakeEncoder


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    service = MatcherService(
        make_settings(tmp_path_factory.mktemp("exchange") / "home"), encoder=FakeEncoder()
    )
    service.build()
    yield service
    service.close()


def test_the_demo_loads_its_groups_and_events(demo):
    groups, events = demo.exchange.groups(), demo.exchange.events()
    assert 4 <= len(groups) <= 6 and len(events) >= 3
    towns = set(demo.catalog.items["municipalities"])
    assert all(g.members and set(g.members) <= towns for g in groups)
    assert [e.date for e in events] == sorted(e.date for e in events)


def test_no_town_is_asked_more_often_than_the_cap_over_the_whole_demo(demo):
    config = demo.ranking.exchange
    matcher = demo.matcher()
    planners = sorted(
        {n.municipality for n in demo.catalog.items["needs"].values() if n.status != "erledigt"}
    )
    options = {t: options_of(matcher, demo.catalog.municipality(t)) for t in planners}
    chosen = allocate(options, config.max_asks_per_town, config.meet_per_town)
    asked = Counter(p.experienced for pairs in chosen.values() for p in pairs)
    assert asked, "the demo has towns that did what others plan"
    assert max(asked.values()) <= config.max_asks_per_town
    # The cap bites on the demo: without it some town would be asked more often.
    free = allocate(options, len(planners), config.meet_per_town)
    assert max(Counter(p.experienced for v in free.values() for p in v).values()) > (
        config.max_asks_per_town
    )
    # Every town with an option gets a suggestion unless all its options are full.
    for town, pairs in chosen.items():
        if options[town] and not pairs:
            assert all(asked[p.experienced] >= config.max_asks_per_town for p in options[town])
    # The service answers exactly these pairings, near first, on every town's page.
    for town in [t for t in planners if chosen[t]][:5]:
        meet = demo.exchange.suggestions(town).meet
        assert [m.town.id for m in meet] == [p.experienced for p in chosen[town]]
        km = [m.distance_km for m in meet if m.distance_km is not None]
        assert km == sorted(km)


def test_a_town_is_never_suggested_a_group_it_is_in(demo):
    for group in demo.exchange.groups():
        for member in group.members:
            found = demo.exchange.suggestions(member)
            assert group.id not in {f.group.id for f in found.groups}
            assert group.id in {g.id for g in found.member_of}
