"""The HTTP API: parses requests, calls the matching service, shapes JSON; `serve` runs it with
gunicorn (api/server.py).

Its parts are imported on first use, not by `import api`: `matcher serve` sizes the native
thread pools before anything loads numpy (api/server.py, `prepare`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.app import create_app
    from api.server import serve

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from api.app import create_app

        return create_app
    if name == "serve":
        from api.server import serve

        return serve
    raise AttributeError(f"module 'api' has no attribute {name!r}")
