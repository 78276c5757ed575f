"""Who may drive the control API: JSON only, and no other web site.

The control API acts as any user of the sandbox. A page on another site, open in the same browser,
could POST to it: a `text/plain` form post needs no CORS preflight, and DNS rebinding can make a
foreign name resolve to this address. So every control request that changes something must be
`application/json` (which a foreign page cannot send without a preflight we never grant) and, when
a browser says where it comes from (`Origin`), come from this sandbox's own address. Clients
that are not browsers send no `Origin` and are unaffected.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

CONTROL_PREFIX = "/sandbox/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARDS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - names, not a bind

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def own_origins(bound_host: str, port: int, request_host: str | None) -> set[str]:
    """The origins of this sandbox's own web page: its address, loopback when it listens there,
    and, when it listens on every address, the IP the browser used (a name could be rebound)."""
    hosts = {bound_host} if bound_host not in WILDCARDS else set()
    if bound_host in LOOPBACK_NAMES or bound_host in WILDCARDS:
        hosts |= LOOPBACK_NAMES
    if bound_host in WILDCARDS and request_host:
        name = urlsplit(f"//{request_host}").hostname or ""
        if _is_ip_literal(name):
            hosts.add(name)
    return {f"http://[{h}]:{port}" if ":" in h else f"http://{h}:{port}" for h in hosts}


def host_allowed(bound_host: str, request_host: str | None) -> bool:
    """Whether a request names this sandbox in its Host header. A DNS-rebinding page (a foreign name
    made to resolve to this address) reads its own origin, so the browser sends no Origin on its
    GETs; only the Host header, which is the foreign name, tells it apart. Reading `/sandbox/log`
    that way was every drill message."""
    name = (urlsplit(f"//{request_host or ''}").hostname or "").lower()
    if name == bound_host.lower():
        return True
    if (bound_host in LOOPBACK_NAMES or bound_host in WILDCARDS) and name in LOOPBACK_NAMES:
        return True
    return bound_host in WILDCARDS and _is_ip_literal(name)


def refusal(status: int, description: str, reason: str) -> web.Response:
    return web.Response(status=status, content_type="application/json",
                        text=json.dumps({"ok": False, "error_code": status, "description": description,
                                         "reason": reason}))


def control_guard(bound_host: Callable[[], str], port: Callable[[], int]) -> Middleware:
    """aiohttp middleware checking every control request that changes state."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(CONTROL_PREFIX):
            return await handler(request)
        if not host_allowed(bound_host(), request.host):
            return refusal(403, f"request refused: Host {request.host} is not this sandbox's address (open the "
                                f"page at http://127.0.0.1:{port()}/ or at this machine's IP address)", "foreign_host")
        if request.method in SAFE_METHODS:
            origin = request.headers.get("Origin")
            if origin is not None and origin.rstrip("/") not in own_origins(bound_host(), port(), request.host):
                return refusal(403, f"cross-origin request refused: Origin {origin} is not this sandbox",
                               "cross_origin")
            return await handler(request)
        if request.content_type != "application/json":
            return refusal(415, f"the sandbox control API takes only application/json bodies "
                                f"(Content-Type was {request.content_type or 'missing'})", "json_only")
        origin = request.headers.get("Origin")
        if origin is not None:
            allowed = own_origins(bound_host(), port(), request.host)
            if origin.rstrip("/") not in allowed:
                return refusal(403, f"cross-origin request refused: Origin {origin} is not this sandbox "
                                    f"({', '.join(sorted(allowed))})", "cross_origin")
        return await handler(request)

    return middleware
