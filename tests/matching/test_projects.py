"""Projects: the fused list, diversified by town."""

from collections import Counter

import pytest

from matcher.matching.projects import rank_projects


@pytest.mark.slow
def test_no_town_dominates_a_list(demo_service):
    results = demo_service.search("Digitalisierung in einer kleinen Gemeinde", "projects", k=10)
    counts = Counter(m for r in results for m in r.municipality_ids[:1])
    assert max(counts.values()) <= 2


def test_rank_projects_caps_each_town_and_keeps_the_rest_behind(service):
    matcher = service.matcher()
    strict = matcher.with_config(matcher.data.config.model_copy(update={"max_per_municipality": 1}))
    ctx = strict.context(service.query("Beleuchtung Straße Bus Rufbus Daten"))
    ranked = rank_projects(ctx)
    assert sorted(s.id for s in ranked) == sorted(s.id for s in ctx.projects)
    seen: Counter[str] = Counter()
    head = []
    for s in ranked:
        towns = service.catalog.projects[s.id].municipalities
        if all(seen[t] >= 1 for t in towns):
            break
        seen.update(towns)
        head.append(s.id)
    rest = [s.id for s in ranked[len(head) :]]
    assert all(all(seen[t] >= 1 for t in service.catalog.projects[i].municipalities) for i in rest)
