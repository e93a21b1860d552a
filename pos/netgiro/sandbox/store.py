"""The sandbox's carts and tokens in SQLite, shared safely by threads and by other processes.

Every change is read-rule-write inside one ``BEGIN IMMEDIATE`` transaction, so two registers
(or two sandbox processes on one file) never lose each other's updates.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from pathlib import Path

from pos.netgiro.sandbox.rules import (
    PAID,
    Cart,
    Lifetimes,
    Outcome,
    cart_answer,
    effective,
    needs_callback,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS carts (
    transaction_id TEXT PRIMARY KEY, reference TEXT NOT NULL, amount INTEGER NOT NULL,
    customer TEXT NOT NULL, kind TEXT NOT NULL, confirmation INTEGER NOT NULL,
    status TEXT NOT NULL, created_at REAL NOT NULL, app_key TEXT NOT NULL, approved_at REAL,
    sms_code TEXT, invoice_number INTEGER, callback_url TEXT, callback_cancel_url TEXT,
    location_id TEXT, register_id TEXT, description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, customer TEXT NOT NULL, created_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
"""
FIRST_INVOICE = 100_001
_COLUMNS = [field.name for field in fields(Cart)]


def _values(cart: Cart) -> list[object]:
    """The cart's columns in order: plain values, read shallowly (asdict deep-copies each one,
    a sixth of an InsertCart's time in benchmarks/sandbox.py)."""
    return [getattr(cart, name) for name in _COLUMNS]


class CartStore:
    """Carts and one-time tokens in one SQLite file; one connection per thread."""

    def __init__(self, path: Path, life: Lifetimes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.life = life
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._db().executescript(SCHEMA)
        for suffix in ("", "-wal", "-shm"):  # full customer ids: the owner's alone
            own = path.with_name(path.name + suffix)
            if own.exists():
                os.chmod(own, 0o600)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path, isolation_level=None, timeout=10.0, check_same_thread=False
            )
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        if db.in_transaction:  # a rule spending a token inside a cart's transaction
            yield db
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # --- carts -----------------------------------------------------------------------------

    def add(self, cart: Cart) -> Cart:
        with self._transaction() as db:
            cart = self._with_invoice(db, cart)
            db.execute(
                f"INSERT INTO carts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                _values(cart),
            )
        return cart

    def apply(
        self, transaction_id: str, now: float, rule: Callable[[Cart], Outcome]
    ) -> tuple[Cart, Outcome] | None:
        """Run ``rule`` on the cart as it stands now; returns (stored before, outcome) or None."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM carts WHERE transaction_id = ?", (transaction_id.lower(),)
            ).fetchone()
            if row is None:
                return None
            stored = Cart(**dict(row))
            outcome = rule(effective(stored, now, self.life))
            after = self._with_invoice(db, outcome.cart)
            if after != stored:
                self._write(db, after)
            answer = outcome.answer
            if answer and after.invoice_number != outcome.cart.invoice_number:
                answer = cart_answer(
                    after,
                    answer["ResultCode"],
                    success=answer["Success"],
                    message=answer["Message"],
                )
            callback = needs_callback(stored, after) or outcome.callback
            return stored, Outcome(after, answer, callback)

    def read(self, transaction_id: str, now: float) -> tuple[Cart, Outcome] | None:
        return self.apply(transaction_id, now, lambda cart: Outcome(cart, {}))

    def all_ids(self) -> list[str]:
        rows = self._db().execute("SELECT transaction_id FROM carts ORDER BY created_at, rowid")
        return [row[0] for row in rows.fetchall()]

    def _write(self, db: sqlite3.Connection, cart: Cart) -> None:
        assignments = ", ".join(f"{name} = ?" for name in _COLUMNS[1:])
        values = [*_values(cart)[1:], cart.transaction_id]
        db.execute(f"UPDATE carts SET {assignments} WHERE transaction_id = ?", values)

    def _with_invoice(self, db: sqlite3.Connection, cart: Cart) -> Cart:
        if cart.status != PAID or cart.invoice_number is not None:
            return cart
        last = db.execute("SELECT MAX(invoice_number) FROM carts").fetchone()[0]
        return replace(cart, invoice_number=max(FIRST_INVOICE - 1, last or 0) + 1)

    # --- one-time tokens (the test code generator) ---------------------------------------

    def issue_token(self, customer: str, now: float) -> str:
        with self._transaction() as db:
            while True:
                token = f"{secrets.randbelow(10_000):04d}"
                taken = db.execute(
                    "SELECT 1 FROM tokens WHERE token = ? AND used = 0", (token,)
                ).fetchone()
                if taken is None:
                    break
            db.execute(
                "INSERT OR REPLACE INTO tokens (token, customer, created_at, used) VALUES (?, ?, ?, 0)",
                (token, customer, now),
            )
        return token

    def use_token(self, token: str, now: float, ttl_s: float, customer: str | None = None) -> bool:
        """Spend a token once, if it is fresh (and, for an SMS code, was made for this customer)."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT customer, created_at, used FROM tokens WHERE token = ?", (token,)
            ).fetchone()
            if row is None or row["used"] or now > row["created_at"] + ttl_s:
                return False
            if customer is not None and row["customer"] != customer:
                return False
            db.execute("UPDATE tokens SET used = 1 WHERE token = ?", (token,))
            return True

    def new_sms_code(self) -> str:
        return f"{secrets.randbelow(1_000_000):06d}"
