"""The refund slip ("ENDURGREIÐSLA") laid out for paper, from the snapshot its final commit froze.

It names the original receipt (number and code, the code also as a QR and Code128 so the slip
scans back to the sale), the lines given back, the amounts, VAT per rate, each tender and its
state, the manager and the reason. Same blocks and rules as the receipt
(``pos.core.receipt_layout``): every line fits the width, no control character reaches paper,
times in the zone the caller passes. Pure: no clock, no zone files, no I/O.

Snapshot keys (``pos.journal.refund_slips.slip_snapshot``): number (the slip's), receipt_no, receipt_code,
store{name, address, kennitala, vsk_number, store_id}, register, sold_at, refunded_at, manager,
reason, lines[{line_no, name, unit_price, quantity_milli, gross, vat_rate}],
vat[{rate, gross, vat}], total, tenders[{kind, amount, status}].
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from pos.core.receipt import StoreHeader
from pos.core.receipt_layout import (
    TENDER_NAMES,
    WIDTHS,
    Barcode128,
    Block,
    Cut,
    QrCode,
    Templates,
    _Page,
    fill_template,
    kr,
    local_time,
    quantity_text,
)

TITLE = "ENDURGREIÐSLA"
STATUS_NOTES = {
    "REFUND_UNKNOWN": "ÓSTAÐFEST: stjórnandi kannar hjá Netgíró",
    "REQUESTED": "Í VINNSLU",
}
"""A tender not yet known to be done is said so on paper (unconfirmed: a manager checks)."""


def layout_refund_slip(
    snapshot: Mapping[str, object], *, width: int, tz: tzinfo, copy_no: int = 0
) -> list[Block]:
    """The slip as blocks, top to bottom, ending with the cut; a copy is marked AFRIT."""
    if width not in WIDTHS:
        raise ValueError(f"slip width {width}: use one of {WIDTHS}")
    page = _Page(width)
    page.copy_mark(copy_no)
    page.centred(fill_template(Templates().header, _store(snapshot.get("store"))))
    page.rule()
    page.line(TITLE.center(width), bold=True)
    page.pair(f"Endurgreiðsla nr. {_int(snapshot, 'number')}", "")
    page.pair(f"Af kvittun nr. {_int(snapshot, 'receipt_no')}", "", bold=True)
    page.pair("Kóði", _str(snapshot, "receipt_code"))
    if _str(snapshot, "sold_at"):
        page.pair("Keypt", local_time(_str(snapshot, "sold_at"), tz))
    page.pair("Endurgreitt", local_time(_str(snapshot, "refunded_at"), tz))
    if _str(snapshot, "register"):
        page.pair("Kassi", _str(snapshot, "register"))
    page.rule()
    for line in _list(snapshot, "lines"):
        _line(page, line)
    page.rule()
    page.pair("ENDURGREITT", kr(_int(snapshot, "total")) + " kr.", bold=True)
    for tender in _list(snapshot, "tenders"):
        kind = _str(tender, "kind")
        page.pair(f"  {TENDER_NAMES.get(kind, kind)}", kr(_int(tender, "amount")))
        note = STATUS_NOTES.get(_str(tender, "status"))
        if note:
            page.wrapped(f"  {note}")
    page.rule()
    for share in _list(snapshot, "vat"):
        page.pair(f"þar af VSK {_int(share, 'rate')} %", kr(_int(share, "vat")))
    page.pair("Samtals VSK", kr(sum(_int(share, "vat") for share in _list(snapshot, "vat"))))
    page.rule()
    page.pair("Stjórnandi", _person(_str(snapshot, "manager")))
    page.wrapped(f"Ástæða: {_str(snapshot, 'reason')}")
    code = _str(snapshot, "receipt_code")
    if code:
        page.blocks += [QrCode(code), Barcode128(code)]
        page.centred([code])
    page.line("")
    page.pair("Undirskrift viðskiptavinar", "")
    page.line("")
    page.line("_" * width)
    page.copy_mark(copy_no)
    page.blocks.append(Cut())
    return page.blocks


def _line(page: _Page, line: Mapping[str, Any]) -> None:
    name = f"{_int(line, 'line_no')}. {_str(line, 'name')}"
    quantity = _int(line, "quantity_milli")
    page.wrapped(name)
    unit = _int(line, "unit_price")
    page.pair(f"  {quantity_text(quantity)} x {kr(unit)}", kr(_int(line, "gross")))


def _person(actor: str) -> str:
    """``manager:Anna`` → ``Anna``: the slip names the person, not the audit actor."""
    return actor.partition(":")[2] or actor


def _store(value: object) -> StoreHeader:
    if not isinstance(value, Mapping):
        return StoreHeader()
    return StoreHeader(
        **{key: str(value.get(key) or "") for key in StoreHeader.__dataclass_fields__}
    )


def _int(values: Mapping[str, Any], key: str) -> int:
    value = values.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _str(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return value if isinstance(value, str) else ""


def _list(values: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = values.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]
