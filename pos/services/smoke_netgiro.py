"""``pos smoke``'s Netgíró check: a CheckCart for a random cart proves the host, the key and the secret.

CheckCart only reads, so it is safe beside the open till and on the real Netgíró. A cart that
does not exist comes back well-formed and signed-for as 10201 (or 10424); a wrong app key or
secret gets 401. The answer's own signature is recorded, not verified: its formula is not
documented (netgiro-protocol.md).
"""

from __future__ import annotations

import functools
import ssl
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from pos.config import describe_secret
from pos.core.errors import ConfigError
from pos.core.result_codes import ResultCode
from pos.netgiro.client import NetgiroClient, Timeouts
from pos.netgiro.errors import NetgiroError, NotSent, Refused
from pos.services.smoke_results import Check, fail, ok

NAME = "netgiro"
NO_SUCH_CART = frozenset({int(ResultCode.PAYMENT_CANCELED), int(ResultCode.CART_NOT_FOUND)})
RECORDED_HEADERS = ("netgiro_referenceId", "netgiro_nonce", "netgiro_signature")
KEYS_FIX = (
    "Check netgiro.app_key and the secret key (netgiro.secret_key_file or secret_key_env) "
    "against the keys Netgíró gave this store."
)


@dataclass(frozen=True)
class NetgiroTarget:
    """Where to ask and with which keys; ``where`` names it for a person (no secret in it)."""

    base_url: str
    app_key: str
    secret_key: str
    where: str


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for the smoke's clients: loading the CA store takes a while."""
    return ssl.create_default_context()


class _AnswerHeaders(httpx.AsyncBaseTransport):
    """A real HTTP transport that keeps the last answer's reference id, nonce and signature."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport(verify=tls_context())
        self.recorded: dict[str, str] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        self.recorded = {
            name: response.headers[name] for name in RECORDED_HEADERS if name in response.headers
        }
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def netgiro_check(target: NetgiroTarget, timeouts: Timeouts) -> Check:
    """CheckCart for a random GUID: ok on 10201/10424, fail with what to fix otherwise."""
    headers = _AnswerHeaders()
    keys = {"app_key": target.app_key, "secret": describe_secret(target.secret_key)}
    where = target.where
    try:
        async with NetgiroClient(
            target.base_url,
            target.app_key,
            target.secret_key,
            timeouts=timeouts,
            transport=headers,
            client_info="pos-smoke",
        ) as client:
            answer = await client.check_cart(str(uuid.uuid4()))
    except ConfigError as exc:
        return fail(NAME, exc.message, "Correct netgiro.base_url.")
    except Refused:
        return fail(
            NAME, f"{where} refused the app key or the secret (HTTP 401).", KEYS_FIX, **keys
        )
    except NotSent as exc:
        return fail(
            NAME,
            f"{where} cannot be reached: {_reason(exc)}.",
            f"Check netgiro.base_url ({_host(target.base_url)}), the network, DNS and firewall.",
        )
    except NetgiroError as exc:
        return fail(
            NAME,
            f"{where} gave no well-formed Netgíró answer to CheckCart: {exc.message}",
            "Check that netgiro.base_url is Netgíró's API address, ending in /v1/.",
        )
    details = {**keys, **headers.recorded, "ResultCode": answer.result_code}
    if answer.result_code in NO_SUCH_CART:
        return ok(
            NAME,
            f"{where} answered CheckCart for a random cart with {answer.result_code}: the host, "
            "the app key and the secret work",
            **details,
        )
    return fail(
        NAME,
        f"{where} answered CheckCart for a random cart with {answer.result_code} "
        f"({answer.message[:80]!r}), not 10201 or 10424.",
        "Check that netgiro.base_url is Netgíró's checkout API; tell Netgíró's support this "
        f"answer's netgiro_referenceId ({headers.recorded.get('netgiro_referenceId', '-')}).",
        **details,
    )


def _reason(exc: NetgiroError) -> str:
    cause = exc.__cause__
    if cause is None:
        return exc.message
    return str(cause) or type(cause).__name__


def _host(base_url: str) -> str:
    try:
        return urlsplit(base_url).netloc or base_url
    except ValueError:
        return base_url
