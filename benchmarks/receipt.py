"""5. Receipt: a 40-line receipt to ESC/POS bytes vs the same python-escpos ``Dummy`` calls by hand.

Ours is the print queue's whole path from the journaled snapshot (``render_job``: snapshot to
receipt, layout, text, bytes); the baseline makes the identical bytes (checked) with the
calls written out over the finished lines, the floor python-escpos itself sets. The PNG
picture (``pos receipt show --png``) is reported alone.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from escpos.printer import Dummy

from benchmarks.harness import Result, Row, Target, interleaved
from pos.core.receipt_layout import Barcode128, Block, Cut, QrCode, Text
from pos.devices.escpos_render import BARCODE_HEIGHT, BARCODE_MODULE, QR_SIZE
from pos.devices.picture import receipt_picture
from pos.journal.print_jobs import QueuedJob
from pos.services.printing import ReceiptFormat, receipt_blocks, render_job

NAMES = ["Mjólk 1 l", "Rúgbrauð", "Skyr hreint", "Þorskbitar", "Kaffi 500 g", "Ýsa í raspi"]


def snapshot(lines: int = 40) -> dict[str, Any]:
    """A paid sale as the journal snapshots it: two VAT rates, a discount, two tenders."""
    sale_lines = [
        {
            "product_no": str(1000 + n),
            "name": NAMES[n % len(NAMES)],
            "unit_price": 199 + 10 * n,
            "quantity_milli": 1000 + 1000 * (n % 3),
            "amount": (199 + 10 * n) * (1 + n % 3) - (20 if n == 3 else 0),
            "discount": 20 if n == 3 else 0,
            "vat_rate": 11 if n % 2 else 24,
        }
        for n in range(lines)
    ]
    total = sum(int(line["amount"]) for line in sale_lines)
    return {
        "sale_id": 7,
        "reference": "S1-R1-0a1b2c3d-7-1",
        "total": total,
        "netgiro_amount": total - 1000,
        "lines": sale_lines,
        "customer": "***-**81",
        "transaction_id": "0f4c2a8e-1111-2222-3333-444455556666",
        "invoice_number": 123456,
        "paid_at": "2026-12-01T22:15:03.123+00:00",
        "store": {
            "name": "Þórður & Ævar ehf.",
            "address": "Laugavegi 1, 101 Reykjavík",
            "kennitala": "550101-2340",
            "vsk_number": "123456",
            "store_id": "S1",
        },
        "receipt_no": 42,
        "register": "R1",
        "cashier": "Ásdís",
        "tenders": [{"kind": "netgiro", "amount": total - 1000}, {"kind": "cash", "amount": 1000}],
        "change": 0,
    }


def job_of(data: dict[str, Any]) -> QueuedJob:
    stamp = "2026-12-01T22:15:03.123+00:00"
    return QueuedJob(1, 7, "receipt", "queued", data, "", 0, stamp, None, None)


def by_hand(blocks: list[Block], fmt: ReceiptFormat) -> Callable[[], bytes]:
    """The Dummy calls a person would write for these finished lines, codes and cut."""
    lines = [(b.bold, b.text) for b in blocks if isinstance(b, Text)]
    qr = next(b.data for b in blocks if isinstance(b, QrCode))
    barcode = next(b.data for b in blocks if isinstance(b, Barcode128))
    order = [type(b).__name__ for b in blocks]
    qr_at, barcode_at = order.index("QrCode"), order.index("Barcode128")
    text_before_qr = sum(1 for kind in order[:qr_at] if kind == "Text")
    text_before_code = sum(1 for kind in order[:barcode_at] if kind == "Text")
    assert text_before_qr <= text_before_code and order[-1] == "Cut" and order.count("Cut") == 1
    assert not any(isinstance(b, Cut) for b in blocks[:-1])

    def write() -> bytes:
        printer = Dummy(profile=fmt.profile.name)
        printer.hw("INIT")
        printer.charcode(fmt.profile.codepage)
        bold = False
        for n, (line_bold, text) in enumerate(lines):
            if n == text_before_qr:
                printer.set(align="center")
                printer.qr(qr, size=QR_SIZE, native=True)
                printer.set(align="left")
            if n == text_before_code:
                printer._hw_barcode(
                    "{B" + barcode,
                    "CODE128",
                    height=BARCODE_HEIGHT,
                    width=BARCODE_MODULE,
                    pos="OFF",
                    align_ct=True,
                    function_type="B",
                )
                printer.set(align="left")
            if line_bold != bold:
                bold = line_bold
                printer.set(bold=bold)
            printer.textln(text)
        printer.cut()
        return bytes(printer.output)

    return write


def ms_per(calls: int, work: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        work()
    return (time.perf_counter() - start) * 1000 / calls


def run(quick: bool = False) -> Result:
    fmt = ReceiptFormat()
    job = job_of(snapshot())
    blocks = receipt_blocks(job, fmt)
    hand = by_hand(blocks, fmt)
    ours_bytes = render_job(job, fmt).data
    if hand() != ours_bytes:
        raise AssertionError("the hand-written calls do not make the receipt's bytes")
    calls, rounds = (3, 3) if quick else (20, 20)
    ours, base = interleaved(
        rounds, lambda: ms_per(calls, lambda: render_job(job, fmt)), lambda: ms_per(calls, hand)
    )

    def png() -> None:
        receipt_picture(receipt_blocks(job, fmt), fmt.width).save(io.BytesIO(), format="PNG")

    pictures = [ms_per(1 if quick else 5, png) for _ in range(3 if quick else 10)]
    rows = [
        Row(
            "40-line receipt to ESC/POS",
            "ms",
            ours,
            base,
            "Dummy calls by hand",
            Target("ratio", "<=", 1.2),
        ),
        Row("40-line receipt to PNG", "ms", pictures, kind="value"),
    ]
    lines = sum(1 for b in blocks if isinstance(b, Text))
    return Result("receipt", rows, {"text_lines": lines, "bytes": len(ours_bytes)})
