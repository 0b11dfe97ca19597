from odoo import fields, models


class CrmMarketingCostLine(models.Model):
    _name = "crm.marketing.cost.line"
    _description = "Campaign Cost Line"

    name = fields.Char(required=True)
    campaign_id = fields.Many2one("crm.marketing.campaign", required=True, ondelete="cascade", index=True)
