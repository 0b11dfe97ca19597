from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .crm_workflow_process import normalise_condition


class CrmWorkflowTransition(models.Model):
    """A path from one activity to the next, taken when its condition holds on the record."""

    _name = "crm.workflow.transition"
    _description = "Workflow Transition"
    _order = "sequence, id"

    name = fields.Char(string="Label", translate=True)
    sequence = fields.Integer(default=10, help="Priority among the paths leaving the same activity.")
    process_id = fields.Many2one("crm.workflow.process", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="process_id.company_id", store=True, index=True)
    source_id = fields.Many2one(
        "crm.workflow.activity",
        string="From",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('process_id', '=', process_id)]",
    )
    target_id = fields.Many2one(
        "crm.workflow.activity",
        string="To",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('process_id', '=', process_id)]",
    )
    condition = fields.Char(
        default="[]",
        required=True,
        help="A condition on the record, as a domain; the path is taken when the record matches it.",
    )

    @api.depends("name", "source_id", "target_id")
    def _compute_display_name(self):
        for transition in self:
            label = f"{transition.source_id.name} → {transition.target_id.name}"
            transition.display_name = f"{label} ({transition.name})" if transition.name else label

    @api.constrains("source_id", "target_id", "process_id")
    def _check_same_process(self):
        for transition in self:
            if transition.source_id.process_id != transition.process_id or (
                transition.target_id.process_id != transition.process_id
            ):
                raise ValidationError(
                    self.env._("The transition %s joins activities of another process.", transition.display_name)
                )

    @api.constrains("condition")
    def _check_condition(self):
        for transition in self:
            transition.process_id._parse_domain(transition.condition, transition.display_name)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            normalise_condition(self.env, vals, "condition", vals.get("name"))
        transitions = super().create(vals_list)
        transitions.source_id._check_editable()
        return transitions

    def write(self, vals):
        normalise_condition(self.env, vals, "condition", self[:1].display_name)
        self.source_id._check_editable()
        return super().write(vals)

    def unlink(self):
        self.source_id._check_editable()
        return super().unlink()
