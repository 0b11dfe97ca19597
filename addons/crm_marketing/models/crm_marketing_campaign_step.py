from odoo import fields, models


class CrmMarketingCampaignStep(models.Model):
    _name = "crm.marketing.campaign.step"
    _description = "Campaign Step"

    name = fields.Char(required=True)
    campaign_id = fields.Many2one("crm.marketing.campaign", required=True, ondelete="cascade", index=True)
