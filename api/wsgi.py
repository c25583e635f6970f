"""WSGI entry point for production servers: `gunicorn 'api.wsgi:app'` (settings from the
environment, as for the CLI). Each worker process opens the service once."""

from api.app import create_app

app = create_app()
