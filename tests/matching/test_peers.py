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
