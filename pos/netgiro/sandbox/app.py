"""The sandbox's HTTP side: Netgíró's v1 routes (signed) and the customer simulator (unsigned).

Thin on purpose: it checks size, route and signature, binds keys case-insensitively, validates
types, and hands the rest to ``rules`` through the store. Bad input always gets a 4xx with a
JSON body; nothing a client sends can make it answer 5xx.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from pos.core.masking import mask_customer_id
from pos.core.public_test_data import (
    TEST_APP_CODE_PREFIX,
    TEST_APPLICATIONS,
    TEST_GSM_NUMBERS,
    TEST_SSN_NO_CREDIT,
    TEST_SSN_UNLIMITED_CREDIT,
)
from pos.core.result_codes import ConfirmationType, ResultCode
from pos.netgiro.sandbox import rules
from pos.netgiro.sandbox.callbacks import CallbackSender
from pos.netgiro.sandbox.limits import MAX_REFERENCE_LENGTH
from pos.netgiro.sandbox.partner import PartnerRoutes
from pos.netgiro.sandbox.rules import Cart, Outcome
from pos.netgiro.sandbox.store import CartStore
from pos.netgiro.signing import signature, signature_matches

MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 16
"""Netgíró's requests nest two levels (a cart's items); deeper bodies are refused unread."""
MAX_AMOUNT = 1_000_000_000
"""A sane ceiling in krónur: larger amounts are refused before SQLite's 64-bit integers."""
DIGITS = frozenset("0123456789")
SECRETS = {app.app_key.lower(): app.secret_key for app in TEST_APPLICATIONS}


class BadRequest(Exception):
    """Input the sandbox refuses, with the status and message to answer."""

    def __init__(self, message: str, status: int = 400, code: int = 400) -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


def failure(message: str, status: int = 400, code: int | None = None) -> JSONResponse:
    body = {"Success": False, "ResultCode": code or status, "Message": message}
    return JSONResponse(body, status_code=status)


class SandboxApp:
    """Routes and the state they share."""

    def __init__(
        self,
        store: CartStore,
        sender: CallbackSender,
        *,
        token_ttl_s: float,
        poll_interval_ms: int,
        refuse_cancel_reserved: bool,
        max_reference_length: int = MAX_REFERENCE_LENGTH,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.sender, self.clock = store, sender, clock
        self.token_ttl_s = token_ttl_s
        self.poll_interval_ms = poll_interval_ms
        self.refuse_cancel_reserved = refuse_cancel_reserved
        self.max_reference_length = max_reference_length
        self._actions: dict[str, Callable[[dict[str, Any], str], Awaitable[dict[str, Any]]]] = {
            "checkout/insertcart": self.insert_cart,
            "checkout/checkcart": self.check_cart,
            "checkout/confirmcart": self.confirm_cart,
            "checkout/cancelcart": self.cancel_cart,
        }

    def starlette(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/{path:path}", self.netgiro, methods=["GET", "POST"]),
                Route("/customer/", self.customer_page, methods=["GET"]),
                Route("/customer", self.customer_page, methods=["GET"]),
                Route("/sandbox/health", self.health, methods=["GET"]),
                Route("/sandbox/carts", self.carts, methods=["GET"]),
                Route("/sandbox/carts/{transaction_id}/{action}", self.act, methods=["POST"]),
                Route("/sandbox/app-codes", self.app_code, methods=["POST"]),
                *PartnerRoutes(self.store.path, self.clock).routes(),  # refunds (issue 19)
            ],
            exception_handlers={404: self.not_found, 405: self.not_allowed},
        )

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return failure(f"No such path: {request.url.path}", 404)

    async def not_allowed(self, request: Request, exc: Exception) -> Response:
        return failure(f"{request.method} is not allowed on {request.url.path}", 405)

    # --- Netgíró's API ----------------------------------------------------------------------

    async def netgiro(self, request: Request) -> Response:
        path = request.path_params["path"].lower().strip("/")
        try:
            body = await read_capped(request)
            app_key = self.verify_signature(request, body)
            if path == "account/requestconfirmation" and request.method == "GET":
                answer = self.request_confirmation(request)
            elif path in self._actions and request.method == "POST":
                answer = await self._actions[path](parse_object(body), app_key)
            else:
                raise BadRequest(f"No such API path: /v1/{request.path_params['path']}", 404, 404)
        except BadRequest as exc:
            return self.signed(request, failure(exc.message, exc.status, exc.code))
        return self.signed(request, JSONResponse(answer))

    def verify_signature(self, request: Request, body: bytes) -> str:
        app_key = request.headers.get("netgiro_appkey", "")
        nonce = request.headers.get("netgiro_nonce", "")
        given = request.headers.get("netgiro_signature", "")
        secret = SECRETS.get(app_key.lower())
        if not (secret and nonce and given):
            raise BadRequest("Missing or unknown netgiro_appkey, nonce or signature.", 401, 401)
        if not signature_matches(signature(secret, nonce, url_as_sent(request), body), given):
            raise BadRequest("The signature does not match this request.", 401, 401)
        return app_key

    def signed(self, request: Request, response: JSONResponse) -> JSONResponse:
        nonce = str(time.time_ns() // 100)
        secret = SECRETS.get(request.headers.get("netgiro_appkey", "").lower(), "")
        response.headers["netgiro_referenceId"] = str(uuid.uuid4())
        response.headers["netgiro_nonce"] = nonce
        response.headers["netgiro_signature"] = signature(
            secret, nonce, url_as_sent(request), bytes(response.body)
        )
        return response

    def request_confirmation(self, request: Request) -> dict[str, Any]:
        customer = "".join(ch for ch in request.query_params.get("Customer", "") if ch in DIGITS)
        if not customer:
            customer = "".join(
                ch for ch in request.query_params.get("customer", "") if ch in DIGITS
            )
        if not customer:
            raise BadRequest("Customer is required: /v1/Account/RequestConfirmation?Customer=…")
        token = self.store.issue_token(customer, self.clock())
        return {"Success": True, "Message": token, "ResultCode": 200}

    async def insert_cart(self, body: dict[str, Any], app_key: str) -> dict[str, Any]:
        cart = self.new_cart(body, app_key)
        if isinstance(cart, dict):
            return cart
        cart = self.store.add(cart)
        if cart.kind == "app_code" and cart.callback_url:
            self.sender.send(cart, "confirmed", app_key)  # app codes are approved at insert
        return {
            "Success": True,
            "ResultCode": 200,
            "Message": "Cart inserted",
            "TransactionId": cart.transaction_id,
            "ProcessCartCheckIntervalMiliseconds": self.poll_interval_ms,
        }

    def new_cart(self, body: dict[str, Any], app_key: str) -> Cart | dict[str, Any]:
        amount, reference = body.get("amount"), body.get("reference")
        customer_raw, confirmation = body.get("customerid"), body.get("confirmationtype", 0)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise BadRequest("Amount must be a whole number of krónur above 0.")
        if amount > MAX_AMOUNT:
            raise BadRequest(f"Amount must be at most {MAX_AMOUNT} krónur.")
        if not isinstance(reference, str) or not reference.strip():
            raise BadRequest("Reference is required.")
        if len(reference.strip()) > self.max_reference_length:
            return declined(
                ResultCode.CART_NOT_VALID,
                f"Reference is longer than {self.max_reference_length} characters.",
            )
        if isinstance(customer_raw, bool) or not isinstance(customer_raw, str | int):
            raise BadRequest("CustomerId is required (GSM, SSN or AppCode).")
        if isinstance(confirmation, bool) or confirmation not in (0, 1, 2):
            return declined(
                ResultCode.CONFIRMATION_TYPE_NOT_VALID, "ConfirmationType must be 0, 1 or 2."
            )
        callback_url = optional_text(body, "callbackurl")
        if confirmation == ConfirmationType.SERVER_CALLBACK and not callback_url:
            raise BadRequest("CallbackUrl is required for ConfirmationType 1 (server callback).")
        customer = "".join(ch for ch in str(customer_raw) if ch in DIGITS)
        now = self.clock()
        kind_and_status = self.classify(customer, now)
        if isinstance(kind_and_status, dict):
            return kind_and_status
        kind, status = kind_and_status
        cart = Cart(
            transaction_id=str(uuid.uuid4()),
            reference=reference.strip(),
            amount=amount,
            customer=customer,
            kind=kind,
            confirmation=confirmation,
            status=status,
            created_at=now,
            app_key=app_key,
            sms_code=self.store.new_sms_code() if kind == "ssn" else None,
            callback_url=callback_url,
            callback_cancel_url=optional_text(body, "callbackcancelurl"),
            location_id=optional_text(body, "locationid"),
            register_id=optional_text(body, "registerid"),
            description=optional_text(body, "description") or "",
        )
        return rules.approved(cart, now) if kind == "app_code" else cart

    def classify(self, customer: str, now: float) -> tuple[str, str] | dict[str, Any]:
        if customer in TEST_GSM_NUMBERS:
            return "gsm", rules.PENDING
        if customer == TEST_SSN_UNLIMITED_CREDIT:
            return "ssn", rules.NEEDS_CODE
        if customer == TEST_SSN_NO_CREDIT:
            return declined(ResultCode.CUSTOMER_DECLINED, "The customer has no credit left.")
        if customer.startswith(TEST_APP_CODE_PREFIX) and len(customer) > len(TEST_APP_CODE_PREFIX):
            token = customer[len(TEST_APP_CODE_PREFIX) :]
            if self.store.use_token(token, now, self.token_ttl_s):
                return "app_code", rules.PENDING
            return declined(
                ResultCode.CUSTOMER_DOES_NOT_EXIST, "The app code is not valid or has expired."
            )
        return declined(ResultCode.CUSTOMER_DOES_NOT_EXIST, "Customer does not exist.")

    async def check_cart(self, body: dict[str, Any], app_key: str) -> dict[str, Any]:
        return self.on_cart(body, app_key, rules.check)

    async def confirm_cart(self, body: dict[str, Any], app_key: str) -> dict[str, Any]:
        identifier = "".join(ch for ch in str(body.get("identifier") or "") if ch in DIGITS)
        now = self.clock()

        def rule(cart: Cart) -> Outcome:
            right = cart.status == rules.NEEDS_CODE and self.code_is_right(cart, identifier, now)
            return rules.confirm(cart, now, code_is_right=right)

        return self.on_cart(body, app_key, rule)

    def code_is_right(self, cart: Cart, identifier: str, now: float) -> bool:
        if not identifier:
            return False
        if cart.sms_code and signature_matches(cart.sms_code, identifier):
            return True
        return self.store.use_token(identifier, now, self.token_ttl_s, customer=cart.customer)

    async def cancel_cart(self, body: dict[str, Any], app_key: str) -> dict[str, Any]:
        refuse = self.refuse_cancel_reserved
        return self.on_cart(body, app_key, lambda cart: rules.cancel(cart, refuse_reserved=refuse))

    def on_cart(
        self, body: dict[str, Any], app_key: str, rule: Callable[[Cart], Outcome]
    ) -> dict[str, Any]:
        transaction_id = body.get("transactionid")
        if not isinstance(transaction_id, str) or not transaction_id.strip():
            raise BadRequest("TransactionId is required.")
        found = self.store.apply(transaction_id.strip(), self.clock(), rule)
        if found is None:
            return unknown_cart(transaction_id)
        _, outcome = found
        if outcome.callback:
            self.sender.send(outcome.cart, outcome.callback, app_key)
        return outcome.answer

    # --- the customer's phone ----------------------------------------------------------------

    async def customer_page(self, request: Request) -> Response:
        page = files("pos.netgiro.sandbox").joinpath("customer.html").read_text(encoding="utf-8")
        return HTMLResponse(page)

    async def health(self, request: Request) -> Response:
        return JSONResponse({"Success": True, "Message": "sandbox is serving"})

    async def carts(self, request: Request) -> Response:
        now = self.clock()
        listed = []
        for transaction_id in self.store.all_ids():
            found = self.store.read(transaction_id, now)
            if found is None:
                continue
            _, outcome = found
            if outcome.callback:
                self.sender.send(outcome.cart, outcome.callback, outcome.cart.app_key)
            listed.append(public_view(outcome.cart))
        return JSONResponse(listed)

    async def act(self, request: Request) -> Response:
        action = request.path_params["action"].lower()
        transaction_id = request.path_params["transaction_id"]
        now = self.clock()
        if action == "accept":
            found = self.store.apply(transaction_id, now, lambda cart: rules.accept(cart, now))
        elif action == "reject":
            found = self.store.apply(transaction_id, now, rules.reject)
        else:
            return failure(f"Unknown action {action!r}: use accept or reject.", 404)
        if found is None:
            return failure(f"No cart {transaction_id}.", 404)
        _, outcome = found
        if outcome.callback:
            self.sender.send(outcome.cart, outcome.callback, outcome.cart.app_key)
        status = 200 if outcome.answer["Success"] else 409
        return JSONResponse(public_view(outcome.cart), status_code=status)

    async def app_code(self, request: Request) -> Response:
        token = self.store.issue_token(TEST_SSN_UNLIMITED_CREDIT, self.clock())
        return JSONResponse({"AppCode": f"{TEST_APP_CODE_PREFIX}-{token}"})


def public_view(cart: Cart) -> dict[str, Any]:
    """A cart as the tester's phone and scripts see it: the customer masked."""
    return {
        "TransactionId": cart.transaction_id,
        "Reference": cart.reference,
        "Amount": cart.amount,
        "Customer": mask_customer_id(cart.customer),
        "Kind": cart.kind,
        "ConfirmationType": cart.confirmation,
        "ResultCode": int(rules.CODE_OF_STATUS[cart.status]),
        "Status": cart.status,
        "SmsCode": cart.sms_code if cart.kind == "ssn" else None,
        "InvoiceNumber": cart.invoice_number,
        "Created": cart.created_at,
    }


def declined(code: int, message: str) -> dict[str, Any]:
    return {"Success": False, "ResultCode": int(code), "Message": message, "TransactionId": None}


def unknown_cart(transaction_id: str) -> dict[str, Any]:
    return {
        "Success": True,
        "PaymentSuccessful": False,
        "ResultCode": int(ResultCode.PAYMENT_CANCELED),
        "Message": f"Cart {transaction_id} does not exist or has expired.",
        "PaymentInfo": None,
    }


def url_as_sent(request: Request) -> str:
    """The absolute URL exactly as the client used it: its Host header, raw path and query."""
    host = request.headers.get("host", "")
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    scheme = request.scope.get("scheme", "http")  # what request.url says, without building it
    url = f"{scheme}://{host}{raw_path.decode('latin-1')}"
    return f"{url}?{query.decode('latin-1')}" if query else url


async def read_capped(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared and all(ch in DIGITS for ch in declared) and int(declared) > MAX_BODY_BYTES:
        raise BadRequest("The body is larger than 1 MB.", 413, 413)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise BadRequest("The body is larger than 1 MB.", 413, 413)
            chunks.append(chunk)
    except ClientDisconnect as exc:  # too slow, or gone: nobody reads this answer
        raise BadRequest("The request did not arrive whole.", 400, 400) from exc
    return b"".join(chunks)


def parse_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object with lower-case keys; refused whole before any state change.

    Too deep, or holding a string that cannot be encoded (a lone surrogate), it is a 400 here
    rather than a 500 further on, after a cart was stored.
    """
    if nests_deeper_than(body, MAX_DEPTH):
        raise BadRequest(f"The body nests deeper than {MAX_DEPTH} levels.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    if not all_encodable(data):
        raise BadRequest("The body holds text that cannot be encoded (a lone surrogate).")
    return {str(key).lower(): value for key, value in data.items()}


def nests_deeper_than(body: bytes, limit: int) -> bool:
    """Whether ``[`` and ``{`` nest deeper than ``limit`` outside strings, without parsing."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # too few brackets: skip the byte-by-byte walk
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def all_encodable(value: object) -> bool:
    """Every key and string in a parsed body (depth already bounded) encodes as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(all_encodable(k) and all_encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(all_encodable(item) for item in value)
    return True


def optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRequest(f"{key} must be text.")
    return str(value)
