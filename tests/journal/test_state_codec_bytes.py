"""The journal's state JSON is the same text however it is built (benchmarks/journal.py made
it cheaper): every field, the enums as their values, keys sorted, nothing nested."""

from __future__ import annotations

import json
from dataclasses import fields

from pos.core.checkout import Checkout, CustomerKind, Phase
from pos.core.result_codes import ConfirmationType
from pos.journal.state_codec import state_from_json, state_to_json

EVERY_FIELD_SET = Checkout(
    phase=Phase.CONFIRMING,
    customer_kind=CustomerKind.SSN,
    confirmation=ConfirmationType.AUTOMATIC,
    transaction_id="5b1c2d3e-0000-4000-8000-0000000000e5",
    poll_interval_ms=1500,
    code_tries_left=2,
    code_sent=True,
    unsure=True,
    live=False,
    cancel_requested=True,
    check_failures=3,
    cancel_tries=1,
    confirm_tries=4,
    doubts=2,
    confirms_in_a_row=1,
    result_code=10426,
    invoice_number=100_017,
    note="Staðfesti — “quoted” ✓",
    amount=1990,
    reference="S1-R1-0a1b2c3d-17-2",
)


def test_every_field_is_written_once_with_plain_values_and_sorted_keys() -> None:
    text = state_to_json(EVERY_FIELD_SET)
    data = json.loads(text)
    assert list(data) == sorted(field.name for field in fields(Checkout))
    assert data["phase"] == "CONFIRMING" and data["customer_kind"] == "ssn"
    assert data["confirmation"] == int(ConfirmationType.AUTOMATIC)
    assert type(data["confirmation"]) is int
    assert "Staðfesti — “quoted” ✓" in text  # not \\u-escaped: the journal stays readable
    assert text == json.dumps(data, ensure_ascii=False, sort_keys=True)


def test_a_state_survives_the_journal_exactly() -> None:
    assert state_from_json(state_to_json(EVERY_FIELD_SET)) == EVERY_FIELD_SET
