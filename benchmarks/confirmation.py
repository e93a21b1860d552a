"""3. Confirmation seen: from the customer's accept to the durable PAID commit, per type.

The till's own parts, as ``pos pay`` runs them: the embedded sandbox (a thread, 500 ms poll
interval, the shortest Netgíró's interval is clamped to), a journal, the checkout runner and,
for server callbacks, the callback receiver. The customer accepts at a random moment of the
poll cycle; PAID is seen when the runner publishes it, which it does after the commit.

- automatic: ≤ one poll interval + 50 ms after the accept (p99);
- manual: ≤ interval + that payment's ConfirmCart round trip + 50 ms;
- server callback: ≤ 100 ms after the sandbox records the receiver's 200 (measured at the
  sandbox's own write).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.harness import Result, Row, Target
from pos.core.checkout import CustomerKind, Phase
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.core.result_codes import ConfirmationType
from pos.journal import Journal, SaleLine
from pos.netgiro.client import NetgiroClient
from pos.netgiro.sandbox import rules
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.netgiro.sandbox.store import CartStore
from pos.services.callbacks import CallbackReceiver
from pos.services.checkout_runner import CheckoutRunner, CustomerForNetgiro, RunnerTiming
from pos.services.status import CheckoutView

INTERVAL_MS = 500
GSM = CustomerForNetgiro(CustomerKind.GSM, "8223281", "***-**81")
TIMING = RunnerTiming(deadline_s=30, give_up_after_s=30, poll_fallback_ms=INTERVAL_MS)


class RecordingStore:
    """The sandbox's store as its callback sender sees it: notes when a 200 made a cart paid."""

    def __init__(self, store: CartStore, seen: dict[str, float]) -> None:
        self._store, self._seen = store, seen

    def apply(self, transaction_id: str, now: float, rule: Callable[..., Any]) -> Any:
        found = self._store.apply(transaction_id, now, rule)
        before, outcome = found if found is not None else (None, None)
        paid_now = outcome is not None and outcome.cart.status == rules.PAID
        if paid_now and before is not None and before.status == rules.AWAITING_CALLBACK:
            self._seen[transaction_id] = time.monotonic()
        return found


class Counter:
    """One register's runner on the sandbox, with the moments a benchmark needs."""

    def __init__(self, sandbox: RunningSandbox, journal: Journal) -> None:
        app = FIRST_TEST_APPLICATION
        self.client = NetgiroClient(sandbox.base_url, app.app_key, app.secret_key)
        self.journal = journal
        self.paid_at: float | None = None
        self.pending = asyncio.Event()
        self.transaction_id: str | None = None
        self.confirm_ms: list[float] = []
        self.runner = CheckoutRunner(self.client, journal, TIMING, on_update=self.seen)
        self._time_confirm_cart()

    def _time_confirm_cart(self) -> None:
        confirm = self.client.confirm_cart

        async def timed(transaction_id: str, identifier: str | None = None) -> Any:
            start = time.monotonic()
            try:
                return await confirm(transaction_id, identifier)
            finally:
                self.confirm_ms.append((time.monotonic() - start) * 1000)

        self.client.confirm_cart = timed  # type: ignore[method-assign]

    def seen(self, view: CheckoutView) -> None:
        if view.phase is Phase.PENDING and view.transaction_id:
            self.transaction_id = view.transaction_id
            self.pending.set()
        if view.phase is Phase.PAID and self.paid_at is None:
            self.paid_at = time.monotonic()


async def one_payment(
    counter: Counter, sandbox: RunningSandbox, kind: ConfirmationType, callback_url: str | None
) -> tuple[float, float, str]:
    """(accept moment, PAID moment, cart) of one payment accepted at a random moment."""
    counter.paid_at, counter.transaction_id = None, None
    counter.pending.clear()
    sale = counter.journal.create_sale("R1", [SaleLine("k", "Keyed", 1990, 1000, 1990)])
    paying = asyncio.ensure_future(counter.runner.pay(sale, GSM, kind, callback_url=callback_url))
    await asyncio.wait_for(counter.pending.wait(), 10)
    await asyncio.sleep(random.uniform(0, INTERVAL_MS / 1000))
    accepted_at = time.monotonic()
    async with httpx.AsyncClient() as http:
        url = f"{sandbox.root_url}sandbox/carts/{counter.transaction_id}/accept"
        (await http.post(url)).raise_for_status()
    attempt = await asyncio.wait_for(paying, 30)
    if attempt.state.phase is not Phase.PAID or counter.paid_at is None:
        raise AssertionError(f"{kind.name}: the payment ended {attempt.state.phase}")
    return accepted_at, counter.paid_at, str(counter.transaction_id)


async def measure(samples: int, folder: Path) -> dict[str, Any]:
    settings = SandboxSettings(folder / "sandbox.sqlite3", port=0, poll_interval_ms=INTERVAL_MS)
    recorded: dict[str, float] = {}
    got: dict[str, Any] = {"automatic": [], "manual": [], "manual_floor": [], "callback": []}
    got["callback_from_accept"] = []
    with RunningSandbox(settings) as sandbox, Journal(folder / "journal.sqlite3") as journal:
        parts = sandbox._parts
        assert parts is not None
        parts.sender._store = RecordingStore(parts.store, recorded)  # type: ignore[assignment]
        counter = Counter(sandbox, journal)
        receiver = CallbackReceiver(
            journal, FIRST_TEST_APPLICATION.secret_key, counter.runner.callback_arrived
        )
        callback_url = await receiver.start()
        try:
            for _ in range(samples):
                accepted, paid, _ = await one_payment(
                    counter, sandbox, ConfirmationType.AUTOMATIC, None
                )
                got["automatic"].append((paid - accepted) * 1000)
                counter.confirm_ms.clear()
                accepted, paid, _ = await one_payment(
                    counter, sandbox, ConfirmationType.MANUAL, None
                )
                got["manual"].append((paid - accepted) * 1000)
                got["manual_floor"].append(INTERVAL_MS + sum(counter.confirm_ms))
                accepted, paid, cart = await one_payment(
                    counter, sandbox, ConfirmationType.SERVER_CALLBACK, callback_url
                )
                got["callback"].append((paid - recorded[cart]) * 1000)
                got["callback_from_accept"].append((paid - accepted) * 1000)
        finally:
            await receiver.stop()
            await counter.client.aclose()
    return got


def run(quick: bool = False) -> Result:
    samples = 3 if quick else 60
    with tempfile.TemporaryDirectory(prefix="bench-confirmation-") as folder:
        got = asyncio.run(measure(samples, Path(folder)))
    interval = [float(INTERVAL_MS)] * samples
    rows = [
        Row(
            "automatic, accept to PAID",
            "ms",
            got["automatic"],
            interval,
            "poll interval",
            Target("diff", "<=", 50.0, quantile=0.99),
        ),
        Row(
            "manual, accept to PAID",
            "ms",
            got["manual"],
            got["manual_floor"],
            "interval + ConfirmCart",
            Target("diff", "<=", 50.0, quantile=0.99),
        ),
        Row(
            "callback, sandbox's 200 to PAID",
            "ms",
            got["callback"],
            target=Target("value", "<=", 100.0, quantile=0.99),
        ),
        Row("callback, accept to PAID", "ms", got["callback_from_accept"], kind="value"),
    ]
    return Result("confirmation", rows, {"interval_ms": INTERVAL_MS, "samples": samples})
