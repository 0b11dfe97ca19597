from odoo import fields, models, tools
from odoo.tools import SQL


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
            "invoice_date_due",
            "company_id",
            "invoice_user_id",
            "commercial_partner_id",
            "amount_untaxed_signed",
            "amount_residual_signed",
            "move_type",
            "state",
        ],
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
                           CASE WHEN am.invoice_date_due < CURRENT_DATE
                                THEN am.amount_residual_signed ELSE 0.0 END AS overdue
                      FROM account_move am
                     WHERE am.move_type IN ('out_invoice', 'out_refund')
                       AND am.state = 'posted'
                )
                """,
                SQL.identifier(self._table),
            )
        )
