"""The per-query context: every list computed once per query, item queries stricter."""

from __future__ import annotations

import pytest

from matcher.matching.context import Query


def test_each_list_is_computed_once_per_context_and_anew_for_another(service):
    matcher = service.matcher()
    q = service.query("LED Beleuchtung dimmen")
    ctx = matcher.context(q)
    assert ctx.projects is ctx.projects and ctx.needs is ctx.needs
    other = matcher.context(q)
    assert other.projects is not ctx.projects
    assert [s.id for s in other.projects] == [s.id for s in ctx.projects]


def test_item_queries_use_the_stricter_floor_and_share_a_topic(service):
    matcher = service.matcher()
    item = matcher.item_query("projects", "p-licht")
    ctx = matcher.context(item)
    assert ctx.config.min_score == service.ranking.item_min_score
    cats = set(item.item_categories or ())
    for sc in ctx.projects:
        assert cats & {str(c) for c in service.catalog.projects[sc.id].categories}
    text = matcher.context(service.query("LED Beleuchtung dimmen"))
    assert text.config.min_score == service.ranking.min_score


def test_excluded_items_and_home_towns_are_left_out(service):
    matcher = service.matcher()
    base = service.query("LED Beleuchtung dimmen")
    top = matcher.context(base).projects[0].id
    towns = frozenset(service.catalog.projects[top].municipalities)
    for q in (
        Query(base.text, base.vector, base.terms, base.words, exclude=frozenset({top})),
        Query(base.text, base.vector, base.terms, base.words, home_towns=towns),
    ):
        assert top not in {s.id for s in matcher.context(q).projects}


def test_matched_words_leave_out_words_found_almost_everywhere(service):
    matcher = service.matcher()
    ctx = matcher.context(service.query("LED Beleuchtung dimmen"))
    words = ctx.matched_words("projects", ctx.projects[0].id)
    assert words and set(words) <= set(ctx.q.words)


def _scored(item_id: str, dense: float, service) -> object:
    from matcher.ranking.fusion import Scored

    inputs = {"dense": dense, "lexical": 0.9}
    return Scored(item_id, 0.5, 0.5, inputs, True, service.ranking)


def test_ordinary_shared_words_make_nothing_confident(service):
    # The rules (`_ruled`): what decides strength, and confidence where no calibration does.
    matcher = service.matcher(service.ranking.model_copy(update={"calibration": {}}))
    # "gebucht" and "verbindet" are in p-bus's text, but not as nouns: they say nothing about
    # what it is about.
    ordinary = matcher.context(service.query("Was wird gebucht, wer verbindet uns?"))
    assert ordinary.shared_words("projects", "p-bus") == 2
    assert ordinary.topic_words("projects", "p-bus") == []
    floor = service.ranking.confident_dense
    assert not ordinary._vetted("projects", [_scored("p-bus", floor - 0.1, service)])[0].confident
    nouns = matcher.context(service.query("Rufbus zum Bahnhof"))
    assert sorted(nouns.topic_words("projects", "p-bus")) == ["bahnhof", "rufbus"]


def test_the_evidence_is_a_sentence_of_the_item_with_two_query_words(service):
    matcher = service.matcher()
    ctx = matcher.context(service.query("Rufbus zum Bahnhof"))
    assert ctx.evidence("projects", "p-bus") == (
        "Ein Rufbus verbindet die Dörfer mit dem Bahnhof; Fahrten werden per App gebucht."
    )
    one = matcher.context(service.query("Rufbus im Kino"))
    assert one.evidence("projects", "p-bus") is None


def test_one_shared_word_alone_makes_nothing_confident(service):
    # The rules (`_ruled`): what decides strength, and confidence where no calibration does.
    matcher = service.matcher(service.ranking.model_copy(update={"calibration": {}}))
    one = matcher.context(service.query("Rufbus im Kino"))  # shares only "Rufbus" with p-bus
    two = matcher.context(service.query("Rufbus zum Bahnhof"))  # shares two words
    assert one.shared_words("projects", "p-bus") == 1
    assert two.shared_words("projects", "p-bus") == 2
    floor = service.ranking.confident_dense
    assert not one._vetted("projects", [_scored("p-bus", floor - 0.1, service)])[0].confident
    assert two._vetted("projects", [_scored("p-bus", floor - 0.1, service)])[0].confident
    assert one._vetted("projects", [_scored("p-bus", floor + 0.1, service)])[0].confident


def test_a_peer_tag_needs_a_confident_match(service):
    from matcher.matching.peers import PeerMatch

    town = service.catalog.municipalities["brensbach"]
    weak = _scored("p-bus", 0.1, service)
    weak.confident = False  # type: ignore[attr-defined]
    assert PeerMatch(town, 0.5, projects=[weak]).relations == []  # type: ignore[list-item]
    strong = _scored("p-bus", 0.6, service)
    assert PeerMatch(town, 0.5, projects=[strong]).relations == ["hat_geloest"]  # type: ignore[list-item]


def test_a_reason_names_two_topic_words_as_written_when_no_sentence_has_both(service):
    from matcher.matching import reasons

    # The fake encoder's sentence vectors are bags of words, far from a sense: this test is
    # about the wording, so no sentence is too far.
    matcher = service.matcher(service.ranking.model_copy(update={"sense_min_cosine": -1.0}))
    # "Ortsteile" is only in the title, "Bahnhof" in the description: no sentence has both.
    ctx = matcher.context(service.query("Ortsteile und ihr Bahnhof"))
    assert ctx.evidence("projects", "p-bus") is None
    found = reasons.evidence_reasons(ctx, "projects", "p-bus", "im Projekt")
    assert found == ["Ihre Stichworte „Ortsteile“ und „Bahnhof“ kommen im Projekt vor"]
    assert reasons.as_written("Ein RUFBUS kommt", "rufbus") == "RUFBUS"
    one = matcher.context(service.query("Rufbus im Kino"))
    assert reasons.evidence_reasons(one, "projects", "p-bus", "im Projekt") == []


# -- word sense: the cases users met (issue 26), with the real encoder on the demo ----------

SHOPS = "In der Ortsmitte stehen immer mehr Läden leer"
PARK_BINS = "Parkbänke und Mülleimer im Park quellen über"
LAMPS = "Die Straßenlaternen brennen die ganze Nacht, auch wenn niemand unterwegs ist"


def _topic_words(svc, text: str, kind: str, item_id: str) -> list[str]:
    return svc.matcher().context(svc.query(text)).topic_words(kind, item_id)


@pytest.mark.slow
def test_shops_are_no_topic_word_of_charging_and_a_verb_is_none(demo_service):
    # "Laden für Urlaubsgäste im Upland" charges cars: "Läden" (shops) is not its "Laden", and
    # "stehen" is a verb.
    assert _topic_words(demo_service, SHOPS, "projects", "prj-mob-19") == []
    # A shop project keeps its evidence: the rule does not drop every word.
    assert _topic_words(demo_service, SHOPS, "projects", "prj-wi-24") == ["läden"]


@pytest.mark.slow
def test_a_park_is_no_parking_space(demo_service):
    for item in ("prj-mob-04", "prj-mob-05", "prj-da-19"):
        assert _topic_words(demo_service, PARK_BINS, "projects", item) == [], item
    assert _topic_words(demo_service, PARK_BINS, "providers", "parkpilot") == []


@pytest.mark.slow
def test_lamps_that_burn_all_night_share_no_sense_with_charging_at_lamps(demo_service):
    # "Laternenladen im Wohngebiet" mentions street lamps and the night, in sentences about
    # charging cars: far from the query.
    assert _topic_words(demo_service, LAMPS, "projects", "prj-mob-20") == []
    assert "nacht" in _topic_words(demo_service, LAMPS, "projects", "prj-en-01")
