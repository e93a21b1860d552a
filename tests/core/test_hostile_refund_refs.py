"""Receipt and line numbers typed with look-alike digits (found by a hostile pass): ``str.isdigit``
accepts '²' (AltGr+2 on an Icelandic keyboard), which ``int()`` refuses; the answer must be
a RefundPlanError a person can act on, never a bare ValueError."""

from __future__ import annotations

import pytest

from pos.core.refund_plan import RefundPlanError, parse_line_request, parse_receipt_ref


@pytest.mark.parametrize("typed", ["²", "1²", "³4"])
def test_a_receipt_number_with_a_superscript_digit_is_refused_in_words(typed: str) -> None:
    with pytest.raises(RefundPlanError, match="is not a receipt"):
        parse_receipt_ref(typed)


@pytest.mark.parametrize("typed", ["²:1", "²", "1²:1"])
def test_a_line_number_with_a_superscript_digit_is_refused_in_words(typed: str) -> None:
    with pytest.raises(RefundPlanError, match="name a line by its number"):
        parse_line_request(typed)


def test_plain_digits_still_name_a_receipt_and_a_line() -> None:
    assert parse_receipt_ref(" 12 ").receipt_no == 12
    assert parse_line_request("2:1,5") == (2, 1500)
