"""Signing a delivery, and checking a signature as a receiver would: pure functions.

The header is `Gemba-Signature: t=<unix seconds>,v1=<hex>` where the hex is the
HMAC-SHA256, keyed with the hook's secret, of `<t>.<body bytes>`. Signing the timestamp
with the body lets a receiver refuse a replay: a captured request is only good while its
`t` is within the receiver's tolerance (five minutes by default here).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "Gemba-Signature"
TOLERANCE = 300  # seconds a receiver should accept between `t` and its own clock


def new_secret() -> str:
    """A fresh secret for a hook: 32 random bytes, URL-safe text."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` under the secret."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the Gemba-Signature header for this body at this time."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, value: str, body: bytes, now: int, tolerance: int = TOLERANCE) -> bool:
    """Whether a Gemba-Signature header value signs the body with the secret, and its
    timestamp is within `tolerance` seconds of `now` (what a receiver should check)."""
    parts: dict[str, list[str]] = {}
    for item in value.split(","):
        key, _, part = item.strip().partition("=")
        parts.setdefault(key, []).append(part)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
