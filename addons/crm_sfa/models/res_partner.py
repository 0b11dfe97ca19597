from collections import defaultdict
from operator import eq, ge, gt, le, lt, ne

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date, formatLang

from ..lib.receivables import Receivable, alert_due, credit_decision

SALES_GROUPS = "sales_team.group_sale_salesman"
RECEIVABLE_GROUPS = "sales_team.group_sale_salesman,account.group_account_invoice,account.group_account_readonly"
SEARCH_OPERATORS = {"=": eq, "!=": ne, "<": lt, "<=": le, ">": gt, ">=": ge}


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_is_competitor = fields.Boolean(
        string="Competitor",
        help="A company competing with us for deals; market intelligence and opportunities refer to it.",
    )

    # The customer account. Its hierarchy is Odoo's own: a company's parent company
    # (parent_id), the sub-accounts being its child companies. The overview of an account
    # includes its contacts and sub-accounts; receivables are the commercial partner's.
    crm_role_ids = fields.Many2many(
        "crm.contact.role",
        "crm_contact_role_res_partner_rel",
        "partner_id",
        "role_id",
        string="Contact Roles",
        help="The part this contact plays in the customer's buying decisions.",
    )
    crm_sfa_sub_account_ids = fields.One2many(
        "res.partner", "parent_id", string="Sub-accounts", domain=[("is_company", "=", True)]
    )
    crm_sfa_lead_count = fields.Integer(
        string="Leads & Opportunities", compute="_compute_crm_sfa_overview", groups=SALES_GROUPS
    )
    crm_sfa_order_count = fields.Integer(string="Orders", compute="_compute_crm_sfa_overview", groups=SALES_GROUPS)
    crm_sfa_invoice_count = fields.Integer(
        string="Posted Invoices", compute="_compute_crm_sfa_overview", groups=SALES_GROUPS
    )
    crm_sfa_activity_count = fields.Integer(
        string="Open Activities", compute="_compute_crm_sfa_overview", groups=SALES_GROUPS
    )
    crm_sfa_receivable = fields.Monetary(
        string="Open Balance",
        compute="_compute_crm_sfa_receivables",
        groups=RECEIVABLE_GROUPS,
        help="What the customer owes on posted entries, credit notes and unreconciled payments deducted.",
    )
    crm_sfa_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_crm_sfa_receivables",
        search="_search_crm_sfa_overdue_amount",
        groups=RECEIVABLE_GROUPS,
        help="What is left to pay on the instalments of the customer's posted invoices that are past their due "
        "date (an invoice paid in instalments counts only the instalments due).",
    )
    crm_sfa_overdue_days = fields.Integer(
        string="Days Overdue",
        compute="_compute_crm_sfa_receivables",
        search="_search_crm_sfa_overdue_days",
        groups=RECEIVABLE_GROUPS,
        help="Days since the due date of the customer's oldest overdue instalment.",
    )

    @api.depends_context("company", "allowed_company_ids")
    def _compute_crm_sfa_overview(self):
        """Counts of the account and everything below it, in a handful of queries for any number of partners.

        The counts respect the user's access: a salesperson counts what they may open.
        """
        self.crm_sfa_lead_count = self.crm_sfa_order_count = 0
        self.crm_sfa_invoice_count = self.crm_sfa_activity_count = 0
        # in a form being edited the partners are new records: count for what they stand for
        own = defaultdict(list)
        for partner in self:
            if partner._origin.id:
                own[partner._origin.id].append(partner)
        if not own:
            return
        family = self.with_context(active_test=False).search_fetch([("id", "child_of", list(own))], ["parent_id"])
        family_ids = set(family.ids)

        def add(field_name, partner, count):
            """Add ``count`` to the partners of ``self`` that ``partner`` is or is below."""
            while partner and partner.id in family_ids:
                for account in own.get(partner.id, ()):
                    account[field_name] += count
                partner = partner.parent_id

        lead_partner = {}
        for partner, lead_ids in self.env["crm.lead"]._read_group(
            [("partner_id", "in", family.ids)], ["partner_id"], ["id:array_agg"]
        ):
            add("crm_sfa_lead_count", partner, len(lead_ids))
            lead_partner.update(dict.fromkeys(lead_ids, partner))
        order_partner = {}
        for partner, order_ids in self.env["sale.order"]._read_group(
            [("partner_id", "in", family.ids), ("state", "!=", "cancel")], ["partner_id"], ["id:array_agg"]
        ):
            add("crm_sfa_order_count", partner, len(order_ids))
            order_partner.update(dict.fromkeys(order_ids, partner))
        for partner, count in self.env["account.move"]._read_group(
            [
                ("partner_id", "in", family.ids),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            ["partner_id"],
            ["__count"],
        ):
            add("crm_sfa_invoice_count", partner, count)
        documents = {"res.partner": {pid: family.browse(pid) for pid in family_ids}}
        documents["crm.lead"] = lead_partner
        documents["sale.order"] = order_partner
        domain = []
        for model, partner_by_id in documents.items():
            if partner_by_id:
                part = ["&", ("res_model", "=", model), ("res_id", "in", list(partner_by_id))]
                domain = ["|", *domain, *part] if domain else part
        for model, res_id, count in self.env["mail.activity"]._read_group(domain, ["res_model", "res_id"], ["__count"]):
            add("crm_sfa_activity_count", documents[model][res_id], count)

    @api.depends_context("company")
    def _compute_crm_sfa_receivables(self):
        figures = self._origin._crm_sfa_receivable_figures(self.env.company)
        today = fields.Date.context_today(self)
        for partner in self:
            receivable = figures.get(partner._origin.commercial_partner_id.id, Receivable())
            partner.crm_sfa_receivable = receivable.balance
            partner.crm_sfa_overdue_amount = receivable.overdue
            partner.crm_sfa_overdue_days = receivable.days_overdue(today)

    def _search_crm_sfa_overdue_amount(self, operator, value):
        return self._crm_sfa_search_overdue(operator, value, lambda receivable, today: receivable.overdue)

    def _search_crm_sfa_overdue_days(self, operator, value):
        return self._crm_sfa_search_overdue(operator, value, lambda receivable, today: receivable.days_overdue(today))

    def _crm_sfa_search_overdue(self, operator, value, measure):
        """Customers whose overdue figure ``measure`` compares to ``value``; those with nothing overdue count as 0."""
        compare = SEARCH_OPERATORS.get(operator)
        if compare is None or isinstance(value, list | tuple):
            raise UserError(self.env._("Overdue figures can only be compared with =, !=, <, <=, > or >= and a number."))
        value = value or 0
        today = fields.Date.context_today(self)
        overdue = {
            pid: receivable
            for pid, receivable in self.env["account.move.line"]._crm_sfa_open_receivables(self.env.company).items()
            if pid and receivable.overdue
        }
        matching = [pid for pid, receivable in overdue.items() if compare(measure(receivable, today), value)]
        if compare(0, value):
            # a customer with nothing overdue matches: exclude those that are overdue and do not
            return [("commercial_partner_id", "not in", [pid for pid in overdue if pid not in set(matching)])]
        return [("commercial_partner_id", "in", matching)]

    # receivable figures (shared by the fields, the alert and the credit check)

    def _crm_sfa_receivable_figures(self, company):
        """``{commercial partner id: lib.receivables.Receivable}`` of ``self`` in ``company``'s group."""
        commercial_ids = self.commercial_partner_id.ids
        if not commercial_ids:
            return {}
        return self.env["account.move.line"]._crm_sfa_open_receivables(
            company, [("partner_id.commercial_partner_id", "in", commercial_ids)]
        )

    def _crm_sfa_credit_decisions(self, company, amounts):
        """``{commercial partner: (CreditDecision, figures)}`` for charging each customer of
        ``amounts`` (``{commercial partner: amount in company currency}``) in ``company``:
        the credit check of orders (the suite's one overdue rule and credit limit), offered
        to other add-ons' charges (a paid service case) that are not orders."""
        partners = self.browse([partner.id for partner in amounts])
        today = fields.Date.context_today(self)
        receivables = partners._crm_sfa_receivable_figures(company)
        uninvoiced = self.env["sale.order"]._crm_sfa_uninvoiced_amounts(company, partners)
        # sudo: the credit limit is an accounting field; the check applies to everyone
        limits = partners.sudo().with_company(company)
        result = {}
        for partner in partners:
            receivable = receivables.get(partner.id, Receivable())
            figures = {
                "partner": partner,
                "company": company,
                "amount": amounts[partner],
                "receivable": receivable.balance,
                "uninvoiced": uninvoiced.get(partner.id, 0.0),
                "credit_limit": limits.browse(partner.id).credit_limit,
                "overdue_amount": receivable.overdue,
                "overdue_days": receivable.days_overdue(today),
                "block_overdue_days": company.crm_sfa_block_overdue_days,
            }
            decision = credit_decision(
                receivable=receivable.balance,
                order_amount=figures["amount"],
                uninvoiced=figures["uninvoiced"],
                credit_limit=figures["credit_limit"],
                credit_limit_enabled=company.account_use_credit_limit,
                overdue_days=figures["overdue_days"],
                block_overdue_days=company.crm_sfa_block_overdue_days,
                rounding=company.currency_id.rounding,
            )
            result[partner] = (decision, figures)
        return result

    # actions of the Sales Overview

    def _crm_sfa_family_domain(self, field_name="partner_id"):
        return [(field_name, "child_of", self.ids)]

    def action_crm_sfa_view_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("crm.crm_lead_all_leads")
        action.update(
            domain=self._crm_sfa_family_domain(),
            context={"default_partner_id": self.id, "search_default_filter_my_leads": False},
        )
        return action

    def action_crm_sfa_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("sale.action_orders")
        action.update(
            domain=[*self._crm_sfa_family_domain(), ("state", "!=", "cancel")],
            context={"default_partner_id": self.id},
        )
        return action

    def action_crm_sfa_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_invoice_type")
        action.update(
            domain=[
                *self._crm_sfa_family_domain(),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            context={"default_move_type": "out_invoice", "default_partner_id": self.id},
        )
        return action

    def action_crm_sfa_view_overdue_invoices(self):
        self.ensure_one()
        action = self.action_crm_sfa_view_invoices()
        # the invoices with an overdue instalment (lib.receivables.is_overdue), whatever their last due date
        receivables = self.env["account.move.line"]._crm_sfa_open_receivables(
            self.env.company, self._crm_sfa_family_domain(), by="move"
        )
        overdue_ids = [move_id for move_id, receivable in receivables.items() if receivable.overdue]
        action["domain"] += [("id", "in", overdue_ids)]
        return action

    # overdue alert

    @api.model
    def _cron_crm_sfa_overdue_alert(self):
        """Tell the salesperson and their manager about invoices overdue beyond the company's alert threshold.

        An invoice is overdue from its oldest overdue instalment (``lib.receivables``), for
        the amount of its overdue instalments. Each invoice raises its alert once: the
        invoices alerted are stamped, and a customer comes back only when another of its
        invoices passes the threshold.
        """
        today = fields.Date.context_today(self)
        Move = self.env["account.move"]
        activity_type = self.env.ref("crm_sfa.mail_activity_type_overdue_invoice", raise_if_not_found=False)
        for company in self.env["res.company"].search([("crm_sfa_overdue_alert_days", ">", 0)]):
            receivables = self.env["account.move.line"]._crm_sfa_open_receivables(
                company,
                [
                    ("company_id", "=", company.id),
                    ("move_id.move_type", "=", "out_invoice"),
                    ("move_id.crm_sfa_overdue_alert_date", "=", False),
                ],
                by="move",
                today=today,
            )
            due = {
                move_id: receivable
                for move_id, receivable in receivables.items()
                if alert_due(receivable.days_overdue(today), company.crm_sfa_overdue_alert_days)
            }
            invoices = Move.browse(sorted(due, key=lambda move_id: (due[move_id].oldest_due, move_id)))
            activity_values, alerted = [], Move
            for partner, partner_invoices in invoices.grouped("commercial_partner_id").items():
                users = partner._crm_sfa_alert_users(partner_invoices)
                if not users:
                    continue  # no one to tell yet: the invoices wait for a salesperson
                note = partner._crm_sfa_overdue_note(partner_invoices, due, today)
                activity_values += [
                    {
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": partner.id,
                        "activity_type_id": activity_type.id if activity_type else False,
                        "summary": self.env._("Overdue invoices of %s", partner.display_name),
                        "note": note,
                        "user_id": user.id,
                        "date_deadline": today,
                    }
                    for user in users
                ]
                alerted |= partner_invoices
            # the activities notify their users by mail (mail.activity's assignment notification)
            self.env["mail.activity"].create(activity_values)
            # sudo: the alert date is a system field, stamped by this cron on the invoices alerted
            alerted.sudo().write({"crm_sfa_overdue_alert_date": today})

    def _crm_sfa_alert_users(self, invoices):
        """The salesperson of the customer (else of its invoices) and their manager, internal and active."""
        self.ensure_one()
        salesperson = self.user_id or invoices.invoice_user_id[:1]
        # the employees of res.users are those of the active companies: look in the invoices' company
        manager = salesperson._crm_workflow_manager(invoices.company_id[:1])
        users = salesperson | manager
        return users.filtered(lambda user: user.active and not user.share)

    def _crm_sfa_overdue_note(self, invoices, receivables, today):
        """The alert's note: each invoice's overdue amount (company currency) since its oldest overdue instalment."""
        self.ensure_one()
        lines = Markup().join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(invoice)s: %(amount)s due on %(date)s (%(days)s days overdue)",
                invoice=invoice.name,
                amount=formatLang(
                    self.env, receivables[invoice.id].overdue, currency_obj=invoice.company_id.currency_id
                ),
                date=format_date(self.env, receivables[invoice.id].oldest_due),
                days=receivables[invoice.id].days_overdue(today),
            )
            for invoice in invoices
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("Remind the customer to pay, and hold new orders until it does:"),
            lines,
        )
