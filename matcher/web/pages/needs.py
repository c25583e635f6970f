"""Needs in the pages: „Diese Herausforderung als Bedarf melden“ from a search (the link, and
the new-need form's prefill from it), and a town's needs in its area with their best matches
and what is new among them since its last visit. A need's own page is `public.need`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from flask import request, url_for

from matcher.domain.schema import MAX_CHALLENGE_CHARS, Need
from matcher.matching.results import MatchResult
from matcher.web.core.current import service
from matcher.web.pages.session import Account, current_account

TITLE_CHARS = 80  # a title taken from a search: its first sentence, cut at a word
AREA_MATCHES = 2  # of each list, per need, in the town's area
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n")


def report_link(text: str, search_id: str | None) -> str | None:
    """Where „Diese Herausforderung als Bedarf melden“ leads: the new-need form with the
    search's text (by its saved search's id when the text is too long for an address). None
    for a provider's account, which reports no needs."""
    me = current_account()
    if me is not None and me.kind != "municipality":
        return None
    if search_id:
        return url_for("account.new_item", word="bedarfe", suche=search_id)
    return url_for("account.new_item", word="bedarfe", text=text)


def title_of(text: str) -> str:
    """A need's title proposed from a challenge: its first sentence, at most TITLE_CHARS."""
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip().rstrip(".")
    first = " ".join(first.split())
    if len(first) <= TITLE_CHARS:
        return first
    cut = first[: TITLE_CHARS - 2].rsplit(" ", 1)[0]
    return cut + " …"


def prefill() -> dict[str, str]:
    """The new-need form's title and description from a search (`text`, or `suche`: a saved
    search's id), else nothing. The user checks both before saving."""
    text = request.args.get("text", "")
    search_id = request.args.get("suche", "")
    if search_id and not text:
        saved = service().saved_search(search_id)
        text = dict(parse_qsl(saved)).get("text", "") if saved else ""
    text = text.strip()[:MAX_CHALLENGE_CHARS]
    if not text:
        return {}
    return {"title": title_of(text), "description": text, "from_search": "1"}


@dataclass
class AreaNeed:
    """A need in its town's area, with its best matches and which of them are new."""

    need: Need
    matches: MatchResult | None  # None for a need that is done
    new: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) of new matches


@dataclass
class Area:
    """A town's needs for its area, and whether this is its first visit."""

    needs: list[AreaNeed]
    first_visit: bool

    @property
    def new_count(self) -> int:
        return sum(len(n.new) for n in self.needs)


def area(me: Account, own: list[Need]) -> Area:
    """The signed-in town's needs (`own`, in the order shown), each open one with its best
    matches; a match is new when its project or its provider (or one of its offerings) was
    added or changed since the account's previous visit (its previous session) began."""
    changed = service().area_visit(me.role, me.csrf)
    found = []
    for need in own:
        if need.status == "erledigt":
            found.append(AreaNeed(need, None))
            continue
        matches = service().need_matches(need.id, AREA_MATCHES)
        found.append(AreaNeed(need, matches, _new(matches, changed or set())))
    return Area(found, changed is None)


def _new(matches: MatchResult, changed: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The projects and providers (what the area shows) that are new: the project, or the
    provider or one of its offerings, added or changed since the last visit."""
    new = {("projects", p.id) for p in matches.projects if ("projects", p.id) in changed}
    for p in matches.providers:
        offerings = any(("offerings", o.id) in changed for o in p.offerings)
        if ("providers", p.id) in changed or offerings:
            new.add(("providers", p.id))
    return new
