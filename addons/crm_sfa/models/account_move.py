from odoo import fields, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "crm.system.fields.mixin"]
    # set by the overdue alert: a salesperson stamping an invoice would silence the alert
    _crm_system_fields = ("crm_sfa_overdue_alert_date",)

    crm_sfa_overdue_alert_date = fields.Date(
        string="Overdue Alert Sent",
        copy=False,
        readonly=True,
        help="The day the salesperson was alerted that this invoice is overdue; it is alerted once.",
    )
