"""WSGI entry point for production servers: `gunicorn 'api.wsgi:app'` (settings from the
environment, as for the CLI). Each worker takes the service the gunicorn master opened before
forking it (api/preload.py), or opens its own."""

from api import heap, preload
from api.app import create_app

app = create_app(service=preload.take())
# Load the model and build the BM25 indexes now, not on a user's first request.
app.extensions["matcher"].warm_up()
heap.settle()
