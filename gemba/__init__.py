"""Gemba: Gemba walks on a phone, with say-vs-do gaps flagged as evidence arrives."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI."""
    # GEMBA_INSTANCE_PATH moves the runtime data (database, photos, secret) elsewhere.
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("GEMBA_INSTANCE_PATH") or None,
    )
    app.config.from_object("gemba.config")
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_pyfile("config.py", silent=True)
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config.from_prefixed_env()

    from gemba import cli
    from gemba.accounts import ratelimit, security
    from gemba.extensions import csrf, db, login_manager, mail, migrate
    from gemba.photos.s3_store import image_origin
    from gemba.platform import (
        database,
        errors,
        headers,
        languages,
        page_cache,
        params,
        phrasing,
        static_files,
    )
    from gemba.platform.time_zones import init_app as init_time_zones

    if origin := image_origin(app.config):
        app.config.setdefault("GEMBA_IMAGE_ORIGINS", [origin])

    security.ensure_secret_key(app)
    database.configure(app)
    db.init_app(app)
    database.end_reads_with_commit(app)
    migrate.init_app(app, db, directory=database.MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_login(app)
    ratelimit.init_app(app)
    page_cache.init_app(app)
    headers.init_app(app)
    params.init_app(app)
    init_time_zones(app)
    static_files.init_app(app)
    mail.init_app(app)
    languages.init_app(app)
    phrasing.init_app(app)

    _register_blueprints(app)
    errors.register(app)
    app.jinja_env.globals["view_functions"] = app.view_functions
    cli.register(app)
    cli.register_backup(app)
    database.upgrade_on_start(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Every feature's blueprint, with its routes attached."""
    # Importing a views module attaches its routes to its package's blueprint, `bp`.
    import gemba.accounts.views
    import gemba.api.photo_faces
    import gemba.api.photos
    import gemba.api.suggest
    import gemba.api.views
    import gemba.capture.export_views
    import gemba.capture.views
    import gemba.manage.export_views
    import gemba.manage.views
    import gemba.notices.views
    import gemba.offline.links
    import gemba.offline.views
    import gemba.photos.views
    import gemba.plans.views
    import gemba.review.action_views
    import gemba.review.calibration_views
    import gemba.review.map_views
    import gemba.review.views
    import gemba.topics.views
    import gemba.trends.views
    import gemba.trends.watch
    import gemba.webhooks.views

    app.register_blueprint(gemba.accounts.bp)
    app.register_blueprint(gemba.capture.bp)
    app.register_blueprint(gemba.manage.bp)
    app.register_blueprint(gemba.review.bp)
    app.register_blueprint(gemba.api.bp)
    app.register_blueprint(gemba.offline.bp)
    app.register_blueprint(gemba.photos.bp)
    app.register_blueprint(gemba.plans.bp)
    app.register_blueprint(gemba.notices.bp)
    app.register_blueprint(gemba.topics.bp)
    app.register_blueprint(gemba.trends.bp)
    app.register_blueprint(gemba.webhooks.bp)
