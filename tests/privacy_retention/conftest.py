"""Retention runs on both photo stores: the photo tests' app, users and world, reused."""

from tests.photos.conftest import (  # noqa: F401  (fixtures, found by name)
    app,
    database_uri,
    make_user,
    photo_store,
    upload,
    world,
)
