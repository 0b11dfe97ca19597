from odoo import api, fields, models
from odoo.exceptions import UserError

PAYLOAD_KEYS = {
    "name",
    "event_type",
    "severity",
    "partner_id",
    "user_id",
    "company_id",
    "source_ref",
    "description",
    "date",
}


class CrmEvent(models.Model):
    """A customer event: something that happened with a customer and calls for a response.

    Other modules and analyses create events; event rules start the process that
    answers each one.
    """

    _name = "crm.event"
    _description = "Customer Event"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.workflow.mixin"]
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

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        if not self.env.context.get("crm_workflow_no_rules"):
            events._apply_rules()
        return events

    def _apply_rules(self):
        """Start, for each event, the processes its matching rules name (read now, so a
        rule changed a moment ago applies)."""
        rules = self.env["crm.event.rule"].sudo().search([])
        Process = self.env["crm.workflow.process"].sudo()
        for rule in rules:
            matching = self.filtered(rule._matches)
            process = Process._get_active(rule.process_code) if matching else Process
            if process:
                process._start(matching)

    @api.model
    def _create_from_payload(self, payloads):
        """Create events from plain dicts (other modules, imports, integrations).

        Every payload is checked first; one bad payload creates nothing and the error
        says which one and why.
        """
        types = dict(self._fields["event_type"].selection)
        severities = dict(self._fields["severity"].selection)
        problems = []
        for index, payload in enumerate(payloads, start=1):
            if not isinstance(payload, dict):
                problems.append(self.env._("Event %s is not a set of named values.", index))
                continue
            unknown = set(payload) - PAYLOAD_KEYS
            if unknown:
                problems.append(
                    self.env._("Event %(n)s has unknown keys: %(keys)s.", n=index, keys=", ".join(sorted(unknown)))
                )
            if not (payload.get("name") or "").strip():
                problems.append(self.env._("Event %s has no subject.", index))
            if payload.get("event_type", "consultation") not in types:
                problems.append(
                    self.env._(
                        "Event %(n)s has the unknown type %(type)r; use one of: %(types)s.",
                        n=index,
                        type=payload.get("event_type"),
                        types=", ".join(types),
                    )
                )
            if payload.get("severity", "normal") not in severities:
                problems.append(
                    self.env._(
                        "Event %(n)s has the unknown severity %(severity)r; use one of: %(severities)s.",
                        n=index,
                        severity=payload.get("severity"),
                        severities=", ".join(severities),
                    )
                )
            partner_id = payload.get("partner_id")
            if partner_id and not self.env["res.partner"].browse(partner_id).exists():
                problems.append(
                    self.env._("Event %(n)s names a customer that does not exist (id %(id)s).", n=index, id=partner_id)
                )
        if problems:
            raise UserError(self.env._("No event was recorded:\n%s", "\n".join(f"- {p}" for p in problems)))
        return self.create(payloads)

    def action_start(self):
        self.write({"state": "in_progress"})

    def action_done(self):
        self.write({"state": "done"})

    def action_cancel(self):
        self.write({"state": "cancel"})
