"""Smart Region Matcher: matchmaking for smart municipalities."""

__version__ = "0.1.0"
