from odoo import api, fields, models


class CrmServiceTeam(models.Model):
    """A service team: the agents who share a queue of cases.

    Agents see their team's cases; routing rules send new cases to a team, which gives
    each to one of its members by its assignment method.
    """

    _name = "crm.service.team"
    _description = "Service Team"
    _inherit = ["mail.thread", "crm.system.fields.mixin"]
    _order = "sequence, id"

    _crm_system_fields = ("last_assigned_user_id",)

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    leader_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        tracking=True,
    )
    member_ids = fields.Many2many(
        "res.users",
        "crm_service_team_member_rel",
        "team_id",
        "user_id",
        string="Agents",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    assignment = fields.Selection(
        [
            ("round_robin", "Round Robin"),
            ("least_loaded", "Least Loaded"),
            ("manual", "By Hand"),
        ],
        required=True,
        default="round_robin",
        tracking=True,
        help="How a new case routed to the team gets its agent: in turn, to the agent with the fewest "
        "open cases, or left to the team leader. Agents on leave today are skipped.",
    )
    last_assigned_user_id = fields.Many2one(
        "res.users", string="Last Assigned", readonly=True, help="Where the round robin continues."
    )

