from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import domains
from .crm_workflow_process import normalise_condition


class CrmEventRule(models.Model):
    """Which process answers which customer events: (type, severity, condition) -> process.

    Rules are read when each event arrives, so a change applies to the next event.
    """

    _name = "crm.event.rule"
    _description = "Customer Event Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    event_type = fields.Selection(
        selection=lambda self: self.env["crm.event"]._fields["event_type"].selection,
        help="Leave empty for events of any type.",
    )
    severity = fields.Selection(
        selection=lambda self: self.env["crm.event"]._fields["severity"].selection,
        help="Leave empty for events of any severity.",
    )
    condition = fields.Char(default="[]", required=True, help="A further condition on the event, as a domain.")
    process_code = fields.Char(
        required=True,
        help="The process to start, by its code: its active version at the time of the event.",
    )
    process_id = fields.Many2one(
        "crm.workflow.process",
        compute="_compute_process_id",
        inverse="_inverse_process_id",
        domain=[("model", "=", "crm.event"), ("state", "in", ("draft", "active"))],
    )
    company_id = fields.Many2one("res.company", index=True, help="Leave empty for every company.")

    @api.depends("process_code")
    def _compute_process_id(self):
        processes = self.env["crm.workflow.process"].search(
            [("code", "in", self.mapped("process_code")), ("state", "in", ("draft", "active"))],
            order="version desc",
        )
        latest = {}
        for process in processes:
            latest.setdefault(process.code, process)
        for rule in self:
            rule.process_id = latest.get(rule.process_code, False)

    def _inverse_process_id(self):
        for rule in self:
            rule.process_code = rule.process_id.code

    @api.model_create_multi
    def create(self, vals_list):
        # The form sets the process; the code it stands for is required before the inverse runs.
        for vals in vals_list:
            normalise_condition(self.env, vals, "condition", vals.get("name"))
            if vals.get("process_id") and not vals.get("process_code"):
                vals["process_code"] = self.env["crm.workflow.process"].browse(vals["process_id"]).code
        return super().create(vals_list)

    def write(self, vals):
        normalise_condition(self.env, vals, "condition", self[:1].name)
        return super().write(vals)

    @api.constrains("condition")
    def _check_condition(self):
        for rule in self:
            try:
                domain = domains.evaluate(rule.condition, uid=self.env.uid)
                # only builds the query: the field names are checked, nothing is read
                self.env["crm.event"].sudo()._search(domain)
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "The condition of the rule %(rule)s cannot be read: %(error)s", rule=rule.name, error=error
                    )
                ) from error

    def _matches(self, event):
        self.ensure_one()
        if self.event_type and self.event_type != event.event_type:
            return False
        if self.severity and self.severity != event.severity:
            return False
        if self.company_id and self.company_id != event.company_id:
            return False
        domain = domains.evaluate(self.condition, uid=self.env.uid)
        return not domain or bool(event.filtered_domain(domain))
