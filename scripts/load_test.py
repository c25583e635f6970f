"""Bounded load test of the production server: figures, and a verdict on errors and lost writes.

    python scripts/load_test.py                              # 8 clients, ≤ 3000 requests, ≤ 600 s
    python scripts/load_test.py --clients 8 --requests 3000 --duration 600 --json load.json

Starts `matcher serve` (gunicorn, 2 workers, the real encoder; tools/live_server.py) on a fresh
home with the demo store and rate limits raised out of the way. Then C client threads send at
most R requests in at most T seconds: about 90 % POST /api/v1/match (the judgment challenges,
some cut to their first sentence, some with an asker, kinds or filters) and 10 % writes (new
projects and needs with unique ids, and replacements of items the same client created). After
the run every acknowledged write must be in the database with the fields last acknowledged and
be found by a match for its unique title token, and the health counts must add up. Prints
requests, clients, duration, throughput, errors, lost writes and latency per request type; exit
status 1 on any error, lost or unsearchable write.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.live_server import KEY, call, serve, stop  # noqa: E402

RAISED_LIMIT = "1000000 per minute"
CATEGORIES = ["mobilitaet", "energie", "umwelt", "verwaltung", "bildung", "gesundheit", "daten"]
RESULT_KINDS = ["projects", "municipalities", "providers"]
PROJECT_TITLES = [
    "Digitaler Mängelmelder für den Bauhof",
    "Füllstandssensoren für Altglascontainer",
    "Bürgerbus mit Buchung per Telefon und App",
    "Co-Working-Räume im alten Rathaus",
    "Pegelmessung am Dorfbach mit Warnung aufs Handy",
    "Online-Terminvergabe im Bürgerbüro",
    "Smarte Parkplatzsuche in der Altstadt",
    "Tablet-Sprechstunde für Seniorinnen und Senioren",
]
NEED_TITLES = [
    "Leerstand in der Ortsmitte erfassen",
    "Schulweg im Winter sicherer machen",
    "Hausarztversorgung auf dem Land sichern",
    "Starkregen früher erkennen",
    "Vereinsräume digital buchen",
    "Wasserverluste im Leitungsnetz finden",
]
SENTENCES = [
    "Die Gemeinde erprobt das zuerst in zwei Ortsteilen und wertet nach einem Jahr aus.",
    "Bauhof, Verwaltung und Ehrenamt arbeiten dafür eng zusammen.",
    "Die Daten stehen anschließend als Open Data zur Verfügung.",
    "Finanziert wird das über ein Landesprogramm und Eigenmittel.",
]


@dataclass
class Client:
    """One simulated user: its random stream, the writes it had acknowledged (the last body per
    item) and those answered with an error (which may or may not have been committed)."""

    number: int
    rng: random.Random
    written: dict[tuple[str, str], dict] = field(default_factory=dict)
    failed: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    created: int = 0
    acknowledged: int = 0


class Budget:
    """At most `requests` requests and `seconds` seconds, shared by all clients."""

    def __init__(self, requests: int, seconds: float) -> None:
        self.left = requests
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


def challenge_texts() -> list[str]:
    """The judgment challenges (real-sounding, colloquial German), and their first sentences."""
    texts: list[str] = []
    for name in ("projects", "providers", "municipalities"):
        with (ROOT / "matcher" / "data" / "judgments" / f"{name}.csv").open(encoding="utf-8") as f:
            texts.extend(row["query"] for row in csv.DictReader(f))
    texts = list(dict.fromkeys(texts))
    firsts = [t.split(". ")[0].split("? ")[0] for t in texts]
    return texts + [t for t in firsts if len(t) >= 12]


def match_body(rng: random.Random, texts: list[str], towns: list[dict]) -> dict:
    """A challenge, sometimes with an asker, a subset of kinds or a filter."""
    body: dict = {"text": rng.choice(texts), "k": rng.choice([5, 10, 10, 20])}
    if rng.random() < 0.15:
        body["kinds"] = rng.sample(RESULT_KINDS, rng.randint(1, 2))
    town = rng.choice(towns)
    if rng.random() < 0.3:
        body["municipality"] = town["id"]
    if rng.random() < 0.25:
        choices = [
            {"categories": [rng.choice(CATEGORIES)]},
            {"region": town["region"]},
            {"district": town["district"]},
            {"max_population": 20000},
            {"min_population": 5000, "max_population": 100000},
        ]
        if "municipality" in body:
            choices.append({"max_distance_km": rng.choice([15, 40, 80])})
        body["filters"] = rng.choice(choices)
    return body


def new_item(client: Client, run: str, towns: list[dict]) -> tuple[str, dict]:
    """A new project or need with a unique id and a unique token in its title."""
    rng, client.created = client.rng, client.created + 1
    token = f"lt{run}c{client.number:02d}n{client.created:04d}"
    item_id = f"load-{run}-{client.number}-{client.created}"
    if rng.random() < 0.5:
        return "projects", {
            "id": item_id,
            "title": f"{rng.choice(PROJECT_TITLES)} {token}",
            "description": f"{rng.choice(SENTENCES)} Lasttest {token}, Fassung 1.",
            "categories": rng.sample(CATEGORIES, rng.randint(1, 2)),
            "municipalities": [t["id"] for t in rng.sample(towns, rng.randint(1, 2))],
            "year": rng.randint(2016, 2026),
            "status": rng.choice(["geplant", "laufend", "abgeschlossen"]),
            "funding": "Starke Heimat Hessen",
            "contact": "Bauamt, Sachgebiet Digitales",
        }
    return "needs", {
        "id": item_id,
        "municipality": rng.choice(towns)["id"],
        "title": f"{rng.choice(NEED_TITLES)} {token}",
        "description": f"{rng.choice(SENTENCES)} Lasttest {token}, Fassung 1.",
        "categories": rng.sample(CATEGORIES, rng.randint(1, 2)),
        "status": "offen",
        "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }


def revised(rng: random.Random, body: dict) -> dict:
    """The same item with a new description (a higher revision) and another category."""
    token = body["title"].rsplit(" ", 1)[1]
    revision = int(body["description"].rsplit(" ", 1)[1].rstrip(".")) + 1
    return {
        **body,
        "description": f"{rng.choice(SENTENCES)} Lasttest {token}, Fassung {revision}.",
        "categories": rng.sample(CATEGORIES, rng.randint(1, 3)),
    }


def send(client: Client, base: str, label: str, method: str, path: str, body, key=None):
    """One request, timed; a non-2xx answer or an exception is recorded as an error."""
    start = time.perf_counter()
    try:
        status, data = call(base + path, method, body, key)
    except Exception as exc:  # every failure counts, whatever it is
        status, data = None, f"{type(exc).__name__}: {exc}"
    elapsed = (time.perf_counter() - start) * 1000
    client.latencies.setdefault(label, []).append(elapsed)
    if status is None or not 200 <= status < 300:
        client.errors.append({"type": label, "path": path, "status": status, "body": str(data)})
        return None
    return data


def write(client: Client, base: str, run: str, towns: list[dict]) -> None:
    """Create a new item, or replace one this client created (so its last write is known)."""
    mine = list(client.written)
    if mine and client.rng.random() < 0.5:
        kind, item_id = client.rng.choice(mine)
        body = revised(client.rng, client.written[(kind, item_id)])
        label, method, path = "update", "PUT", f"/api/v1/{kind}/{item_id}"
    else:
        kind, body = new_item(client, run, towns)
        label, method, path = "create", "POST", f"/api/v1/{kind}"
    if send(client, base, label, method, path, body, KEY) is None:
        client.failed.setdefault((kind, body["id"]), []).append(body)
    else:
        client.written[(kind, body["id"])] = body
        client.acknowledged += 1


def run_client(client: Client, budget: Budget, base: str, run: str, share: float, data) -> None:
    texts, towns = data
    while budget.take():
        if client.rng.random() < share:
            write(client, base, run, towns)
            continue
        body = match_body(client.rng, texts, towns)
        found = send(client, base, "match", "POST", "/api/v1/match", body)
        wanted = body.get("kinds", RESULT_KINDS)
        if found is not None and not all(isinstance(found.get(k), list) for k in wanted):
            client.errors.append({"type": "match", "status": 200, "body": str(found)[:300]})


def _holds(stored: dict | None, body: dict) -> bool:
    return stored is not None and all(stored.get(k) == v for k, v in body.items())


def check_writes(base: str, written: dict, failed: dict) -> tuple[list, list, dict]:
    """Compare the database with what the clients were told. Returns the lost writes (an
    acknowledged item missing or holding neither its last acknowledged body nor a later one
    that failed), the writes committed although answered with an error, and the items stored."""
    lost, despite, stored_items = [], [], {}
    for kind, item_id in {**failed, **written}:
        status, data = call(f"{base}/api/v1/{kind}/{item_id}", key=KEY)
        stored = data if status == 200 else None
        acked, tried = written.get((kind, item_id)), failed.get((kind, item_id), [])
        committed = [b for b in tried if _holds(stored, b)]
        if acked is not None and _holds(stored, acked):
            stored_items[(kind, item_id)] = acked
        elif committed:
            despite.append(f"{kind}/{item_id}")
            stored_items[(kind, item_id)] = committed[-1]
        elif acked is not None or stored is not None:
            want = acked or tried[-1]
            differ = [k for k, v in want.items() if stored is None or stored.get(k) != v]
            lost.append({"kind": kind, "id": item_id, "status": status, "fields": differ})
    return lost, despite, stored_items


def found_by_token(base: str, kind: str, body: dict, districts: dict[str, str]) -> bool:
    """A match for the item's unique title token finds it (in the 100 results allowed): a
    project in the projects list, a need as the reason its municipality is a peer, among the
    towns of its district. Not necessarily first: the test's look-alike items (same titles,
    tokens alike to the encoder) get the topic bonus of the query's nearest items."""
    query: dict = {"text": body["title"].rsplit(" ", 1)[1], "k": 100, "kinds": ["projects"]}
    if kind == "needs":
        query["kinds"] = ["municipalities"]
        query["filters"] = {"district": districts[body["municipality"]]}
    status, found = call(f"{base}/api/v1/match", "POST", query)
    return status == 200 and f'"{body["id"]}"' in json.dumps(found[query["kinds"][0]])


def verify(base: str, written: dict, failed: dict, before: dict, towns: list[dict]) -> dict:
    """After the run: writes kept, searchable, and the counts and index sizes add up."""
    lost, despite, stored = check_writes(base, written, failed)
    districts = {t["id"]: t["district"] for t in towns}
    unsearchable = [
        f"{k}/{i}" for (k, i), b in stored.items() if not found_by_token(base, k, b, districts)
    ]
    health = call(base + "/health", key=KEY)[1]
    counts = {}
    for kind in ("projects", "needs"):
        counts[kind] = {
            "expected": before["counts"][kind] + sum(1 for k, _ in stored if k == kind),
            "stored": health["counts"][kind],
            "indexed": health["index"][kind]["count"],
        }
    return {
        "lost": lost,
        "committed_despite_error": despite,
        "unsearchable": unsearchable,
        "counts": counts,
    }


def percentiles(values: list[float]) -> dict:
    """Count, median, p95 and p99 (nearest rank) of latencies in ms."""
    ordered = sorted(values)

    def rank(p: int) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)

    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 1),
        "p95": rank(95),
        "p99": rank(99),
    }


def load(base: str, args: argparse.Namespace) -> dict:
    """Run the clients against a server, then verify; the report as a dict."""
    # The run's items are named after it (unique in a home that is used again); `--run-id`
    # repeats a run whose report failed, with the same names and tokens.
    run = args.run_id or uuid.uuid4().hex[:6]
    towns = call(base + "/api/v1/municipalities?limit=500")[1]["items"]
    data = (challenge_texts(), towns)
    before = call(base + "/health", key=KEY)[1]
    clients = [Client(n, random.Random(args.seed * 1000 + n)) for n in range(args.clients)]
    budget = Budget(args.requests, args.duration)
    threads = [
        threading.Thread(target=run_client, args=(c, budget, base, run, args.write_share, data))
        for c in clients
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.perf_counter() - start
    written = {key: body for c in clients for key, body in c.written.items()}
    failed = {key: bodies for c in clients for key, bodies in c.failed.items()}
    latencies: dict[str, list[float]] = {}
    for c in clients:
        for label, values in c.latencies.items():
            latencies.setdefault(label, []).extend(values)
    errors = [e for c in clients for e in c.errors]
    requests = sum(len(v) for v in latencies.values())
    checked = verify(base, written, failed, before, towns)
    return {
        "run_id": run,
        "seed": args.seed,
        "requests": requests,
        "clients": args.clients,
        "duration_s": round(duration, 2),
        "throughput_rps": round(requests / duration, 1),
        "errors": len(errors),
        "error_samples": errors[:20],
        "writes_acknowledged": sum(c.acknowledged for c in clients),
        "items_written": len(written),
        "lost_writes": len(checked["lost"]),
        "lost_samples": checked["lost"][:20],
        "committed_despite_error": checked["committed_despite_error"],
        "not_searchable": checked["unsearchable"],
        "counts": checked["counts"],
        "latency_ms": {label: percentiles(v) for label, v in sorted(latencies.items())},
    }


def is_failure(report: dict) -> bool:
    """Any error, lost or unsearchable write, or counts that do not add up."""
    counts_ok = all(c["expected"] == c["stored"] == c["indexed"] for c in report["counts"].values())
    return bool(
        report["errors"] or report["lost_writes"] or report["not_searchable"] or not counts_ok
    )


def show(report: dict) -> None:
    print(
        f"requests {report['requests']}, clients {report['clients']}, "
        f"{report['duration_s']} s, {report['throughput_rps']} requests/s"
    )
    print(
        f"errors {report['errors']}, acknowledged writes {report['writes_acknowledged']} "
        f"({report['items_written']} items), lost writes {report['lost_writes']}, "
        f"not searchable {len(report['not_searchable'])}, "
        f"committed despite an error {len(report['committed_despite_error'])}"
    )
    for kind, c in report["counts"].items():
        print(f"{kind}: expected {c['expected']}, stored {c['stored']}, indexed {c['indexed']}")
    print(f"{'latency ms':<12}{'n':>6}{'median':>9}{'p95':>9}{'p99':>9}")
    for label, p in report["latency_ms"].items():
        print(f"{label:<12}{p['n']:>6}{p['median']:>9}{p['p95']:>9}{p['p99']:>9}")
    for error in report["error_samples"][:5] + report["lost_samples"][:5]:
        print("  ", json.dumps(error, ensure_ascii=False)[:300])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads)")
    parser.add_argument("--requests", type=int, default=3000, help="at most this many requests")
    parser.add_argument("--duration", type=float, default=600, help="at most this many seconds")
    parser.add_argument("--write-share", type=float, default=0.1, help="share of writes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--run-id", help="name the run's items with this (default: random); from a report"
    )
    parser.add_argument("--home", type=Path, help="server home (default: a fresh temporary one)")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1 or args.duration <= 0:
        parser.error("--clients, --requests and --duration must be positive")
    if not 0 <= args.write_share <= 1:
        parser.error("--write-share must be between 0 and 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="matcher-load-"))
    home.mkdir(parents=True, exist_ok=True)
    process, base = serve(
        home, MATCHER_RATE_LIMIT_MATCH=RAISED_LIMIT, MATCHER_RATE_LIMIT_WRITE=RAISED_LIMIT
    )
    try:
        report = load(base, args)
    finally:
        stop(process)
    show(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if is_failure(report):
        print(
            f"FAILED (repeat: --seed {args.seed} --run-id {report['run_id']}); "
            f"server log: {home / 'server.log'}"
        )
        return 1
    if args.home is None:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
