"""Photo bytes in an S3-compatible object store (AWS S3, MinIO, Ceph, Garage, R2), via boto3.

The bucket is one store for every app server, so a photo received by one is served by all.
Keys are the same SHA-256 names as on disk, under GEMBA_S3_PREFIX. An object appears whole
or not at all (a PUT is atomic, and the server checks the body against its Content-MD5),
so a crash mid-upload leaves nothing a row could point at; the row is written only after
the PUT succeeded. Credentials come from boto3's standard chain (AWS_* environment
variables, ~/.aws files, an instance role), never from Gemba's settings.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from gemba.photos.store import KEY_PATTERN, StoredObject

__all__ = ["S3PhotoStore", "StoreUnavailable", "from_settings", "image_origin"]

# Short timeouts: an upload waits on the store, and a hung store must not hold a worker.
CONNECT_SECONDS = 5
READ_SECONDS = 30


class StoreUnavailable(OSError):
    """The object store did not answer as it should (network, credentials, a 5xx): the
    caller treats it like a full disk, and the user is asked to send again."""


class S3PhotoStore:
    """Objects `prefix + key` in `bucket`; the bucket stays private."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        """Use a boto3 S3 client (thread-safe, shared by the app's threads)."""
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"S3PhotoStore(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def put(self, data: bytes) -> str:
        """Store the bytes under their SHA-256 unless an object of that size is there."""
        key = hashlib.sha256(data).hexdigest()
        try:
            if self.size(key) == len(data):
                return key
        except KeyError:
            pass
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        self._call(
            "put_object",
            Bucket=self.bucket,
            Key=self._name(key),
            Body=data,
            ContentMD5=md5,
            ContentType="application/octet-stream",
        )
        # The server checks the body against Content-MD5; not every S3-compatible one
        # does, so the length is checked too, and an object that came out short is removed
        # before any row can name it.
        try:
            stored = self.size(key)
        except KeyError:
            stored = -1
        if stored != len(data):
            self.delete(key)
            raise StoreUnavailable(f"the photo store kept {stored} of {len(data)} bytes")
        return key

    def open(self, key: str) -> BinaryIO:
        """The object's bytes as a file; photo copies are small, so they are read at once."""
        answer = self._call("get_object", Bucket=self.bucket, Key=self._name(key), missing=key)
        body = answer["Body"]
        try:
            return io.BytesIO(body.read())
        except Exception as exc:  # a connection dropped mid-body
            raise StoreUnavailable(f"reading {key} from the photo store failed: {exc}") from exc
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        """Tell whether an object is stored under the key."""
        try:
            self.size(key)
        except KeyError:
            return False
        return True

    def delete(self, key: str) -> None:
        """Remove the object (S3 answers a delete of a missing key with success too)."""
        self._call("delete_object", Bucket=self.bucket, Key=self._name(key))

    def size(self, key: str) -> int:
        """The object's length in bytes; KeyError if there is none."""
        answer = self._call("head_object", Bucket=self.bucket, Key=self._name(key), missing=key)
        return int(answer["ContentLength"])

    def objects(self) -> Iterator[StoredObject]:
        """Every photo object under the prefix, in key order (S3 lists in order)."""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix) :]
                    if KEY_PATTERN.fullmatch(key):
                        modified = item["LastModified"].timestamp()
                        yield StoredObject(key, int(item["Size"]), modified, item["Key"])
        except self._errors() as exc:
            raise StoreUnavailable(f"listing the photo store failed: {exc}") from exc

    def presigned_url(self, key: str, seconds: int, filename: str, mime: str) -> str:
        """A URL that reads one object for `seconds`, with the headers the app would send."""
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self._name(key),
                "ResponseContentType": mime,
                "ResponseContentDisposition": f'inline; filename="{filename}"',
                "ResponseCacheControl": f"private, max-age={seconds}",
            },
            ExpiresIn=seconds,
        )

    def _name(self, key: str) -> str:
        if not isinstance(key, str) or KEY_PATTERN.fullmatch(key) is None:
            raise ValueError(f"not a photo key: {key!r}")
        return self.prefix + key

    def _call(self, operation: str, missing: str | None = None, **params: Any) -> dict:
        """One S3 call; a missing object is KeyError(missing), any other failure an OSError."""
        from botocore.exceptions import ClientError

        try:
            return getattr(self.client, operation)(**params)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if missing is not None and code in ("404", "NoSuchKey", "NotFound"):
                raise KeyError(missing) from None
            raise StoreUnavailable(f"{operation} on the photo store failed: {code}") from exc
        except self._errors() as exc:
            raise StoreUnavailable(f"{operation} on the photo store failed: {exc}") from exc

    @staticmethod
    def _errors() -> tuple[type[BaseException], ...]:
        from botocore.exceptions import BotoCoreError, ClientError

        return (BotoCoreError, ClientError)


def from_settings(config: Any) -> S3PhotoStore:
    """The store the GEMBA_S3_* settings describe; fails early on a missing bucket name."""
    bucket = config.get("GEMBA_S3_BUCKET")
    if not bucket:
        raise RuntimeError("GEMBA_PHOTO_STORE is 's3' but GEMBA_S3_BUCKET is not set.")
    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:  # pragma: no cover - a deployment without the s3 extra
        raise RuntimeError("The S3 photo store needs boto3: pip install 'gemba[s3]'.") from exc
    endpoint = config.get("GEMBA_S3_ENDPOINT_URL") or None
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=config.get("GEMBA_S3_REGION") or None,
        config=Config(
            connect_timeout=CONNECT_SECONDS,
            read_timeout=READ_SECONDS,
            retries={"mode": "standard", "max_attempts": 3},
            # Presigned URLs are signed as every region now requires (and expire in seconds).
            signature_version="s3v4",
            # MinIO, Ceph and moto expect the bucket in the path; AWS picks for itself.
            s3={"addressing_style": "path" if endpoint else "auto"},
        ),
    )
    return S3PhotoStore(client, bucket, config.get("GEMBA_S3_PREFIX") or "")


def image_origin(config: Any) -> str | None:
    """The origin presigned photo URLs point at, which the pages' CSP must allow; None
    unless photos are served by redirect to the store."""
    if config.get("GEMBA_PHOTO_STORE") != "s3" or not config.get("GEMBA_S3_PRESIGNED_URLS"):
        return None
    endpoint = config.get("GEMBA_S3_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    region = config.get("GEMBA_S3_REGION") or "us-east-1"
    return f"https://{config.get('GEMBA_S3_BUCKET')}.s3.{region}.amazonaws.com"
