from odoo import api, fields, models


class CrmCreditOverride(models.Model):
    """A sales manager confirmed an order the credit check blocked: who, why and the figures then.

    Only the wizard's code (``sale.order._crm_sfa_confirm_with_override``) creates them,
    as superuser after its checks: no group may create or change them.
    """

    _name = "crm.credit.override"
    _description = "Credit Check Override"
    _order = "date desc, id desc"
    _rec_name = "order_id"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, readonly=True)
    salesperson_id = fields.Many2one(
        "res.users", related="order_id.user_id", store=True, index=True, string="Salesperson"
    )
    company_id = fields.Many2one("res.company", related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", string="Overridden By", required=True, readonly=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    reason = fields.Text(required=True, readonly=True)
    amount = fields.Monetary(string="Order Amount", readonly=True, help="The order's total, in company currency.")
    receivable = fields.Monetary(string="Open Balance", readonly=True)
    uninvoiced_amount = fields.Monetary(
        string="Confirmed, Not Invoiced",
        readonly=True,
        help="What the customer's confirmed orders had not invoiced yet, in company currency.",
    )
    # an accounting figure: the groups of res.partner.credit_limit (account)
    credit_limit = fields.Monetary(readonly=True, groups="account.group_account_invoice,account.group_account_readonly")
    overdue_amount = fields.Monetary(readonly=True)
    overdue_days = fields.Integer(string="Days Overdue", readonly=True)
    blocked_reason = fields.Text(string="Why It Was Blocked", readonly=True)

    @api.depends("order_id", "partner_id")
    def _compute_display_name(self):
        for override in self:
            override.display_name = f"{override.order_id.name} - {override.partner_id.display_name}"
