"""Benchmarks (`matcher bench`): figures and ratios measured side by side in one run.

Nothing here asserts timings; the harness prints a table and writes JSON. A tool, not product:
it lives beside the installed packages (`matcher`, `api`), in a source checkout only.
"""
