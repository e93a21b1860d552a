"""Settling an unknown or needs-manager sale as a manager: one code path for manager mode and
``pos recover --settle`` (TILL-CONTRACTS: Settling).

``Journal.settle`` writes the settlement event and the sale's status in one transaction; the
audit chain then copies that event (``chain_settlements``, idempotent, so a crash between the
two commits is healed by the next copy, which manager mode runs when it opens).
"""

from __future__ import annotations

from pos.journal import Journal, SaleRecord
from pos.journal.audit import chain_settlements
from pos.journal.store import Outcome
from pos.services.manager_auth import ManagerAuth, Session


def settle_sale(
    auth: ManagerAuth,
    session: Session,
    journal: Journal,
    reference: str,
    outcome: Outcome,
    reason: str,
) -> SaleRecord:
    """A manager in manager mode settles the payment ``reference`` as paid or unpaid."""
    auth.require_manager(session)
    sale = journal.settle(reference, outcome, reason, session.actor)
    chain_settlements(journal)
    return sale
