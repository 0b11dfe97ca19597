from odoo import fields, models, tools
from odoo.tools import SQL, create_index

from odoo.addons.crm_workflow.lib.receivables import overdue_condition


class CrmDssReportCompany(models.Model):
    """Orders, invoices and receivables per company, salesperson and day.

    One SQL view over the ERP's own sales orders and posted customer invoices, in
    company currency, so that the dashboards read what accounting reads.
    """

    _name = "crm.dss.report.company"
    _description = "Company Performance"
    _auto = False
    _order = "date desc"
    _depends = {
        "sale.order": ["date_order", "company_id", "user_id", "partner_id", "amount_untaxed", "currency_rate", "state"],
        "account.move": [
            "invoice_date",
            "company_id",
            "invoice_user_id",
            "commercial_partner_id",
            "amount_untaxed_signed",
            "amount_residual_signed",
            "move_type",
            "state",
        ],
        "account.move.line": ["move_id", "account_id", "date_maturity", "amount_residual"],
    }

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    ordered = fields.Monetary(readonly=True)
    invoiced = fields.Monetary(readonly=True)
    receivable = fields.Monetary(string="Open Receivable", readonly=True)
    overdue = fields.Monetary(string="Overdue Receivable", readonly=True)

    def init(self):
        # The executive dashboard's "newly signed customers": confirmed orders of the period
        # (company, date) and, for each, a probe for an earlier one (partner, company, date).
        create_index(
            self.env.cr,
            "crm_dss_sale_order_confirmed_period_index",
            "sale_order",
            ["company_id", "date_order"],
            where="state = 'sale'",
        )
        create_index(
            self.env.cr,
            "crm_dss_sale_order_first_order_index",
            "sale_order",
            ["partner_id", "company_id", "date_order"],
            where="state = 'sale'",
        )
        # its income and expenses: posted journal items per company and date
        create_index(
            self.env.cr,
            "crm_dss_account_move_line_posted_date_index",
            "account_move_line",
            ["company_id", "date", "account_id"],
            where="parent_state = 'posted'",
        )
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %s AS (
                    SELECT so.id * 2 AS id,
                           so.date_order::date AS date,
                           so.company_id,
                           so.user_id,
                           so.partner_id,
                           so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) AS ordered,
                           0.0 AS invoiced,
                           0.0 AS receivable,
                           0.0 AS overdue
                      FROM sale_order so
                     WHERE so.state = 'sale'
                    UNION ALL
                    SELECT am.id * 2 + 1 AS id,
                           am.invoice_date AS date,
                           am.company_id,
                           am.invoice_user_id AS user_id,
                           am.commercial_partner_id AS partner_id,
                           0.0 AS ordered,
                           am.amount_untaxed_signed AS invoiced,
                           am.amount_residual_signed AS receivable,
                           COALESCE((
                               SELECT SUM(aml.amount_residual)
                                 FROM account_move_line aml
                                 JOIN account_account acc ON acc.id = aml.account_id
                                WHERE aml.move_id = am.id
                                  AND acc.account_type = 'asset_receivable'
                                  AND %s
                           ), 0.0) AS overdue
                      FROM account_move am
                     WHERE am.move_type IN ('out_invoice', 'out_refund')
                       AND am.state = 'posted'
                )
                """,
                SQL.identifier(self._table),
                overdue_condition("aml", SQL("CURRENT_DATE")),
            )
        )
