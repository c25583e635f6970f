"""Blind pools for a second, independent relevance judge.

For a fixed share of each kind's judged queries (`judgments.second_judge_share`) this writes
one Markdown file per kind: the query, then the pooled candidates — the top 10 of BM25 alone,
dense alone and the hybrid, plus every item the first judge graded — in a shuffled order, with
the text a judge needs and no grade, rank or system name. The second judge grades every
candidate 0–3 into `matcher/data/judgments/second/<kind>.csv` (query_id,item_id,grade); an item the
first judge did not grade counts as 0 for the first judge when agreement is computed.

    .venv/bin/python -m tools.second_judge OUT_DIR
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from matcher.config import FAST_ENCODER, Settings
from matcher.domain.catalog import Catalog
from matcher.domain.geography import distance_km
from matcher.domain.schema import Municipality, Offering, Project, Provider
from matcher.evaluation import judgments as judged
from matcher.service import MatcherService

POOL_DEPTH = 10


def _cut(text: str, n: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _project(p: Project, catalog: Catalog) -> str:
    towns = ", ".join(t.name for t in catalog.towns(p.municipalities)) or "–"
    return f"**{p.title}** (Kommunen: {towns}; Status: {p.status or '–'})\n  {_cut(p.description)}"


def _provider(v: Provider, catalog: Catalog) -> str:
    offers = catalog.offerings_of_provider.get(v.id, [])
    refs = catalog.reference_projects(v.id)
    lines = [f"**{v.name}**: {_cut(v.description, 300)}"]
    lines += [f"  - Angebot: {o.title}: {_cut(o.description, 200)}" for o in offers]
    lines += [f"  - Referenzprojekt: {p.title}" for p in refs]
    return "\n".join(lines)


def _town(m: Municipality, catalog: Catalog, asker: Municipality | None) -> str:
    size = f"{m.population:,} Einwohner".replace(",", ".") if m.population else "Größe unbekannt"
    where = f"{m.district}, {size}"
    if asker is not None:
        km = distance_km(asker, m)
        if km is not None:
            where += f", {km:.0f} km von {asker.name}"
    lines = [f"**{m.name}** ({where})"]
    lines += [f"  - Projekt: {p.title}" for p in catalog.projects_of_municipality.get(m.id, [])]
    lines += [
        f"  - Bedarf ({n.status}): {n.title}: {_cut(n.description, 200)}"
        for n in catalog.needs_of_municipality.get(m.id, [])
    ]
    return "\n".join(lines)


def _describe(kind: str, item_id: str, catalog: Catalog, asker: Municipality | None) -> str:
    if kind == "projects":
        p = catalog.projects.get(item_id)
        return _project(p, catalog) if p else f"(unbekanntes Projekt {item_id})"
    if kind == "providers":
        v = catalog.providers.get(item_id)
        return _provider(v, catalog) if v else f"(unbekannter Anbieter {item_id})"
    m = catalog.municipalities.get(item_id)
    return _town(m, catalog, asker) if m else f"(unbekannte Kommune {item_id})"


def _lead_query(item_id: str, catalog: Catalog) -> str:
    offering = catalog.offerings.get(item_id)
    if isinstance(offering, Offering):
        owner = catalog.providers.get(offering.provider)
        return (
            f"Angebot „{offering.title}“ von {owner.name if owner else offering.provider}: "
            f"{_cut(offering.description, 600)}"
        )
    provider = catalog.providers.get(item_id)
    return _provider(provider, catalog) if provider else item_id


GUIDE = {
    "projects": "Wie gut hilft dieses laufende Projekt der fragenden Kommune bei ihrer "
    "Herausforderung (als Vorbild zum Nachmachen)?",
    "providers": "Wie gut kann dieser Anbieter die Herausforderung lösen (Angebot und Referenzen)?",
    "municipalities": "Wie lohnend ist es für die fragende Kommune, mit dieser Kommune zu "
    "sprechen oder zu kooperieren (gleiches Thema gelöst oder gleicher Bedarf; Nähe und "
    "Größe zählen mit)?",
    "leads": "Wie gut passt diese Kommune als Kundin für das Angebot (offener Bedarf, "
    "verwandte Projekte)?",
}


def write_pools(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        # The pools were drawn with USE (the default then); keep them reproducible.
        service = MatcherService(Settings(home=Path(home), encoder=FAST_ENCODER))
        try:
            service.build()
            judgments = judged.load(service.settings.demo_dir)
            systems = judged.baselines(service.ranking)
            catalog = service.catalog
            for kind in judged.KINDS:
                qids = judged.second_judge_share(judgments.of_kind(kind))
                runs = {
                    name: judged.run(service, judgments, cfg, qids) for name, cfg in systems.items()
                }
                lines = [
                    f"# Zweites Urteil: {kind}",
                    "",
                    f"Frage: {GUIDE[kind]}",
                    "Noten: 3 = genau passend, 2 = passend/nützlich, 1 = am Rande, "
                    "0 = passt nicht.",
                    "",
                ]
                for q in qids:
                    pool = set(judgments.relevant[q])
                    for run_ in runs.values():
                        pool.update(run_[q][:POOL_DEPTH])
                    order = sorted(pool)
                    random.Random(q).shuffle(order)
                    asker = catalog.municipality(judgments.askers[q] or "")
                    text = judgments.queries[q]
                    if kind == "leads":
                        text = _lead_query(text, catalog)
                    lines += [f"## {q}", "", f"> {text}", ""]
                    lines += [f"- `{i}`: {_describe(kind, i, catalog, asker)}" for i in order]
                    lines.append("")
                (out_dir / f"{kind}.md").write_text("\n".join(lines), encoding="utf-8")
                print(f"{kind}: {len(qids)} queries → {out_dir / (kind + '.md')}")
        finally:
            service.close()


if __name__ == "__main__":
    write_pools(Path(sys.argv[1] if len(sys.argv) > 1 else "second-judge-pools"))
