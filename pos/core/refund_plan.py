"""A refund by line and quantity: what each line gives back, VAT per rate, and which tender pays
it. Pure: the journal's sale and tenders in, a plan out (or ``RefundPlanError``).

What a line gives back. A line's *paid* amount is its gross after its own discount and its share
of the sale discount (``line_shares``: per rate exactly as the receipt's VAT lines, then within
a rate by largest remainder). Refunding ``q`` of a line already refunded ``a`` gives back
``F(a + q) - F(a)`` with ``F(x) = paid × x / quantity`` rounded half up: so refunds of one line,
however they are split, add up to exactly what it paid once all of it is back.

VAT is stated per rate on the refund's total at that rate (``pos.core.vat``), as on a sale.

Which tender pays. Each tender gives back at most what it took, less what it gave back before
(the journal's triggers enforce that too): Netgíró money only back to Netgíró, never as cash.
A sale paid with one tender is refunded through it. A split sale is refunded **cash first**, up
to the cash it took net of change, then Netgíró (oldest payment first). Why cash first: a return
at the counter is usually small and the customer is standing there; the cash they handed over
goes back from the drawer at once, with no network call that could end REFUND_UNKNOWN and need
a manager, and the customer's Netgíró invoice only changes for what cash cannot cover. It never
gives more cash than was paid in cash, so Netgíró credit cannot be turned into cash by a
return. (Proportional splitting would send every small return down both rails.)

A line that straddles the tenders is split into one piece per tender: grosses exactly, the
quantity in proportion (a piece may carry a quantity of 0 with money, never neither).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pos.core.errors import InputError
from pos.core.free_text import safe_text
from pos.core.sale import ONE, Sale, TenderKind, VatLine
from pos.core.vat import vat_included


class RefundPlanError(InputError):
    """The refund asked for cannot be made as asked; nothing was journaled or sent."""

    title = "Refund"


@dataclass(frozen=True)
class SoldLine:
    """One line of the paid sale, numbered from 1 as on the receipt."""

    line_no: int
    name: str
    quantity_milli: int
    paid: int
    vat_rate: int
    refunded_milli: int = 0

    @property
    def left_milli(self) -> int:
        return self.quantity_milli - self.refunded_milli


@dataclass(frozen=True)
class TenderLeft:
    """What one tender of the sale may still give back (Netgíró: one paid attempt)."""

    kind: TenderKind
    left: int
    attempt_id: int | None = None


@dataclass(frozen=True)
class Piece:
    """(Part of) one line given back: thousandths, krónur and the line's VAT rate."""

    line_no: int
    quantity_milli: int
    gross: int
    vat_rate: int


@dataclass(frozen=True)
class PlannedPart:
    """What one tender gives back, and the pieces of lines that money is for."""

    kind: TenderKind
    amount: int
    pieces: tuple[Piece, ...]
    attempt_id: int | None = None


@dataclass(frozen=True)
class RefundPlan:
    lines: tuple[Piece, ...]
    parts: tuple[PlannedPart, ...]

    @property
    def total(self) -> int:
        return sum(piece.gross for piece in self.lines)

    @property
    def vat_lines(self) -> tuple[VatLine, ...]:
        """Per rate, highest first: the refund's gross at that rate and the VAT in it."""
        return vat_of(self.lines)


def vat_of(pieces: Sequence[Piece]) -> tuple[VatLine, ...]:
    gross: dict[int, int] = {}
    for piece in pieces:
        gross[piece.vat_rate] = gross.get(piece.vat_rate, 0) + piece.gross
    return tuple(
        VatLine(rate, gross[rate], vat_included(gross[rate], rate))
        for rate in sorted(gross, reverse=True)
    )


def line_shares(sale: Sale) -> tuple[int, ...]:
    """Each line's paid amount: after its own discount and its share of the sale discount.

    The shares of one rate add up to that rate's gross on the receipt (``Sale.vat_lines``).
    """
    by_rate = {line.rate: line.gross for line in sale.vat_lines}
    shares = [line.amount for line in sale.lines]
    for rate, rate_gross in by_rate.items():
        indexes = [i for i, line in enumerate(sale.lines) if line.vat_rate == rate]
        before = sum(shares[i] for i in indexes)
        off = before - rate_gross
        if off <= 0 or before <= 0:
            continue
        exact = {i: off * shares[i] for i in indexes}
        taken = {i: value // before for i, value in exact.items()}
        left = off - sum(taken.values())
        for i in sorted(indexes, key=lambda i: (-(exact[i] % before), i))[:left]:
            taken[i] += 1
        for i in indexes:
            shares[i] -= taken[i]
    return tuple(shares)


def _part_of(paid: int, quantity: int, upto: int) -> int:
    """``paid × upto / quantity``, half up."""
    return (2 * paid * upto + quantity) // (2 * quantity)


def line_refund(line: SoldLine, quantity_milli: int) -> Piece:
    """What refunding ``quantity_milli`` more of ``line`` gives back."""
    if isinstance(quantity_milli, bool) or not isinstance(quantity_milli, int):
        raise TypeError("a quantity is int thousandths")
    if quantity_milli <= 0:
        raise RefundPlanError(f"Line {line.line_no}: a refund gives back more than 0.")
    if quantity_milli > line.left_milli:
        raise RefundPlanError(
            f"Line {line.line_no} ({line.name}): {show_quantity(quantity_milli)} is more than "
            f"is left to refund ({show_quantity(line.left_milli)} of "
            f"{show_quantity(line.quantity_milli)} sold)."
        )
    start = line.refunded_milli
    gross = _part_of(line.paid, line.quantity_milli, start + quantity_milli) - _part_of(
        line.paid, line.quantity_milli, start
    )
    return Piece(line.line_no, quantity_milli, gross, line.vat_rate)


def plan_refund(
    lines: Sequence[SoldLine], wanted: Mapping[int, int], tenders: Sequence[TenderLeft]
) -> RefundPlan:
    """The refund of ``wanted`` (line number → thousandths), split between ``tenders``."""
    if not wanted:
        raise RefundPlanError("Name the lines to refund (line number and quantity).")
    by_no = {line.line_no: line for line in lines}
    missing = sorted(set(wanted) - set(by_no))
    if missing:
        raise RefundPlanError(
            f"The sale has no line {missing[0]}; its lines are 1 to {len(lines)}."
        )
    pieces = tuple(line_refund(by_no[no], wanted[no]) for no in sorted(wanted))
    total = sum(piece.gross for piece in pieces)
    if total <= 0:
        raise RefundPlanError(
            "Those lines cost nothing after discounts: there is nothing to pay back."
        )
    order = [t for t in tenders if t.kind is TenderKind.CASH] + [
        t for t in tenders if t.kind is TenderKind.NETGIRO
    ]
    amounts = _fill(order, total)
    return RefundPlan(pieces, _split(pieces, order, amounts))


def _fill(order: Sequence[TenderLeft], total: int) -> list[int]:
    amounts, due = [], total
    for tender in order:
        take = min(max(tender.left, 0), due)
        amounts.append(take)
        due -= take
    if due > 0:
        left = total - due
        raise RefundPlanError(
            f"The sale's tenders have {left} kr. left to give back, less than the {total} kr. "
            "asked: an earlier refund took the rest. Nothing was refunded."
        )
    return amounts


def _split(
    pieces: Sequence[Piece], order: Sequence[TenderLeft], amounts: Sequence[int]
) -> tuple[PlannedPart, ...]:
    """Walk the pieces in line order, filling each tender's amount in turn."""
    used = [(tender, amount) for tender, amount in zip(order, amounts, strict=True) if amount > 0]
    buckets: list[list[Piece]] = [[] for _ in used]
    at, room = 0, used[0][1]
    for piece in pieces:
        done_gross = 0
        done_qty = 0
        while True:
            if room == 0 and done_gross < piece.gross:
                if at + 1 == len(used):  # _fill made the amounts add up to the pieces
                    raise RefundPlanError("The refund's tenders do not add up to its lines.")
                at, room = at + 1, used[at + 1][1]
            take = min(room, piece.gross - done_gross)
            end_gross = done_gross + take
            end_qty = (
                piece.quantity_milli
                if end_gross == piece.gross
                else _part_of(piece.quantity_milli, piece.gross, end_gross)
            )
            if take > 0 or end_qty > done_qty:
                buckets[at].append(Piece(piece.line_no, end_qty - done_qty, take, piece.vat_rate))
            room -= take
            done_gross, done_qty = end_gross, end_qty
            if done_gross == piece.gross:
                break
    return tuple(
        PlannedPart(tender.kind, amount, tuple(bucket), tender.attempt_id)
        for (tender, amount), bucket in zip(used, buckets, strict=True)
    )


_QUANTITY = re.compile(r"^(\d{1,3})(?:[.,](\d{1,3}))?$")


def parse_quantity(text: str) -> int:
    """``2``, ``1,5`` or ``0.250`` items → thousandths."""
    match = _QUANTITY.match(text.strip())
    if match is None:
        raise RefundPlanError(
            f"'{_shown(text)}' is not a quantity: write it like 2, 1,5 or 0.250 (at most 3 "
            "decimals)."
        )
    whole, fraction = match.group(1), (match.group(2) or "").ljust(3, "0")
    milli = int(whole) * ONE + int(fraction)
    if milli <= 0:
        raise RefundPlanError("A refund gives back more than 0 of a line.")
    return milli


def parse_line_request(text: str) -> tuple[int, int | None]:
    """``LINE:QTY`` (line number from 1, as on the receipt), or ``LINE`` for all that is left."""
    number, _, quantity = text.strip().partition(":")
    if not (number.isascii() and number.isdigit()) or int(number) <= 0:  # not '²' (int refuses)
        raise RefundPlanError(
            f"'{_shown(text)}': name a line by its number on the receipt and a quantity, like 2:1."
        )
    return int(number), (parse_quantity(quantity) if quantity else None)


def _shown(typed: str) -> str:
    """What the person typed or scanned, as a message may show it: escaped, masked, short."""
    return safe_text(typed, 24)


def show_quantity(milli: int) -> str:
    """Thousandths as a person writes them: 2, 1,5, 0,25."""
    whole, fraction = divmod(milli, ONE)
    return str(whole) if not fraction else f"{whole},{fraction:03d}".rstrip("0")


@dataclass(frozen=True)
class ReceiptRef:
    """A paid sale named by its receipt number, or by the code printed on it."""

    receipt_no: int
    prefix: str | None = None
    """``{store}-{register}`` when given as a code: it must be this register's."""


_CODE = re.compile(r"^(?P<prefix>.+)-R(?P<number>\d{1,9})$")


def parse_receipt_ref(text: str) -> ReceiptRef:
    """``N`` (the receipt number) or the scanned code ``{store}-{register}-R{N}``."""
    cleaned = text.strip()
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 9 and int(cleaned) > 0:
        return ReceiptRef(int(cleaned))
    match = _CODE.match(cleaned)
    if match is None or int(match.group("number")) <= 0:
        raise RefundPlanError(
            f"'{_shown(cleaned)}' is not a receipt: give its number or scan the code printed on it "
            "(STORE-REGISTER-R123)."
        )
    return ReceiptRef(int(match.group("number")), match.group("prefix"))
