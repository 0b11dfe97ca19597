from odoo import api, fields, models

DECISIONS = [
    ("passed", "Passed"),
    ("unchecked", "Not Checked"),
    ("blocked", "Blocked"),
    ("pending", "Sent for Approval"),
    ("approved", "Approved by Manager"),
    ("refused", "Refused by Manager"),
]


MANAGER = "crm_service.group_crm_service_manager"


class CrmServiceCreditCheck(models.Model):
    """One step of a paid case's credit check: the check itself with the customer's
    figures then, a request for a manager's approval, the manager's answer.

    Written by the case (``crm.service.case._crm_service_check_credit`` and the approval
    buttons); nobody edits or deletes it. The figures are those of crm_sfa's credit check
    of orders when it is installed (receivables with the suite's one overdue rule, the
    credit limit); without accounting there is nothing to check against, and the line
    says so (*Not Checked*).
    """

    _name = "crm.service.credit.check"
    _description = "Service Case Credit Check"
    _order = "date desc, id desc"

    case_id = fields.Many2one("crm.service.case", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="By", readonly=True, default=lambda self: self.env.user)
    decision = fields.Selection(DECISIONS, required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(string="Charge", readonly=True)
    # the customer's accounting figures: for the managers who decide
    exposure = fields.Monetary(readonly=True, help="What the customer would owe with this charge.", groups=MANAGER)
    credit_limit = fields.Monetary(readonly=True, groups=MANAGER)
    overdue_amount = fields.Monetary(string="Overdue", readonly=True, groups=MANAGER)
    overdue_days = fields.Integer(readonly=True)
    note = fields.Char(readonly=True)

    @api.model
    def _crm_service_log(self, values_list):
        # sudo: the log is the system's; users read it, never write it
        return self.sudo().create(values_list)
