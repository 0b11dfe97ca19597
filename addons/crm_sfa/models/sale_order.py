from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import clean_context, format_list, formatLang

from ..lib.receivables import Receivable, credit_decision
from .crm_lead import skipping_stage_gates

# The orders being confirmed on a path the credit check lets through, while that
# confirmation runs: a sales manager's logged override (_crm_sfa_confirm_with_override),
# the customer's own signature on the portal (controllers/portal.py) and the customer's
# own online payment (payment.transaction._check_amount_and_confirm_order). Server-side
# state that no caller can set, unlike a context key, which anyone may send over RPC; and
# not superuser mode, in which automated confirmations (workflow steps, server actions,
# crons) run too, and are checked.
_CREDIT_CHECK_EXEMPT_IDS = ContextVar("crm_sfa_credit_check_exempt_ids", default=frozenset())


@contextmanager
def credit_check_exempt(order_ids):
    """While the ``with`` block runs, the credit check lets the orders of ``order_ids`` pass."""
    token = _CREDIT_CHECK_EXEMPT_IDS.set(_CREDIT_CHECK_EXEMPT_IDS.get() | frozenset(order_ids))
    try:
        yield
    finally:
        _CREDIT_CHECK_EXEMPT_IDS.reset(token)


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
        # Every confirmation is checked, in superuser mode too (a workflow step, a server
        # action), except those of _CREDIT_CHECK_EXEMPT_IDS: the customer's own signature or
        # online payment, and a sales manager's logged override.
        self._crm_sfa_check_credit()
        result = super().action_confirm()
        self._crm_sfa_win_opportunities()
        return result

    def action_crm_sfa_confirm_override(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("crm_sfa.crm_credit_override_confirm_action")
        action["context"] = {"default_order_id": self.id}
        return action

    # business methods: the credit check

    def _crm_sfa_credit_decisions(self, confirming=False):
        """{order: (CreditDecision, figures)} with the customer's figures in the order's company, batched by company.

        The customer's exposure is its open receivable, plus what its confirmed orders have
        not invoiced yet, plus this order, in the company currency. When ``confirming``
        (the orders are confirmed together), each order of a customer also counts the
        customer's orders before it in ``self``.
        """
        result = {}
        today = fields.Date.context_today(self)
        for company, orders in self.grouped("company_id").items():
            partners = orders.partner_id.commercial_partner_id
            receivables = partners._crm_sfa_receivable_figures(company)
            uninvoiced = self._crm_sfa_uninvoiced_amounts(company, partners)
            # sudo: the credit limit is an accounting field; the check applies to every salesperson
            limits = partners.sudo().with_company(company)
            confirmed_with = defaultdict(float)
            for order in orders.sorted("id"):
                partner = order.partner_id.commercial_partner_id
                receivable = receivables.get(partner.id, Receivable())
                amount = order._crm_sfa_company_amount(order.amount_total)
                credit_limit = limits.browse(partner.id).credit_limit
                figures = {
                    "partner": partner,
                    "company": company,
                    "amount": amount,
                    "receivable": receivable.balance,
                    "uninvoiced": uninvoiced.get(partner.id, 0.0) + confirmed_with[partner.id],
                    "credit_limit": credit_limit,
                    "overdue_amount": receivable.overdue,
                    "overdue_days": receivable.days_overdue(today),
                    "block_overdue_days": company.crm_sfa_block_overdue_days,
                }
                decision = credit_decision(
                    receivable=receivable.balance,
                    order_amount=amount,
                    uninvoiced=figures["uninvoiced"],
                    credit_limit=credit_limit,
                    credit_limit_enabled=company.account_use_credit_limit,
                    overdue_days=figures["overdue_days"],
                    block_overdue_days=company.crm_sfa_block_overdue_days,
                    rounding=company.currency_id.rounding,
                )
                result[order] = (decision, figures)
                if confirming:
                    confirmed_with[partner.id] += amount
        return result

    def _crm_sfa_company_amount(self, amount):
        """``amount`` of the order's currency in its company's currency, at the order's rate."""
        self.ensure_one()
        return amount / self.currency_rate if self.currency_rate else amount

    @api.model
    def _crm_sfa_uninvoiced_amounts(self, company, partners):
        """{commercial partner id: what its confirmed orders in ``company``'s group have not invoiced yet}.

        Per order, its total minus what posted invoices and credit notes of it hold (which
        the open receivable counts already), never below 0, in the company currency. The
        whole order counts, delivered or not: it is a commitment to the customer.
        """
        if not partners:
            return {}
        # sudo: the customer's exposure counts every salesperson's orders, which the rules may hide
        orders = self.sudo().search(
            [
                ("state", "=", "sale"),
                ("company_id", "child_of", company.root_id.id),
                ("partner_id.commercial_partner_id", "in", partners.ids),
            ]
        )
        result = defaultdict(float)
        for order in orders:
            rest = order.amount_total - order.amount_invoiced
            if order.currency_id.compare_amounts(rest, 0) > 0:
                result[order.partner_id.commercial_partner_id.id] += order._crm_sfa_company_amount(rest)
        return result

    def _crm_sfa_credit_block_message(self, decision, figures, show_limit=None):
        """Why the order is blocked, in sentences; empty when it is not.

        The credit limit, an accounting field, is named to those who may read it
        (``show_limit`` by default: the right of the current user, superuser mode aside,
        to read the partner's field).
        """
        self.ensure_one()
        if not decision.blocked:
            return ""
        if show_limit is None:
            show_limit = self.env["res.partner"]._fields["credit_limit"].is_accessible(self.env(su=False))
        currency = figures["company"].currency_id
        amounts = {
            "customer": figures["partner"].display_name,
            "receivable": formatLang(self.env, figures["receivable"], currency_obj=currency),
            "uninvoiced": formatLang(self.env, figures["uninvoiced"], currency_obj=currency),
            "amount": formatLang(self.env, figures["amount"], currency_obj=currency),
        }
        reasons = []
        if decision.over_credit_limit and show_limit:
            reasons.append(
                self.env._(
                    "%(customer)s would owe %(exposure)s with this order (open balance %(receivable)s + confirmed "
                    "orders not invoiced yet %(uninvoiced)s + this order %(amount)s), %(excess)s over its credit "
                    "limit of %(limit)s.",
                    exposure=formatLang(self.env, decision.exposure, currency_obj=currency),
                    excess=formatLang(self.env, decision.excess, currency_obj=currency),
                    limit=formatLang(self.env, figures["credit_limit"], currency_obj=currency),
                    **amounts,
                )
            )
        elif decision.over_credit_limit:
            reasons.append(
                self.env._(
                    "%(customer)s would be over its credit limit with this order (open balance %(receivable)s "
                    "+ confirmed orders not invoiced yet %(uninvoiced)s + this order %(amount)s).",
                    **amounts,
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

        The orders of ``_CREDIT_CHECK_EXEMPT_IDS`` pass, while their exempt confirmation
        runs: the customer's own (portal signature, online payment) and a sales manager's
        logged override (:meth:`_crm_sfa_confirm_with_override`).
        """
        exempt = _CREDIT_CHECK_EXEMPT_IDS.get()
        quotations = self.filtered(
            lambda order: order.state in ("draft", "sent") and order.partner_id and order.id not in exempt
        )
        messages = [
            self.env._("%(order)s cannot be confirmed:\n%(why)s", order=order.name, why=message)
            for order, (decision, figures) in quotations._crm_sfa_credit_decisions(confirming=True).items()
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
                "uninvoiced_amount": figures["uninvoiced"],
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
        with credit_check_exempt(self.ids):
            return self.action_confirm()

    # business methods: the opportunity

    def _crm_sfa_win_opportunities(self):
        """A confirmed order wins its opportunity; the confirmation never fails because of it.

        - an open opportunity is marked won; the stage gates of the won stage do not hold
          this automatic move (the confirmed order is the evidence), and a note in the
          opportunity's chatter says which order won it, and what the gates asked for;
        - if the confirming user may not change the opportunity (another salesperson's or
          department's, a customer signing on the portal), it is marked won as superuser,
          which the note says;
        - a lost opportunity stays lost: a note and an activity ask its salesperson to
          restore it and mark it won if the deal came back;
        - a won one is left as it is. Should marking it won fail all the same (another
          module's rule), the order stays confirmed and the salesperson is asked to do it.
        """
        confirmed = self.filtered(lambda order: order.state == "sale")
        # sudo: what the confirmation does depends on the opportunity's state, whoever confirms
        leads = confirmed.opportunity_id.sudo().filtered(lambda lead: lead.type == "opportunity")
        if not leads:
            return
        orders_of = defaultdict(lambda: self.browse())
        for order in confirmed.filtered("opportunity_id"):
            orders_of[order.opportunity_id.id] |= order
        to_win = leads.filtered(lambda lead: lead.active and not lead.stage_id.is_won)
        lost = leads.filtered(lambda lead: not lead.active)
        if to_win:
            try:
                with self.env.cr.savepoint():
                    self._crm_sfa_win(to_win, orders_of)
            except UserError as error:
                reason = error.args[0] if error.args else str(error)
                self._crm_sfa_ask_salesperson(
                    to_win,
                    self.env._("Mark the opportunity won"),
                    lambda lead, orders: self.env._(
                        "%(orders)s was confirmed, but %(lead)s could not be marked won: %(error)s",
                        orders=orders,
                        lead=lead.name,
                        error=reason,
                    ),
                    orders_of,
                )
        if lost:
            self._crm_sfa_ask_salesperson(
                lost,
                self.env._("Order confirmed for a lost opportunity"),
                lambda lead, orders: self.env._(
                    "%(orders)s was confirmed for %(lead)s, which is lost: it stays lost. "
                    "Restore it and mark it won if the deal came back.",
                    orders=orders,
                    lead=lead.name,
                ),
                orders_of,
            )

    def _crm_sfa_win(self, leads, orders_of):
        """Mark ``leads`` (superuser records) won without their stage gates, noting it on each."""
        mine = leads.with_env(self.env)._filtered_access("write")
        others = leads - mine
        with skipping_stage_gates(leads):
            mine.action_set_won()
            # sudo: the confirming user may not change these opportunities (see the docstring
            # of _crm_sfa_win_opportunities); the note below names who confirmed
            others.action_set_won()
        problems = leads._crm_stage_gate_problems()
        for lead in leads:
            paragraphs = [
                self.env._(
                    "Marked won: %(orders)s was confirmed by %(user)s.",
                    orders=format_list(self.env, orders_of[lead.id].mapped("name")),
                    user=self.env.user.name,
                )
            ]
            if lead in others:
                paragraphs.append(
                    self.env._("%s may not change this opportunity: the system marked it won.", self.env.user.name)
                )
            if lead in problems:
                paragraphs.append(
                    self.env._("The stage's requirements were not checked for this automatic move: %s", problems[lead])
                )
            # sudo: a note of the system on an opportunity the user may not change
            lead.message_post(
                body=Markup().join(Markup("<p>%s</p>") % paragraph for paragraph in paragraphs),
                subtype_xmlid="mail.mt_note",
            )

    def _crm_sfa_ask_salesperson(self, leads, summary, message_of, orders_of):
        """A note on each of ``leads`` (superuser records) and a to-do for its salesperson.

        ``message_of(lead, order names)`` is the note's sentence.
        """
        for lead in leads:
            orders = orders_of[lead.id]
            body = Markup("<p>%s</p>") % message_of(lead, format_list(self.env, orders.mapped("name")))
            # sudo (the leads'): a note of the system, on opportunities the user may not change
            lead.message_post(body=body, subtype_xmlid="mail.mt_note")
            salesperson = lead.user_id or orders[:1].user_id
            if salesperson.active and not salesperson.share:
                lead.activity_schedule(
                    "mail.mail_activity_data_todo", summary=summary, note=body, user_id=salesperson.id
                )
