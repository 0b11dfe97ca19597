from contextlib import contextmanager
from contextvars import ContextVar

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import clean_context, formatLang

from ..lib.receivables import credit_decision, days_overdue

# The orders being confirmed through a logged override (_crm_sfa_confirm_with_override),
# while that confirmation runs: server-side state that no caller can set, unlike a context
# key, which anyone may send over RPC.
_OVERRIDDEN_ORDER_IDS = ContextVar("crm_sfa_overridden_order_ids", default=frozenset())


@contextmanager
def _overriding(order):
    """While the ``with`` block runs, the credit check lets ``order`` pass."""
    token = _OVERRIDDEN_ORDER_IDS.set(_OVERRIDDEN_ORDER_IDS.get() | {order.id})
    try:
        yield
    finally:
        _OVERRIDDEN_ORDER_IDS.reset(token)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    crm_sfa_credit_block_reason = fields.Text(
        string="Credit Block",
        compute="_compute_crm_sfa_credit_block_reason",
        help="Why the credit check refuses to confirm this quotation; empty when it may be confirmed.",
    )

    @api.depends("partner_id", "amount_total", "company_id", "state", "currency_rate")
    @api.depends_context("uid")
    def _compute_crm_sfa_credit_block_reason(self):
        # The customer's figures are read as superuser, so only for saved quotations, which
        # the record rules let the user read. A new one (a form being filled in, or onchange
        # called over RPC) may name any customer and company: the check shows once it is saved.
        quotations = self.filtered(
            lambda order: isinstance(order.id, int) and order.state in ("draft", "sent") and order.partner_id
        )
        (self - quotations).crm_sfa_credit_block_reason = False
        for order, (decision, figures) in quotations._crm_sfa_credit_decisions().items():
            order.crm_sfa_credit_block_reason = order._crm_sfa_credit_block_message(decision, figures) or False

    # CRUD / actions

    def action_confirm(self):
        # Confirmations in superuser mode are the customer's own (portal signature, online
        # payment) or automated: the block guards the confirmations of the back office.
        if not self.env.su:
            self._crm_sfa_check_credit()
        result = super().action_confirm()
        self._crm_sfa_win_opportunities()
        return result

    def action_crm_sfa_confirm_override(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("crm_sfa.crm_credit_override_confirm_action")
        action["context"] = {"default_order_id": self.id}
        return action

    # business methods

    def _crm_sfa_credit_decisions(self):
        """{order: (CreditDecision, figures)} with the customer's figures in the order's company, batched by company."""
        result = {}
        today = fields.Date.context_today(self)
        for company, orders in self.grouped("company_id").items():
            partners = orders.partner_id.commercial_partner_id
            receivables = partners._crm_sfa_receivable_figures(company)
            # sudo: the credit limit is an accounting field; the check applies to every salesperson
            limits = partners.sudo().with_company(company)
            for order in orders:
                partner = order.partner_id.commercial_partner_id
                receivable, overdue_amount, oldest_due = receivables.get(partner.id, (0.0, 0.0, None))
                amount = order.amount_total / order.currency_rate if order.currency_rate else order.amount_total
                credit_limit = limits.browse(partner.id).credit_limit
                figures = {
                    "partner": partner,
                    "company": company,
                    "amount": amount,
                    "receivable": receivable,
                    "credit_limit": credit_limit,
                    "overdue_amount": overdue_amount,
                    "overdue_days": days_overdue(oldest_due, today),
                    "block_overdue_days": company.crm_sfa_block_overdue_days,
                }
                decision = credit_decision(
                    receivable=receivable,
                    order_amount=amount,
                    credit_limit=credit_limit,
                    credit_limit_enabled=company.account_use_credit_limit,
                    overdue_days=figures["overdue_days"],
                    block_overdue_days=company.crm_sfa_block_overdue_days,
                    rounding=company.currency_id.rounding,
                )
                result[order] = (decision, figures)
        return result

    def _crm_sfa_credit_block_message(self, decision, figures, show_limit=None):
        """Why the order is blocked, in sentences; empty when it is not.

        The credit limit, an accounting field, is named to those who may read it
        (``show_limit`` by default: the current user's right to read the partner's field).
        """
        self.ensure_one()
        if not decision.blocked:
            return ""
        if show_limit is None:
            show_limit = self.env["res.partner"]._fields["credit_limit"].is_accessible(self.env)
        currency = figures["company"].currency_id
        reasons = []
        if decision.over_credit_limit and show_limit:
            reasons.append(
                self.env._(
                    "%(customer)s would owe %(exposure)s with this order (open balance %(receivable)s + order "
                    "%(amount)s), %(excess)s over its credit limit of %(limit)s.",
                    customer=figures["partner"].display_name,
                    exposure=formatLang(self.env, decision.exposure, currency_obj=currency),
                    receivable=formatLang(self.env, figures["receivable"], currency_obj=currency),
                    amount=formatLang(self.env, figures["amount"], currency_obj=currency),
                    excess=formatLang(self.env, decision.excess, currency_obj=currency),
                    limit=formatLang(self.env, figures["credit_limit"], currency_obj=currency),
                )
            )
        elif decision.over_credit_limit:
            reasons.append(
                self.env._(
                    "%(customer)s would be over its credit limit with this order (open balance %(receivable)s "
                    "+ order %(amount)s).",
                    customer=figures["partner"].display_name,
                    receivable=formatLang(self.env, figures["receivable"], currency_obj=currency),
                    amount=formatLang(self.env, figures["amount"], currency_obj=currency),
                )
            )
        if decision.over_overdue_limit:
            reasons.append(
                self.env._(
                    "%(customer)s has %(overdue)s overdue, its oldest invoice by %(days)s days "
                    "(orders are blocked beyond %(limit)s days).",
                    customer=figures["partner"].display_name,
                    overdue=formatLang(self.env, figures["overdue_amount"], currency_obj=currency),
                    days=figures["overdue_days"],
                    limit=figures["block_overdue_days"],
                )
            )
        reasons.append(
            self.env._(
                "Ask the customer to pay its open invoices, or ask a sales manager to use "
                '"Confirm with override" and give the reason.'
            )
        )
        return "\n".join(reasons)

    def _crm_sfa_check_credit(self):
        """Refuse to confirm the quotations whose customer is over its credit limit or overdue beyond the threshold.

        The order a sales manager is confirming with a logged override
        (:meth:`_crm_sfa_confirm_with_override`) passes, during that confirmation only.
        """
        overridden = _OVERRIDDEN_ORDER_IDS.get()
        quotations = self.filtered(
            lambda order: order.state in ("draft", "sent") and order.partner_id and order.id not in overridden
        )
        messages = [
            self.env._("%(order)s cannot be confirmed:\n%(why)s", order=order.name, why=message)
            for order, (decision, figures) in quotations._crm_sfa_credit_decisions().items()
            if (message := order._crm_sfa_credit_block_message(decision, figures))
        ]
        if messages:
            raise UserError("\n\n".join(messages))

    def _crm_sfa_confirm_with_override(self, reason):
        """Confirm despite the credit check, logging the override and its figures, also on the order.

        For the sales manager's wizard (``crm.credit.override.confirm``), which checked the
        group and the reason; the manager must be allowed to confirm the order itself.
        """
        self.ensure_one()
        self.check_access("write")
        decision, figures = self._crm_sfa_credit_decisions()[self]
        if not decision.blocked:
            return self.action_confirm()
        # the log and the chatter are read by the order's salesperson: no credit limit in words
        message = self._crm_sfa_credit_block_message(decision, figures, show_limit=False)
        # sudo: overrides are created by this method only (no group may create them), with
        # the figures computed here, after the checks above and the wizard's; no default
        # from the caller's context (default_date...)
        Override = self.env["crm.credit.override"].sudo().with_context(clean_context(self.env.context))
        Override.create(
            {
                "order_id": self.id,
                "partner_id": figures["partner"].id,
                "user_id": self.env.uid,
                "reason": reason,
                "amount": figures["amount"],
                "receivable": figures["receivable"],
                "credit_limit": figures["credit_limit"],
                "overdue_amount": figures["overdue_amount"],
                "overdue_days": figures["overdue_days"],
                "blocked_reason": message,
            }
        )
        self.message_post(
            body=Markup("<p>%s</p><p>%s</p><p>%s</p>")
            % (
                self.env._("Confirmed despite the credit check by %s.", self.env.user.name),
                self.env._("Reason: %s", reason),
                Markup("<br/>").join(message.split("\n")),
            ),
        )
        with _overriding(self):
            return self.action_confirm()

    def _crm_sfa_win_opportunities(self):
        """A confirmed order wins its opportunity: mark won the opportunities not won yet."""
        leads = self.filtered(lambda order: order.state == "sale").opportunity_id.filtered(
            lambda lead: lead.type == "opportunity" and not lead.stage_id.is_won
        )
        if leads:
            leads.action_set_won()
