import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessError

MARKETER_GROUP = "crm_marketing.group_crm_marketing_user"


class UtmCampaign(models.Model):
    """The token of a campaign's public web form (``/crm_marketing/form/<token>``).

    A random secret per campaign rather than its id, so that nobody can post responses
    to campaigns by counting; a campaign made before this module gets its token from
    *New Form Link*, which also replaces a token that leaked.
    """

    _inherit = "utm.campaign"

    crm_form_token = fields.Char(
        string="Form Token", copy=False, readonly=True, index="btree_not_null", groups=MARKETER_GROUP
    )
    crm_form_url = fields.Char(
        string="Form Address",
        compute="_compute_crm_form_url",
        groups=MARKETER_GROUP,
        help="Where the campaign's web form posts its submissions (POST, form or JSON: name, email, phone, "
        "company, message).",
    )

    _sql_constraints = [("crm_form_token_unique", "UNIQUE(crm_form_token)", "A form token belongs to one campaign.")]

    @api.depends("crm_form_token")
    def _compute_crm_form_url(self):
        for campaign in self:
            campaign.crm_form_url = (
                f"{campaign.get_base_url()}/crm_marketing/form/{campaign.crm_form_token}"
                if campaign.crm_form_token
                else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # whatever the caller sent: the token is a secret the system makes
            vals["crm_form_token"] = secrets.token_urlsafe(24)
        return super().create(vals_list)

    def write(self, vals):
        if "crm_form_token" in vals and not self.env.su:
            raise AccessError(self.env._("The form token is made by the system: use New Form Link."))
        return super().write(vals)

    def action_crm_new_form_token(self):
        """Give the campaigns a new form token: the old address stops taking submissions."""
        if not self.env.user.has_group(MARKETER_GROUP):
            raise AccessError(self.env._("Only marketers give a campaign a new form link."))
        self.check_access("write")
        # sudo: the token is set by the system, never by the caller
        for campaign in self.sudo():
            campaign.crm_form_token = secrets.token_urlsafe(24)
        return True
