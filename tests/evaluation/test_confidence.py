"""Calibrated confidence on judgments: examples, a fit on the tune half, figures of „hoch“."""

from __future__ import annotations

from matcher.evaluation import confidence
from matcher.evaluation import judgments as judged
from matcher.evaluation import metrics as ev

LIGHT = "Unsere Straßenbeleuchtung brennt nachts, wir wollen auf LED umrüsten und dimmen"
BUS = "Ein Rufbus für die Dörfer, Fahrten per App buchen"


def _project_judgments(n: int) -> ev.Judgments:
    out = ev.Judgments()
    for i in range(n):
        q = f"q{i:03d}"
        light = i % 2 == 0
        out.queries[q] = LIGHT if light else BUS
        out.kinds[q] = "projects"
        out.askers[q] = None
        out.relevant[q] = {"p-licht": 3, "p-licht2": 2} if light else {"p-bus": 3}
    return out


def test_examples_are_the_shown_results_with_both_judges_grades(service):
    judgments = _project_judgments(2)
    second = {"q000": {"p-licht": 1}}
    found = confidence.examples(service, judgments, second, service.ranking, ["q000", "q001"])
    light = {x.item_id: x for x in found if x.qid == "q000"}
    assert light["p-licht"].grades == [3, 1]  # the first judge's, then the second's
    assert light["p-licht"].relevant  # by the first judge, as the metrics count it
    bus = {x.item_id: x for x in found if x.qid == "q001"}
    assert bus["p-bus"].grades == [3] and bus["p-bus"].rank == 0
    assert [x.rank for x in found if x.qid == "q000"] == list(range(len(light)))


def test_a_fit_calibrates_on_the_tune_half_and_the_service_then_reads_it(service):
    judgments = _project_judgments(16)
    tune, held_out = judged.split(judgments.of_kind("projects"))
    assert tune and held_out
    fitted = confidence.fit(service, judgments, {}, service.ranking, note="test")
    model = fitted.calibration["projects"]
    assert model.trained_on == "test" and len(model.features) == len(model.coef)
    assert set(fitted.calibration) == {"projects"}  # only kinds with judgments
    # The service's own config is not changed by fitting.
    assert "projects" not in confidence.without(service.ranking).calibration
    found = confidence.examples(service, judgments, {}, fitted, held_out)
    assert found and all(x.probability is not None for x in found)
    assert all(x.confident == (x.probability >= model.line) for x in found)
    figures = confidence.report(found)
    # The examples are the lists the metrics read: their nDCG is the evaluation's.
    per_query = judged.per_query(
        judged.run(service, judgments, fitted, held_out), judgments, held_out
    )["ndcg@10"]
    assert confidence.ndcg(found, judgments) == sum(per_query.values()) / len(held_out)
    assert model.metrics["tune_hoch"] >= 0 and "tune_ece" in model.metrics
    shown = [x for x in found if x.rank < confidence.SHOWN]
    assert figures["hoch"] == sum(x.confident for x in shown)
    assert 0 <= figures["ece"] <= 1
    # Below „hoch“, a strong match is shown (`mittel`) from a line chosen on the tune half at
    # or below the line of „hoch“; nothing under it is.
    assert model.shown is not None and model.shown <= model.line
    assert all(x.probability >= model.shown for x in found if x.shown)
    assert figures["shown"] == sum(x.shown for x in shown) >= figures["hoch"]


def test_the_rules_are_what_a_config_without_calibration_says(service):
    judgments = _project_judgments(4)
    fitted = confidence.fit(service, judgments, {}, service.ranking)
    figures = confidence.table(service, judgments, {}, fitted, "all")
    assert set(figures["projects"]) == {"calibrated", "rules"}
    assert "ece" not in figures["projects"]["rules"]  # the rules give no probability
    line = confidence.format_line(figures["projects"]["calibrated"])
    assert line.startswith("„hoch“") and "precision" in line and "ECE" in line
    assert "unfolded" in line
    # Without a calibration, what is shown is what the rules call strong.
    rules = figures["projects"]["rules"]
    assert rules["shown"] >= rules["hoch"]


def test_a_peers_tags_follow_the_probability_of_what_backs_them():
    from matcher.domain.schema import Municipality
    from matcher.matching.peers import PeerMatch

    town = Municipality(id="erbach", name="Erbach")
    sure = PeerMatch(
        town,
        1.0,
        together=["p"],
        chances={"projects": 0.8, "needs": 0.3, "together": 0.8},
        line=0.6,
    )
    assert sure.relations == ["partner", "hat_geloest"] and sure.probability == 0.8
    # A need below the line is no „gleicher Bedarf“; a partner project just above the floor
    # (below the line) is no `partner` tag.
    unsure = PeerMatch(town, 1.0, together=["p"], chances={"together": 0.4, "needs": 0.5}, line=0.6)
    assert unsure.relations == []
    # Without a calibration the old rule stands: a tag needs a confident item.
    assert PeerMatch(town, 1.0, together=["p"]).relations == ["partner"]
