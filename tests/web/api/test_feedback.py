"""Feedback verdicts (issue "privacy and abuse", finding 5): one per client, query and item, a
daily cap per client, counted in the database, and anonymous ones out of training until staff
accept them. Before: no cap, every post a new row (one address could add about 345,000 a day),
`/relevanz` loaded every row under the service's lock, and every row fed the learned ranker."""

from __future__ import annotations

import pytest

from matcher.domain.errors import TooManyRequests
from matcher.service import FEEDBACK_PER_CLIENT_PER_DAY
from tests.helpers import ADMIN

VERDICT = {"query": "Laternen brennen nachts", "item_kind": "projects", "item_id": "p-licht"}


def test_a_clients_repeated_verdict_replaces_its_last(client, app):
    for verdict in ("passt", "passt_nicht", "passt"):
        assert (
            client.post("/api/v1/feedback", json={**VERDICT, "verdict": verdict}).status_code == 201
        )
    rows = app.extensions["matcher"].feedback_page(100)
    assert len(rows) == 1 and rows[0]["verdict"] == "passt"
    assert rows[0]["client"].startswith("ip:") and "127.0.0.1" not in rows[0]["client"]


def test_anonymous_feedback_is_capped_per_client(client):
    codes = [
        client.post("/api/v1/feedback", json={**VERDICT, "query": f"Frage {i}", "verdict": "passt"})
        for i in range(40)
    ]
    statuses = [r.status_code for r in codes]
    assert statuses.count(201) == 30 and statuses[-1] == 429  # the default 30 per hour
    assert codes[-1].get_json()["error"]["status"] == 429


def test_a_client_gives_at_most_so_many_new_verdicts_a_day(service):
    for i in range(FEEDBACK_PER_CLIENT_PER_DAY):
        service.add_feedback(f"Frage {i}", "projects", "p-licht", "passt", "ip:abc")
    with pytest.raises(TooManyRequests):
        service.add_feedback("noch eine", "projects", "p-licht", "passt", "ip:abc")
    service.add_feedback("Frage 1", "projects", "p-licht", "passt_nicht", "ip:abc")  # a change
    service.add_feedback("noch eine", "projects", "p-licht", "passt", "ip:other")  # another


def test_anonymous_verdicts_train_only_once_staff_accept_them(client, app, keys):
    store = app.extensions["matcher"].store
    anonymous = client.post("/api/v1/feedback", json={**VERDICT, "verdict": "passt"}).get_json()
    keyed = {**VERDICT, "query": "Straßenlicht dimmen", "verdict": "passt"}
    client.post("/api/v1/feedback", json=keyed, headers=keys["brensbach"])
    assert [r["query"] for r in store.training_feedback()] == ["Straßenlicht dimmen"]
    review = f"/api/v1/feedback/{anonymous['id']}"
    assert (
        client.put(review, json={"status": "angenommen"}, headers=keys["brensbach"]).status_code
        == 403
    )
    assert client.put(review, json={"status": "angenommen"}).status_code == 401
    assert client.put(review, json={"status": "akzeptiert"}, headers=ADMIN).status_code == 400
    assert client.put(review, json={"status": "angenommen"}, headers=ADMIN).status_code == 204
    assert len(store.training_feedback()) == 2
    assert (
        client.put("/api/v1/feedback/999", json={"status": "verworfen"}, headers=ADMIN).status_code
        == 404
    )
    listed = client.get("/api/v1/feedback", headers=ADMIN).get_json()["items"]
    assert [(e["query"], e["status"], e["anonymous"]) for e in listed] == [
        ("Laternen brennen nachts", "angenommen", True),
        ("Straßenlicht dimmen", "neu", False),
    ]
    assert client.get("/api/v1/feedback").status_code == 401
    assert client.get("/api/v1/feedback", headers=keys["lichtwerk"]).status_code == 403


def test_the_relevance_page_counts_verdicts_in_the_database(client, app):
    service = app.extensions["matcher"]
    for i in range(25):
        service.add_feedback(f"Frage {i}", "projects", "p-licht", "passt", f"ip:{i}")
    service.add_feedback("Frage", "projects", "p-bus", "passt_nicht", "ip:x")
    assert {(r["item_id"], r["verdict"], r["n"]) for r in service.feedback_counts()} == {
        ("p-licht", "passt", 25),
        ("p-bus", "passt_nicht", 1),
    }
    page = client.get("/relevanz").get_data(as_text=True)
    assert ">25<" in page.replace(" ", "")
