from odoo import api, fields, models


class CrmEvent(models.Model):
    """A customer event: something that happened with a customer and calls for a response."""

    _name = "crm.event"
    _description = "Customer Event"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    name = fields.Char(string="Subject", required=True, tracking=True)
    event_type = fields.Selection(
        [
            ("consultation", "Consultation"),
            ("complaint", "Complaint"),
            ("sales_quality", "Sales Quality"),
            ("marketing_analysis", "Marketing Analysis"),
            ("customer_analysis", "Customer Analysis"),
            ("service_analysis", "Service Analysis"),
        ],
        string="Type",
        required=True,
        default="consultation",
        tracking=True,
        index=True,
    )
    severity = fields.Selection(
        [("low", "Low"), ("normal", "Normal"), ("high", "High"), ("critical", "Critical")],
        required=True,
        default="normal",
        tracking=True,
        index=True,
    )
    state = fields.Selection(
        [("new", "New"), ("in_progress", "In Progress"), ("done", "Done"), ("cancel", "Cancelled")],
        string="Status",
        required=True,
        default="new",
        tracking=True,
        index=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    source_ref = fields.Reference(
        selection="_selection_source_ref",
        string="Source",
        help="The record this event came from (a case, an order, an analysis...).",
    )
    description = fields.Html(string="Details")

    @api.model
    def _selection_source_ref(self):
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([("transient", "=", False)])]

    def action_start(self):
        self.write({"state": "in_progress"})

    def action_done(self):
        self.write({"state": "done"})

    def action_cancel(self):
        self.write({"state": "cancel"})
