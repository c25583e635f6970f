"""Staff tune in the browser (issue 25, item 5), with the Flask test client: a staff sign-in with
the admin key (the same server-side session and form token as a town's), a feedback list with
query, item, verdict and date that staff accept into training or dismiss, and the evaluation as
a background job recorded in the store, one at a time, whose page shows the result when done.

Before: the admin key was refused at /anmelden, „Auswertung jetzt berechnen“ was shown to
everyone and ran for 20 s in the request with an Authorization header, and feedback showed only
counts by topic."""

from __future__ import annotations

import re
import threading
import time

import pytest

from matcher.service.jobs import Jobs
from matcher.store.jobs import JobStore
from matcher.web.pages.session import SESSION_COOKIE, STAFF_SESSION_SECONDS
from tests.helpers import ADMIN_KEY, OWN_ORIGIN

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ROW = {
    "system": "hybrid",
    "queries": 3,
    "ndcg@10": 0.5,
    "ndcg@10_ci": [0.4, 0.6],
    "mrr@10": 0.5,
    "recall@10": 0.5,
    "ndcg@10_delta": 0.0,
}


def sign_in(client, key: str) -> str:
    """Sign in with `key`; the form token of the session."""
    token = TOKEN.search(client.get("/anmelden").text).group(1)
    response = client.post("/anmelden", data={"csrf_token": token, "schluessel": key})
    assert response.status_code == 303, response.text
    return TOKEN.search(client.get("/mein-bereich").text).group(1)


def key_of(app, name: str) -> str:
    return app.extensions["test_keys"][name]["Authorization"].split()[1]


@pytest.fixture
def gate(monkeypatch):
    """The evaluation replaced by a fake that waits for `gate.set()` and counts its runs."""
    from matcher.evaluation import judgments

    event = threading.Event()
    event.runs = []  # type: ignore[attr-defined]

    def table(svc, judged):
        event.runs.append(1)  # type: ignore[attr-defined]
        assert event.wait(20)
        return {"projects": [ROW]}

    monkeypatch.setattr(judgments, "load", lambda data_dir: "judged")
    monkeypatch.setattr(judgments, "table", table)
    return event


def wait_done(client, url: str) -> str:
    for _ in range(200):
        html = client.get(url).text
        if 'data-state="laeuft"' not in html:
            return html
        time.sleep(0.05)
    raise AssertionError("the job did not end")


def test_staff_sign_in_with_the_admin_key(pages_client):
    response = pages_client.get("/anmelden")
    token = TOKEN.search(response.text).group(1)
    response = pages_client.post("/anmelden", data={"csrf_token": token, "schluessel": ADMIN_KEY})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert f"Max-Age={STAFF_SESSION_SECONDS}" in cookie and "SameSite=Strict" in cookie
    assert "HttpOnly" in cookie
    home = pages_client.get("/mein-bereich")
    assert home.status_code == 200 and home.headers["Cache-Control"] == "no-store"
    assert "Ihr Bereich: Programmteam" in home.text
    assert "Rückmeldungen prüfen" in home.text and "Auswertung jetzt berechnen" in home.text
    # The staff session acts only in the staff's pages: no record of its own, no item forms.
    assert pages_client.get("/mein-bereich/kontakt").status_code == 404
    assert pages_client.get("/mein-bereich/bedarfe/neu").status_code == 404


def test_staff_pages_are_refused_to_others(pages_client, app):
    assert pages_client.get("/mein-bereich/rueckmeldungen").status_code == 302
    sign_in(pages_client, key_of(app, "brensbach"))
    for url in ("/mein-bereich/rueckmeldungen", "/mein-bereich/auswertungen/1"):
        response = pages_client.get(url)
        assert response.status_code == 403 and "Programmteam" in response.text
    token = TOKEN.search(pages_client.get("/mein-bereich").text).group(1)
    response = pages_client.post("/mein-bereich/rueckmeldungen/1", data={"csrf_token": token})
    assert response.status_code == 403
    assert "Auswertung jetzt berechnen" not in pages_client.get("/relevanz").text


def test_staff_accept_and_dismiss_feedback(pages_client, app_service):
    first = app_service.add_feedback(
        "Laternen brennen nachts", "projects", "p-licht", "passt", "ip:a"
    )
    second = app_service.add_feedback(
        "Busse am Abend", "municipalities", "kassel", "passt_nicht", "key:b"
    )
    token = sign_in(pages_client, ADMIN_KEY)
    page = pages_client.get("/mein-bereich/rueckmeldungen").text
    # Query, item (named and linked), verdict and date of each, with the two buttons.
    assert "„Laternen brennen nachts“" in page and "„Busse am Abend“" in page
    assert '<a href="/projekte/p-licht">' in page and "passt nicht" in page
    assert time.strftime("%d.%m.%Y") in page and "anonym" in page and "angemeldet" in page
    response = pages_client.post(
        f"/mein-bereich/rueckmeldungen/{first}",
        data={"csrf_token": token, "stand": "angenommen", "zurueck_stand": "neu"},
    )
    assert response.status_code == 303
    after = pages_client.get(response.headers["Location"]).text
    assert f"Rückmeldung Nr. {first} ist in das Training übernommen." in after
    assert "„Laternen brennen nachts“" not in after  # no longer new
    pages_client.post(
        f"/mein-bereich/rueckmeldungen/{second}", data={"csrf_token": token, "stand": "verworfen"}
    )
    statuses = {r["id"]: r["status"] for r in app_service.feedback_page(10)}
    assert statuses == {first: "angenommen", second: "verworfen"}
    # What training reads: the accepted anonymous verdict, not the dismissed keyed one.
    assert [r["id"] for r in app_service.home.store.training_feedback()] == [first]
    assert "Übernommen (1)" in pages_client.get("/mein-bereich/rueckmeldungen?stand=alle").text


def test_a_review_needs_the_form_token_and_a_known_verdict(pages_client, app_service):
    found = app_service.add_feedback("Laternen", "projects", "p-licht", "passt", "ip:a")
    token = sign_in(pages_client, ADMIN_KEY)
    url = f"/mein-bereich/rueckmeldungen/{found}"
    assert pages_client.post(url, data={"stand": "angenommen"}).status_code == 403
    assert pages_client.post(url, data={"csrf_token": token, "stand": "egal"}).status_code == 400
    missing = pages_client.post(
        "/mein-bereich/rueckmeldungen/999", data={"csrf_token": token, "stand": "verworfen"}
    )
    assert missing.status_code == 404
    other_origin = pages_client.post(
        url,
        data={"csrf_token": token, "stand": "angenommen"},
        headers={"Origin": "http://evil.example"},
    )
    assert other_origin.status_code == 403
    assert app_service.feedback_page(1)[0]["status"] == "neu"


def test_the_evaluation_runs_in_the_background_one_at_a_time(pages_client, gate):
    token = sign_in(pages_client, ADMIN_KEY)
    started = time.monotonic()
    response = pages_client.post("/mein-bereich/auswertungen", data={"csrf_token": token})
    assert response.status_code == 303 and time.monotonic() - started < 5  # not held
    job_url = response.headers["Location"]
    running = pages_client.get(job_url).text
    assert 'data-state="laeuft"' in running and "läuft seit" in running
    # Asking again while it runs opens the same job, and runs nothing more.
    again = pages_client.post("/mein-bereich/auswertungen", data={"csrf_token": token})
    assert again.headers["Location"] == job_url
    assert "Eine Auswertung läuft seit" in pages_client.get("/relevanz").text
    gate.set()
    done = wait_done(pages_client, job_url)
    assert "Projekte (3 Anfragen)" in done and "0,500 [0,400 – 0,600]" in done
    assert gate.runs == [1]
    # The last result is on the relevance page, for everyone.
    public = pages_client.application.test_client().get("/relevanz").text
    assert "Ergebnis der letzten Auswertung" in public and "Projekte (3 Anfragen)" in public
    assert "Auswertung jetzt berechnen" not in public


def test_a_failed_evaluation_says_so(pages_client, monkeypatch):
    from matcher.evaluation import judgments

    monkeypatch.setattr(judgments, "load", lambda data_dir: 1 / 0)
    token = sign_in(pages_client, ADMIN_KEY)
    response = pages_client.post("/mein-bereich/auswertungen", data={"csrf_token": token})
    html = wait_done(pages_client, response.headers["Location"])
    assert "abgebrochen" in html and "ZeroDivision" not in html


def test_a_job_whose_worker_died_frees_its_kind(app_service):
    store = JobStore(app_service.home.store.engine)
    lost, new = store.claim("auswertung", "this-host-is-not-here:1")
    assert new
    assert store.claim("auswertung", "x:2") == (store.get(lost.id), False)  # one at a time
    jobs = Jobs(store)
    # A worker on this machine that is gone: the job is given up when next looked at.
    import socket

    store.end(lost.id, "fehler", None)
    dead, _ = store.claim("auswertung", f"{socket.gethostname()}:999999999")
    assert jobs.get(dead.id).state == "fehler"
    fresh, started = jobs.start("auswertung", lambda: {"ok": 1})
    assert started and fresh.id != dead.id


def test_the_job_page_is_not_found_for_an_unknown_job(pages_client):
    sign_in(pages_client, ADMIN_KEY)
    assert pages_client.get("/mein-bereich/auswertungen/4711").status_code == 404


def test_signing_out_ends_the_staff_session(pages_client):
    token = sign_in(pages_client, ADMIN_KEY)
    pages_client.post("/abmelden", data={"csrf_token": token})
    assert pages_client.get("/mein-bereich/rueckmeldungen").status_code == 302
    assert pages_client.get_cookie(SESSION_COOKIE) is None


def test_own_origin_is_what_the_pages_client_sends(pages_client):
    assert pages_client.environ_base["HTTP_ORIGIN"] == OWN_ORIGIN


def test_staff_own_no_record_on_the_public_pages(pages_client):
    """The admin key may change everything; the pages did not say „Das ist Ihr eigener
    Eintrag“ on every project, town and provider to staff."""
    sign_in(pages_client, ADMIN_KEY)
    for url in ("/anbieter/lichtwerk", "/kommunen/brensbach", "/projekte/p-licht"):
        page = pages_client.get(url)
        assert page.status_code == 200 and "Ihr eigener Eintrag" not in page.text, url
