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

        Every field of every payload is checked first (keys, types, that the records it
        names exist and may be used); one bad payload records nothing, and the error
        names each payload and field at fault.
        """
        if not isinstance(payloads, list | tuple):
            raise UserError(self.env._("No event was recorded: send a list of events."))
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
            problems.extend(
                self.env._("Event %(n)s: %(problem)s", n=index, problem=problem)
                for problem in self._payload_problems(payload)
            )
        if problems:
            raise UserError(self.env._("No event was recorded:\n%s", "\n".join(f"- {p}" for p in problems)))
        return self.create([self._payload_values(payload) for payload in payloads])

    def _payload_problems(self, payload):
        """What is wrong with one payload, field by field, in sentences naming the field."""
        problems = []
        name = payload.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(self.env._("it has no subject (name)."))
        for key, default in (("event_type", "consultation"), ("severity", "normal")):
            choices = dict(self._fields[key].selection)
            if payload.get(key, default) not in choices:
                problems.append(
                    self.env._(
                        "%(field)s %(value)r is unknown; use one of: %(choices)s.",
                        field=key,
                        value=payload.get(key),
                        choices=", ".join(choices),
                    )
                )
        for key, model, domain in (
            ("partner_id", "res.partner", []),
            ("user_id", "res.users", [("share", "=", False)]),
            ("company_id", "res.company", [("id", "in", self.env.user.company_ids.ids)]),
        ):
            value = payload.get(key)
            if value in (None, False):
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(
                    self.env._("%(field)s must be the id of a record, not %(value)r.", field=key, value=value)
                )
            elif not self.env[model].sudo().search_count([("id", "=", value), *domain], limit=1):
                problems.append(
                    self.env._(
                        "%(field)s names no record that exists (id %(id)s), or one not to be used here.",
                        field=key,
                        id=value,
                    )
                )
        if payload.get("date") not in (None, False):
            try:
                fields.Datetime.to_datetime(payload["date"])
            except (TypeError, ValueError):
                problems.append(
                    self.env._("date %r is not a date and time such as 2026-12-01 09:30:00.", payload["date"])
                )
        source = payload.get("source_ref")
        if source not in (None, False):
            model, __, res_id = source.partition(",") if isinstance(source, str) else ("", "", "")
            known = model in self.env and not self.env[model]._transient and res_id.isdigit()
            if not (known and self.env[model].sudo().browse(int(res_id)).exists()):
                problems.append(self.env._("source_ref %r must name an existing record as 'model,id'.", source))
        if payload.get("description") not in (None, False) and not isinstance(payload["description"], str):
            problems.append(self.env._("description must be a text."))
        return problems

    def _payload_values(self, payload):
        values = dict(payload)
        if values.get("date"):
            values["date"] = fields.Datetime.to_datetime(values["date"])
        return values

    def action_start(self):
        self.write({"state": "in_progress"})

    def action_done(self):
        self.write({"state": "done"})

    def action_cancel(self):
        self.write({"state": "cancel"})
