"""Domain errors. The API maps each class to one HTTP status in one place."""

from __future__ import annotations


class MatcherError(Exception):
    """Base class of all domain errors."""


class ValidationError(MatcherError):
    """Input is malformed; `problems` lists (location, message) pairs."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        lines = [f"  {where}: {what}" for where, what in self.problems[:50]]
        more = len(self.problems) - 50
        if more > 0:
            lines.append(f"  … and {more} more")
        return head + "\n" + "\n".join(lines)


class NotFoundError(MatcherError):
    """A referenced item does not exist."""


class ConflictError(MatcherError):
    """The change would break a relation (e.g. deleting a municipality that has projects)."""


class NotReadyError(MatcherError):
    """The store or index is not built or not reachable yet."""


class ConfigError(MatcherError):
    """A setting or a ranking config is unknown or mistyped."""


class TooManyRequests(MatcherError):
    """A client has used up an allowance the data keeps (e.g. feedback verdicts a day)."""


class PermissionDenied(MatcherError):
    """The caller may not make this change (403): it would change records it does not own,
    or name other parties without their consent."""
