"""Give the demo data role mailboxes at reserved example domains (RFC 2606 `.example`).

One-off and idempotent: `python -m tools.demo_contacts [DATA_DIR]` fills `contact_email` of every
municipality (`digitalisierung@<town>.example`; an association's `geschaeftsstelle@…`), provider
(`vertrieb@<provider id>.example`) and project (the office named in its contact role at its first
municipality's domain, e.g. `ordnungsamt@mossautal.example`), keeping every other field, the
order of rows and of columns. An address already set is kept. No real person's data: the
addresses are made up from role words and place names, at domains that cannot exist.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

from matcher.config import PACKAGE_DATA
from matcher.domain.names import slug

# Words of a contact role that name the kind of unit rather than what it does: the mailbox is
# the word after them ("Stabsstelle Digitalisierung" → digitalisierung@).
UNIT_WORDS = {
    "stabsstelle",
    "fachbereich",
    "fachdienst",
    "abteilung",
    "sachgebiet",
    "stadtverwaltung",
    "verwaltung",
    "verwaltungen",
    "gemeinsame",
    "gemeinsamer",
    "zentrale",
    "technische",
    "team",
    "amt",
    "referat",
    "fachgebiet",
    "bad",  # "Stadtverwaltung Bad König": the place, not the unit
    "fuer",
    "der",
    "des",
    "die",
    "dem",
}


def town_domain(town_id: str, name: str) -> str:
    """The made-up domain of a town: its slug id, or its name's slug for a numeric id."""
    base = town_id if not town_id.isdigit() else slug(name)
    return f"{base}.example"


def town_mailbox(town_id: str, name: str, kind: str) -> str:
    local = "geschaeftsstelle" if kind == "verband" else "digitalisierung"
    return f"{local}@{town_domain(town_id, name)}"


def role_mailbox(contact: str) -> str:
    """The mailbox name for a contact role: its first word that names what the unit does."""
    words = [w for w in re.split(r"[\s,()/]+", contact) if w]
    for word in words:
        local = slug(word.rstrip("-"))
        if local and local not in UNIT_WORDS:
            return local[:40].strip("-")
    return "projekte"


def fill(data_dir: Path) -> dict[str, int]:
    """Fill the three files in place; how many addresses were added per file."""
    added = {"municipalities.csv": 0, "providers.jsonl": 0, "projects.jsonl": 0}
    towns_path = data_dir / "municipalities.csv"
    text = towns_path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    fields = list(rows[0].keys()) if rows else []
    if "contact_email" not in fields:
        fields.append("contact_email")
    domains: dict[str, str] = {}
    for row in rows:
        domains[row["id"]] = town_domain(row["id"], row["name"])
        if not row.get("contact_email"):
            row["contact_email"] = town_mailbox(row["id"], row["name"], row.get("kind") or "")
            added["municipalities.csv"] += 1
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    towns_path.write_text(out.getvalue(), encoding="utf-8")

    def rewrite(name: str, mailbox) -> None:
        path = data_dir / name
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if not item.get("contact_email"):
                item["contact_email"] = mailbox(item)
                added[name] += 1
            lines.append(json.dumps(item, ensure_ascii=False))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    rewrite("providers.jsonl", lambda p: f"vertrieb@{slug(p['id'])}.example")

    def project_mailbox(p: dict) -> str:
        towns = p.get("municipalities") or []
        domain = domains.get(towns[0], f"{slug(towns[0])}.example") if towns else "projekte.example"
        return f"{role_mailbox(p.get('contact') or '')}@{domain}"

    rewrite("projects.jsonl", project_mailbox)
    return added


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE_DATA
    for file, count in fill(target).items():
        print(f"{file}: {count} addresses added")
