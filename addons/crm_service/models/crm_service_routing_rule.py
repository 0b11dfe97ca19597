from odoo import api, fields, models


class CrmServiceRoutingRule(models.Model):
    """Which team (and agent) a new case goes to."""

    _name = "crm.service.routing.rule"
    _description = "Service Routing Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    team_id = fields.Many2one("crm.service.team", required=True, check_company=True)

    @api.model
    def _crm_service_route(self, cases):
        """Placeholder, filled by the routing work."""
        return cases
