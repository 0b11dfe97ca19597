from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    crm_sfa_overdue_alert_date = fields.Date(
        string="Overdue Alert Sent",
        copy=False,
        readonly=True,
        help="The day the salesperson was alerted that this invoice is overdue; it is alerted once.",
    )
