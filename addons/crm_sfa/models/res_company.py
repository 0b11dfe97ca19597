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
