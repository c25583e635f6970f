"""Imports only go downward: schema/errors → store, embeddings, ranking → service → api."""

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
BOTTOM = {"matcher.domain.schema", "matcher.domain.errors", "matcher.config"}
MIDDLE = ("matcher.store", "matcher.embeddings", "matcher.ranking", "matcher.importing")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return {m for m in found if m.startswith(("matcher", "api", "flask"))}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_no_upward_imports():
    problems = []
    for path in (ROOT / "matcher").rglob("*.py"):
        mod, deps = _module(path), _imports(path)
        if mod in BOTTOM:
            allowed = BOTTOM
        elif mod.startswith(MIDDLE):
            package = next(p for p in MIDDLE if mod.startswith(p))
            allowed = BOTTOM | {d for d in deps if d.startswith(package)}
            if package == "matcher.importing":
                allowed |= {d for d in deps if d.startswith("matcher.importing")}
        else:
            continue
        for dep in deps - allowed:
            problems.append(f"{mod} imports {dep}")
    assert not problems, problems


def test_ranking_never_imports_embeddings_and_core_never_imports_flask():
    for path in (ROOT / "matcher").rglob("*.py"):
        deps = _imports(path)
        assert not any(d.startswith(("flask", "api")) for d in deps), path
        if "ranking" in path.parts:
            assert not any(d.startswith("matcher.embeddings") for d in deps), path


def test_api_uses_the_service_not_the_layers_below():
    for path in (ROOT / "api").rglob("*.py"):
        deps = _imports(path)
        below = [
            d
            for d in deps
            if d.startswith(
                (
                    "matcher.store",
                    "matcher.embeddings",
                    "matcher.ranking",
                    "matcher.matching.retrieval",
                )
            )
        ]
        assert not below, (path, below)
