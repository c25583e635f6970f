"""Gunicorn settings of `matcher serve`, read by the master process before it forks workers.

Read-only data that every worker needs is loaded here once: the forked workers share its
memory pages (copy-on-write) instead of each loading its own copy. gc.freeze() keeps the
collector from touching those objects, which would copy the pages. Being part of `api`, this
module also brings in the API's modules (Flask, the service; imports only, nothing opened), which
the workers then share as well.
"""

import gc

import matcher.ranking.analysis  # noqa: F401 - the German n-gram tables (about 200 MiB)

gc.freeze()
