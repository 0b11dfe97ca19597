from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_sfa_overdue_alert_days = fields.Integer(
        string="Overdue Alert (days)",
        default=30,
        help="Alert the salesperson and their manager when an invoice of their customer is overdue "
        "for more than this many days (once per invoice). 0 switches the alert off.",
    )
    crm_sfa_block_overdue_days = fields.Integer(
        string="Block Orders Overdue (days)",
        default=0,
        help="Refuse to confirm orders of customers with an invoice overdue for more than this many days, "
        "unless a sales manager overrides it. 0 switches the block off.",
    )
    crm_sfa_conversion_alert_ratio = fields.Float(
        string="Conversion Alert Ratio",
        default=0.5,
        digits=(16, 2),
        help="Alert the manager when a salesperson's stage-to-stage conversion this month stays below "
        "this share of their team's average (0.5: half the team average).",
    )
    crm_sfa_conversion_alert_min_leads = fields.Integer(
        string="Conversion Alert Minimum",
        default=10,
        help="Alert only about salespeople with at least this many stage entries in the month.",
    )
    crm_sfa_win_rate_months = fields.Integer(
        string="Win Rate History (months)",
        default=12,
        help="The forecast projects the open pipeline with each salesperson's win rate over this many months.",
    )

    _sql_constraints = [
        (
            "crm_sfa_overdue_days_positive",
            "CHECK (crm_sfa_overdue_alert_days >= 0 AND crm_sfa_block_overdue_days >= 0)",
            "The overdue thresholds are numbers of days: enter 0 or more (0 switches them off).",
        ),
    ]

    @api.constrains("crm_sfa_conversion_alert_ratio", "crm_sfa_conversion_alert_min_leads", "crm_sfa_win_rate_months")
    def _check_crm_sfa_forecast_settings(self):
        for company in self:
            if not 0 < company.crm_sfa_conversion_alert_ratio <= 1:
                raise ValidationError(
                    self.env._(
                        "Enter the conversion alert ratio as a share of the team average, above 0 and at most 1."
                    )
                )
            if company.crm_sfa_conversion_alert_min_leads < 1 or company.crm_sfa_win_rate_months < 1:
                raise ValidationError(
                    self.env._("The minimum number of stage entries and the win rate history are at least 1.")
                )

    def _crm_sfa_load_demo_chart(self):
        """For the demo data: the Chinese chart of accounts, in yuan, on these companies (and
        their branches, which Odoo gives their parent's), when the Chinese localisation
        (``l10n_cn``) is installed; else Odoo's generic chart on those that have none.

        The demo company is Chinese, but the add-ons do not depend on ``l10n_cn``: the demo
        commands install it beside them (``scripts/suite.py``). Called before the demo
        orders and invoices, while the companies have no entries of their own yet: loading
        a chart on a demo database replaces the accounts, journals, taxes and the entries
        (Odoo's own demo entries) of the generic one, and sets the company's currency to
        its country's; the companies' default pricelists follow.
        """
        ChartTemplate = self.env["account.chart.template"]
        chinese = self.env["ir.module.module"].search_count([("name", "=", "l10n_cn"), ("state", "=", "installed")])
        yuan = self.env.ref("base.CNY")
        for company in self.filtered(lambda company: not company.parent_id):
            if chinese and company.chart_template != "cn":
                # install_demo: Odoo's accounting demo, which the generic chart had, comes
                # back in the new one (and Odoo warns about a chart loaded during an
                # installation without it)
                ChartTemplate.try_loading("cn", company, install_demo=True)
                if company.currency_id != yuan:
                    company.currency_id = yuan
                # the default pricelists Odoo made for the companies keep the old currency
                self.env["product.pricelist"].search(
                    [("company_id", "child_of", company.id), ("item_ids", "=", False), ("currency_id", "!=", yuan.id)]
                ).currency_id = yuan
            elif not company.chart_template:
                ChartTemplate.try_loading("generic_coa", company, install_demo=True)
        return True
