"""What every response and every form post of this server is checked for: security headers
(a Content-Security-Policy on HTML, no framing, no sniffing), whether a post comes from a page of
this server (Origin, else Referer), and whether a return address is a path on this server.

Every asset is served from this app, which the policy enforces (no inline script, nothing from
elsewhere).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Response, request

# The pages load scripts, styles and images only from this server; Leaflet positions its layers
# through the CSSOM (element.style), which style-src does not restrict, so no 'unsafe-inline'.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)
# Swagger UI (flask-openapi3's page under /openapi) starts from an inline script and an inline
# style block that this app cannot change: allowed there, still nothing from other origins.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)
DOCS_PREFIX = "/openapi/"
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


def security_headers(response: Response) -> Response:
    """After every request: `nosniff` everywhere; on HTML a CSP and no framing or referrer."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        docs = request.path.startswith(DOCS_PREFIX)
        response.headers.setdefault("Content-Security-Policy", DOCS_POLICY if docs else PAGE_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _origin(scheme: str, netloc: str) -> str:
    """scheme://host[:port] in lower case, without the scheme's default port."""
    scheme, netloc = scheme.lower(), netloc.lower()
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and netloc.endswith(default):
        netloc = netloc[: -len(default)]
    return f"{scheme}://{netloc}"


def same_origin() -> bool:
    """True if the request says it comes from a page of this server: its Origin header, else
    its Referer; neither (or `Origin: null`) is refused."""
    own = _origin(request.scheme, request.host)
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if not sent:
        return False
    parts = urlsplit(sent.strip())
    if not parts.scheme or not parts.netloc:
        return False
    return _origin(parts.scheme, parts.netloc) == own


def local_path(value: str) -> str | None:
    """`value` if it is a path on this server (no scheme, no host, no `//` or `/\\` start),
    after removing ASCII control characters and spaces, as browsers ignore some of them."""
    path = _CONTROL_OR_SPACE.sub("", value)
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return path
