"""Entry point for WSGI servers: gunicorn wsgi:app."""

import gc

from gemba import create_app

app = create_app()
# What start-up made (modules, templates, the app) lives as long as the process: moved out of
# the collector's generations, a full collection no longer walks it (about 50 ms a page
# every few pages otherwise). Forked workers share it copy-on-write, untouched.
gc.freeze()
