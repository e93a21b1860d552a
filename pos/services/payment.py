"""One payment at the counter, start to end: recover what a crash left, journal the sale, pay it.

Shared by ``pos pay`` and (later) ``pos smoke`` and the till screen: the caller supplies how an
SMS code is asked for, and how progress is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pos.core.checkout import CustomerKind, Phase
from pos.core.customer_ids import CustomerId
from pos.core.result_codes import ConfirmationType
from pos.journal import AttemptRecord, SaleLine
from pos.services.checkout_runner import CustomerForNetgiro
from pos.services.recovery import Recovered, recover_open_attempts
from pos.services.wiring import Till

CONFIRMATIONS = {
    "automatic": ConfirmationType.AUTOMATIC,
    "callback": ConfirmationType.SERVER_CALLBACK,
    "manual": ConfirmationType.MANUAL,
}

EXIT_PAID, EXIT_NOT_PAID, EXIT_ERROR = 0, 1, 2
NOT_PAID_PHASES = frozenset({Phase.CANCELLED, Phase.DECLINED})


def exit_code_for(phase: Phase | None) -> int:
    """From the last *durable* state: 0 paid; 1 a durable cancel or decline; 2 anything else
    (unknown, unresolved, needs review, not started, or no state committed at all)."""
    if phase is Phase.PAID:
        return EXIT_PAID
    return EXIT_NOT_PAID if phase in NOT_PAID_PHASES else EXIT_ERROR


def for_netgiro(customer: CustomerId) -> CustomerForNetgiro:
    return CustomerForNetgiro(CustomerKind(customer.kind), customer.for_netgiro, customer.masked)


@dataclass(frozen=True)
class PaymentResult:
    attempt: AttemptRecord | None
    """None: the sale was not started (a Ctrl-C or a stop during recovery)."""
    recovered: list[Recovered]

    @property
    def exit_code(self) -> int:
        return exit_code_for(None if self.attempt is None else self.attempt.state.phase)


async def take_keyed_payment(
    till: Till,
    amount: int,
    customer: CustomerId,
    confirmation: ConfirmationType,
    *,
    announce: Callable[[str], None],
    proceed: Callable[[], bool] = lambda: True,
) -> PaymentResult:
    """Recover open attempts, journal a one-line sale of ``amount`` and take its payment.

    ``proceed`` is asked once recovery is done: False (the cashier pressed Ctrl-C during
    recovery, or the till is stopping) starts no sale at all.
    """
    recovered = await recover_open_attempts(till.runner, till.journal)
    for item in recovered:
        announce(f"Recovered {item.reference}: {item.before.value} → {item.label}. {item.note}")
    if not proceed() or till.runner.stopping:
        announce("The new sale was not started; nothing was sent for it.")
        return PaymentResult(None, recovered)
    register = till.settings.register
    receiver = None
    callback_url = None
    if confirmation is ConfirmationType.SERVER_CALLBACK:
        # Listen before the sale exists: a port that cannot be bound must leave no orphan sale.
        from pos.services.callbacks import CallbackReceiver  # a web server: only when asked

        receiver = CallbackReceiver(
            till.journal, till.settings.netgiro.secret_key, till.runner.callback_arrived
        )
        netgiro = till.settings.netgiro
        callback_url = await receiver.start(netgiro.callback_listen, netgiro.callback_url)
    try:
        sale_id = till.journal.create_sale(
            register.register_id, [SaleLine("keyed", "Keyed amount", amount, 1000, amount)]
        )
        attempt = await till.runner.pay(
            sale_id,
            for_netgiro(customer),
            confirmation,
            callback_url=callback_url,
            location_id=register.location_id or None,
            register_id=register.register_id or None,
        )
    finally:
        if receiver is not None:
            await receiver.stop()
    return PaymentResult(attempt, recovered)
