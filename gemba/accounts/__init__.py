"""Accounts: users, log-in and sessions, API tokens, log-in limits.

The blueprint keeps the name `auth` (its endpoints: `auth.login`, `auth.profile`, ...).
"""

from flask import Blueprint

bp = Blueprint("auth", __name__)
