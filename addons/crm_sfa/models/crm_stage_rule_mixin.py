from odoo import api, fields, models, tools


class CrmStageRuleMixin(models.AbstractModel):
    """Configuration that applies to leads entering a stage, for every team or one team
    (stage gates, stage tasks). The stages concerned are cached, so that moving a lead
    to any other stage costs no query."""

    _name = "crm.stage.rule.mixin"
    _description = "Rule on Entering a Stage"

    active = fields.Boolean(default=True)
    stage_id = fields.Many2one("crm.stage", required=True, index=True, ondelete="cascade")
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True, ondelete="cascade")
    company_id = fields.Many2one(related="team_id.company_id", store=True, index=True)

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @tools.ormcache()
    def _stage_ids(self):
        """The stages that have such rules."""
        # sudo: the rules concern every lead, whatever configuration the user may read
        return frozenset(self.sudo().search([]).stage_id.ids)

    def _for_lead(self, lead):
        """Among these rules, those of ``lead``'s current stage and team."""
        return self.filtered(
            lambda rule: rule.stage_id == lead.stage_id and (not rule.team_id or rule.team_id == lead.team_id)
        )
