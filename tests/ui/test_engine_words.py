"""Every line the engine can put on the payment screen, and every refusal the sale screen can
meet, has its own catalog words: the Icelandic screen never shows an English sentence."""

from __future__ import annotations

import ast
import re
from collections import deque
from dataclasses import replace
from pathlib import Path

import pytest

from pos.core.cart import CartAnswer, PaymentInfo
from pos.core.checkout import (
    MAX_CANCEL_TRIES,
    MAX_CONFIRM_TRIES,
    MAX_DOUBTS,
    CallbackReceived,
    CallFailed,
    CancelAnswered,
    CancelPressed,
    CheckAnswered,
    Checkout,
    CodeEntered,
    ConfirmAnswered,
    CustomerKind,
    DeadlinePassed,
    Event,
    IllegalEvent,
    InsertAccepted,
    InsertDeclined,
    InsertNotSent,
    InsertOutcomeUnknown,
    InsertRefused,
    Phase,
    Recover,
    advance,
    start,
)
from pos.core.result_codes import ConfirmationType, ResultCode
from pos.services.status import CheckoutView, note_key
from pos.ui.explain import engine_line, explain, phase_word, unsure_line
from pos.ui.refusals import refusal_key
from pos.ui.text import load_messages

ROOT = Path(__file__).parents[2]
CART = "c0ffee00-0000-4000-8000-000000000001"
AMOUNT = 990
REFERENCE = "S1-A1"


def answer(code: int, *, paid: bool = False, success: bool = True, **info: object) -> CartAnswer:
    fields: dict[str, object] = {"transaction_id": CART, "total_amount": AMOUNT, **info}
    payment = PaymentInfo(**fields)  # type: ignore[arg-type]
    return CartAnswer(success, paid, code, "free text from Netgíró", payment)


ANSWERS = (
    answer(ResultCode.PAYMENT_CONFIRMED, paid=True, invoice_number=7),
    answer(ResultCode.PAYMENT_CANCELED),
    answer(ResultCode.CUSTOMER_DECLINED),
    answer(ResultCode.PENDING_CUSTOMER_CONFIRMATION),
    answer(ResultCode.RESERVED_WAITING_FOR_PROVIDER_CONFIRM),
    answer(ResultCode.RESERVED_WAITING_FOR_PROVIDER_CONFIRM, success=False),
    answer(ResultCode.ADDITIONAL_CONFIRMATION_NEEDED),
    answer(ResultCode.BAD_REQUEST),
    answer(ResultCode.OK),  # no state of a cart
    answer(ResultCode.PENDING_CUSTOMER_CONFIRMATION, total_amount=1),  # another amount
)
EVENTS: tuple[Event, ...] = (
    InsertAccepted(CART, 100),
    InsertAccepted(""),
    InsertDeclined(ResultCode.CUSTOMER_DECLINED, "free text"),
    InsertNotSent("connection refused"),
    InsertRefused("HTTP 401"),
    InsertOutcomeUnknown("read timed out."),
    InsertOutcomeUnknown("read timed out.", CART),
    InsertOutcomeUnknown("says two things", CART, doubtful=True),
    *(CheckAnswered(a) for a in ANSWERS),
    *(ConfirmAnswered(a) for a in ANSWERS),
    *(CancelAnswered(a) for a in ANSWERS),
    CallFailed("check", "unknown", "read timed out"),
    CallFailed("confirm", "not_sent", "connection refused"),
    CallFailed("cancel", "refused", "HTTP 500"),
    CodeEntered("1234"),
    CancelPressed(),
    DeadlinePassed(),
    CallbackReceived(CART),
    Recover(),
)


def _seeds() -> list[Checkout]:
    seeds = []
    for kind in CustomerKind:
        for confirmation in ConfirmationType:
            state, _ = start(kind, confirmation)
            state = replace(state, amount=AMOUNT, reference=REFERENCE)
            seeds.append(state)
            # The counters' limits too: a walk of a few steps does not reach them by itself.
            seeds.append(
                replace(
                    state,
                    cancel_tries=MAX_CANCEL_TRIES - 1,
                    confirm_tries=MAX_CONFIRM_TRIES - 1,
                    doubts=MAX_DOUBTS - 1,
                    code_tries_left=1,
                )
            )
    return seeds


def reachable_states(depth: int = 4) -> list[Checkout]:
    """Every state the machine reaches from a start within ``depth`` events (answers,
    failures, keys, timers, callbacks, restarts), counters that only time backoff ignored."""
    seen: dict[Checkout, Checkout] = {}
    queue = deque((seed, 0) for seed in _seeds())
    while queue:
        state, steps = queue.popleft()
        shape = replace(state, check_failures=0, result_code=None, poll_interval_ms=0)
        if shape in seen:
            continue
        seen[shape] = state
        if steps == depth:
            continue
        for event in EVENTS:
            try:
                after, _ = advance(state, event)
            except IllegalEvent:
                continue
            queue.append((after, steps + 1))
    return list(seen.values())


STATES = reachable_states()
# Notes written outside the machine: the runner's while a call runs, the journal's.
OTHER_NOTES = (
    "Cancelling after Netgíró answers ConfirmCart (at most 30 s): a payment call is never cut off.",
    "Stopping after Netgíró answers CheckCart (at most 30 s): a payment call is never cut off.",
    "A second payment on a sale already paid: a double charge. A manager must refund it.",
)


def view(state: Checkout, note: str | None = None) -> CheckoutView:
    return CheckoutView(
        1, 1, REFERENCE, AMOUNT, "***-**81", state.phase, "", state.note if note is None else note,
        state.transaction_id, state.invoice_number, state.result_code, state.is_final,
        state.phase is Phase.NEEDS_CODE, state.code_tries_left,
    )  # fmt: skip


ENGLISH = re.compile(r"\b(the|is|and|with|checking|waiting|cancel\w*|paid|not|sale|cart)\b", re.I)


def test_the_walk_reaches_every_phase() -> None:
    assert {state.phase for state in STATES} == set(Phase)


def test_every_note_the_engine_writes_has_a_catalog_key() -> None:
    notes = {state.note for state in STATES} | set(OTHER_NOTES)
    assert len(notes) > 25  # the walk really went everywhere
    assert sorted(note for note in notes if note_key(note) is None) == []


@pytest.mark.parametrize("language", ["is", "en"])
def test_the_payment_screens_words_for_every_state_come_from_the_catalog(language: str) -> None:
    say = load_messages(language)
    icelandic, english = load_messages("is"), load_messages("en")
    for state in STATES:
        shown = view(state)
        line, word = engine_line(say, shown), phase_word(say, shown)
        assert line and word, shown
        assert not re.search(r"\b(engine|phase|result)\.", line + word), (line, word)
        if language == "is":
            assert shown.note not in line  # never the raw English
            assert line != engine_line(english, shown), line
            assert not ENGLISH.search(line), line
            assert line == engine_line(icelandic, shown)


def test_the_runners_and_journals_notes_are_icelandic_too() -> None:
    say = load_messages("is")
    base = STATES[0]
    for note in OTHER_NOTES:
        line = engine_line(say, view(base, note))
        assert line and not ENGLISH.search(line), line
    assert "30" in engine_line(say, view(base, OTHER_NOTES[0]))


def test_a_decline_says_why_by_netgiros_code() -> None:
    declined = next(s for s in STATES if s.phase is Phase.DECLINED)
    said = engine_line(load_messages("is"), view(replace(declined, result_code=10423)))
    assert said == "Netgíró hafnaði greiðslunni: viðskiptavinurinn hafnaði"
    odd = engine_line(load_messages("is"), view(replace(declined, result_code=10999)))
    assert odd == "Netgíró hafnaði greiðslunni: kóði 10999"


def test_a_note_no_template_knows_is_shown_only_in_english() -> None:
    shown = view(STATES[0], "Some note an older journal wrote")
    assert engine_line(load_messages("is"), shown) == ""
    assert engine_line(load_messages("en"), shown) == "Some note an older journal wrote"


# --- refusals ---------------------------------------------------------------------------------

# The modules whose refusals reach the sale, cash and payment screens (through TillSession).
REFUSING = (
    "pos/core/sale.py",
    "pos/services/till_session.py",
    "pos/journal/sales.py",
    "pos/journal/store.py",
    "pos/services/wiring.py",
    "pos/services/reprint.py",
    "pos/core/input_kind.py",
)
# Never a cashier's refusal on the till screen: a bug (TypeError), or what only the headless
# commands meet (opening the journal read-only or before it exists, settling by hand).
NOT_REFUSALS = ("a discount is an int", "The journal ", "There is no journal", "No payment with")
NOT_REFUSALS += ("Payment 7 is 7", "Say why: --reason", "Payment attempt 7")


def _sample(node: ast.expr) -> str | None:
    """A refusal's message with each ``{…}`` filled in with 7; None when it is no text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(part.value) if isinstance(part, ast.Constant) else "7" for part in node.values
        )
    return None


def refusal_messages() -> list[tuple[str, str]]:
    found = []
    for name in REFUSING:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                text = _sample(node.exc.args[0])
            elif isinstance(node, ast.keyword) and node.arg == "message":
                text = _sample(node.value)
            else:
                continue
            if text and not text.startswith(NOT_REFUSALS):
                found.append((f"{name}:{node.lineno}", text))
    return found


REFUSALS = refusal_messages()


def test_the_scan_finds_the_refusals() -> None:
    assert len(REFUSALS) > 40


@pytest.mark.parametrize(("where", "message"), REFUSALS, ids=[w for w, _ in REFUSALS])
def test_every_refusal_has_icelandic_words(where: str, message: str) -> None:
    from pos.core.errors import PosError

    assert refusal_key(message) is not None, f"{where}: no key in pos/ui/refusals.py"
    said = explain(load_messages("is"), PosError(message))
    assert said != message and not ENGLISH.search(said), said
    assert explain(load_messages("en"), PosError(message)) != said


def test_each_reason_a_sale_is_not_payable_has_its_own_words() -> None:
    """``Journal._refuse_unpayable`` builds its message from a table: each row has a key."""
    tree = ast.parse((ROOT / "pos/journal/store.py").read_text(encoding="utf-8"))
    [table] = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Dict)
        and any(isinstance(t, ast.Name) and t.id == "reasons" for t in node.targets)
    ]
    reasons = [ast.literal_eval(value) for value in table.values]
    assert len(reasons) == 5
    for reason in reasons:
        found = refusal_key(f"Sale 7 {reason}; nothing was sent.")
        assert found is not None and found.key != "refusals.pay.not_payable", reason


def test_connection_trouble_is_said_only_when_no_answer_came() -> None:
    say = load_messages("is")
    unsure = [state for state in STATES if state.unsure and not state.is_final]
    by_key = {}
    for state in unsure:
        found = note_key(state.note)
        assert found is not None
        by_key[found.key] = unsure_line(say, view(state))
    assert by_key["engine.connection_trouble"].startswith("Sambandsvandi")
    assert by_key["engine.doubted"] == "Held áfram að athuga hjá Netgíró. Esc hættir við."
    assert sum(line.startswith("Sambandsvandi") for line in by_key.values()) == 2
