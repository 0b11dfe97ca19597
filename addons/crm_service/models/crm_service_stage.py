from odoo import api, fields, models

# the five states of a case, which the SLA clock and the reports follow
CASE_STATES = [
    ("new", "New"),
    ("in_progress", "In Progress"),
    ("waiting", "Waiting for Customer"),
    ("solved", "Solved"),
    ("cancel", "Cancelled"),
]
# what a customer and the call centre are told of a case, whatever its detailed stage
BRIEF_STATUSES = [
    ("received", "Received"),
    ("in_progress", "In Progress"),
    ("waiting", "Waiting for You"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
]
# the brief status of a case whose stage does not say (a stage is always set once saved)
BRIEF_OF_STATE = {
    "new": "received",
    "in_progress": "in_progress",
    "waiting": "waiting",
    "solved": "resolved",
    "cancel": "closed",
}


class CrmServiceStage(models.Model):
    """A detailed stage of the case's work, for staff.

    Each stage belongs to one of the case's five states, which the SLA clock and the
    reports follow, and shows the customer one brief status: several internal stages
    (diagnosis, awaiting parts, on site) all read *In Progress* outside.
    """

    _name = "crm.service.stage"
    _description = "Service Case Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    state = fields.Selection(
        CASE_STATES,
        string="Status",
        required=True,
        default="in_progress",
        help="What a case in this stage is for the SLA clock and the reports.",
    )
    brief_status = fields.Selection(
        BRIEF_STATUSES,
        required=True,
        default="in_progress",
        help="What the customer and the call centre see of a case in this stage.",
    )
    fold = fields.Boolean(string="Folded in Kanban")
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    @api.model
    def _crm_service_stage_of(self, states):
        """``{state: first active stage of that state}`` for ``states``."""
        stages = self.search([("state", "in", list(states))])
        result = {}
        for stage in stages:
            result.setdefault(stage.state, stage)
        return result
