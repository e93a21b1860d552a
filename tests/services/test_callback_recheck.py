"""A server callback's CheckCart that still reads 10429 is read again at once, not a poll later.

Netgíró (and the sandbox) record the receiver's 200 only after the receiver has answered, and
the receiver wakes the runner before it answers: the first CheckCart nearly always still sees
10429 (waiting for the provider's callback). The runner then re-reads within 100 ms instead of
waiting a whole poll interval (issue 20, item 3; benchmarks/confirmation.py measures it).
"""

from __future__ import annotations

import random
from pathlib import Path

from pos.core.checkout import CustomerKind, Phase
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, SaleLine
from pos.netgiro.client import NetgiroClient, Timeouts
from pos.services.checkout_runner import (
    CALLBACK_RECHECKS,
    CheckoutRunner,
    CustomerForNetgiro,
    RunnerTiming,
)
from pos.services.status import CheckoutView
from tests.support.scripted_netgiro import TX, by_call, cart, inserted, scripted_netgiro, sequence

GSM = CustomerForNetgiro(CustomerKind.GSM, "8223281", "***-**81")
LONG_POLL_MS = 10_000
"""Far longer than the deadline: a payment seen paid in time was not seen by the poll."""
TIMING = RunnerTiming(deadline_s=3, give_up_after_s=10, backoff_cap_s=0.05, call_total_s=5)


async def pay_with_one_callback(
    tmp_path: Path, checks: list[dict[str, object]]
) -> tuple[Phase, int]:
    """The attempt's end, and how many CheckCarts it took."""
    script = by_call(
        InsertCart=inserted(interval_ms=LONG_POLL_MS),
        CheckCart=sequence(*(cart(int(c["code"])) for c in checks)),
        CancelCart=cart(10201),
    )
    with scripted_netgiro(script) as server:
        journal = Journal(tmp_path / "journal.sqlite3")
        client = NetgiroClient(server.base_url, "app", "secret", timeouts=Timeouts(call_total=5))
        runner = CheckoutRunner(client, journal, TIMING, rng=random.Random(7))
        called_back: list[bool] = []

        def on_update(view: CheckoutView) -> None:
            if view.transaction_id and server.count("CheckCart") == 1 and not called_back:
                called_back.append(runner.callback_arrived(TX, None))

        runner._on_update = on_update
        try:
            sale = journal.create_sale("R1", [SaleLine("k", "Keyed", 1990, 1000, 1990)])
            attempt = await runner.pay(sale, GSM, ConfirmationType.SERVER_CALLBACK)
        finally:
            await client.aclose()
            journal.close()
        assert called_back == [True]
        return attempt.state.phase, server.count("CheckCart")


async def test_a_callbacks_check_that_still_sees_10429_is_read_again_before_the_next_poll(
    tmp_path: Path,
) -> None:
    checks = [{"code": 10425}, {"code": 10429}, {"code": 10200}]
    assert await pay_with_one_callback(tmp_path, checks) == (Phase.PAID, 3)


async def test_the_quick_rereads_are_bounded_and_polling_goes_on_after_them(
    tmp_path: Path,
) -> None:
    # 10429 for ever: a few quick re-reads, then the poll interval; the deadline cancels it.
    checks = [{"code": 10425}, {"code": 10429}]
    # the first check, the callback's, its re-reads; then the poll, which the deadline beats
    assert await pay_with_one_callback(tmp_path, checks) == (
        Phase.CANCELLED,
        2 + CALLBACK_RECHECKS,
    )
