from odoo import fields, models


class CrmCampaignResponse(models.Model):
    _name = "crm.campaign.response"
    _description = "Campaign Response"

    campaign_id = fields.Many2one("utm.campaign", index=True)
    step_id = fields.Many2one("crm.marketing.campaign.step", index="btree_not_null", ondelete="set null")
