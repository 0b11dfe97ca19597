from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmWorkflowSimulationLine(models.TransientModel):
    """One step of a what-if simulation: what history says of it today, and the
    change the scenario makes to it."""

    _name = "crm.workflow.simulation.line"
    _description = "What-if Simulation Step"
    _order = "sequence, id"

    simulation_id = fields.Many2one("crm.workflow.simulation", required=True, ondelete="cascade", index=True)
    activity_id = fields.Many2one("crm.workflow.activity", string="Step", required=True, ondelete="cascade")
    sequence = fields.Integer()
    kind = fields.Selection(related="activity_id.kind")
    done_count = fields.Integer(string="Done in Period", help="How often the step was done in the history read.")
    avg_hours = fields.Float(
        string="Avg Duration (h)",
        digits=(16, 2),
        help="From history; without history, type how long the step takes on average.",
    )
    current_performers = fields.Integer(
        string="Performers Today",
        help="The people who completed the step in the period (at least one).",
    )
    performers = fields.Integer(string="Scenario Performers", help="How many people would work on the step.")
    removed = fields.Boolean(
        string="Remove",
        help="Drop the step in the scenario: the paths into it lead straight to the steps after it.",
    )
    deadline_hours = fields.Float(string="Deadline Today (h)", digits=(16, 1))
    scenario_deadline_hours = fields.Float(string="Scenario Deadline (h)", digits=(16, 1), help="0 for no deadline.")
    baseline_waiting_hours = fields.Float(string="Waiting Today (h)", digits=(16, 2))
    scenario_waiting_hours = fields.Float(string="Scenario Waiting (h)", digits=(16, 2))
    baseline_utilisation = fields.Float(string="Busy Today", help="Share of the performers' time spent on the step.")
    scenario_utilisation = fields.Float(string="Scenario Busy")

    @api.constrains("performers", "removed", "avg_hours", "scenario_deadline_hours")
    def _check_scenario(self):
        for line in self:
            if line.kind == "human" and not line.removed and line.performers < 1:
                raise ValidationError(
                    self.env._(
                        "The step %s needs at least one performer in the scenario: enter 1 or more, or tick Remove.",
                        line.activity_id.name,
                    )
                )
            if line.avg_hours < 0 or line.scenario_deadline_hours < 0:
                raise ValidationError(
                    self.env._("Durations and deadlines of %s cannot be negative.", line.activity_id.name)
                )
