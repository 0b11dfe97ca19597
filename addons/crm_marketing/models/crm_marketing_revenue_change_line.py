from odoo import api, fields, models

from ..lib import revenue_change, rfm


class CrmMarketingRevenueChangeLine(models.TransientModel):
    """One segment (RFM class) in one country of one company: its revenue in the two
    periods of a :class:`crm.marketing.revenue.change` and the four parts of the change,
    which add up to it (:mod:`..lib.revenue_change`)."""

    _name = "crm.marketing.revenue.change.line"
    _description = "Revenue Change by Segment and Region"
    _order = "change"

    wizard_id = fields.Many2one("crm.marketing.revenue.change", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    rfm_class = fields.Selection(rfm.CLASSES, string="Segment")
    country_id = fields.Many2one("res.country", string="Region")
    revenue_before = fields.Monetary(string="Earlier Revenue")
    revenue_after = fields.Monetary(string="Later Revenue")
    change = fields.Monetary(compute="_compute_change", store=True, help="Later revenue - earlier revenue.")
    new_revenue = fields.Monetary(
        string="From New Customers", help="Later revenue of customers without earlier revenue."
    )
    lost_revenue = fields.Monetary(string="From Lost Customers", help="Minus the earlier revenue of customers gone.")
    grown_revenue = fields.Monetary(string="Customers Buying More", help="Increase of the customers in both periods.")
    shrunk_revenue = fields.Monetary(string="Customers Buying Less", help="Decrease of the customers in both periods.")
    new_count = fields.Integer(string="New Customers")
    lost_count = fields.Integer(string="Lost Customers")
    grown_count = fields.Integer(string="Customers Up")
    shrunk_count = fields.Integer(string="Customers Down")
    driver = fields.Selection(revenue_change.DRIVERS, string="Main Reason", help="The part that moved revenue most.")

    @api.depends("revenue_before", "revenue_after")
    def _compute_change(self):
        for line in self:
            line.change = line.revenue_after - line.revenue_before
