"""An X or Z report laid out for paper, from its snapshot alone (``pos.core.z_report.snapshot``).

The same blocks drive the ESC/POS bytes, the terminal text (``pos report z N``) and the till's
screen, so all say the same. Words are Icelandic, as on the receipt; times are shown in the zone
the caller passes (Atlantic/Reykjavik). A Z ends with the audit chain head, the paper anchor
``pos audit verify --head`` checks the journal against, in groups a person can read back.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from pos.core.receipt_layout import (
    TENDER_NAMES,
    WIDTHS,
    Block,
    Cut,
    Text,
    for_paper,
    kr,
    local_time,
)

ENDING_NAMES = {
    "CANCELLED": "Hætt við greiðslu",
    "DECLINED": "Greiðslu hafnað",
    "FAILED": "Greiðsla mistókst",
    "ABANDONED": "Greiðsla yfirgefin",
    "UNKNOWN_ABANDONED": "Óþekkt niðurstaða",
}
MOVEMENT_NAMES = {
    "float": "Skiptimynt",
    "paid_in": "Innlagt",
    "paid_out": "Útgreitt",
    "no_sale": "Skúffa opnuð",
}
PENDING_NAMES = {
    "RESERVED_UNCHARGED": "Frátekið, ógreitt",
    "NEEDS_REVIEW": "Þarf skoðun",
    "UNKNOWN_ABANDONED": "Óþekkt niðurstaða",
    "REFUND_UNKNOWN": "Endurgreiðsla óþekkt",
}
HEAD_GROUP = 16


class _Sheet:
    """Text lines at one width: every line fits, nothing unprintable reaches paper."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.blocks: list[Block] = []

    def line(self, text: str, *, bold: bool = False) -> None:
        self.blocks.append(Text(for_paper(text)[: self.width].rstrip(), bold))

    def rule(self) -> None:
        self.line("-" * self.width)

    def copy_mark(self, copy_no: int) -> None:
        if copy_no > 0:
            self.line(f"*** AFRIT {copy_no} ***".center(self.width), bold=True)

    def pair(self, left: str, right: str, *, bold: bool = False) -> None:
        left, right = for_paper(left), for_paper(right)[: self.width]
        parts = textwrap.wrap(left, self.width) or [""]
        for part in parts[:-1]:
            self.line(part, bold=bold)
        last = parts[-1]
        if len(last) + len(right) + 1 > self.width:
            self.line(last, bold=bold)
            last = ""
        self.line(last.ljust(self.width - len(right)) + right, bold=bold)


def layout_report(
    snapshot: Mapping[str, object], *, width: int, tz: tzinfo, copy_no: int = 0
) -> list[Block]:
    """The report as blocks, top to bottom, ending with the cut; a reprint is marked AFRIT."""
    if width not in WIDTHS:
        raise ValueError(f"report width {width}: use one of {WIDTHS}")
    report: Mapping[str, Any] = snapshot
    sheet = _Sheet(width)
    sheet.copy_mark(copy_no)
    _heading(sheet, report, tz)
    sheet.rule()
    sheet.pair("Fjöldi sala", str(report["sales"]))
    sheet.pair("SAMTALS", kr(report["total"]) + " kr.", bold=True)
    _rates(sheet, "VSK-flokkar sölu", report["by_rate"])
    _tenders(sheet, report)
    _refunds(sheet, report["refunds"], report["net_by_rate"])
    _cashiers(sheet, report["cashiers"])
    _counts(sheet, report)
    _cash(sheet, report["cash"], report["movements"], tz)
    _pending(sheet, report["pending"])
    _head(sheet, str(report.get("audit_head") or ""))
    sheet.copy_mark(copy_no)
    sheet.blocks.append(Cut())
    return sheet.blocks


def _heading(sheet: _Sheet, report: Mapping[str, Any], tz: tzinfo) -> None:
    store = report.get("store") or {}
    name = str(store.get("name") or "") if isinstance(store, Mapping) else ""
    if name:
        sheet.line(name.center(sheet.width))
    if report["kind"] == "Z":
        sheet.line(f"Z-SKÝRSLA nr. {report['number']}", bold=True)
    else:
        sheet.line(f"X-SKÝRSLA (staða fyrir Z nr. {report.get('next_z')})", bold=True)
    if report.get("register"):
        sheet.pair("Kassi", str(report["register"]))
    sheet.pair("Frá", local_time(str(report["opened_at"]), tz))
    sheet.pair("Til", local_time(str(report["closed_at"]), tz))
    if report.get("manager"):
        sheet.pair("Stjórnandi", str(report["manager"]))


def _rates(sheet: _Sheet, title: str, rates: Sequence[Mapping[str, int]]) -> None:
    sheet.rule()
    sheet.line(title, bold=True)
    if not rates:
        sheet.pair("  engar", "0")
    for item in rates:
        sheet.pair(f"{item['rate']} % með VSK", kr(item["gross"]))
        sheet.pair("  þar af VSK", kr(item["vat"]))
        sheet.pair("  án VSK", kr(item["net"]))


def _tenders(sheet: _Sheet, report: Mapping[str, Any]) -> None:
    sheet.rule()
    sheet.line("Greiðslumátar", bold=True)
    for tender, amount in report["by_tender"].items():
        sheet.pair(TENDER_NAMES.get(tender, tender), kr(amount))
    sheet.pair("Til baka gefið", kr(report["change_given"]))


def _refunds(
    sheet: _Sheet, refunds: Mapping[str, Any], net_by_rate: Sequence[Mapping[str, int]]
) -> None:
    sheet.rule()
    sheet.pair("Endurgreiðslur", str(refunds["count"]), bold=True)
    for tender, amount in refunds["by_tender"].items():
        sheet.pair(f"  {TENDER_NAMES.get(tender, tender)}", kr(amount))
    for item in refunds["by_rate"]:
        sheet.pair(f"  {item['rate']} % með VSK", kr(item["gross"]))
        sheet.pair("    þar af VSK", kr(item["vat"]))
    if refunds["unsplit"]:
        sheet.pair("  án VSK-skiptingar", kr(refunds["unsplit"]))
    if refunds["count"]:
        _rates(sheet, "Nettó eftir endurgreiðslur", net_by_rate)


def _cashiers(sheet: _Sheet, cashiers: Sequence[Mapping[str, Any]]) -> None:
    sheet.rule()
    sheet.line("Afgreiðslufólk", bold=True)
    for cashier in cashiers:
        name = str(cashier["name"]) or "(óskráð)"
        sheet.pair(f"{name} ({cashier['sales']})", kr(cashier["total"]))


def _counts(sheet: _Sheet, report: Mapping[str, Any]) -> None:
    sheet.rule()
    discounts = report["discounts"]
    sheet.pair(f"Afslættir ({discounts['sales']} sölur)", kr(discounts["amount"]))
    voided = f"{report['voided']}"
    if report["voided_at_close"]:
        voided += f" (þar af við Z: {report['voided_at_close']})"
    sheet.pair("Ógildar sölur", voided)
    for phase, name in ENDING_NAMES.items():
        sheet.pair(name, str(report["endings"].get(phase, 0)))
    sheet.pair("Skúffa opnuð án sölu", str(report["no_sales"]))


def _cash(
    sheet: _Sheet, cash: Mapping[str, Any], movements: Sequence[Mapping[str, Any]], tz: tzinfo
) -> None:
    sheet.rule()
    sheet.line("Reiðufé í skúffu", bold=True)
    sheet.pair("Skiptimynt", kr(cash["float"]))
    sheet.pair("Reiðufjársala", kr(cash["cash_sales"]))
    sheet.pair("Innlagt", kr(cash["paid_in"]))
    sheet.pair("Útgreitt", kr(-cash["paid_out"]))
    sheet.pair("Endurgreitt reiðufé", kr(-cash["cash_refunds"]))
    sheet.pair("Vænt í skúffu", kr(cash["expected"]), bold=True)
    if cash.get("counted") is not None:
        sheet.pair("Talið", kr(cash["counted"]), bold=True)
        difference = int(cash["over_short"])
        word = "Vantar" if difference < 0 else "Umfram" if difference > 0 else "Mismunur"
        sheet.pair(word, kr(difference), bold=True)
    moved = [m for m in movements if m["kind"] in ("paid_in", "paid_out")]
    for movement in moved:
        when = local_time(str(movement["at"]), tz)[-5:]
        sign = -1 if movement["kind"] == "paid_out" else 1
        label = f"{when} {MOVEMENT_NAMES[movement['kind']]}: {movement['reason']}"
        sheet.pair(label, kr(sign * int(movement["amount"])))


def _pending(sheet: _Sheet, pending: Sequence[Mapping[str, Any]]) -> None:
    if not pending:
        return
    sheet.rule()
    sheet.line(f"Bíður stjórnanda ({len(pending)})", bold=True)
    for item in pending:
        sheet.pair(
            f"{PENDING_NAMES.get(item['kind'], item['kind'])}, sala {item['sale_id']}",
            kr(item["amount"]),
        )
        sheet.line(f"  {item['reference']}")
        if item.get("transaction_id"):
            sheet.line(f"  {item['transaction_id']}")


def _head(sheet: _Sheet, head: str) -> None:
    if not head:
        return
    sheet.rule()
    sheet.line("Keðjuhaus endurskoðunarskrár:")
    for start in range(0, len(head), HEAD_GROUP):
        sheet.line(f"  {head[start : start + HEAD_GROUP]}")
