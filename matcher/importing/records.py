"""JSONL files of records that staff keep (funding programmes, exchange groups, events): each
line one valid record, ids unique, or the whole file refused with every bad line named."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from matcher.domain.errors import ValidationError

M = TypeVar("M", bound=BaseModel)


def parse_records(
    model: type[M],
    data: bytes,
    what: str,
    check: Callable[[M, str], None] | None = None,
) -> list[M]:
    """JSONL of `model` records, each valid (and passing `check(record, where)`, which raises
    ValidationError), ids unique; else one ValidationError naming every line and field, so
    that nothing is written. `what` names the records in German („Programme“)."""
    problems: list[tuple[str, str]] = []
    found: list[M] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = model.model_validate(json.loads(line))
            if check is not None:
                check(item, f"Zeile {number}: ")
        except json.JSONDecodeError:
            problems.append((f"Zeile {number}", "kein gültiges JSON"))
            continue
        except PydanticValidationError as exc:
            problems += [
                (f"Zeile {number}: {'.'.join(str(p) for p in e['loc'])}", e["msg"])
                for e in exc.errors(include_url=False)
            ]
            continue
        except ValidationError as exc:
            problems += exc.problems
            continue
        item_id = str(getattr(item, "id", ""))
        if item_id in seen:
            problems.append((f"Zeile {number}: id", f"doppelt (auch Zeile {seen[item_id]})"))
        seen[item_id] = number
        found.append(item)
    if not found and not problems:
        problems.append(("body", f"keine {what} in der Datei"))
    if problems:
        raise ValidationError("Import abgelehnt, nichts geschrieben", problems)
    return found
