from odoo import api, fields, models


class CrmServiceCaseTransferLog(models.Model):
    """Every time a case changes hands: between agents, between teams, with the reason.

    Written by the system when a case's assignee or team changes (routing, escalation, a
    transfer, an edit); nobody writes or deletes it. The reason is the transfer wizard's,
    or says which rule or check moved the case (context key ``crm_service_transfer_reason``).
    """

    _name = "crm.service.case.transfer.log"
    _description = "Service Case Transfer"
    _order = "date desc, id desc"

    case_id = fields.Many2one("crm.service.case", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    author_id = fields.Many2one("res.users", string="By", readonly=True, default=lambda self: self.env.user)
    from_user_id = fields.Many2one("res.users", string="From Agent", readonly=True)
    to_user_id = fields.Many2one("res.users", string="To Agent", readonly=True)
    from_team_id = fields.Many2one("crm.service.team", readonly=True)
    to_team_id = fields.Many2one("crm.service.team", readonly=True)
    reason = fields.Char(readonly=True)

    @api.model
    def _crm_service_log(self, previous):
        """One line per case whose assignee or team changed: ``previous`` maps each case
        to its ``(assignee, team)`` before the change."""
        reason = self.env.context.get("crm_service_transfer_reason") or False
        author = self.env.user
        values = [
            {
                "case_id": case.id,
                "author_id": author.id,
                "from_user_id": user.id,
                "to_user_id": case.user_id.id,
                "from_team_id": team.id,
                "to_team_id": case.team_id.id,
                "reason": reason,
            }
            for case, (user, team) in previous.items()
            if (user, team) != (case.user_id, case.team_id)
        ]
        # sudo: the log is the system's; users read it, never write it
        return self.sudo().create(values) if values else self.sudo()
