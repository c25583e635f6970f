"""Matching: a per-query context, one ranker per direction, typed results, German reasons."""
