"""What this request works with, for every view of the API and the pages: the service, the
caller's role and viewer, the data held still for the request, and dumps for this caller."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import current_app, g
from pydantic import BaseModel

from matcher.domain.access import Viewer
from matcher.domain.catalog import Catalog
from matcher.domain.schema import VIEWER
from matcher.keys import KeyRing
from matcher.service import MatcherService, View
from matcher.web.core.auth import current_role


def service() -> MatcherService:
    return current_app.extensions["matcher"]


def role() -> str | None:
    keys: KeyRing = current_app.extensions["matcher_keys"]
    return current_role(keys)


def current_catalog() -> Catalog:
    """The catalog held still for the rest of this request: the service's snapshot (its one
    lock) is taken on first use and released when the request ends (`release_snapshot`), so a
    page reads one consistent state while writes wait, instead of iterating dicts that another
    thread's refresh changes. The HTTP layer reads items only through this."""
    view: View | None = g.get("matcher_view")
    if view is None:
        stack = contextlib.ExitStack()
        view = stack.enter_context(service().snapshot())
        g.matcher_view, g.matcher_snapshot = view, stack
    return view.catalog


def release_snapshot(_error: BaseException | None = None) -> None:
    """End the request's snapshot, if it took one (a teardown hook of the app)."""
    g.pop("matcher_view", None)
    stack: contextlib.ExitStack | None = g.pop("matcher_snapshot", None)
    if stack is not None:
        stack.close()


def viewer() -> Viewer:
    """Whom this request's answer is for (its key's role), made once per request."""
    if "matcher_viewer" not in g:
        g.matcher_viewer = service().viewer(role())
    found: Viewer = g.matcher_viewer
    return found


def dumped(value: BaseModel) -> dict[str, Any]:
    """A model as JSON for this request's caller: the one place the HTTP layer says who asks.
    Private fields (contact addresses) are in it only where `Viewer` allows them; a dump made
    without this context carries none (`matcher.domain.schema.Entity`)."""
    data: dict[str, Any] = value.model_dump(mode="json", context={VIEWER: viewer()})
    return data
