"""WSGI entry point for production servers: `gunicorn 'api.wsgi:app'` (settings from the
environment, as for the CLI). Each worker takes the service the gunicorn master opened before
forking it (api/preload.py), or opens its own."""

import gc

from api import preload
from api.app import create_app

YOUNG_GENERATION_THRESHOLD = 10_000

app = create_app(service=preload.take())
# Load the model and build the BM25 indexes now, not on a user's first request.
app.extensions["matcher"].warm_up()
# Everything loaded so far (model, catalog, indexes) lives as long as the worker: keep it out
# of the garbage collector's passes, which otherwise walk it during requests (latency tail).
gc.freeze()
# A match allocates a few thousand small objects that die with the request; the default
# young-generation threshold (700) ran a collection several times per match (0.47 ms per match
# measured in process, 0.21 ms at this threshold).
gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])
