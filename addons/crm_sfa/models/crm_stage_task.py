from datetime import timedelta

from odoo import api, fields, models


class CrmStageTask(models.Model):
    """A task of a team's sales process: when a lead enters the stage, its salesperson
    receives an activity of this type, due so many days later."""

    _name = "crm.stage.task"
    _description = "Stage Task"
    _inherit = ["crm.stage.rule.mixin"]
    _order = "stage_id, sequence, id"

    sequence = fields.Integer(default=10)
    team_id = fields.Many2one(help="The team whose sales process has this task; empty for every team.")
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        required=True,
        ondelete="restrict",
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'crm.lead')]",
    )
    summary = fields.Char(translate=True)
    days_deadline = fields.Integer(
        string="Due After (Days)", default=0, help="Days from the stage entry to the activity's deadline."
    )
    note = fields.Html(translate=True)

    _sql_constraints = [
        (
            "days_deadline_positive",
            "CHECK(days_deadline >= 0)",
            "A task is due on the day the lead enters its stage or later: give zero days or more.",
        ),
    ]

    @api.depends("stage_id", "team_id", "summary", "activity_type_id")
    def _compute_display_name(self):
        for task in self:
            task.display_name = f"{task.stage_id.name}: {task.summary or task.activity_type_id.name}"

    def _activity_values(self, lead, today):
        """The ``mail.activity`` this task gives ``lead``'s salesperson, entering the stage ``today``."""
        self.ensure_one()
        return {
            "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
            "res_id": lead.id,
            "activity_type_id": self.activity_type_id.id,
            "summary": self.summary or False,
            "note": self.note or False,
            "date_deadline": today + timedelta(days=self.days_deadline),
            "user_id": lead.user_id.id,
        }
