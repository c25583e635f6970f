"""Sweeps choose on the tune split and report on the held-out split."""

from __future__ import annotations

from matcher.evaluation import judgments as judged
from matcher.evaluation import metrics as ev
from matcher.evaluation import tuning


def _provider_judgments(n: int) -> ev.Judgments:
    out = ev.Judgments()
    for i in range(n):
        q = f"v{i:03d}"
        out.queries[q] = "Rufbus für die Dörfer, Fahrten per App buchen"
        out.kinds[q] = "providers"
        out.askers[q] = None
        out.relevant[q] = {"mobilfluss": 3}
    return out


def test_a_section_is_copied_not_changed(service):
    current = service.ranking
    before = current.providers.offering
    tuned = tuning.with_section(current, "providers", {"offering": before + 1})
    assert tuned.providers.offering == before + 1
    assert current.providers.offering == before


def test_the_choice_is_made_on_the_tune_split_and_reported_on_the_other(service):
    judgments = _provider_judgments(12)
    tune, held_out = judged.split(judgments.of_kind("providers"))
    assert tune and held_out and not set(tune) & set(held_out)
    current = service.ranking.providers.offering
    found = tuning.grid_search(
        service, judgments, "providers", "providers", {"offering": [current, current]}
    )
    # Equal settings tie: the current one is kept, and nothing differs on the held-out half.
    assert found["best"] == {"offering": current}
    assert found["tune_queries"] == len(tune) and found["held_out_queries"] == len(held_out)
    assert found["held_out"]["tuned"]["ndcg@10_delta"] == 0.0
    assert len(found["tried"]) == 2
