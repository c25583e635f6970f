"""Saved searches (a long search's fields under a hash id) and an account's area visits, on
SQLite and PostgreSQL: the same search keeps its id, unknown and expired ids find nothing, the
table stays bounded, and a visit is one session."""

from __future__ import annotations

import time

import pytest

from matcher.domain.errors import ValidationError
from matcher.store import searches
from matcher.store.searches import SavedSearches, search_id
from matcher.store.visits import AreaVisits

QUERY = "text=Unsere+Laternen+brennen&wir=Mossautal&kategorie=energie"


def test_the_same_search_keeps_its_id_and_is_found(store):
    saved = SavedSearches(store.engine)
    first = saved.save(QUERY)
    assert first == saved.save(QUERY) == search_id(QUERY)
    assert len(first) == searches.ID_CHARS and saved.find(first) == QUERY
    assert saved.save(QUERY + "&kreis=Odenwaldkreis") != first
    assert saved.find("0" * searches.ID_CHARS) is None
    assert saved.find("../etc/passwd") is None  # not an id at all


def test_unused_searches_expire_and_the_table_is_bounded(store, monkeypatch):
    saved = SavedSearches(store.engine)
    old = saved.save("text=alt")
    monkeypatch.setattr(time, "time", lambda: 10**10)  # far beyond a year later
    assert saved.find(old) is None
    monkeypatch.setattr(searches, "MAX_SAVED", 3)
    ids = [saved.save(f"text=Suche+{i}") for i in range(6)]
    kept = [i for i in ids if saved.find(i) is not None]
    assert len(kept) == 3 and ids[-1] in kept


def test_a_search_too_long_to_save_is_refused(store):
    with pytest.raises(ValidationError):
        SavedSearches(store.engine).save("text=" + "x" * searches.MAX_QUERY_CHARS)


def test_a_visit_is_a_session_and_tells_where_the_last_one_stood(store):
    visits = AreaVisits(store.engine)
    assert visits.visit("municipality:mossautal", "session-1", 10) is None  # the first visit
    assert visits.visit("municipality:mossautal", "session-1", 12) is None  # the same visit
    assert visits.visit("municipality:mossautal", "session-2", 15) == 10
    assert visits.visit("municipality:mossautal", "session-2", 20) == 10  # a reload keeps it
    assert visits.visit("municipality:mossautal", "session-3", 21) == 15
    assert visits.visit("municipality:brensbach", "session-9", 21) is None
