from collections import defaultdict

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmServiceCaseTransfer(models.TransientModel):
    """Hand cases over to another team or agent, saying why.

    Opened from a case's form or on several cases of the list. The cases are written as
    the user (an agent transfers the cases they may change), with the reason in the
    context so that each case's transfer history keeps it, and each case gets a note in
    its chatter. A team without an agent lets the team's assignment choose one, as
    routing does (round robin, least loaded, or nobody for a team dispatched by hand).
    """

    _name = "crm.service.case.transfer"
    _description = "Transfer Service Cases"

    case_ids = fields.Many2many("crm.service.case", string="Cases", default=lambda self: self._default_case_ids())
    case_count = fields.Integer(compute="_compute_company_id")
    company_id = fields.Many2one("res.company", compute="_compute_company_id")
    team_id = fields.Many2one(
        "crm.service.team",
        string="To Team",
        domain="[('company_id', '=', company_id)]",
        help="Leave the agent empty to let the team's assignment choose one.",
    )
    allowed_user_ids = fields.Many2many("res.users", compute="_compute_allowed_user_ids")
    user_id = fields.Many2one(
        "res.users",
        string="To Agent",
        domain="[('id', 'in', allowed_user_ids)]",
        help="An agent of the cases' company; a member of the team when a team is chosen.",
    )
    reason = fields.Char(help="Why the cases change hands: kept in their transfer history.")

    def _default_case_ids(self):
        context = self.env.context
        if context.get("active_model") != "crm.service.case":
            return self.env["crm.service.case"]
        return self.env["crm.service.case"].browse(context.get("active_ids") or [])

    @api.depends("case_ids")
    def _compute_company_id(self):
        for wizard in self:
            wizard.case_count = len(wizard.case_ids)
            companies = wizard.case_ids.company_id
            wizard.company_id = companies if len(companies) == 1 else False

    @api.depends("company_id", "team_id")
    def _compute_allowed_user_ids(self):
        for wizard in self:
            if wizard.team_id:
                wizard.allowed_user_ids = wizard.team_id.member_ids.filtered(
                    lambda user, company=wizard.company_id: company in user.company_ids
                )
            elif wizard.company_id:
                wizard.allowed_user_ids = self.env["res.users"].search(
                    [("share", "=", False), ("company_ids", "in", wizard.company_id.ids)]
                )
            else:
                wizard.allowed_user_ids = False

    @api.onchange("team_id")
    def _onchange_team_id(self):
        if self.user_id and self.user_id not in self.allowed_user_ids:
            self.user_id = False

    def action_transfer(self):
        """Transfer the cases after checking the target; returns to the list when the user no
        longer sees every case they handed over."""
        self.ensure_one()
        cases, team, user = self.case_ids, self.team_id, self.user_id
        reason = (self.reason or "").strip()
        self._check_transfer(cases, team, user, reason)
        cases.check_access("write")
        targets = {case: (team or case.team_id, user) for case in cases}
        if team and not user:
            Users = self.env["res.users"]
            picked = self.env["crm.service.routing.rule"]._crm_service_pick_agents(
                {case: (team, Users) for case in cases}
            )
            targets = {case: (team, picked[case]) for case in cases}
        groups = defaultdict(list)
        for case, target in targets.items():
            groups[target].append(case.id)
        for (to_team, to_user), case_ids in groups.items():
            cases.browse(case_ids).with_context(crm_service_transfer_reason=reason).write(
                {"team_id": to_team.id, "user_id": to_user.id}
            )
        # the user was allowed to write every case: the notes are the system's log of it
        cases._message_log_batch(
            bodies={case.id: escape(self._transfer_note(*targets[case], reason)) for case in cases}
        )
        if cases._filtered_access("read") == cases:
            return {"type": "ir.actions.act_window_close"}
        return self.env["ir.actions.act_window"]._for_xml_id("crm_service.crm_service_case_action")

    def _check_transfer(self, cases, team, user, reason):
        """A clear error, before anything changes, when the transfer cannot be done."""
        if not cases:
            raise UserError(self.env._("Select the cases to transfer."))
        if not reason:
            raise UserError(self.env._("Say why the cases are transferred: the reason is kept in their history."))
        if not (team or user):
            raise UserError(self.env._("Choose the team or the agent to transfer the cases to."))
        company = cases.company_id
        # sudo: the target's company and members are compared whatever the user may read of them
        team, user = team.sudo(), user.sudo()
        if len(company) > 1:
            raise UserError(
                self.env._("The cases belong to several companies: transfer those of one company at a time.")
            )
        if team and team.company_id != company:
            raise UserError(
                self.env._(
                    "Team %(team)s works for %(team_company)s, the cases for %(company)s: choose one of %(company)s.",
                    team=team.name,
                    team_company=team.company_id.name,
                    company=company.name,
                )
            )
        if not user:
            return
        if user.share or not user.active:
            raise UserError(self.env._("%s is not an active internal user: choose an agent.", user.name))
        if company not in user.company_ids:
            raise UserError(
                self.env._(
                    "%(user)s does not work for %(company)s: choose an agent of the cases' company.",
                    user=user.name,
                    company=company.name,
                )
            )
        if team and user not in team.member_ids:
            raise UserError(
                self.env._(
                    "%(user)s is not a member of team %(team)s: choose one of its agents, or leave the agent empty "
                    "to let the team choose.",
                    user=user.name,
                    team=team.name,
                )
            )

    def _transfer_note(self, team, user, reason):
        if user and team:
            return self.env._(
                "Transferred to %(user)s (%(team)s): %(reason)s", user=user.name, team=team.name, reason=reason
            )
        if user:
            return self.env._("Transferred to %(user)s: %(reason)s", user=user.name, reason=reason)
        return self.env._(
            "Transferred to team %(team)s, waiting for an agent: %(reason)s", team=team.name, reason=reason
        )
