"""Old journal rows decode with the counters issue 14 added at their safe defaults."""

from __future__ import annotations

import json

from pos.core.checkout import Phase
from pos.journal.state_codec import state_from_json, state_to_json

OLD_ROW = {
    "phase": "CANCELLING",
    "customer_kind": "gsm",
    "confirmation": 2,
    "transaction_id": "5b1c2d3e-0000-4000-8000-0000000000e5",
    "poll_interval_ms": 3000,
    "code_tries_left": 3,
    "code_sent": False,
    "unsure": True,
    "live": True,
    "cancel_requested": True,
    "check_failures": 0,
    "confirms_in_a_row": 0,
    "result_code": 400,
    "invoice_number": None,
    "note": "Unknown — checking",
}


def test_a_row_written_before_the_counters_existed_decodes_with_zero_counters() -> None:
    state = state_from_json(json.dumps(OLD_ROW))
    assert state.phase is Phase.CANCELLING
    assert (state.cancel_tries, state.confirm_tries, state.doubts) == (0, 0, 0)
    assert (state.amount, state.reference) == (None, None)


def test_the_counters_survive_the_journal() -> None:
    state = state_from_json(json.dumps(OLD_ROW))
    from dataclasses import replace

    counted = replace(state, cancel_tries=4, doubts=2, confirm_tries=7, amount=1990, reference="R")
    assert state_from_json(state_to_json(counted)) == counted
