"""A real S3 API on loopback for the tests: moto's server, one per worker process.

CI starts one before the suite and names it in GEMBA_TEST_S3_ENDPOINT; otherwise the first
test that needs it starts moto's threaded server in this process. Each test gets a bucket
of its own, so tests never see each other's objects.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

import pytest

# Credentials moto accepts; boto3 reads them from the standard environment variables, as a
# deployment would read its own (never from Gemba's settings).
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "gemba-test",
    "AWS_SECRET_ACCESS_KEY": "gemba-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}

_started: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def endpoint() -> str:
    """The S3 server's URL: CI's, or one this process starts the first time it is asked."""
    os.environ.update({k: v for k, v in CREDENTIALS.items() if k not in os.environ})
    given = os.environ.get("GEMBA_TEST_S3_ENDPOINT")
    if given:
        return given
    if "url" not in _started:
        try:
            from moto.server import ThreadedMotoServer
        except ImportError:  # pragma: no cover - the test extra installs it
            pytest.fail("moto[server] is not installed: pip install -e '.[test]'")
        # Its request log would fill every failing test's output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        port = _free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        _started["url"] = f"http://127.0.0.1:{port}"
    return _started["url"]


def client():
    """A boto3 client on the test server (path-style addressing, as MinIO and moto want);
    one per process, since making one reads the service model anew."""
    url = endpoint()
    if url not in _clients:
        _clients[url] = _new_client(url)
    return _clients[url]


_clients: dict[str, object] = {}


def _new_client(url: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        config=Config(s3={"addressing_style": "path"}),
    )


def new_bucket() -> str:
    """A fresh, empty bucket on the test server."""
    name = f"gemba-{uuid.uuid4().hex[:20]}"
    client().create_bucket(Bucket=name)
    return name


def settings(bucket: str, prefix: str = "photos/") -> dict[str, str]:
    """The app settings that put its photos in `bucket` on the test server."""
    return {
        "GEMBA_PHOTO_STORE": "s3",
        "GEMBA_S3_BUCKET": bucket,
        "GEMBA_S3_ENDPOINT_URL": endpoint(),
        "GEMBA_S3_REGION": CREDENTIALS["AWS_DEFAULT_REGION"],
        "GEMBA_S3_PREFIX": prefix,
    }


def object_keys(bucket: str) -> list[str]:
    """Every object key in the bucket."""
    keys: list[str] = []
    for page in client().get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys
