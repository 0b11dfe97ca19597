from odoo import api, fields, models


class CrmServiceCase(models.Model):
    """A customer's request for service, or a complaint."""

    _name = "crm.service.case"
    _description = "Service Case"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.workflow.mixin"]
    _order = "priority desc, date_open desc, id desc"

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default="/")
    subject = fields.Char(required=True, tracking=True)
    case_type = fields.Selection(
        [("service", "Service Request"), ("complaint", "Complaint"), ("consultation", "Consultation")],
        string="Type",
        required=True,
        default="service",
        tracking=True,
        index=True,
    )
    priority = fields.Selection(
        [("0", "Normal"), ("1", "High"), ("2", "Urgent")],
        default="0",
        tracking=True,
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("in_progress", "In Progress"),
            ("waiting", "Waiting for Customer"),
            ("solved", "Solved"),
            ("cancel", "Cancelled"),
        ],
        string="Status",
        required=True,
        default="new",
        tracking=True,
        index=True,
        group_expand="_group_expand_state",
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    date_open = fields.Datetime(string="Opened", required=True, default=fields.Datetime.now, index=True)
    date_closed = fields.Datetime(string="Closed", readonly=True, copy=False)
    description = fields.Html()
    resolution = fields.Html()

    def _group_expand_state(self, states, domain):
        return [key for key, _label in self._fields["state"].selection]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name") in (None, False, "", "/"):
                vals["name"] = self.env["ir.sequence"].next_by_code("crm.service.case") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("state") == "solved":
            vals.setdefault("date_closed", fields.Datetime.now())
        elif vals.get("state") in ("new", "in_progress", "waiting"):
            vals["date_closed"] = False
        return super().write(vals)

    def action_start(self):
        self.write({"state": "in_progress"})

    def action_solve(self):
        self.write({"state": "solved"})

    def action_cancel(self):
        self.write({"state": "cancel"})

    def action_reopen(self):
        self.write({"state": "in_progress"})
