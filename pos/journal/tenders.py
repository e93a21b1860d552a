"""Tenders and receipt numbers at the level of one open transaction (no Journal import).

``store.Journal`` calls these inside its own commits (the PAID commit of a Netgíró attempt,
the start of an attempt), and ``pos.journal.sales`` calls them inside the cash commit, so the
rules live once:

- The balance due is the sale's total less the tenders taken; a Netgíró attempt asks for it,
  and a sale with nothing left to pay gets no attempt at all, whatever its status says.
- A sale is paid in the commit where its tenders taken first cover its total; that commit
  also takes the next receipt number (gapless: ``MAX + 1`` under ``BEGIN IMMEDIATE``, so a
  rolled-back payment never burns one) and queues the receipt.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from pos.core.sale import Discount, DiscountKind, Sale, SaleLine, Tender, TenderKind
from pos.core.vat import VAT_RATES


def taken(db: sqlite3.Connection, sale_id: int) -> int:
    """Krónur taken towards the sale so far."""
    row = db.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM tenders WHERE sale_id = ? AND status = 'taken'",
        (sale_id,),
    ).fetchone()
    return int(row[0])


def balance_due(db: sqlite3.Connection, sale_id: int) -> int:
    total = db.execute("SELECT total FROM sales WHERE id = ?", (sale_id,)).fetchone()
    return 0 if total is None else max(0, int(total[0]) - taken(db, sale_id))


def record_netgiro_paid(
    db: sqlite3.Connection, attempt_id: int, sale_id: int, amount: int, stamp: str
) -> bool:
    """The attempt's money is taken; True when the tenders now cover the sale's total."""
    db.execute(
        "INSERT OR IGNORE INTO tenders (sale_id, kind, amount, tendered, attempt_id, created_at) "
        "VALUES (?, 'netgiro', ?, ?, ?, ?)",
        (sale_id, amount, amount, attempt_id, stamp),
    )
    return balance_due(db, sale_id) == 0


def take_receipt_number(db: sqlite3.Connection, sale_id: int) -> int:
    """The sale's receipt number: its own if it has one, else the next (call in the paid commit)."""
    own = db.execute("SELECT receipt_no FROM sales WHERE id = ?", (sale_id,)).fetchone()
    if own is not None and own[0] is not None:
        return int(own[0])
    number = 1 + int(db.execute("SELECT COALESCE(MAX(receipt_no), 0) FROM sales").fetchone()[0])
    db.execute("UPDATE sales SET receipt_no = ? WHERE id = ?", (number, sale_id))
    return number


def sale_from_rows(db: sqlite3.Connection, sale_id: int) -> Sale:
    """The journaled sale as the pure ``Sale`` (lines, discounts, tenders taken)."""
    line_rows = db.execute(
        "SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY line_no", (sale_id,)
    ).fetchall()
    sale_row = db.execute(
        "SELECT discount_kind, discount_value, discount_reason FROM sales WHERE id = ?",
        (sale_id,),
    ).fetchone()
    tender_rows = db.execute(
        "SELECT kind, amount, tendered, attempt_id FROM tenders "
        "WHERE sale_id = ? AND status = 'taken' ORDER BY id",
        (sale_id,),
    ).fetchall()
    return _sale(line_rows, sale_row, tender_rows)


def sales_from_rows(db: sqlite3.Connection, sale_ids: Sequence[int]) -> dict[int, Sale]:
    """Many journaled sales at once: three queries, not three per sale (a Z reads a whole day;
    benchmarks/z_report.py). Each is the ``Sale`` that ``sale_from_rows`` gives."""
    wanted = json.dumps(list(sale_ids))
    chosen = "(SELECT value FROM json_each(?))"
    lines: dict[int, list[sqlite3.Row]] = {sale_id: [] for sale_id in sale_ids}
    for row in db.execute(
        f"SELECT * FROM sale_lines WHERE sale_id IN {chosen} ORDER BY sale_id, line_no", (wanted,)
    ):
        lines[row["sale_id"]].append(row)
    taken: dict[int, list[sqlite3.Row]] = {sale_id: [] for sale_id in sale_ids}
    for row in db.execute(
        "SELECT sale_id, kind, amount, tendered, attempt_id FROM tenders "
        f"WHERE sale_id IN {chosen} AND status = 'taken' ORDER BY id",
        (wanted,),
    ):
        taken[row["sale_id"]].append(row)
    discounts = {
        row[0]: row[1:]
        for row in db.execute(
            "SELECT id, discount_kind, discount_value, discount_reason FROM sales "
            f"WHERE id IN {chosen}",
            (wanted,),
        )
    }
    return {
        sale_id: _sale(lines[sale_id], discounts.get(sale_id), taken[sale_id])
        for sale_id in sale_ids
    }


def _sale(
    line_rows: Sequence[sqlite3.Row],
    discount_row: Sequence[Any] | None,
    tender_rows: Sequence[sqlite3.Row],
) -> Sale:
    lines = tuple(
        SaleLine(
            product_no=r["product_no"],
            barcode=r["barcode"],
            name=r["name"],
            unit_price=r["unit_price"],
            quantity_milli=r["quantity_milli"],
            vat_rate=r["vat_rate"],
            discount=_discount(r["discount_kind"], r["discount_value"], r["discount_reason"]),
        )
        for r in line_rows
    )
    discount = None if discount_row is None else _discount(*discount_row)
    tenders = tuple(
        Tender(TenderKind(r["kind"]), r["amount"], r["tendered"], attempt_id=r["attempt_id"])
        for r in tender_rows
    )
    rates = tuple(sorted({*VAT_RATES, *(line.vat_rate for line in lines)}, reverse=True))
    return Sale(lines=lines, discount=discount, tenders=tenders, rates=rates)


def receipt_extras(
    db: sqlite3.Connection,
    sale_id: int,
    receipt_no: int,
    store_id: str,
    header: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """What the receipt needs beyond v1's snapshot: number, lines with VAT and discounts, VAT per
    rate, tenders, change. ``lines`` keeps v1's keys (``amount`` is after the line's discount)."""
    sale = sale_from_rows(db, sale_id)
    row = db.execute("SELECT register_id, cashier FROM sales WHERE id = ?", (sale_id,)).fetchone()
    register_id = "" if row is None else str(row[0])
    cashier = "" if row is None or row[1] is None else str(row[1])
    return {
        "receipt_no": receipt_no,
        "store": {**(header or {}), "store_id": store_id},
        "store_id": store_id,
        "register": register_id,
        "cashier": cashier,
        "receipt_code": f"{store_id}-{register_id}-R{receipt_no}",
        "lines": [
            {
                "product_no": line.product_no,
                "name": line.name,
                "unit_price": line.unit_price,
                "quantity_milli": line.quantity_milli,
                "amount": line.amount,
                "vat_rate": line.vat_rate,
                "barcode": line.barcode,
                "gross": line.gross,
                "discount": line.discount_amount,
                "discount_reason": line.discount.reason if line.discount else "",
            }
            for line in sale.lines
        ],
        "subtotal": sale.subtotal,
        "discount": sale.sale_discount_amount,
        "discount_reason": sale.discount.reason if sale.discount else "",
        "vat": [{"rate": v.rate, "gross": v.gross, "vat": v.vat} for v in sale.vat_lines],
        "tenders": [
            {"kind": t.kind.value, "amount": t.amount, "tendered": t.tendered, "change": t.change}
            for t in sale.tenders
        ],
        "change": sale.change,
    }


def _discount(kind: str | None, value: int | None, reason: str | None) -> Discount | None:
    if kind is None or value is None:
        return None
    return Discount(DiscountKind(kind), int(value), reason or "")
