"""Relevance evaluation: metrics, the demo judgments, the external labelled set."""
