"""The receipt as data, read from the snapshot the journal committed with PAID.

Rules kept: a receipt is rebuilt only from its snapshot (plus the store header copied into it),
so a reprint is the same receipt even after the config changed; snapshots written before the
till knew tenders, VAT or receipt numbers (v1: lines, total, the Netgíró block) still read; a
customer id reaches paper masked, whatever the snapshot holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pos.core.errors import PosError
from pos.core.masking import mask_customer_id
from pos.core.vat import vat_by_rate

_LONG_DIGIT_RUN = re.compile(r"[0-9]{5,}")


class ReceiptError(PosError):
    """A journaled snapshot cannot be read as a receipt."""

    title = "Receipt"


@dataclass(frozen=True)
class StoreHeader:
    """The seller as the receipt names them (copied from ``[store]`` into the snapshot at PAID)."""

    name: str = ""
    address: str = ""
    kennitala: str = ""
    vsk_number: str = ""
    store_id: str = ""


@dataclass(frozen=True)
class ReceiptItem:
    """One sold line: amounts in krónur (VAT included), quantity in thousandths.

    ``amount`` is what the customer pays for the line, after its ``discount``.
    """

    name: str
    quantity_milli: int
    unit_price: int
    amount: int
    discount: int = 0
    vat_rate: int | None = None
    discount_reason: str = ""


@dataclass(frozen=True)
class VatAtRate:
    """One rate's share of the sale: gross (VAT included) and the VAT inside it."""

    rate: int
    gross: int
    vat: int


@dataclass(frozen=True)
class Tender:
    """How part of the sale was paid: ``netgiro``, ``cash``, …; ``tendered`` is what was handed over."""

    kind: str
    amount: int
    tendered: int | None = None


@dataclass(frozen=True)
class NetgiroPayment:
    """What the receipt says about a Netgíró payment: never more than the masked customer."""

    invoice_number: str
    transaction_id: str
    customer_masked: str

    @property
    def short_transaction_id(self) -> str:
        return self.transaction_id[:8]


@dataclass(frozen=True)
class Receipt:
    """Everything printed about one paid sale."""

    sale_id: int
    reference: str
    total: int
    paid_at: str
    items: tuple[ReceiptItem, ...]
    store: StoreHeader = StoreHeader()
    receipt_no: int | None = None
    register: str = ""
    cashier: str = ""
    tenders: tuple[Tender, ...] = ()
    change: int = 0
    discount: int = 0
    discount_reason: str = ""
    vat: tuple[VatAtRate, ...] = ()
    netgiro: NetgiroPayment | None = None
    receipt_code: str = ""

    @property
    def code(self) -> str:
        """The sale's code for QR and Code128: ``{store}-{register}-R{receipt}``, else its reference."""
        if self.receipt_code:
            return self.receipt_code
        if self.receipt_no is not None and self.store.store_id and self.register:
            return f"{self.store.store_id}-{self.register}-R{self.receipt_no}"
        return self.reference


def receipt_from_snapshot(
    snapshot: Mapping[str, Any], *, store: StoreHeader | None = None
) -> Receipt:
    """Read a journaled snapshot; ``store`` fills in the header a v1 snapshot never copied."""
    try:
        return _receipt(snapshot, store)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        sale = snapshot.get("sale_id", "?") if isinstance(snapshot, Mapping) else "?"
        raise ReceiptError(
            f"The receipt of sale {sale} cannot be read from the journal ({exc!r}); "
            "the sale itself is unchanged."
        ) from exc


def _receipt(snapshot: Mapping[str, Any], store: StoreHeader | None) -> Receipt:
    items = tuple(_item(line) for line in _list(snapshot, "lines"))
    return Receipt(
        sale_id=_int(snapshot["sale_id"]),
        reference=_text(snapshot.get("reference")),
        total=_int(snapshot["total"]),
        paid_at=_text(snapshot.get("paid_at")),
        items=items,
        store=_store_of(snapshot, store),
        receipt_no=_optional_int(snapshot.get("receipt_no")),
        register=_text(snapshot.get("register")),
        cashier=_text(snapshot.get("cashier")),
        tenders=tuple(_tender(t) for t in _list(snapshot, "tenders")),
        change=_int(snapshot.get("change") or 0),
        discount=_int(snapshot.get("discount") or 0),
        discount_reason=_text(snapshot.get("discount_reason")),
        vat=_vat(snapshot, items),
        netgiro=_netgiro(snapshot),
        receipt_code=_text(snapshot.get("receipt_code")),
    )


def _item(line: Mapping[str, Any]) -> ReceiptItem:
    return ReceiptItem(
        name=_str(line["name"]),
        quantity_milli=_int(line["quantity_milli"]),
        unit_price=_int(line["unit_price"]),
        amount=_int(line["amount"]),
        discount=_int(line.get("discount") or 0),
        vat_rate=_optional_int(line.get("vat_rate")),
        discount_reason=_text(line.get("discount_reason")),
    )


def _tender(tender: Mapping[str, Any]) -> Tender:
    return Tender(
        _str(tender["kind"]), _int(tender["amount"]), _optional_int(tender.get("tendered"))
    )


def _store_of(snapshot: Mapping[str, Any], configured: StoreHeader | None) -> StoreHeader:
    """The header copied at PAID; else today's ``[store]``, keeping the snapshot's store id."""
    copied = _store(snapshot.get("store"))
    if copied is not None:
        return copied
    header = configured or StoreHeader()
    store_id = _text(snapshot.get("store_id"))
    return replace(header, store_id=store_id) if store_id else header


def _store(value: object) -> StoreHeader | None:
    if not isinstance(value, Mapping):
        return None
    return StoreHeader(
        name=_text(value.get("name")),
        address=_text(value.get("address")),
        kennitala=_text(value.get("kennitala")),
        vsk_number=_text(value.get("vsk_number")),
        store_id=_text(value.get("store_id", value.get("id"))),
    )


def _vat(snapshot: Mapping[str, Any], items: Sequence[ReceiptItem]) -> tuple[VatAtRate, ...]:
    """VAT as the snapshot froze it; else computed per rate from the lines' rates; v1: none."""
    frozen = _list(snapshot, "vat")
    if frozen:
        return tuple(VatAtRate(_int(v["rate"]), _int(v["gross"]), _int(v["vat"])) for v in frozen)
    if not items or any(item.vat_rate is None for item in items):
        return ()
    gross: dict[int, int] = {}
    for item in items:
        rate = item.vat_rate or 0
        gross[rate] = gross.get(rate, 0) + item.amount
    vat = vat_by_rate(gross)
    return tuple(VatAtRate(rate, gross[rate], vat[rate]) for rate in sorted(gross, reverse=True))


def _netgiro(snapshot: Mapping[str, Any]) -> NetgiroPayment | None:
    transaction_id = snapshot.get("transaction_id")
    if not transaction_id:
        return None
    invoice = snapshot.get("invoice_number")
    return NetgiroPayment(
        invoice_number="" if invoice is None else _str(invoice),
        transaction_id=_str(transaction_id),
        customer_masked=masked_customer(_text(snapshot.get("customer"))),
    )


def masked_customer(text: str) -> str:
    """The journal stores customers masked; mask again anything that still shows a long number."""
    return text if not _LONG_DIGIT_RUN.search(text) else mask_customer_id(text)


def _list(snapshot: Mapping[str, Any], key: str) -> list[Any]:
    value = snapshot.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{key} is {type(value).__name__}, not a list")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _optional_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _text(value: object) -> str:
    """Optional text: absent or null is empty (cash sales have no Netgíró reference)."""
    return "" if value is None else _str(value)


def _str(value: object) -> str:
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{value!r} is not text")
