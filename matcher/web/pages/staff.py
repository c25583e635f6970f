"""The staff page's words and numbers: what each figure means in plain German, and the
„passt / passt nicht“ feedback counted by topic and by list (as notebooks/feedback_analysis
reads it: the topic is the rated item's first category)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matcher.domain.catalog import Catalog
from matcher.domain.schema import CATEGORY_LABELS, Category

# Each figure: its name on the page and one sentence that says what it means.
METRICS: dict[str, tuple[str, str]] = {
    "ndcg@10": (
        "nDCG@10",
        "Wie gut die ersten zehn Treffer geordnet sind: 1 heißt, die passendsten stehen ganz "
        "oben, 0 heißt, unter den ersten zehn passt nichts.",
    ),
    "mrr@10": (
        "MRR@10",
        "Wie weit oben der erste passende Treffer im Schnitt steht: 1 heißt immer auf Platz 1, "
        "0,5 im Schnitt auf Platz 2.",
    ),
    "recall@10": (
        "Recall@10",
        "Welcher Anteil aller als passend bewerteten Einträge unter den ersten zehn Treffern "
        "auftaucht.",
    ),
    "precision@5": ("Precision@5", "Welcher Anteil der ersten fünf Treffer passt."),
}
COLUMNS: dict[str, tuple[str, str]] = {
    "ci": (
        "95 %-KI",
        "Das Konfidenzintervall: In diesem Bereich läge der Wert mit 95 % Sicherheit, wenn man "
        "andere, ähnliche Anfragen bewertet hätte.",
    ),
    "delta": (
        "Δ zum aktuellen",
        "Um wie viel ein System beim nDCG@10 besser (+) oder schlechter (−) abschneidet als "
        "die aktuelle Konfiguration.",
    ),
    "queries": (
        "Anfragen",
        "Wie viele handbewertete Beispielanfragen in die Zahlen einer Tabelle eingehen.",
    ),
}
SYSTEMS: dict[str, str] = {
    "bm25": "Nur Wortsuche (BM25): findet Einträge, die dieselben Wörter enthalten wie die "
    "Anfrage.",
    "dense": "Nur Bedeutungssuche („dense“): ein Sprachmodell vergleicht den Sinn der Texte, "
    "auch wenn andere Wörter benutzt werden.",
    "hybrid": "Die aktuelle Konfiguration: Wort- und Bedeutungssuche zusammen, dazu Thema, "
    "Nähe, Größe und Belege.",
}
WEIGHTS: dict[str, str] = {
    "dense": "Bedeutung: wie ähnlich der Sinn des Textes ist (Sprachmodell).",
    "lexical": "Wörter: wie viele seltene Wörter der Anfrage im Text vorkommen (BM25).",
    "category": "Thema: ob der Treffer zum Thema der Anfrage gehört.",
    "proximity": "Nähe: wie nah der Treffer an der anfragenden Kommune liegt.",
    "population": "Größe: wie ähnlich die Einwohnerzahl der anfragenden Kommune ist.",
    "evidence": "Belege: wie viele Referenzen und beteiligte Anbieter es gibt.",
    "recency": "Aktualität: wie neu das Projekt ist.",
}
WEIGHTS_INTRO = (
    "Gewichte sagen, wie stark jeder Teil in die Punktzahl eines Treffers eingeht; "
    "0 heißt, der Teil zählt nicht."
)
RANKERS: dict[str, str] = {
    "weights": "von Hand gesetzte Gewichte",
    "learned": "aus Bewertungen gelerntes Modell",
}
KIND_LABELS: dict[str, str] = {
    "projects": "Projekte",
    "municipalities": "Partnerkommunen",
    "providers": "Anbieter",
    "leads": "Interessenten",
}
NO_TOPIC = "ohne Thema"


@dataclass(frozen=True)
class Tally:
    """Verdicts of one group: how many „passt“ and „passt nicht“."""

    label: str
    fits: int
    misses: int

    @property
    def total(self) -> int:
        return self.fits + self.misses

    @property
    def share(self) -> str:
        """Share of „passt“ in whole percent, German style."""
        return f"{round(100 * self.fits / self.total)} %" if self.total else "–"


def _first_category(catalog: Catalog, kind: str, item_id: str) -> str | None:
    """The first category of an item; for a provider, of its first offering that has one."""
    if kind == "providers":
        for offering in catalog.offerings_of_provider.get(item_id, []):
            if offering.categories:
                return str(offering.categories[0])
        return None
    item = catalog.get(kind, item_id) if kind in catalog.items else None
    cats = getattr(item, "categories", None) or []
    return str(cats[0]) if cats else None


def topic_of(catalog: Catalog, row: dict) -> str:
    """The topic a verdict is about: the rated item's first category. A lead is rated for an
    offering or a provider (its query), so that one's topic counts."""
    kind, item_id = row.get("item_kind", ""), row.get("item_id", "")
    if kind == "leads":
        query = row.get("query", "")
        kind, item_id = (
            ("offerings", query)
            if query in catalog.items["offerings"]
            else (
                "providers",
                query,
            )
        )
    code = _first_category(catalog, kind, item_id)
    if code is not None and code in Category.__members__:
        return CATEGORY_LABELS[Category(code)]
    return NO_TOPIC


def _tallies(counts: Counter[tuple[str, str]], labels: list[str]) -> list[Tally]:
    return [Tally(x, counts[(x, "passt")], counts[(x, "passt_nicht")]) for x in labels]


def feedback_stats(rows: list[dict], catalog: Catalog) -> dict[str, list[Tally]]:
    """Verdicts by topic (most rated first) and by list, and the total."""
    by_topic: Counter[tuple[str, str]] = Counter()
    by_kind: Counter[tuple[str, str]] = Counter()
    for row in rows:  # one per verdict, or counted by the database (with `n`)
        verdict, n = row.get("verdict", ""), int(row.get("n", 1))
        by_topic[(topic_of(catalog, row), verdict)] += n
        by_kind[(KIND_LABELS.get(row.get("item_kind", ""), "andere"), verdict)] += n
    topics = sorted({t for t, _ in by_topic}, key=lambda t: (t == NO_TOPIC, t))
    topic_rows = sorted(_tallies(by_topic, topics), key=lambda t: -t.total)
    kinds = [k for k in [*KIND_LABELS.values(), "andere"] if any(x == k for x, _ in by_kind)]
    fits = sum(n for (_, v), n in by_kind.items() if v == "passt")
    misses = sum(n for (_, v), n in by_kind.items() if v == "passt_nicht")
    return {
        "topics": topic_rows,
        "kinds": _tallies(by_kind, kinds),
        "total": [Tally("Alle", fits, misses)],
    }
