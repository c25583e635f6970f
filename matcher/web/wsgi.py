"""The app of one server worker, and the WSGI entry point for servers other than `matcher
serve`: `gunicorn 'matcher.web.wsgi:create()'` (a factory the server calls in each worker; settings
from the environment and the config file, as for the CLI). Nothing happens at import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matcher.config import Settings, load_settings
from matcher.web import heap
from matcher.web.app import create_app

if TYPE_CHECKING:
    from flask import Flask

    from matcher.service import MatcherService


def worker_app(settings: Settings, service: MatcherService | None = None) -> Flask:
    """The app of a worker process, on the service its master opened (else on its own), ready
    to answer: the model loaded and the BM25 indexes built now, not on a user's first request;
    then the collector settled for a long-lived process (matcher/web/heap.py)."""
    app = create_app(settings, service)
    app.extensions["matcher"].warm_up()
    heap.settle()
    return app


def create() -> Flask:
    """`gunicorn 'matcher.web.wsgi:create()'`: a worker's app on the settings of its environment."""
    return worker_app(load_settings())
