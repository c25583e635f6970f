"""The import graph of `matcher/`: no circles, and imports only go downward.

Layers, bottom up: the domain (schema, errors, catalog, geography) and settings; store,
importing, embeddings, ranking and keys beside each other; matching; the service (the package
`matcher.service`: the façade in its `__init__`, the parts it composes beside it); evaluation;
then the HTTP layer (`matcher.web`: its shared core, beside each other the JSON API and the
pages, then the app made of them and its server), and the CLI on top (`matcher serve` starts
the server). Every import is
counted, also those inside functions and those only for type checking: a circle hidden in a
function is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
LAYERS: tuple[tuple[str, ...], ...] = (
    ("matcher.domain", "matcher.files"),
    ("matcher.config",),
    ("matcher.store", "matcher.importing", "matcher.embeddings", "matcher.ranking", "matcher.keys"),
    ("matcher.matching",),
    ("matcher.service",),
    ("matcher.evaluation",),
    ("matcher.web",),
    ("matcher.cli",),
)
# The HTTP layer inside: its core below the JSON API and the pages, which never import each
# other; the app, its WSGI entry and the server on top.
WEB_LAYERS: tuple[tuple[str, ...], ...] = (
    ("matcher.web.core",),
    ("matcher.web.api", "matcher.web.pages"),
    ("matcher.web",),
)
SIBLINGS = 1  # the rank of the API and the pages in WEB_LAYERS
# What the HTTP layer may use of the layers below the service: types and settings, never the
# machinery (store, indexes, rankers).
API_MAY_USE = ("matcher.domain", "matcher.config", "matcher.keys", "matcher.matching.results")
# The server's master process loads the German analysis tables once, before it forks the
# workers, so that they share the pages (matcher/web/preload.py).
API_PRELOADS = {("matcher.web.preload", "matcher.ranking.analysis")}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _modules() -> dict[str, Path]:
    return {_module(p): p for p in (ROOT / "matcher").rglob("*.py")}


def _imports(mod: str, path: Path, known: set[str]) -> set[str]:
    """Project modules imported by a module (a name imported from a package counts as its
    submodule when there is one)."""
    found = set()
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            # `from package import module` depends on that module; a name that is not a
            # module comes from the package itself.
            subs = {f"{base}.{a.name}" for a in node.names} & known
            found |= subs
            if len(subs) < len(node.names):
                found.add(base)
    return {m for m in found if m in known and m != mod}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {mod: _imports(mod, path, known) for mod, path in modules.items()}


def _layer(mod: str) -> int:
    for rank, names in enumerate(LAYERS):
        if any(mod == n or mod.startswith(n + ".") for n in names):
            return rank
    raise AssertionError(f"{mod} belongs to no layer; add it to LAYERS")


def _package(mod: str) -> str:
    for names in LAYERS:
        for n in names:
            if mod == n or mod.startswith(n + "."):
                return n
    return mod


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_is_read_whole():
    graph = _graph()
    assert "matcher.matching.context" in graph["matcher.matching.peers"]
    assert "matcher.domain.schema" in graph["matcher.domain.catalog"]
    assert len(graph) > 40


def test_no_import_circle():
    assert _circles(_graph()) == []


def test_a_circle_is_found():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_only_go_downward():
    problems = []
    for mod, deps in _graph().items():
        for dep in deps:
            if _package(dep) == _package(mod):
                continue
            if _layer(dep) >= _layer(mod):
                problems.append(f"{mod} imports {dep}")
    assert not problems, problems


def test_ranking_never_imports_embeddings_and_core_never_imports_flask():
    for path in (ROOT / "matcher").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        where = path.relative_to(ROOT).parts[:2]
        if where == ("matcher", "web"):
            continue
        # The CLI alone may start the HTTP server (`matcher serve`, through `matcher.web.server`).
        web = (
            ("flask", "werkzeug", "gunicorn")
            if where == ("matcher", "cli")
            else ("flask", "matcher.web", "werkzeug", "gunicorn")
        )
        assert not any(d.startswith(web) for d in names), path
        if "ranking" in path.parts:
            assert not any(d.startswith("matcher.embeddings") for d in names), path


def _web_layer(mod: str) -> int:
    for rank, names in enumerate(WEB_LAYERS):
        if any(mod == n or mod.startswith(n + ".") for n in names):
            return rank
    return len(WEB_LAYERS) - 1  # the app, its WSGI entry, the server, the package's face


def _web_part(mod: str) -> str:
    return ".".join(mod.split(".")[:3])


def test_the_http_layer_is_a_core_then_api_and_pages_then_the_app():
    problems = [
        f"{mod} imports {dep}"
        for mod, deps in _graph().items()
        if mod.startswith("matcher.web.")
        for dep in deps
        if dep.startswith("matcher.web")
        and _web_part(dep) != _web_part(mod)
        and (_web_layer(dep) > _web_layer(mod) or _web_layer(dep) == _web_layer(mod) == SIBLINGS)
    ]
    assert not problems, problems


def test_an_http_import_across_is_found():
    assert _web_layer("matcher.web.pages.account") == _web_layer("matcher.web.api.entities")
    assert _web_part("matcher.web.pages.account") != _web_part("matcher.web.api.entities")
    assert _web_layer("matcher.web.core.errors") < _web_layer("matcher.web.app")


def test_api_uses_the_service_not_the_machinery_below():
    problems = []
    for mod, deps in _graph().items():
        if not mod.startswith("matcher.web"):
            continue
        for dep in deps:
            below = dep.startswith("matcher") and _layer(dep) < _layer("matcher.service")
            if below and not dep.startswith(API_MAY_USE) and (mod, dep) not in API_PRELOADS:
                problems.append(f"{mod} imports {dep}")
    assert not problems, problems


def test_the_layers_above_use_the_service_facade_not_its_parts():
    problems = [
        f"{mod} imports {dep}"
        for mod, deps in _graph().items()
        if _package(mod) != "matcher.service"
        for dep in deps
        if dep.startswith("matcher.service.")
    ]
    assert not problems, problems


def test_nothing_outside_tests_imports_tests():
    for top in ("matcher", "tools", "benchmarks", "scripts"):
        for path in (ROOT / top).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    assert not node.module.startswith("tests"), path
                if isinstance(node, ast.Import):
                    assert not any(a.name.startswith("tests") for a in node.names), path


# The service's state that the HTTP layer must not reach: it reads items through the request's
# snapshot (`matcher.web.core.current.current_catalog`, the only `view.catalog`), and writes
# and feedback through service methods. Pages that read `service().catalog` skipped the lock and
# iterated dicts that another thread's refresh changed; `svc.store.feedback()` read every row.
SERVICE_INTERNALS = {"catalog", "store", "replica", "indexes", "home", "writes", "answers"}
HTTP_MAY_READ = {("matcher.web.core.current", "view", "catalog")}


def _reached(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(the name an attribute is read from, the attribute, line) for SERVICE_INTERNALS."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SERVICE_INTERNALS:
            base = node.value
            owner = base.id if isinstance(base, ast.Name) else ast.unparse(base)
            found.append((owner, node.attr, node.lineno))
    return found


def test_the_http_layer_never_reaches_into_the_service():
    problems = []
    for mod, path in _modules().items():
        if not mod.startswith("matcher.web"):
            continue
        for owner, attr, line in _reached(ast.parse(path.read_text(encoding="utf-8"))):
            if (mod, owner, attr) not in HTTP_MAY_READ:
                problems.append(f"{mod}:{line} reads {owner}.{attr}")
    assert not problems, problems


def test_reaching_into_the_service_is_found():
    tree = ast.parse("svc = service()\nx = svc.catalog.items\ny = service().store.feedback()")
    assert [(o, a) for o, a, _ in _reached(tree)] == [("svc", "catalog"), ("service()", "store")]
