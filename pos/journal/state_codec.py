"""Checkout states to JSON and back, so the journal can restore exactly what was committed."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from pos.core.checkout import Checkout, CustomerKind, Phase
from pos.core.result_codes import ConfirmationType

_FIELDS = {field.name for field in fields(Checkout)}


def state_to_json(state: Checkout) -> str:
    data = asdict(state)
    data["phase"] = state.phase.value
    data["customer_kind"] = state.customer_kind.value
    data["confirmation"] = int(state.confirmation)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def state_from_json(text: str) -> Checkout:
    data: dict[str, Any] = {k: v for k, v in json.loads(text).items() if k in _FIELDS}
    data["phase"] = Phase(data["phase"])
    data["customer_kind"] = CustomerKind(data["customer_kind"])
    data["confirmation"] = ConfirmationType(data["confirmation"])
    return Checkout(**data)
