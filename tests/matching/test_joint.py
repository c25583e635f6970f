"""Joint projects: nearby smaller towns with the same open need."""

from itertools import combinations

import pytest

from matcher.domain.geography import distance_km
from matcher.domain.schema import Filters
from matcher.matching.joint import joint_groups


@pytest.mark.slow
def test_joint_projects_are_small_close_towns_with_the_same_open_need(demo_service):
    cat = demo_service.catalog
    cfg = demo_service.ranking.joint
    groups = demo_service.joint_projects(20).items
    assert len(groups) >= 10
    for g in groups:
        towns = [cat.municipality(m.id) for m in g.members]
        assert len({t.id for t in towns}) == len(towns) >= 2
        assert all(t.population <= cfg.max_population for t in towns)
        for a, b in combinations(towns, 2):
            assert distance_km(a, b) <= cfg.max_distance_km
        for m in g.members:
            need = cat.get("needs", m.need)
            assert need.municipality == m.id and need.status != "erledigt"
        assert g.providers and g.explanation.reasons
    # The Odenwald street-lighting towns (needs written independently) end up together, with
    # the provider who delivered their model project first.
    lighting = [
        g for g in groups if {"mossautal", "reichelsheim-odenwald"} <= {m.id for m in g.members}
    ]
    assert lighting and lighting[0].providers[0].id == "lichtwerk"
    model = lighting[0].projects[0]
    assert lighting[0].providers[0].id in {p.id for p in model.providers}
    # Two distinct needs of administration are not one need ("Akten scannen", "E-Rechnung").
    for g in groups:
        titles = " ".join(m.need_title for m in g.members)
        assert not ("Akten scannen" in titles and "E-Rechnung" in titles), titles
    # Towns that already run a matching project together all are not suggested to start one.
    for g in groups:
        ids = {m.id for m in g.members}
        assert not any(ids <= set(cat.get("projects", p.id).municipalities) for p in g.projects)


def test_a_project_towns_already_run_together_is_found_above_its_line(service):
    from matcher.matching.joint import _together

    data = service.matcher().data
    towns = [service.catalog.municipalities[t] for t in ("brensbach", "mossautal")]
    vector = data.indexes.vectors["projects"].vectors(["p-bus"])[0]  # the project's own topic

    def at(line: float):
        joint = data.config.joint.model_copy(update={"together_similarity": line})
        return _together(
            data.with_config(data.config.model_copy(update={"joint": joint})), towns, vector
        )

    assert at(0.5) == ("p-bus", ["brensbach", "mossautal"])  # both run the Rufbus
    assert at(1.01) is None  # no project is that alike
    alone = [service.catalog.municipalities["brensbach"]]
    assert _together(data, alone, vector) is None  # one town works with nobody


def test_groups_have_a_stable_key_and_members_close_to_each_other(service):
    data = service.matcher().data
    loose = data.with_config(
        data.config.model_copy(
            update={"joint": data.config.joint.model_copy(update={"min_similarity": -1.0})}
        )
    )
    groups = joint_groups(loose, Filters())
    for g in groups:
        assert len({t.id for t in g.towns}) == len(g.towns) >= 2
        assert max(g.distances_km) <= loose.config.joint.max_distance_km
        assert g.key == joint_groups(loose, Filters())[groups.index(g)].key
    assert [g.score for g in groups] == sorted((g.score for g in groups), reverse=True)


@pytest.mark.slow
def test_districts_and_associations_coordinate_but_are_no_group_members(demo_service):
    cat = demo_service.catalog
    for g in demo_service.joint_projects(30).items:
        assert all(cat.municipality(m.id).kind == "gemeinde" for m in g.members)
