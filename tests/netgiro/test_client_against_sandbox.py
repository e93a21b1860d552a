"""The client against the embedded sandbox over real loopback: every counter flow and every
row of the protocol notes' "docs are silent" table, one test each.

Waits are bounded polling loops, never a timed assert.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos.core.cart import CartAnswer
from pos.core.public_test_data import (
    FIRST_TEST_APPLICATION,
    TEST_APP_CODE_PREFIX,
    TEST_SSN_NO_CREDIT,
    TEST_SSN_UNLIMITED_CREDIT,
)
from pos.core.result_codes import ConfirmationType
from pos.netgiro.answers import parse_insert_answer
from pos.netgiro.auth import NetgiroAuth
from pos.netgiro.client import NetgiroClient
from pos.netgiro.errors import AnswerSaysNo
from pos.netgiro.nonce import MonotonicNonce
from pos.netgiro.requests import InsertCartRequest
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.netgiro.signing import signature
from tests.netgiro.fake_servers import CallbackReceiver, callback_receiver

APP = FIRST_TEST_APPLICATION
GSM = "8223281"
AUTOMATIC, CALLBACK, MANUAL = (
    ConfirmationType.AUTOMATIC,
    ConfirmationType.SERVER_CALLBACK,
    ConfirmationType.MANUAL,
)
PAID, CANCELED, ALREADY_CANCELED = 10200, 10201, 10202
PENDING, RESERVED, CODE_NEEDED, AWAITING_CALLBACK = 10425, 10426, 10428, 10429
WRONG_CODE = "99"  # neither a 4-digit generator token nor a 6-digit SMS code


class Counter:
    """One register talking to a running sandbox, with the tester's phone beside it."""

    def __init__(self, sandbox: RunningSandbox, client: NetgiroClient, phone: httpx.AsyncClient):
        self.sandbox, self.client, self.phone = sandbox, client, phone

    async def insert(
        self, customer: str, confirmation: ConfirmationType = AUTOMATIC, **extra: Any
    ) -> str:
        request = InsertCartRequest(1990, "R1-1", customer, confirmation, **extra)
        answer = await self.client.insert_cart(request)
        assert answer.success and answer.result_code == 200
        assert answer.reference_id is not None
        assert answer.transaction_id
        return answer.transaction_id

    async def check(self, transaction_id: str) -> CartAnswer:
        return self.seen(await self.client.check_cart(transaction_id))

    async def confirm(self, transaction_id: str, identifier: str | None = None) -> CartAnswer:
        return self.seen(await self.client.confirm_cart(transaction_id, identifier))

    async def cancel(self, transaction_id: str) -> CartAnswer:
        return self.seen(await self.client.cancel_cart(transaction_id))

    def seen(self, answer: CartAnswer) -> CartAnswer:
        assert answer.reference_id is not None
        assert answer.reference_id == self.client.last_reference_id
        return answer

    async def customer(self, transaction_id: str, action: str) -> None:
        url = f"{self.sandbox.root_url}sandbox/carts/{transaction_id}/{action}"
        response = await self.phone.post(url, json={})
        assert response.status_code == 200, response.text

    async def listed(self, transaction_id: str) -> dict[str, Any]:
        """The cart as the sandbox's unsigned ``GET /sandbox/carts`` lists it."""
        response = await self.phone.get(f"{self.sandbox.root_url}sandbox/carts")
        assert response.status_code == 200, response.text
        [cart] = [c for c in response.json() if c["TransactionId"] == transaction_id]
        assert isinstance(cart, dict)
        return cart

    async def issued_app_code(self) -> str:
        """A code as the customer's app shows it (``POST /sandbox/app-codes``)."""
        response = await self.phone.post(f"{self.sandbox.root_url}sandbox/app-codes", json={})
        assert response.status_code == 200, response.text
        code = response.json()["AppCode"]
        assert isinstance(code, str)
        return code

    async def sms_code_token(self) -> str:
        token = await self.client.request_confirmation_token(TEST_SSN_UNLIMITED_CREDIT)
        assert self.client.last_reference_id is not None
        return token

    async def until(self, transaction_id: str, code: int, tries: int = 200) -> CartAnswer:
        """Poll CheckCart until it says ``code`` (bounded: about 10 s)."""
        answer = await self.check(transaction_id)
        for _ in range(tries):
            if answer.result_code == code:
                break
            await asyncio.sleep(0.05)
            answer = await self.check(transaction_id)
        return answer


@contextmanager
def sandbox_running(tmp_path: Path, **settings: Any) -> Iterator[RunningSandbox]:
    state = tmp_path / "s.sqlite3"
    with RunningSandbox(SandboxSettings(state_file=state, port=0, **settings)) as sandbox:
        yield sandbox


@asynccontextmanager
async def counter_at(sandbox: RunningSandbox) -> AsyncIterator[Counter]:
    async with (
        NetgiroClient(sandbox.base_url, APP.app_key, APP.secret_key) as client,
        httpx.AsyncClient(timeout=5) as phone,
    ):
        yield Counter(sandbox, client, phone)


@pytest.fixture
def open_counter(tmp_path: Path) -> Callable[..., Any]:
    """``async with open_counter(**sandbox_settings) as counter``: a sandbox and a client."""

    @asynccontextmanager
    async def opened(**settings: Any) -> AsyncIterator[Counter]:
        with sandbox_running(tmp_path, **settings) as sandbox:
            async with counter_at(sandbox) as counter:
                yield counter

    return opened


async def until_true(condition: Callable[[], bool], tries: int = 200) -> bool:
    for _ in range(tries):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


# --- GSM ----------------------------------------------------------------------------------------


async def test_gsm_pending_then_the_customer_accepts_and_it_is_paid(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(GSM)
        assert (await counter.check(tid)).result_code == PENDING
        await counter.customer(tid, "accept")
        answer = await counter.check(tid)
        assert (answer.result_code, answer.payment_successful) == (PAID, True)
        assert answer.payment_info is not None
        assert answer.payment_info.transaction_id == tid
        assert answer.payment_info.status_id == 2


async def test_the_former_test_gsm_number_is_accepted_too(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert("7700001")
        assert (await counter.check(tid)).result_code == PENDING


async def test_gsm_rejected_by_the_customer_is_canceled(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(GSM)
        await counter.customer(tid, "reject")
        answer = await counter.check(tid)
        assert (answer.result_code, answer.payment_successful) == (CANCELED, False)


async def test_gsm_left_to_expire_is_canceled(open_counter: Any) -> None:
    async with open_counter(cart_ttl_s=0.5) as counter:
        tid = await counter.insert(GSM)
        answer = await counter.until(tid, CANCELED)
        assert (answer.result_code, answer.payment_successful) == (CANCELED, False)


async def test_gsm_manual_is_reserved_then_confirm_cart_pays(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(GSM, MANUAL)
        await counter.customer(tid, "accept")
        reserved = await counter.check(tid)
        assert (reserved.result_code, reserved.payment_successful) == (RESERVED, False)
        confirmed = await counter.confirm(tid)
        assert (confirmed.result_code, confirmed.payment_successful) == (PAID, True)
        assert (await counter.check(tid)).result_code == PAID


# --- SSN ----------------------------------------------------------------------------------------


async def test_ssn_needs_the_sms_code(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(TEST_SSN_UNLIMITED_CREDIT)
        assert (await counter.check(tid)).result_code == CODE_NEEDED


async def test_ssn_wrong_code_says_success_but_not_paid_then_the_right_code_pays(
    open_counter: Any,
) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(TEST_SSN_UNLIMITED_CREDIT)
        answer = await counter.confirm(tid, WRONG_CODE)
        assert (answer.success, answer.payment_successful, answer.result_code) == (
            True,
            False,
            400,
        )
        assert (await counter.check(tid)).result_code == CODE_NEEDED
        right = await counter.confirm(tid, await counter.sms_code_token())
        assert (right.result_code, right.payment_successful) == (PAID, True)


async def test_ssn_code_from_the_simulated_sms_inbox_pays(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(TEST_SSN_UNLIMITED_CREDIT)
        sms_code = (await counter.listed(tid))["SmsCode"]
        assert isinstance(sms_code, str) and sms_code
        answer = await counter.confirm(tid, sms_code)
        assert (answer.result_code, answer.payment_successful) == (PAID, True)
        assert (await counter.listed(tid))["ResultCode"] == PAID


async def test_ssn_right_code_pays(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(TEST_SSN_UNLIMITED_CREDIT)
        answer = await counter.confirm(tid, await counter.sms_code_token())
        assert (answer.result_code, answer.payment_successful) == (PAID, True)
        assert (await counter.check(tid)).result_code == PAID


async def test_ssn_manual_code_reserves_then_a_second_confirm_cart_pays(
    open_counter: Any,
) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(TEST_SSN_UNLIMITED_CREDIT, MANUAL)
        first = await counter.confirm(tid, await counter.sms_code_token())
        assert (first.result_code, first.payment_successful) == (RESERVED, False)
        second = await counter.confirm(tid)
        assert (second.result_code, second.payment_successful) == (PAID, True)


# --- AppCode ------------------------------------------------------------------------------------


async def app_code(counter: Counter) -> str:
    return f"{TEST_APP_CODE_PREFIX}-{await counter.sms_code_token()}"


async def test_app_code_automatic_is_paid_at_insert(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(await app_code(counter))
        answer = await counter.check(tid)
        assert (answer.result_code, answer.payment_successful) == (PAID, True)


async def test_an_app_code_issued_by_the_simulated_app_is_paid_at_insert(
    open_counter: Any,
) -> None:
    async with open_counter() as counter:
        code = await counter.issued_app_code()
        assert code.startswith(f"{TEST_APP_CODE_PREFIX}-")
        tid = await counter.insert(code)
        answer = await counter.check(tid)
        assert (answer.result_code, answer.payment_successful) == (PAID, True)


async def test_app_code_manual_is_reserved_then_confirm_cart_pays(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(await app_code(counter), MANUAL)
        assert (await counter.check(tid)).result_code == RESERVED
        confirmed = await counter.confirm(tid)
        assert (confirmed.result_code, confirmed.payment_successful) == (PAID, True)


async def test_an_app_code_is_single_use(open_counter: Any) -> None:
    async with open_counter() as counter:
        code = await app_code(counter)
        await counter.insert(code)
        with pytest.raises(AnswerSaysNo) as caught:
            await counter.insert(code)
        assert caught.value.result_code == 10306
        assert counter.client.last_reference_id is not None


async def test_confirm_cart_on_a_paid_cart_answers_paid(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(await app_code(counter))
        answer = await counter.confirm(tid)
        assert (answer.result_code, answer.payment_successful) == (PAID, True)


# --- CancelCart ---------------------------------------------------------------------------------


async def test_a_reservation_outlives_the_carts_lifetime(open_counter: Any) -> None:
    async with open_counter(cart_ttl_s=0.2, reservation_ttl_s=60, auto_accept_after_s=0) as counter:
        tid = await counter.insert(GSM, MANUAL)
        await asyncio.sleep(0.4)  # past the cart's lifetime, far from the reservation's
        assert (await counter.check(tid)).result_code == RESERVED
        assert (await counter.confirm(tid)).result_code == PAID


async def test_an_unconfirmed_reservation_lapses(open_counter: Any) -> None:
    async with open_counter(
        cart_ttl_s=0.2, reservation_ttl_s=0.5, auto_accept_after_s=0
    ) as counter:
        tid = await counter.insert(GSM, MANUAL)
        lapsed = await counter.until(tid, CANCELED)
        assert (lapsed.result_code, lapsed.payment_successful) == (CANCELED, False)
        assert (await counter.confirm(tid)).result_code == CANCELED


async def test_cancel_cart_on_a_pending_cart_cancels_it(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(GSM)
        answer = await counter.cancel(tid)
        assert (answer.success, answer.result_code) == (True, CANCELED)
        assert (await counter.check(tid)).result_code == CANCELED


async def test_cancel_cart_on_a_reservation_cancels_it(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(GSM, MANUAL)
        await counter.customer(tid, "accept")
        answer = await counter.cancel(tid)
        assert (answer.success, answer.result_code, answer.payment_successful) == (
            True,
            CANCELED,
            False,
        )
        assert (await counter.check(tid)).result_code == CANCELED


async def test_cancel_cart_on_a_reservation_refused_under_the_strict_reading(
    open_counter: Any,
) -> None:
    async with open_counter(refuse_cancel_reserved=True) as counter:
        tid = await counter.insert(GSM, MANUAL)
        await counter.customer(tid, "accept")
        answer = await counter.cancel(tid)
        assert (answer.success, answer.result_code, answer.payment_successful) == (
            False,
            RESERVED,
            False,
        )
        assert (await counter.check(tid)).result_code == RESERVED


async def test_cancel_cart_after_payment_says_no_because_it_is_paid(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(GSM)
        await counter.customer(tid, "accept")
        answer = await counter.cancel(tid)
        assert (answer.success, answer.result_code) == (False, PAID)
        assert answer.says_paid
        assert (await counter.check(tid)).result_code == PAID


async def test_cancel_cart_twice_says_already_canceled(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(GSM)
        await counter.cancel(tid)
        assert (await counter.cancel(tid)).result_code == ALREADY_CANCELED


# --- unknown carts and declines ------------------------------------------------------------------


async def test_check_cart_on_an_unknown_transaction_is_canceled(open_counter: Any) -> None:
    async with open_counter() as counter:
        answer = await counter.check("00000000-0000-0000-0000-000000000000")
        assert (answer.success, answer.payment_successful, answer.result_code) == (
            True,
            False,
            CANCELED,
        )


async def test_cancel_cart_on_an_unknown_transaction_is_canceled(open_counter: Any) -> None:
    async with open_counter() as counter:
        answer = await counter.cancel("00000000-0000-0000-0000-000000000000")
        assert (answer.payment_successful, answer.result_code) == (False, CANCELED)
        assert not answer.says_paid


async def test_cancel_cart_on_an_expired_cart_is_canceled(open_counter: Any) -> None:
    async with open_counter(cart_ttl_s=0.3) as counter:
        tid = await counter.insert(GSM)
        await counter.until(tid, CANCELED)
        answer = await counter.cancel(tid)
        assert answer.result_code in (CANCELED, ALREADY_CANCELED)
        assert (answer.payment_successful, answer.says_paid) == (False, False)


async def test_the_cart_keeps_what_the_till_sent(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(GSM, MANUAL, location_id="L7", register_id="R3")
        info = (await counter.check(tid)).payment_info
        assert info is not None
        assert (info.transaction_id, info.reference_number, info.total_amount) == (
            tid,
            "R1-1",
            1990,
        )
        assert (info.location_id, info.register_id, info.status_id) == ("L7", "R3", 1)


async def test_a_customer_without_credit_is_declined(open_counter: Any) -> None:
    async with open_counter() as counter:
        with pytest.raises(AnswerSaysNo) as caught:
            await counter.insert(TEST_SSN_NO_CREDIT)
        assert caught.value.result_code in (10422, 10423)


async def test_an_unknown_customer_is_declined(open_counter: Any) -> None:
    async with open_counter() as counter:
        with pytest.raises(AnswerSaysNo) as caught:
            await counter.insert("5812345")
        assert caught.value.result_code == 10306


@dataclass(frozen=True, repr=False)
class WithRawConfirmationType(InsertCartRequest):
    """An InsertCart body with any confirmation type, even one the enum does not have."""

    raw_confirmation_type: int = 5

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "ConfirmationType": self.raw_confirmation_type}


async def test_an_invalid_confirmation_type_is_declined(open_counter: Any) -> None:
    async with open_counter() as counter:
        with pytest.raises(AnswerSaysNo) as caught:
            await counter.client.insert_cart(
                WithRawConfirmationType(1990, "R1-1", GSM, AUTOMATIC, raw_confirmation_type=5)
            )
        assert caught.value.result_code == 10427


async def test_server_callback_without_a_callback_url_is_declined(open_counter: Any) -> None:
    async with open_counter() as counter:
        with pytest.raises(AnswerSaysNo) as caught:
            await counter.insert(GSM, CALLBACK)
        assert caught.value.result_code == 400
        assert counter.client.last_reference_id is not None


# --- server callbacks ---------------------------------------------------------------------------


def assert_signed_by_netgiro(receiver: CallbackReceiver, index: int = 0) -> dict[str, Any]:
    callback = receiver.received[index]
    assert callback.no_delay  # the test receiver answers without a delayed-ACK wait
    headers = {name.lower(): value for name, value in callback.headers.items()}
    assert headers["netgiro_appkey"].lower() == APP.app_key.lower()
    expected = signature(APP.secret_key, headers["netgiro_nonce"], receiver.url, callback.body)
    assert headers["netgiro_signature"] == expected
    body: dict[str, Any] = json.loads(callback.body)
    return body


async def test_server_callback_waits_for_the_receivers_200_then_is_paid(
    open_counter: Any,
) -> None:
    with callback_receiver(200, hold=True) as receiver:
        async with open_counter() as counter:
            tid = await counter.insert(GSM, CALLBACK, callback_url=receiver.url)
            await counter.customer(tid, "accept")
            assert await until_true(receiver.arrived.is_set)
            waiting = await counter.check(tid)
            assert (waiting.result_code, waiting.payment_successful) == (AWAITING_CALLBACK, False)
            receiver.release.set()
            paid = await counter.until(tid, PAID)
            assert (paid.result_code, paid.payment_successful) == (PAID, True)
        body = assert_signed_by_netgiro(receiver)
        assert body["ResultCode"] == PAID
        assert body["PaymentInfo"]["TransactionId"] == tid
        assert receiver.received[0].path == "/callback/paid"


async def test_server_callback_answered_500_is_retried_then_canceled(open_counter: Any) -> None:
    with callback_receiver(500) as receiver:
        async with open_counter(callback_retry_delay_s=0.2) as counter:
            tid = await counter.insert(GSM, CALLBACK, callback_url=receiver.url)
            await counter.customer(tid, "accept")
            answer = await counter.until(tid, CANCELED)
            assert (answer.result_code, answer.payment_successful) == (CANCELED, False)
        assert len(receiver.received) == 2
        assert_signed_by_netgiro(receiver, 1)


async def test_ssn_code_with_server_callback_waits_for_the_receivers_200_then_is_paid(
    open_counter: Any,
) -> None:
    with callback_receiver(200, hold=True) as receiver:
        async with open_counter() as counter:
            tid = await counter.insert(
                TEST_SSN_UNLIMITED_CREDIT, CALLBACK, callback_url=receiver.url
            )
            confirmed = await counter.confirm(tid, await counter.sms_code_token())
            assert (confirmed.result_code, confirmed.payment_successful) == (
                AWAITING_CALLBACK,
                False,
            )
            assert await until_true(receiver.arrived.is_set)
            assert (await counter.check(tid)).result_code == AWAITING_CALLBACK
            receiver.release.set()
            paid = await counter.until(tid, PAID)
            assert (paid.result_code, paid.payment_successful) == (PAID, True)
        assert assert_signed_by_netgiro(receiver)["PaymentInfo"]["TransactionId"] == tid


async def test_a_callback_url_in_manual_mode_is_only_a_notice(open_counter: Any) -> None:
    with callback_receiver(500) as receiver:
        async with open_counter() as counter:
            tid = await counter.insert(GSM, MANUAL, callback_url=receiver.url)
            await counter.customer(tid, "accept")
            assert (await counter.check(tid)).result_code == RESERVED
            assert await until_true(receiver.arrived.is_set)
            assert (await counter.check(tid)).result_code == RESERVED
            assert (await counter.confirm(tid)).result_code == PAID
        assert assert_signed_by_netgiro(receiver)["ResultCode"] == RESERVED


async def test_a_callback_cancel_url_hears_of_a_rejection(open_counter: Any) -> None:
    with callback_receiver(200) as receiver:
        async with open_counter() as counter:
            tid = await counter.insert(GSM, AUTOMATIC, callback_cancel_url=receiver.url)
            await counter.customer(tid, "reject")
            assert await until_true(receiver.arrived.is_set)
            assert (await counter.check(tid)).result_code == CANCELED
        assert assert_signed_by_netgiro(receiver)["ResultCode"] == CANCELED


async def test_a_callback_url_in_automatic_mode_is_only_a_notice(open_counter: Any) -> None:
    with callback_receiver(500) as receiver:
        async with open_counter() as counter:
            tid = await counter.insert(GSM, AUTOMATIC, callback_url=receiver.url)
            await counter.customer(tid, "accept")
            assert (await counter.check(tid)).result_code == PAID
            assert await until_true(receiver.arrived.is_set)
            assert (await counter.check(tid)).result_code == PAID
        assert assert_signed_by_netgiro(receiver)["ResultCode"] == PAID


# --- raw requests -------------------------------------------------------------------------------


async def signed_post(sandbox: RunningSandbox, path: str, body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body).encode("utf-8")
    auth = NetgiroAuth(APP.app_key, APP.secret_key, MonotonicNonce().next)
    async with httpx.AsyncClient(auth=auth, timeout=5) as http:
        return await http.post(
            sandbox.base_url + path, content=raw, headers={"Content-Type": "application/json"}
        )


async def test_a_missing_confirmation_type_defaults_to_automatic(open_counter: Any) -> None:
    async with open_counter() as counter:
        body = {"Amount": 1990, "Reference": "R1-1", "CustomerId": GSM}
        response = await signed_post(counter.sandbox, "Checkout/InsertCart", body)
        assert response.status_code == 200
        inserted = parse_insert_answer(response.json(), response.headers["netgiro_referenceId"])
        assert inserted.success and inserted.transaction_id
        assert inserted.reference_id
        await counter.customer(inserted.transaction_id, "accept")
        assert (await counter.check(inserted.transaction_id)).result_code == PAID


async def test_paths_and_keys_are_case_insensitive(open_counter: Any) -> None:
    async with open_counter() as counter:
        body = {"amount": 1990, "REFERENCE": "R1-1", "customerId": GSM, "confirmationtype": 0}
        response = await signed_post(counter.sandbox, "checkout/insertcart", body)
        inserted = parse_insert_answer(response.json(), None)
        assert inserted.success and inserted.transaction_id
        assert (await counter.check(inserted.transaction_id)).result_code == PENDING


async def test_every_answer_carries_a_reference_id(open_counter: Any) -> None:
    async with open_counter() as counter:
        tid = await counter.insert(GSM, MANUAL)
        seen = {counter.client.last_reference_id}
        calls: list[Callable[[], Awaitable[object]]] = [
            lambda: counter.check(tid),
            lambda: counter.customer(tid, "accept"),
            lambda: counter.confirm(tid),
            lambda: counter.cancel(tid),
            lambda: counter.client.request_confirmation_token(TEST_SSN_UNLIMITED_CREDIT),
            lambda: counter.check("unknown"),
        ]
        for call in calls:
            await call()
            assert counter.client.last_reference_id is not None
            seen.add(counter.client.last_reference_id)
        assert None not in seen
        assert len(seen) == 6  # the phone's accept is not a Netgíró call
