from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import prospects

# the response kinds a rule may react to, and the boolean field of each
KIND_FIELDS = {
    "open": "on_open",
    "click": "on_click",
    "reply": "on_reply",
    "form": "on_form",
    "call": "on_call",
    "attendance": "on_attendance",
}


class CrmCampaignResponseRule(models.Model):
    """What follows a response: for the responses of some kinds (of one campaign, or of
    all), a follow-up activity ("call within 2 days") for a salesperson, and optionally
    the responder turned into a lead first.

    The first active rule by sequence that matches a response applies, once: the
    response keeps the activity it made. Marketing managers configure the rules,
    marketers read them.
    """

    _name = "crm.campaign.response.rule"
    _description = "Campaign Response Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True, help="Empty: in every company."
    )
    campaign_id = fields.Many2one(
        "utm.campaign", index="btree_not_null", help="Empty: the responses of every campaign."
    )
    on_open = fields.Boolean(string="Opens")
    on_click = fields.Boolean(string="Clicks")
    on_reply = fields.Boolean(string="Replies")
    on_form = fields.Boolean(string="Form Submissions")
    on_call = fields.Boolean(string="Calls")
    on_attendance = fields.Boolean(string="Event Attendance")
    create_lead = fields.Boolean(
        string="Create Leads",
        help="Turn the responder into a lead (or link the open lead they already have) before the follow-up. "
        "A responder who is neither a lead nor a known customer always becomes a lead when a rule applies.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity",
        required=True,
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
        domain="['|', ('res_model', '=', False), ('res_model', 'in', ['crm.lead', 'res.partner'])]",
    )
    summary = fields.Char(translate=True, help="The activity's summary; the campaign's name is added.")
    days = fields.Integer(
        string="Within (Days)", default=2, help="The activity is due this many days after the response."
    )
    assign_to = fields.Selection(
        [
            ("owner", "Salesperson of the Lead or Customer"),
            ("campaign", "Campaign Responsible"),
            ("team", "Sales Team Leader"),
        ],
        required=True,
        default="owner",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team")
    user_id = fields.Many2one(
        "res.users",
        string="Fallback User",
        domain="[('share', '=', False)]",
        help="Gets the follow-up when the chosen salesperson is unknown; without one, nobody gets it.",
    )

    @api.constrains("assign_to", "team_id", "days", *KIND_FIELDS.values())
    def _check_rule(self):
        for rule in self:
            if rule.days < 0:
                raise ValidationError(
                    self.env._("The rule %s schedules its follow-up in the past: give 0 days or more.", rule.name)
                )
            if rule.assign_to == "team" and not rule.team_id:
                raise ValidationError(
                    self.env._("The rule %s assigns to a sales team's leader: choose the team.", rule.name)
                )
            if not rule._crm_kinds():
                raise ValidationError(
                    self.env._("The rule %s reacts to nothing: tick at least one kind of response.", rule.name)
                )

    def _crm_kinds(self):
        self.ensure_one()
        return {kind for kind, fname in KIND_FIELDS.items() if self[fname]}

    @api.model
    def _crm_match(self, responses):
        """``{response: rule}`` for the responses some rule applies to: one search for the
        rules of their companies, matched in Python."""
        # sudo: the rules apply whoever recorded the response (a visitor, a salesperson)
        rules = self.sudo().search([("company_id", "in", [*responses.company_id.ids, False])])
        if not rules:
            return {}
        kinds = {rule: rule._crm_kinds() for rule in rules}
        matched = {}
        for response in responses:
            for rule in rules:
                if rule.company_id and rule.company_id != response.company_id:
                    continue
                if prospects.rule_matches(kinds[rule], rule.campaign_id.id, response.kind, response.campaign_id.id):
                    matched[response] = rule
                    break
        return matched
