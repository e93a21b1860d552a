"""Server callbacks, sent off the request path: signed like requests, over the raw body.

Type 1 (server callback) waits for the callback's 200: one retry, then the cart is cancelled
(as Netgíró's newer API does). For types 0 and 2 a callback is only a notice.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx

from pos.core.addresses import is_loopback
from pos.core.public_test_data import TEST_APPLICATIONS
from pos.core.result_codes import ConfirmationType, ResultCode
from pos.netgiro.sandbox import rules
from pos.netgiro.sandbox.rules import Cart, cart_answer
from pos.netgiro.sandbox.store import CartStore
from pos.netgiro.signing import signature

log = logging.getLogger(__name__)
SECRETS = {app.app_key.lower(): app.secret_key for app in TEST_APPLICATIONS}


class CallbackSender:
    """Sends callbacks on worker threads and applies what their answers mean to the cart."""

    def __init__(self, store: CartStore, retry_delay_s: float, timeout_s: float = 5.0) -> None:
        self._store = store
        self._retry_delay_s = retry_delay_s
        self._timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sandbox-callback")
        self._closed = threading.Event()

    def send(self, cart: Cart, kind: str, app_key: str) -> None:
        if not self._closed.is_set():
            self._pool.submit(self._deliver, cart, kind, app_key)

    def close(self) -> None:
        self._closed.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _deliver(self, cart: Cart, kind: str, app_key: str) -> None:
        try:
            if kind == "cancelled":
                self._post(
                    cart.callback_cancel_url,
                    cart_answer(cart, ResultCode.PAYMENT_CANCELED),
                    app_key,
                )
            elif cart.confirmation == ConfirmationType.SERVER_CALLBACK:
                self._deliver_required(cart, app_key)
            else:
                self._post(
                    cart.callback_url, cart_answer(cart, rules.CODE_OF_STATUS[cart.status]), app_key
                )
        except Exception:  # a broken receiver must never take the sandbox down
            log.exception("callback delivery failed")

    def _deliver_required(self, cart: Cart, app_key: str) -> None:
        body = cart_answer(replace(cart, status=rules.PAID), ResultCode.PAYMENT_CONFIRMED)
        for retries_left in (1, 0):
            acknowledged = self._post(cart.callback_url, body, app_key)
            self._store.apply(
                cart.transaction_id, time.time(), _after_callback(acknowledged, retries_left)
            )
            if acknowledged or self._closed.wait(self._retry_delay_s):
                return

    def _post(self, url: str | None, answer: dict[str, object], app_key: str) -> bool:
        if not url or self._closed.is_set() or not _on_this_machine(url):
            return False
        raw = json.dumps(answer, separators=(",", ":")).encode("utf-8")
        nonce = str(time.time_ns() // 100)
        headers = {
            "Content-Type": "application/json",
            "netgiro_appkey": app_key,
            "netgiro_nonce": nonce,
            "netgiro_signature": signature(SECRETS.get(app_key.lower(), ""), nonce, url, raw),
        }
        try:
            with httpx.Client(timeout=self._timeout_s) as client:
                return client.post(url, content=raw, headers=headers).status_code == 200
        except httpx.HTTPError as exc:
            log.info("callback to %s failed: %s", url, type(exc).__name__)
            return False


def _after_callback(acknowledged: bool, retries_left: int) -> Callable[[Cart], rules.Outcome]:
    def rule(cart: Cart) -> rules.Outcome:
        return rules.Outcome(
            rules.callback_answered(cart, acknowledged=acknowledged, retries_left=retries_left), {}
        )

    return rule


def _on_this_machine(url: str) -> bool:
    """The sandbox only calls back to loopback: it is a local test double, not a web client."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname
    return host is not None and is_loopback(host)
