from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmStageGate(models.Model):
    """What a lead needs before it may enter a stage: lead fields filled in and
    qualification criteria confirmed, for every team or for one team."""

    _name = "crm.stage.gate"
    _description = "Stage Gate"
    _inherit = ["crm.stage.rule.mixin"]
    _order = "stage_id, team_id, id"

    team_id = fields.Many2one(help="The team whose leads this gate holds; empty for the leads of every team.")
    field_ids = fields.Many2many(
        "ir.model.fields",
        "crm_stage_gate_field_rel",
        "gate_id",
        "field_id",
        string="Fields to Fill In",
        domain="[('model', '=', 'crm.lead')]",
        help="Lead fields that must be filled in (not empty, not zero, ticked) before the lead enters the stage.",
    )
    criterion_ids = fields.Many2many(
        "crm.qualification.criterion",
        "crm_stage_gate_criterion_rel",
        "gate_id",
        "criterion_id",
        string="Criteria to Confirm",
        domain="['|', ('team_id', '=', False), ('team_id', '=', team_id)]",
    )

    @api.depends("stage_id", "team_id")
    def _compute_display_name(self):
        for gate in self:
            team = gate.team_id.name or self.env._("all teams")
            gate.display_name = f"{gate.stage_id.name} ({team})"

    @api.constrains("field_ids")
    def _check_field_ids(self):
        Lead = self.env["crm.lead"]
        for gate in self:
            for field in gate.field_ids:
                if field.model != Lead._name or field.name not in Lead._fields:
                    label = f"{field.field_description} ({field.model}.{field.name})"
                    raise ValidationError(
                        self.env._(
                            "The gate of %(gate)s asks for %(field)s, which is not a field of leads: "
                            "choose fields of the Lead/Opportunity model.",
                            gate=gate.display_name,
                            field=label,
                        )
                    )

    @api.constrains("team_id", "criterion_ids")
    def _check_criterion_ids(self):
        for gate in self:
            foreign = gate.criterion_ids.filtered(
                lambda criterion, gate=gate: criterion.team_id and criterion.team_id != gate.team_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "The gate of %(gate)s asks to confirm %(criteria)s, which other teams use: "
                        "choose criteria of every team or of the gate's own team.",
                        gate=gate.display_name,
                        criteria=", ".join(foreign.mapped("name")),
                    )
                )

    @api.constrains("stage_id", "field_ids", "criterion_ids")
    def _check_requirements(self):
        for gate in self:
            if not gate.field_ids and not gate.criterion_ids:
                raise ValidationError(
                    self.env._(
                        "The gate of %s asks for nothing: name the fields to fill in or the criteria to confirm.",
                        gate.display_name,
                    )
                )
