"""Checkout states to JSON and back, so the journal can restore exactly what was committed."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from pos.core.checkout import Checkout, CustomerKind, Phase
from pos.core.result_codes import ConfirmationType

_NAMES = tuple(sorted(field.name for field in fields(Checkout)))
"""In the order ``sort_keys`` would write them: the dict is built sorted, not sorted again."""
_FIELDS = frozenset(_NAMES)


def state_to_json(state: Checkout) -> str:
    # Every field is a plain value: a shallow read, not asdict's deep copy (half of each
    # journal write's time before; benchmarks/journal.py measures it).
    data = {name: getattr(state, name) for name in _NAMES}
    data["phase"] = state.phase.value
    data["customer_kind"] = state.customer_kind.value
    data["confirmation"] = int(state.confirmation)
    return json.dumps(data, ensure_ascii=False)


def state_from_json(text: str) -> Checkout:
    data: dict[str, Any] = {k: v for k, v in json.loads(text).items() if k in _FIELDS}
    data["phase"] = Phase(data["phase"])
    data["customer_kind"] = CustomerKind(data["customer_kind"])
    data["confirmation"] = ConfirmationType(data["confirmation"])
    return Checkout(**data)
