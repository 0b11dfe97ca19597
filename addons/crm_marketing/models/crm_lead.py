from odoo import api, fields, models

SALES_GROUP = "sales_team.group_sale_salesman"


class CrmLead(models.Model):
    """What marketing learned of the lead: its campaign responses (those the user may
    see) and a summary of all of them (``crm_learning_summary``) for the salesperson who
    owns the lead, whoever the responses are assigned to."""

    _inherit = "crm.lead"

    crm_response_ids = fields.One2many(
        "crm.campaign.response", "lead_id", string="Campaign Responses", readonly=True, groups=SALES_GROUP
    )
    crm_response_count = fields.Integer(string="Responses", compute="_compute_crm_learnings", groups=SALES_GROUP)
    crm_learning_summary = fields.Text(
        string="Marketing Learnings", compute="_compute_crm_learnings", groups=SALES_GROUP
    )

    @api.depends_context("allowed_company_ids")
    def _compute_crm_learnings(self):
        learnings = self.env["crm.campaign.response"]._crm_learnings(
            [("lead_id", "in", self._origin.ids)], lambda response: response.lead_id.id
        )
        for lead in self:
            lead.crm_learning_summary, lead.crm_response_count = learnings.get(lead._origin.id, (False, 0))

    # Contact preferences: what mailings to leads skip --------------------------------
    # A lead is mailed as its customer allows (``res.partner.crm_allow_email`` / ``_sms``):
    # the leads of a mailing whose partner refused the channel are sent nothing, their
    # traces cancelled as *Opted Out* (``mailing.mailing._get_opt_out_list[_sms]``).

    def _mailing_get_opt_out_list(self, mailing):
        """The addresses of the mailing's leads whose customer refused email."""
        parent = getattr(super(), "_mailing_get_opt_out_list", None)
        opt_out = set(parent(mailing)) if parent else set()
        refusing = self.search_fetch(
            [*mailing._get_recipients_domain(), ("partner_id.crm_allow_email", "=", False)], ["email_normalized"]
        )
        return opt_out | ({email for email in refusing.mapped("email_normalized") if email})

    def _mailing_get_opt_out_list_sms(self, mailing):
        """The mailing's leads whose customer refused SMS (their ids)."""
        parent = getattr(super(), "_mailing_get_opt_out_list_sms", None)
        opt_out = list(parent(mailing)) if parent else []
        return opt_out + self.search([*mailing._get_recipients_domain(), ("partner_id.crm_allow_sms", "=", False)]).ids
