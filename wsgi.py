"""Entry point for WSGI servers: gunicorn wsgi:app."""

from gemba import create_app

app = create_app()
