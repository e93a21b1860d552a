"""Snapshots shared by the device tests: one v1 sale, one with everything a receipt can show."""

from __future__ import annotations

from typing import Any

V1_SNAPSHOT: dict[str, Any] = {
    "sale_id": 7,
    "reference": "R1-ab12-7-1",
    "total": 1990,
    "lines": [
        {
            "product_no": "keyed",
            "name": "Keyed amount",
            "unit_price": 1990,
            "quantity_milli": 1000,
            "amount": 1990,
        }
    ],
    "customer": "***-**81",
    "transaction_id": "0f4c2a8e-1111-2222-3333-444455556666",
    "invoice_number": 123456,
    "paid_at": "2026-12-01T22:15:03.123+00:00",
}

ICELANDIC = "þ ð æ ö á é í ó ú ý Þ Ð Æ Ö Á É Í Ó Ú Ý"

RICH_SNAPSHOT: dict[str, Any] = {
    **V1_SNAPSHOT,
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
    "total": 4199,
    "lines": [
        {
            "name": ICELANDIC,
            "unit_price": 2000,
            "quantity_milli": 2000,
            "amount": 4000,
            "vat_rate": 24,
        },
        {
            "name": "Mjólk",
            "unit_price": 219,
            "quantity_milli": 1000,
            "amount": 199,
            "discount": 20,
            "vat_rate": 11,
        },
    ],
    "tenders": [{"kind": "netgiro", "amount": 3000}, {"kind": "cash", "amount": 1199}],
    "change": 1,
}
