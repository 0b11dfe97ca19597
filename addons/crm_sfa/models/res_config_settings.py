from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_sfa_overdue_alert_days = fields.Integer(related="company_id.crm_sfa_overdue_alert_days", readonly=False)
    crm_sfa_block_overdue_days = fields.Integer(related="company_id.crm_sfa_block_overdue_days", readonly=False)
    crm_sfa_conversion_alert_ratio = fields.Float(related="company_id.crm_sfa_conversion_alert_ratio", readonly=False)
    crm_sfa_conversion_alert_min_leads = fields.Integer(
        related="company_id.crm_sfa_conversion_alert_min_leads", readonly=False
    )
    crm_sfa_win_rate_months = fields.Integer(related="company_id.crm_sfa_win_rate_months", readonly=False)
