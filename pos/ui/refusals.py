"""The session's refusals in the screen's words.

The sale, the session and the journal refuse in English (for the log and the headless
commands); each refusal a cashier can meet is listed here as its English template and the
catalog key that says it. ``{_name}`` parts are matched and dropped (free English words); the
other parts are numbers or what the cashier typed. A test reads the ``raise`` sites of the
modules behind the sale screen and fails when one of them has no entry here.
"""

from __future__ import annotations

from pos.services.status import NoteKey, first_match, template_patterns

REFUSAL_TEMPLATES: tuple[tuple[str, str], ...] = (
    # pos.core.sale
    ("refusals.discount_zero", "A discount is more than zero."),
    ("refusals.discount_over_100", "A discount is at most 100 %."),
    (
        "refusals.discount_reason",
        "Say why the discount is given: the reason is kept with the sale.",
    ),
    ("refusals.reason_long", "Keep the reason short: one line of at most {count} letters."),
    ("refusals.discount_too_big", "The discount ({off}) is more than {_what} ({gross})."),
    (
        "refusals.discount_needs_manager",
        "A discount above {percent} % or {amount} needs manager mode, which this till does not "
        "have yet.",
    ),
    ("refusals.quantity_range", "A quantity is from 1 to {count}."),
    ("refusals.no_such_line", "There is no such line."),
    ("refusals.discount_empty_sale", "Ring up the sale first, then give the discount."),
    ("refusals.cash_amount", "Enter the cash handed over, in krónur."),
    ("refusals.cash_too_much", "{amount} is more than a till takes; check the amount."),
    ("refusals.price_zero", "A price is more than zero."),
    ("refusals.line_worth_nothing", "That line would be worth nothing: check the quantity."),
    (
        "refusals.sale_too_big",
        "The sale would pass {amount}, the most one sale takes; split it into two sales.",
    ),
    ("refusals.select_line", "Select a line first (Up / Down)."),
    (
        "refusals.lines_frozen",
        "The sale is being paid: its lines cannot change. Finish or cancel the payment.",
    ),
    ("refusals.vat_rate", "VAT {rate} % is not one of this till's rates ({rates})."),
    ("refusals.nothing_to_pay", "There is nothing to pay: ring up the sale first."),
    ("refusals.netgiro_running", "A Netgíró payment is running for this sale; wait for its end."),
    ("refusals.total_zero", "The sale's total is zero; there is nothing to take."),
    ("refusals.already_paid", "The sale is paid already."),
    # pos.core.input_kind, pos.core.catalog
    ("refusals.code_too_long", "A code has at most {count} digits; scan it again."),
    ("refusals.unknown_code", "{code} is not in the catalog; nothing was added."),
    (
        "refusals.bad_barcode",
        "{code} is not a valid barcode (its check digit is wrong): scan it again or key the price.",
    ),
    # pos.services.till_session
    (
        "refusals.clear_paying",
        "This sale has a payment taken or running: it cannot be cleared. Finish it, or a "
        "manager voids it.",
    ),
    ("refusals.balance_due", "This sale still has a balance due: take the rest first."),
    ("refusals.park_paying", "A payment is running for this sale: it cannot be parked."),
    ("refusals.park_empty", "There is nothing to park."),
    ("refusals.park_tender", "A sale with a payment taken cannot be parked: take the rest first."),
    ("refusals.recall_busy", "Park or finish the sale on the counter first."),
    ("refusals.netgiro_running", "A Netgíró payment is running; wait for its end or cancel it."),
    ("refusals.netgiro_running", "A Netgíró payment is already running for this sale."),
    ("refusals.till_busy", "The till is finishing an earlier payment; try again in a moment."),
    (
        "refusals.journal_differs",
        "Sale {sale} in the journal ({_journaled} kr. due) is not the sale on the screen "
        "({_shown} kr. due); nothing was sent. Look it up in today's sales.",
    ),
    # pos.journal.sales
    ("refusals.park_tender", "A sale with a payment taken or running cannot be parked."),
    ("refusals.not_in_journal", "Sale {sale} is not in the journal."),
    ("refusals.sale_changing", "Sale {sale} has a payment taken or running: it cannot be {_what}."),
    ("refusals.not_parked", "Sale {sale} is not parked (recalled already?)."),
    ("refusals.no_payment_now", "Sale {sale} is {_status}: it takes no payment now."),
    (
        "refusals.sale_netgiro_running",
        "Sale {sale} has a Netgíró payment running; wait for its end.",
    ),
    ("refusals.not_within_due", "Sale {sale}: {amount} kr. is not within the balance due {due}."),
    ("refusals.empty_sale", "An empty sale is not journaled."),
    ("refusals.zero_sale", "A sale whose total is zero cannot be kept; clear it instead."),
    ("refusals.lines_final", "Sale {sale} is {_status}: its lines cannot change."),
    # pos.journal.store: a Netgíró attempt refused before anything is sent
    ("refusals.pay.nothing_left", "Sale {sale} has nothing left to pay."),
    (
        "refusals.pay.attempt_live",
        "Sale {sale} already has a payment in progress; finish or cancel it first.",
    ),
    ("refusals.pay.already_paid_sale", "Sale {sale} is already paid; nothing was sent."),
    ("refusals.pay.parked_sale", "Sale {sale} is parked: recall it first; nothing was sent."),
    ("refusals.pay.voided_sale", "Sale {sale} was voided; nothing was sent."),
    (
        "refusals.pay.unknown_sale",
        "Sale {sale} has a payment whose outcome is unknown: settle it first (ask what the "
        "customer's app shows, then `pos recover --settle`); nothing was sent.",
    ),
    (
        "refusals.pay.manager_sale",
        "Sale {sale} needs a manager: settle its payment first (`pos recover --settle`); "
        "nothing was sent.",
    ),
    ("refusals.pay.not_payable", "Sale {sale} {_why}; nothing was sent."),
    (
        "refusals.pay.double_charge_settle",
        "Payment {reference} is a double charge: sale {sale} is paid already, so this money is "
        "the customer's. Give it back (`pos refund send {_sale} {amount} --payment {_ref}`, or "
        "F9 in the till); settle it unpaid only if Netgíró's portal shows it was never taken.",
    ),
    ("refusals.pay.journal_refused", "Sale {sale}: the journal refused the attempt ({_detail})."),
    (
        "refusals.pay.reference_too_long",
        "The payment reference {_reference} would be longer than {count} characters or hold "
        "other than letters, digits and hyphens: shorten [register] store_id / register_id "
        "(letters and digits, at most 6 each).",
    ),
    # pos.services.wiring
    (
        "refusals.pay.register_busy",
        "This register is busy: {_holder} (pid {pid}) holds it. Wait for it to finish, "
        "or stop it; nothing was sent.",
    ),
    # pos.services.reprint
    ("refusals.no_receipt", "No receipt has been printed yet: there is nothing to reprint."),
    (
        "refusals.reprint_manager",
        "The free copy of sale {sale}'s receipt is used or older than 10 minutes: a manager "
        "must reprint it (manager mode).",
    ),
)

_PATTERNS = template_patterns(REFUSAL_TEMPLATES)


def refusal_key(message: str) -> NoteKey | None:
    """The catalog key of a refusal's English message, or None for one not listed."""
    return first_match(_PATTERNS, message)
