"""Who may use the meeting page: whoever holds the access token `ladder serve` printed.

As Jupyter and datasette do it: the printed address carries the token once (`/?token=...`);
the page trades it for an HttpOnly, SameSite=Strict cookie and redirects to the same address
without it, so the token leaves the address bar, the history and shared screenshots. Every
request with neither a valid token nor the cookie gets 403. A form carries a CSRF token (the
server's own secret, shown only to pages the cookie opened), checked on every POST: another
site cannot make a committee member's browser decide, even if it learned the address.

Every response also says: no caching (decisions change), no referrer (the first address holds
the token), no framing, and scripts only with this response's nonce."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import URL, MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORBIDDEN = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Forbidden</title></head>
<body style="font: 15px system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Forbidden</h1><p>{}</p></body></html>"""
NO_TOKEN = ("This meeting page needs its access token: open the address <code>ladder serve</code> printed "
            "(it ends in <code>?token=…</code>) in this browser.")
NO_CSRF = "This form was not sent by the meeting page (its CSRF token is missing or wrong): reload the page and try again."


@dataclass(frozen=True)
class Secrets:
    """The server's access token and CSRF token, new each time it starts."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def cookie(self) -> str:
        """The cookie's name, its own per server: cookies ignore the port, and two servers on
        one machine (two cycles) must not log each other out."""
        return "ladder_meeting_" + hashlib.sha256(self.token.encode()).hexdigest()[:12]

    def token_ok(self, given: str | None) -> bool:
        return given is not None and secrets.compare_digest(given.encode(), self.token.encode())

    def csrf_ok(self, given: object) -> bool:
        return isinstance(given, str) and secrets.compare_digest(given.encode(), self.csrf.encode())


def forbidden(message: str) -> HTMLResponse:
    return HTMLResponse(FORBIDDEN.format(message), status_code=403)


class Guard:
    """ASGI middleware: the token check, the cookie, and the headers every response carries.
    The per-response script nonce goes to the page in `scope["state"]["nonce"]`."""

    def __init__(self, app: ASGIApp, keys: Secrets) -> None:
        self.app, self.keys = app, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["nonce"] = nonce
        request = Request(scope)
        given = request.query_params.get("token")
        response: Response | None = None
        if given is not None:
            if self.keys.token_ok(given):
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                response = RedirectResponse(str(URL(path=request.url.path, query=urlencode(rest))), status_code=303)
                response.set_cookie(self.keys.cookie, self.keys.token, httponly=True, samesite="strict", path="/")
            else:
                response = forbidden(NO_TOKEN)
        elif not self.keys.token_ok(request.cookies.get(self.keys.cookie)):
            response = forbidden(NO_TOKEN)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-store"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Content-Security-Policy"] = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
                                                      "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
            await send(message)
        if response is not None:
            await response(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)
