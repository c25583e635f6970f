"""Reading import files (CSV, JSONL, official municipality directories) into schema models."""

from matcher.importing.reader import ParsedFile, parse_file

__all__ = ["ParsedFile", "parse_file"]
