"""Fast services-layer guards for mistakes only the slow end-to-end suite used to catch.

Recovery must finish ``unsure`` attempts too; a lost InsertCart answer is never a decline; the
journal's state codec keeps the invoice number (the receipt and the report need it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.core.checkout import Checkout, CustomerKind, Phase
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, SaleLine
from pos.journal.state_codec import state_from_json, state_to_json
from pos.netgiro.client import NetgiroClient
from pos.netgiro.requests import InsertCartRequest
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.services.checkout_runner import CheckoutRunner, CustomerForNetgiro, RunnerTiming
from pos.services.payment import EXIT_ERROR, exit_code_for
from pos.services.recovery import recover_open_attempts
from tests.netgiro.fake_servers import answering, half_answering, raw_server

APP = FIRST_TEST_APPLICATION
GSM = CustomerForNetgiro(CustomerKind.GSM, "8223281", "***-**81")
TIMING = RunnerTiming(deadline_s=15, give_up_after_s=5, backoff_cap_s=0.5)


def new_sale(journal: Journal) -> int:
    return journal.create_sale("R1", [SaleLine("k", "Keyed", 1990, 1000, 1990)])


# --- recovery does not skip unsure attempts ---------------------------------------------------


@dataclass
class Parts:
    sandbox: RunningSandbox
    journal: Journal
    client: NetgiroClient
    runner: CheckoutRunner


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[Parts]:
    sandbox = RunningSandbox(SandboxSettings(state_file=tmp_path / "s.sqlite3", port=0)).start()
    journal = Journal(tmp_path / "journal.sqlite3")
    client = NetgiroClient(sandbox.base_url, APP.app_key, APP.secret_key)
    try:
        yield Parts(sandbox, journal, client, CheckoutRunner(client, journal, TIMING))
    finally:
        await client.aclose()
        journal.close()
        await asyncio.to_thread(sandbox.stop)


@pytest.mark.parametrize("phase", [Phase.PENDING, Phase.CONFIRMING, Phase.CANCELLING])
async def test_recovery_finishes_an_unsure_attempt(parts: Parts, phase: Phase) -> None:
    """An attempt whose last call failed (``unsure``) is still open: recovery must ask Netgíró."""
    state = Checkout(Phase.INSERTING, CustomerKind.GSM, ConfirmationType.AUTOMATIC)
    attempt = parts.journal.begin_attempt(new_sale(parts.journal), GSM.masked, state)
    request = InsertCartRequest(1990, attempt.reference, GSM.for_netgiro, state.confirmation)
    transaction_id = (await parts.client.insert_cart(request)).transaction_id
    assert transaction_id is not None
    async with httpx.AsyncClient(timeout=10) as http:
        url = f"{parts.sandbox.root_url}sandbox/carts/{transaction_id}/accept"
        assert (await http.post(url)).status_code == 200  # automatic: paid at once
    unsure = replace(state, phase=phase, transaction_id=transaction_id, unsure=True)
    parts.journal.record(attempt.id, unsure, event="check failed", point="journal.test")

    [recovered] = await recover_open_attempts(parts.runner, parts.journal)

    assert (recovered.reference, recovered.before, recovered.after) == (
        attempt.reference,
        phase,
        Phase.PAID,
    )
    assert parts.journal.open_attempts() == []
    assert parts.journal.sale(attempt.sale_id).status == "paid"


# --- a lost InsertCart answer is unknown, never a decline -------------------------------------


@pytest.fixture
def lost_answers() -> Iterator[dict[str, str]]:
    """Servers that take the request and lose the answer: a 500, and a body cut short."""
    with (
        raw_server(answering(500, b'{"Message":"An error has occurred."}')) as failing,
        raw_server(half_answering) as cut_short,
    ):
        yield {"HTTP 500": failing, "truncated body": cut_short}


@pytest.mark.parametrize("fault", ["HTTP 500", "truncated body"])
@pytest.mark.parametrize(
    ("confirmation", "ends"),
    [
        (ConfirmationType.MANUAL, Phase.ABANDONED),
        (ConfirmationType.AUTOMATIC, Phase.UNKNOWN_ABANDONED),
        (ConfirmationType.SERVER_CALLBACK, Phase.UNKNOWN_ABANDONED),
    ],
)
async def test_an_unknown_insert_cart_is_never_a_decline(
    tmp_path: Path,
    lost_answers: dict[str, str],
    fault: str,
    confirmation: ConfirmationType,
    ends: Phase,
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    client = NetgiroClient(lost_answers[fault], APP.app_key, APP.secret_key)
    try:
        runner = CheckoutRunner(client, journal, TIMING)
        callback_url = "http://127.0.0.1:9/netgiro/callback"
        attempt = await runner.pay(
            new_sale(journal),
            GSM,
            confirmation,
            callback_url=callback_url if confirmation is ConfirmationType.SERVER_CALLBACK else None,
        )
    finally:
        await client.aclose()
        journal.close()
    assert attempt.state.phase is ends
    assert attempt.state.phase is not Phase.DECLINED
    if ends is Phase.UNKNOWN_ABANDONED:
        assert exit_code_for(attempt.state.phase) == EXIT_ERROR  # the cashier must check


# --- the journal's codec keeps every field, the invoice number above all ----------------------


def test_a_paid_state_keeps_its_invoice_number_through_the_journal(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    try:
        state = Checkout(Phase.INSERTING, CustomerKind.GSM, ConfirmationType.MANUAL)
        attempt = journal.begin_attempt(new_sale(journal), GSM.masked, state)
        paid = replace(
            state,
            phase=Phase.PAID,
            transaction_id="0f3c2a4e-8b1d-4c3e-9a7f-2b6d1e0c5a91",
            result_code=10200,
            invoice_number=100_042,
        )
        journal.record(attempt.id, paid, event="paid", point="journal.test")
        assert journal.attempt(attempt.id).state.invoice_number == 100_042
        [job] = journal.print_jobs()
        assert job.snapshot["invoice_number"] == 100_042
    finally:
        journal.close()


STATES = st.builds(
    Checkout,
    phase=st.sampled_from(Phase),
    customer_kind=st.sampled_from(CustomerKind),
    confirmation=st.sampled_from(ConfirmationType),
    transaction_id=st.none() | st.uuids().map(str),
    poll_interval_ms=st.integers(0, 10**6),
    code_tries_left=st.integers(0, 5),
    code_sent=st.booleans(),
    unsure=st.booleans(),
    live=st.booleans(),
    cancel_requested=st.booleans(),
    check_failures=st.integers(0, 100),
    confirms_in_a_row=st.integers(0, 10),
    result_code=st.none() | st.integers(0, 99_999),
    invoice_number=st.none() | st.integers(1, 2**53),
    note=st.text(max_size=40),
)


@given(STATES)
def test_the_codec_gives_back_exactly_the_state_it_was_given(state: Checkout) -> None:
    restored = state_from_json(state_to_json(state))
    assert restored == state
    assert {f.name: getattr(restored, f.name) for f in fields(Checkout)} == {
        f.name: getattr(state, f.name) for f in fields(Checkout)
    }


# --- an illegal event changes nothing, in memory or in the journal ----------------------------


async def test_an_illegal_event_writes_no_journal_row_and_the_checkout_goes_on(
    parts: Parts,
) -> None:
    """A code keyed while a phone-number checkout waits (PENDING) is illegal: ignored whole.

    (Replaces a core test that compared a frozen state with itself, which could not fail.)
    """
    seen: list[Phase] = []
    runner = CheckoutRunner(
        parts.client, parts.journal, TIMING, on_update=lambda view: seen.append(view.phase)
    )
    sale_id = new_sale(parts.journal)
    paying = asyncio.create_task(runner.pay(sale_id, GSM, ConfirmationType.MANUAL))
    for _ in range(500):
        if Phase.PENDING in seen:
            break
        await asyncio.sleep(0.01)
    [attempt] = parts.journal.open_attempts()
    rows_before = parts.journal.attempt_events(attempt.id)
    runner.enter_code("123456")  # illegal in PENDING
    runner.press_cancel()  # queued behind it: once it is handled, the code was too
    ended = await paying
    rows = parts.journal.attempt_events(attempt.id)
    assert rows[: len(rows_before)] == rows_before
    assert "CodeEntered" not in [row["event"] for row in rows]
    assert ended.state.phase is Phase.CANCELLED
    assert ended.state.code_tries_left == attempt.state.code_tries_left
