"""Gunicorn settings of `matcher serve`, read by the master process before it forks workers.

Read-only data that every worker needs is loaded here once: the forked workers share its
memory pages (copy-on-write) instead of each loading its own copy. That includes the opened
service (api/preload.py): the catalog and the indexes, reconciled with the database (once,
not in every worker). gc.freeze() keeps the collector from touching those objects, which would
copy the pages. Besides, this module brings in the API's modules (Flask, the service), which
the workers then share as well.
"""

import gc

import matcher.ranking.analysis  # noqa: F401 - the German n-gram tables (about 200 MiB)
from api import preload

# The catalog and the indexes, opened and reconciled once (the workers take them over).
preload.open_service()
gc.freeze()

# Threaded workers: a client that sends its request slowly holds one thread, not a whole worker
# (with sync workers, two such clients stopped the service). The service is thread-safe (one
# lock per worker), so matching stays one at a time per worker, on cores ÷ workers encoder
# threads. Kept-alive connections wait in the worker's poller, without a thread, up to
# `keepalive` seconds. Each worker can still be held by `threads` slow clients at once: in
# production, put a buffering reverse proxy in front: deploy/nginx/matcher.conf (README, "Behind
# nginx").
worker_class = "gthread"
threads = 8
keepalive = 5
