"""The HTTP API: parses requests, calls the matching service, shapes JSON."""

from api.app import create_app

__all__ = ["create_app"]
