"""Manager mode's refund key: the screen side of pos/ui/screens/manager_refunds.py."""

from __future__ import annotations

from textual import on

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
