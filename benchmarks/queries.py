"""Challenge texts for timing: the judged queries and the open needs of the demo corpus."""

from __future__ import annotations

import csv
import json
from pathlib import Path


def challenge_texts(data_dir: Path, n: int) -> list[str]:
    """Up to n distinct, realistic challenge texts (short judged queries first, then the
    titles and descriptions of the demo needs)."""
    texts: list[str] = []
    for path in sorted((data_dir / "judgments").glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            texts += [row["query"] for row in csv.DictReader(f) if row.get("kind") != "leads"]
    needs = data_dir / "needs.jsonl"
    if needs.exists():
        for line in needs.read_text(encoding="utf-8").splitlines():
            if line.strip():
                need = json.loads(line)
                texts += [need.get("title", ""), need.get("description", "")]
    distinct = [t for t in dict.fromkeys(t.strip() for t in texts) if len(t) >= 3]
    return distinct[:n]
