"""Manager mode's refund key: the screen side of pos/ui/screens/manager_refunds.py."""

from __future__ import annotations

from textual import on
from textual.widgets.option_list import Option

from pos.journal.refunds import RefundRecord
from pos.journal.store import Outcome
from pos.ui.format import grouped
from pos.ui.screens import manager_refunds as refunds
from pos.ui.screens.manager_base import ManagerBase, Prompt


class RefundKeys(ManagerBase):
    """Ctrl+T: a receipt, its lines, the plan confirmed, the refund."""

    def action_refund(self) -> None:
        self._ask(Prompt("refund"), self.say("manager.refund_prompt"))

    @on(refunds.BasisFound)
    def basis_found(self, message: refunds.BasisFound) -> None:
        def chosen(request: refunds.RefundRequest | None) -> None:
            if request is not None:
                self._run(refunds.make_plan(self, self.manager, self.session, request), "plan")

        self.app.push_screen(refunds.RefundScreen(self.say, message.receipt, message.basis), chosen)

    @on(refunds.PlanMade)
    def plan_made(self, message: refunds.PlanMade) -> None:
        request = message.request

        def answered(yes: bool | None) -> None:
            if yes:
                self.notice(self.say("manager.working"))
                self._run(
                    refunds.refund(self, self.manager, self.session, request), "refund", guard=True
                )

        question = refunds.plan_question(self.say, request.receipt, message.plan)
        self._confirm(question, answered)

    @on(refunds.RefundEnded)
    def refund_ended(self, message: refunds.RefundEnded) -> None:
        text, look_again = refunds.refund_result(self.say, message.refunded)
        self.notice(text, error=look_again)
        self._print()

    def _find_sale(self, receipt: str) -> None:
        self._end_prompt()
        self._run(refunds.find_sale(self, self.manager, self.session, receipt), "refund-sale")

    # --- a refund whose answer was lost (REFUND_UNKNOWN) ---------------------------------------

    def _refund_option(self, record: RefundRecord) -> Option:
        text = self.say(
            "manager.refund_unknown_row",
            refund=record.id,
            sale=record.sale_id,
            total=grouped(record.amount),
        )
        return Option(text, id=f"refund-{record.id}")

    def _ask_refund_settled(self, record: RefundRecord, done: bool) -> None:
        key = "manager.refund_portal_done" if done else "manager.refund_portal_failed"
        outcome: Outcome = "paid" if done else "unpaid"
        self._ask(
            Prompt("refund_settle", outcome=outcome, refund=record), self.say(key, refund=record.id)
        )

    def _settle_refund(self, record: RefundRecord, done: bool, portal_shows: str) -> None:
        self._end_prompt()
        word = self.say("manager.refund_word_done" if done else "manager.refund_word_failed")
        question = self.say(
            "manager.refund_settle_question",
            refund=record.id,
            total=grouped(record.amount),
            word=word,
            portal=portal_shows,
        )

        def answered(yes: bool | None) -> None:
            if yes:
                worker = refunds.settle_unknown(
                    self, self.manager, self.session, record.id, done, portal_shows
                )
                self._run(worker, "refund-settle")

        self._confirm(question, answered)

    @on(refunds.RefundSettled)
    def refund_settled(self, message: refunds.RefundSettled) -> None:
        record = message.record
        word = self.say(
            "manager.refund_word_done" if record.status == "DONE" else "manager.refund_word_failed"
        )
        self.notice(self.say("manager.refund_settled", refund=record.id, word=word))
        self._reload()
