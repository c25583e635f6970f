"""Harness code for tests and scripts (fault injection, a live server, a fake encoder).

A tool, not product: it lives beside the installed packages (`matcher`, `api`), in a source
checkout only. Tests and scripts import it from there; the product never does.
"""
