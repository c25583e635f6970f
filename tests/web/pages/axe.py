"""axe-core in a Playwright page: inject it, run it, get the violations back.

axe-core comes from the npm registry into .bench/axe (scripts/setup.sh: `npm install --prefix
.bench/axe axe-core@4`; not committed, MPL-2.0); without it the tests that use this helper
skip. Usage in a browser test:

    from tests.web.pages.axe import need_axe, serious_violations, report

    need_axe()                       # once, e.g. in a module fixture
    page.goto(base + "/anmelden")
    found = serious_violations(page)
    assert not found, report(found)

The script is evaluated through the DevTools protocol, so the pages' Content-Security-Policy
(no inline scripts) stays on while axe runs.
"""

from __future__ import annotations

import pytest

from matcher.config import REPO_ROOT

AXE_JS = REPO_ROOT / ".bench" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
# WCAG 2.1 A and AA plus axe's best practices (landmarks, headings, regions).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def need_axe() -> None:
    """Skip the calling test unless axe-core is vendored (scripts/setup.sh fetches it)."""
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core is not installed ({AXE_JS}); run scripts/setup.sh")


def violations(page, tags: list[str] | None = None, exclude: list[str] | None = None) -> list:
    """axe's violations on the page as it is now (a list of axe result dicts: id, impact,
    help, nodes[].target …). `exclude` takes CSS selectors axe should not check."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    context = {"exclude": [[s] for s in exclude]} if exclude else None
    options = {"runOnly": {"type": "tag", "values": tags or TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate(
        "([context, options]) => window.axe.run(context || document, options)",
        [context, options],
    )
    return list(result["violations"])


def serious_violations(page, **kwargs) -> list:
    """Only the violations axe rates serious or critical."""
    return [v for v in violations(page, **kwargs) if v.get("impact") in SERIOUS]


def report(found: list) -> str:
    """A readable summary for an assertion message: rule, impact, help, first targets."""
    lines = []
    for v in found:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} – {len(v['nodes'])}× e.g. {targets}")
    return "\n".join(lines)
