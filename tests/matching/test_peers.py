"""Peers: for a challenge, by a town's own profile, and by structure."""

import pytest

from matcher.matching.peers import rank_peers, structural_peers


@pytest.mark.slow
def test_peers_of_a_municipality_name_true_pairs(demo_service):
    cat = demo_service.catalog
    found = demo_service.peers("mossautal", 5)
    own = {p.title for p in cat.projects_of_municipality["mossautal"]} | {
        n.title for n in cat.needs_of_municipality["mossautal"]
    }
    assert found.peers and all(p.id != "mossautal" for p in found.peers)
    for peer in found.peers:
        for pid in peer.projects:
            assert peer.id in cat.get("projects", pid).municipalities
        for nid in peer.needs:
            assert cat.get("needs", nid).municipality == peer.id
        for reason in peer.explanation.reasons:
            if " wie Ihr „" in reason:
                assert reason.split(" wie Ihr „")[1].split("“")[0] in own
    lighting = next(n for n in found.needs if "Straßenlaternen" in n.title)
    assert "energie" in lighting.projects[0].categories
    assert lighting.providers[0].id == "lichtwerk"


@pytest.mark.slow
def test_peer_municipalities_are_backed_by_their_own_projects_or_needs(demo_service):
    catalog = demo_service.catalog
    towns = demo_service.search("Der Bus fährt bei uns nur zweimal am Tag", "municipalities", k=5)
    assert towns
    for t in towns:
        for pid in t.projects:
            assert t.id in catalog.get("projects", pid).municipalities
        for nid in t.needs:
            assert catalog.get("needs", nid).municipality == t.id
    assert any(catalog.get("projects", p).categories[0] == "mobilitaet" for p in towns[0].projects)


def test_challenge_peers_leave_out_the_asker_and_put_confident_ones_first(service):
    matcher = service.matcher()
    ctx = matcher.context(service.query("LED Beleuchtung dimmen", "erbach"))
    ranked = rank_peers(ctx)
    assert ranked and all(r.town.id != "erbach" for r in ranked)
    flags = [r.confident for r in ranked]
    assert flags == sorted(flags, reverse=True)
    assert all("proximity" in r.components for r in ranked)


def test_structural_peers_rank_by_place_and_size_alone(service):
    matcher = service.matcher()
    town = service.catalog.municipalities["brensbach"]
    peers = structural_peers(matcher.data, town, service.query("xyz").filters, set())
    assert peers and all(not r.projects and not r.needs for r in peers)
    scores = [r.score for r in peers]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.slow
def test_a_town_that_runs_the_project_with_the_asker_comes_first_and_says_so(demo_service):
    towns = demo_service.search(
        "Der Bus kommt bei uns nur zweimal am Tag, die Älteren kommen nicht mehr zum Arzt.",
        "municipalities",
        k=5,
        municipality="mossautal",
    )
    first = towns[0]
    assert first.id == "erbach-odenwald"  # 4 km away, runs the Anrufsammeltaxi with Mossautal
    assert "partner" in first.relations
    assert first.explanation.reasons[0].startswith("arbeitet schon mit Mossautal zusammen: „")
    # Without an asker nobody is anybody's partner.
    plain = demo_service.search(
        "Der Bus kommt bei uns nur zweimal am Tag, die Älteren kommen nicht mehr zum Arzt.",
        "municipalities",
        k=10,
    )
    assert all("partner" not in t.relations for t in plain)


@pytest.mark.slow
def test_a_towns_own_peers_include_near_towns_that_solved_its_open_need(demo_service):
    found = demo_service.peers("mossautal", 5)
    ids = [p.id for p in found.peers]
    # Brensbach and Reichelsheim (9–13 km) converted their street lights to LED together:
    # exactly Mossautal's open need.
    assert {"brensbach", "reichelsheim-odenwald"} <= set(ids)
    near = [p.distance_km for p in found.peers if p.distance_km is not None]
    assert sorted(near)[len(near) // 2] < 50  # the median peer is a neighbour, not 100 km away


def test_many_weak_matches_count_less_than_one_strong_match(service):
    from matcher.matching.peers import _profile_weight
    from matcher.ranking.fusion import Scored

    data = service.matcher().data
    need = service.catalog.needs[next(iter(service.catalog.needs))]
    project = service.catalog.projects["p-bus"]
    strong = Scored("p-bus", 0.6, 0.6, {"dense": 0.5, "lexical": 1.0}, True, service.ranking)
    weak = Scored("p-bus", 0.6, 0.6, {"dense": 0.2, "lexical": 1.0}, False, service.ranking)
    w = service.ranking.municipalities
    assert _profile_weight(data, project, "projects", weak) == pytest.approx(0.6 * w.weak_match)
    assert _profile_weight(data, project, "projects", strong) == pytest.approx(0.6)
    if need.status != "erledigt":
        solved = _profile_weight(data, need, "projects", strong)
        assert solved == pytest.approx(0.6 * w.need_solved)
