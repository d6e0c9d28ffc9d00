"""Security headers on every response, HTTPS-aware cookies, and trusting a TLS proxy.

The Content-Security-Policy allows no inline script or style: templates load
JavaScript and CSS from /static only, so an injected `<script>` or `style=`
does nothing. Camera and geolocation stay available to the app's own pages.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

_CSP = "gemba.content_security_policy"


def content_security_policy(image_origins: tuple[str, ...] = ()) -> str:
    """The policy; `image_origins` are other places photos load from (an object store
    that serves them by presigned URL), allowed for images and the offline app's fetches."""
    extra = "".join(f" {origin}" for origin in image_origins)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # data: for small inline icons, blob: for a photo previewed before upload.
            f"img-src 'self' data: blob:{extra}",
            f"connect-src 'self'{extra}",
            # The offline client's service worker and web manifest come from the app itself.
            "worker-src 'self'",
            "manifest-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()
PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Scripts and styles carry no one's data, wherever they are served from.
CODE_TYPES = {"text/css", "text/javascript", "application/javascript"}

# Two years, as the HSTS preload list expects; only ever sent over HTTPS.
HSTS = "max-age=63072000; includeSubDomains"


class SecureAwareResponse(Response):
    """Marks every cookie Secure when the request came over HTTPS.

    SESSION_COOKIE_SECURE forces it everywhere; without it a cookie set over HTTPS
    (directly, or through a trusted proxy's X-Forwarded-Proto) is Secure and one
    set over plain HTTP on a laptop pilot still works.
    """

    def set_cookie(self, key: str, *args, **kwargs) -> None:  # type: ignore[override]
        if has_request_context() and request.is_secure:
            kwargs["secure"] = True
        super().set_cookie(key, *args, **kwargs)


def add_security_headers(response: Response) -> Response:
    """after_request: the security headers, unless a view chose its own value."""
    policy = current_app.extensions.get(_CSP, CONTENT_SECURITY_POLICY)
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and response.mimetype not in CODE_TYPES:
        # Pages, API answers and files hold one user's data: no shared or disk cache keeps
        # them. A view that knows better (a hashed script, say) sets its own Cache-Control.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Trust the configured number of proxies, send the headers, make cookies HTTPS-aware."""
    proxies = int(app.config.get("GEMBA_BEHIND_PROXY") or 0)
    if proxies > 0:
        # Each trusted proxy appends one X-Forwarded-* entry: read only that many, so a
        # client cannot forge its address or scheme.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=proxies,
            x_proto=proxies,
            x_host=proxies,
            x_port=proxies,
            x_prefix=proxies,
        )
    origins = tuple(app.config.get("GEMBA_IMAGE_ORIGINS") or ())
    if origins:
        app.extensions[_CSP] = content_security_policy(origins)
    app.response_class = SecureAwareResponse
    app.after_request(add_security_headers)
