"""A whole day's sales read in three queries are the very sales read one by one (the Z reads
them together: benchmarks/z_report.py)."""

from __future__ import annotations

from pathlib import Path

from pos.core.sale import Discount, DiscountKind, Sale, SaleLine
from pos.journal import Journal, sales, tenders


def line(name: str, price: int, rate: int, discount: Discount | None = None) -> SaleLine:
    return SaleLine(name, None, name, price, 1000, rate, discount)


def test_sales_read_together_equal_sales_read_one_by_one(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite3") as journal:
        ten_off = Discount(DiscountKind.PERCENT, 10, "skemmd")
        rung = [
            Sale(lines=(line("Mjólk", 229, 11), line("Kaffi", 990, 24, ten_off))),
            Sale(
                lines=(line("Peysa", 24990, 24),),
                discount=Discount(DiscountKind.AMOUNT, 500, "vinur"),
            ),
            Sale(lines=(line("Poki", 50, 24),)),
        ]
        ids = []
        for sale in rung:
            sale_id = sales.save_sale(journal, "R1", sale)
            due = tenders.sale_from_rows(journal._db, sale_id).total
            sales.take_cash(journal, sale_id, due // 2, due // 2)  # a split: cash twice
            sales.take_cash(journal, sale_id, due - due // 2, due)
            ids.append(sale_id)
        one_by_one = {sale_id: tenders.sale_from_rows(journal._db, sale_id) for sale_id in ids}
        together = tenders.sales_from_rows(journal._db, [*ids, 999])
    assert {k: v for k, v in together.items() if k != 999} == one_by_one
    assert together[999] == Sale(rates=together[999].rates)  # an id with no rows: an empty sale
    assert one_by_one[ids[0]].tenders and one_by_one[ids[1]].discount is not None
