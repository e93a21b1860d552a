"""The sandbox over real loopback HTTP: signatures, key and path case, bad input, state, load."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos.core.public_test_data import FIRST_TEST_APPLICATION, SECOND_TEST_APPLICATION
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.netgiro.signing import signature

APP = FIRST_TEST_APPLICATION


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxSettings(state_file=tmp_path / "sandbox.sqlite3", port=0)) as sb:
        yield sb


def signed(
    url: str,
    body: bytes,
    *,
    secret: str = APP.secret_key,
    app_key: str = APP.app_key,
    signed_url: str | None = None,
    signed_body: bytes | None = None,
) -> httpx.Response:
    nonce = str(time.time_ns())
    sig = signature(secret, nonce, signed_url or url, body if signed_body is None else signed_body)
    headers = {"netgiro_appkey": app_key, "netgiro_nonce": nonce, "netgiro_signature": sig}
    return httpx.post(url, content=body, headers=headers, timeout=10)


def insert_body(**overrides: Any) -> bytes:
    body = {"Amount": 1990, "Reference": "R1-1", "CustomerId": "8223281", "ConfirmationType": 0}
    body.update(overrides)
    return json.dumps(body, separators=(",", ":")).encode()


def test_a_correctly_signed_insert_is_accepted(sandbox: RunningSandbox) -> None:
    answer = signed(sandbox.base_url + "Checkout/InsertCart", insert_body())
    assert answer.status_code == 200
    assert answer.json()["Success"] is True
    assert answer.headers["netgiro_referenceId"]


def test_the_second_public_application_signs_too_and_app_keys_ignore_case(
    sandbox: RunningSandbox,
) -> None:
    app = SECOND_TEST_APPLICATION
    answer = signed(
        sandbox.base_url + "Checkout/InsertCart",
        insert_body(),
        secret=app.secret_key,
        app_key=app.app_key.upper(),
    )
    assert answer.json()["Success"] is True


@pytest.mark.parametrize(
    "tamper",
    ["wrong_secret", "url_case", "reserialized_body", "nonce", "missing"],
)
def test_a_bad_signature_is_refused_with_401_json(sandbox: RunningSandbox, tamper: str) -> None:
    url = sandbox.base_url + "Checkout/InsertCart"
    body = insert_body()
    if tamper == "wrong_secret":
        answer = signed(url, body, secret=SECOND_TEST_APPLICATION.secret_key)
    elif tamper == "url_case":
        answer = signed(url, body, signed_url=sandbox.base_url + "checkout/insertcart")
    elif tamper == "reserialized_body":
        answer = signed(url, body, signed_body=json.dumps(json.loads(body)).encode())
    elif tamper == "nonce":  # signed over one nonce, sent with the next: a replay's shape
        nonce = str(time.time_ns())
        headers = {
            "netgiro_appkey": APP.app_key,
            "netgiro_nonce": str(int(nonce) + 1),
            "netgiro_signature": signature(APP.secret_key, nonce, url, body),
        }
        answer = httpx.post(url, content=body, headers=headers, timeout=10)
    else:
        answer = httpx.post(url, content=body, timeout=10)
    assert answer.status_code == 401
    assert answer.json() == {
        "Success": False,
        "ResultCode": 401,
        "Message": answer.json()["Message"],
    }


def test_paths_route_and_keys_bind_case_insensitively(sandbox: RunningSandbox) -> None:
    body = json.dumps({"amount": 500, "REFERENCE": "R1-2", "customerId": "8223281"}).encode()
    answer = signed(sandbox.base_url + "checkout/insertcart", body)
    assert answer.json()["Success"] is True
    transaction_id = answer.json()["TransactionId"]
    check = signed(
        sandbox.base_url + "CHECKOUT/CheckCart",
        json.dumps({"transactionid": transaction_id}).encode(),
    )
    assert check.json()["ResultCode"] == 10425


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (insert_body(Amount="1990"), "Amount"),
        (insert_body(Amount=19.9), "Amount"),
        (insert_body(Amount=True), "Amount"),
        (insert_body(Amount=0), "Amount"),
        (insert_body(Amount=-5), "Amount"),
        (insert_body(Reference=""), "Reference"),
        (insert_body(CustomerId=None), "CustomerId"),
        (insert_body(ConfirmationType=1), "CallbackUrl"),
    ],
)
def test_bad_input_gets_a_clear_4xx_json_answer(
    sandbox: RunningSandbox, body: bytes, message: str
) -> None:
    answer = signed(sandbox.base_url + "Checkout/InsertCart", body)
    assert 400 <= answer.status_code < 500
    assert answer.json()["Success"] is False
    assert message in answer.json()["Message"]


def test_a_confirmation_type_outside_0_to_2_is_10427(sandbox: RunningSandbox) -> None:
    answer = signed(sandbox.base_url + "Checkout/InsertCart", insert_body(ConfirmationType=7))
    assert (answer.json()["Success"], answer.json()["ResultCode"]) == (False, 10427)


def test_a_20_mb_body_and_unknown_paths_get_4xx_and_the_sandbox_keeps_serving(
    sandbox: RunningSandbox,
) -> None:
    huge = b'{"Amount": "' + b"9" * (20 * 1024 * 1024) + b'"}'
    answer = httpx.post(sandbox.base_url + "Checkout/InsertCart", content=huge, timeout=30)
    assert answer.status_code == 413
    assert "1 MB" in answer.json()["Message"]
    for path in ("v1/Checkout/Nope", "nothing/here", "v1/"):
        missing = httpx.post(sandbox.root_url + path, content=b"{}", timeout=10)
        assert missing.status_code in (401, 404), path
        assert missing.json()["Success"] is False
    assert signed(sandbox.base_url + "Checkout/InsertCart", insert_body()).json()["Success"]


def test_a_restarted_sandbox_and_a_second_one_know_the_carts(tmp_path: Path) -> None:
    settings = SandboxSettings(state_file=tmp_path / "shared.sqlite3", port=0)
    with RunningSandbox(settings) as first:
        made = signed(first.base_url + "Checkout/InsertCart", insert_body()).json()["TransactionId"]
        with RunningSandbox(settings) as second:
            body = json.dumps({"TransactionId": made}).encode()
            assert (
                signed(second.base_url + "Checkout/CheckCart", body).json()["ResultCode"] == 10425
            )
            httpx.post(
                f"{second.root_url}sandbox/carts/{made}/accept", timeout=10
            ).raise_for_status()
    with RunningSandbox(settings) as restarted:
        body = json.dumps({"TransactionId": made}).encode()
        assert signed(restarted.base_url + "Checkout/CheckCart", body).json()["ResultCode"] == 10200


def test_the_customer_json_api_masks_the_customer(sandbox: RunningSandbox) -> None:
    signed(sandbox.base_url + "Checkout/InsertCart", insert_body(CustomerId="1111111119"))
    [cart] = httpx.get(sandbox.root_url + "sandbox/carts", timeout=10).json()
    assert cart["Customer"] == "******-1119"
    assert len(cart["SmsCode"]) == 6
    assert cart["ResultCode"] == 10428
    app_code = httpx.post(sandbox.root_url + "sandbox/app-codes", timeout=10).json()["AppCode"]
    assert app_code.startswith("500004-")


async def test_it_keeps_serving_50_concurrent_registers(sandbox: RunningSandbox) -> None:
    async def register(n: int, client: httpx.AsyncClient) -> int:
        url = sandbox.base_url + "Checkout/InsertCart"
        body = insert_body(Reference=f"R{n}-1")
        nonce = str(time.time_ns())
        headers = {
            "netgiro_appkey": APP.app_key,
            "netgiro_nonce": nonce,
            "netgiro_signature": signature(APP.secret_key, nonce, url, body),
        }
        inserted = (await client.post(url, content=body, headers=headers)).json()
        check_url = sandbox.base_url + "Checkout/CheckCart"
        check_body = json.dumps({"TransactionId": inserted["TransactionId"]}).encode()
        headers["netgiro_signature"] = signature(APP.secret_key, nonce, check_url, check_body)
        checked = (await client.post(check_url, content=check_body, headers=headers)).json()
        return int(checked["ResultCode"])

    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        codes = await asyncio.gather(*(register(n, client) for n in range(50)))
    assert codes == [10425] * 50
    assert len(httpx.get(sandbox.root_url + "sandbox/carts", timeout=10).json()) == 50
