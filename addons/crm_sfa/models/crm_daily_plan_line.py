from odoo import api, fields, models


class CrmDailyPlanLine(models.Model):
    """One call, visit or follow-up of a daily plan, with its result once the day is over."""

    _name = "crm.daily.plan.line"
    _description = "Daily Work Plan Line"
    _inherit = ["crm.system.fields.mixin"]
    _order = "plan_id, sequence, planned_time, id"
    _check_company_auto = True
    # the plan's, copied for the rules and reports
    _crm_system_fields = ("company_id", "user_id", "date")

    plan_id = fields.Many2one("crm.daily.plan", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    user_id = fields.Many2one(related="plan_id.user_id", store=True, string="Salesperson")
    date = fields.Date(related="plan_id.date", store=True)
    kind = fields.Selection(
        [("call", "Call"), ("visit", "Visit"), ("follow_up", "Follow-up"), ("other", "Other")],
        required=True,
        default="call",
    )
    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity", index="btree_not_null", check_company=True)
    # computed with the user's rights: the customer of a lead the user may read, not of any
    # lead a caller of onchange names
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        compute_sudo=False,
        store=True,
        readonly=False,
        check_company=True,
    )
    planned_time = fields.Float(help="Time of day the call or visit is planned for.")
    description = fields.Char()
    done = fields.Boolean(compute="_compute_done", store=True, readonly=False)
    result = fields.Selection(
        [("positive", "Positive"), ("follow_up", "Needs follow-up"), ("negative", "Negative")],
        help="What came of it. Required to report a line that took place.",
    )
    outcome_note = fields.Text()

    @api.depends("kind", "partner_id", "lead_id", "description")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for line in self:
            subject = line.description or line.lead_id.name or line.partner_id.name or ""
            line.display_name = f"{kinds.get(line.kind, '')} {subject}".strip()

    @api.depends("lead_id")
    def _compute_partner_id(self):
        for line in self:
            line.partner_id = line.lead_id.partner_id or line.partner_id

    @api.depends("result")
    def _compute_done(self):
        for line in self:
            line.done = bool(line.result)

    def write(self, vals):
        if vals.get("plan_id"):
            # The record rules hold the line where it is, not where it goes (they are checked
            # before a write): a line moves only into a plan the user may change.
            self.env["crm.daily.plan"].browse(vals["plan_id"]).check_access("write")
        return super().write(vals)
