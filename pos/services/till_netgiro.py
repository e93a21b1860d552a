"""One Netgíró tender for a journaled sale, through the register's one runner.

The attempt asks the journal's balance due; the lines go along as CartItemRequests only when
they add up to it (``Sale.netgiro_items``). In callback mode the receiver listens only while
this tender runs, as it does for ``pos pay``.
"""

from __future__ import annotations

from pos.core.customer_ids import CustomerId
from pos.core.result_codes import ConfirmationType
from pos.core.sale import Sale
from pos.journal import AttemptRecord
from pos.netgiro.requests import CartItem
from pos.services.payment import CONFIRMATIONS, for_netgiro
from pos.services.wiring import Till


def cart_items(sale: Sale) -> tuple[CartItem, ...]:
    return tuple(
        CartItem(line.product_no, line.name, line.unit_price, line.amount, line.quantity_milli)
        for line in sale.netgiro_items()
    )


async def run_tender(
    till: Till, sale_id: int, sale: Sale, customer: CustomerId, confirmation: str | None
) -> AttemptRecord:
    """Drive the attempt to its end (or until the runner leaves it to recovery)."""
    netgiro = till.settings.netgiro
    kind = CONFIRMATIONS[confirmation or netgiro.confirmation]
    receiver = None
    callback_url = None
    try:
        if kind is ConfirmationType.SERVER_CALLBACK:
            from pos.services.callbacks import CallbackReceiver  # a web server: only when asked

            receiver = CallbackReceiver(
                till.journal, netgiro.secret_key, till.runner.callback_arrived
            )
            callback_url = await receiver.start(netgiro.callback_listen, netgiro.callback_url)
        register = till.settings.register
        return await till.runner.pay(
            sale_id,
            for_netgiro(customer),
            kind,
            callback_url=callback_url,
            location_id=register.location_id or None,
            register_id=register.register_id or None,
            items=cart_items(sale),
        )
    finally:
        if receiver is not None:
            await receiver.stop()
