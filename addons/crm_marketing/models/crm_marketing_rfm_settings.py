from odoo import api, fields, models
from odoo.exceptions import AccessError

from .crm_marketing_rfm_score import MANAGER_GROUP
from .res_company import RFM_SOURCES

# the company's fields this form edits, by the name the form gives them
COMPANY_FIELDS = {
    "source": "crm_rfm_source",
    "period_months": "crm_rfm_period_months",
    "recency_cuts": "crm_rfm_recency_cuts",
    "frequency_cuts": "crm_rfm_frequency_cuts",
    "monetary_cuts": "crm_rfm_monetary_cuts",
    "abc_a_share": "crm_abc_a_share",
    "abc_b_share": "crm_abc_b_share",
}


class CrmMarketingRfmSettings(models.TransientModel):
    """The classification settings of the current company, for marketing managers.

    The settings are fields of ``res.company``, which only administrators may write:
    this form lets marketing managers change those fields, and no other, and checks them
    with the company's own constraints (a bad value raises and nothing is saved).
    """

    _name = "crm.marketing.rfm.settings"
    _description = "Customer Classification Settings"

    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    source = fields.Selection(RFM_SOURCES, required=True)
    period_months = fields.Integer(string="Period (Months)", required=True)
    recency_cuts = fields.Char(string="Recency Cut Points (Days)", required=True)
    frequency_cuts = fields.Char(string="Frequency Cut Points (Purchases)", required=True)
    monetary_cuts = fields.Char(string="Monetary Cut Points (Amount)", required=True)
    abc_a_share = fields.Float(string="A Customers Share (%)", required=True)
    abc_b_share = fields.Float(string="A and B Customers Share (%)", required=True)
    classified_on = fields.Datetime(related="company_id.crm_rfm_date")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env.company
        values.update({name: company[fname] for name, fname in COMPANY_FIELDS.items() if name in fields_list})
        return values

    def action_save(self):
        self.ensure_one()
        self._check_manager()
        # sudo: res.company is written by administrators only; marketing managers may set
        # the classification fields of a company they work in, and only those
        self.company_id.sudo().write({fname: self[name] for name, fname in COMPANY_FIELDS.items()})
        return True

    def action_save_and_recompute(self):
        self.action_save()
        return (
            self.env["crm.marketing.rfm.score"].with_context(allowed_company_ids=self.company_id.ids).action_recompute()
        )

    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP) or self.company_id not in self.env.user.company_ids:
            raise AccessError(self.env._("Only marketing managers may change the customer classification settings."))
