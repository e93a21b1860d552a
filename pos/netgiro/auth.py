"""Signing as an ``httpx.Auth``: it sees the exact bytes that will be sent, and signs those."""

from __future__ import annotations

from collections.abc import Callable, Generator

import httpx

from pos.netgiro.signing import signature


class NetgiroAuth(httpx.Auth):
    """Adds ``netgiro_appkey``, ``netgiro_nonce`` and ``netgiro_signature`` to every request."""

    requires_request_body = True  # httpx reads a streamed body first, so these are its bytes

    def __init__(self, app_key: str, secret_key: str, nonce: Callable[[], str]) -> None:
        self._app_key = app_key
        self._secret_key = secret_key
        self._nonce = nonce

    def __repr__(self) -> str:
        return f"NetgiroAuth(app_key={self._app_key!r}, secret_key=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        nonce = self._nonce()
        body = request.content  # serialized once by the client; exactly these bytes go out
        request.headers["netgiro_appkey"] = self._app_key
        request.headers["netgiro_nonce"] = nonce
        request.headers["netgiro_signature"] = signature(
            self._secret_key, nonce, str(request.url), body
        )
        yield request
