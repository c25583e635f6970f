"""The HTTP layer: one Flask app (`app.create_app`) made of a shared core (`core`: errors,
limits, security headers, the request's data), the JSON API (`api`) and the German pages
(`pages`); `serve` runs it with gunicorn (`server`).

Its parts are imported on first use, not by `import matcher.web`: `matcher serve` sizes the
native thread pools before anything loads numpy (`server.prepare`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matcher.web.app import create_app
    from matcher.web.server import serve

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from matcher.web.app import create_app

        return create_app
    if name == "serve":
        from matcher.web.server import serve

        return serve
    raise AttributeError(f"module 'matcher.web' has no attribute {name!r}")
