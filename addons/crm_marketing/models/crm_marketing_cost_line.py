from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmMarketingCostLine(models.Model):
    """One item of a campaign's costs: what was planned for it and what it actually cost.

    One line carries both amounts (the booth: 5,000 planned, 5,400 paid), so that plan and
    actuals are compared item by item; the campaign sums them into its planned and actual
    cost. The medium and source say which channel the money went to, for the channel
    comparison; the step links the cost of an event to its post-event analysis.
    """

    _name = "crm.marketing.cost.line"
    _description = "Campaign Cost Line"
    _order = "campaign_id, date, id"

    name = fields.Char(string="Description", required=True)
    campaign_id = fields.Many2one("crm.marketing.campaign", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="campaign_id.currency_id")
    step_id = fields.Many2one(
        "crm.marketing.campaign.step",
        index="btree_not_null",
        ondelete="set null",
        domain="[('campaign_id', '=', campaign_id)]",
        help="The step (an event, a mailing...) this cost belongs to.",
    )
    date = fields.Date(default=fields.Date.context_today)
    planned_amount = fields.Monetary(string="Planned")
    actual_amount = fields.Monetary(string="Actual")
    medium_id = fields.Many2one("utm.medium", index="btree_not_null")
    source_id = fields.Many2one("utm.source", index="btree_not_null")

    @api.constrains("planned_amount", "actual_amount")
    def _check_amounts(self):
        for line in self:
            if line.planned_amount < 0 or line.actual_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The cost %s has a negative amount: enter what was planned or spent as a positive "
                        "amount (a refund from a supplier lowers the actual amount of its line).",
                        line.name,
                    )
                )

    @api.constrains("step_id", "campaign_id")
    def _check_step(self):
        for line in self:
            if line.step_id and line.step_id.campaign_id != line.campaign_id:
                raise ValidationError(
                    self.env._(
                        "The cost %s belongs to a step of another campaign: pick a step of its campaign.", line.name
                    )
                )
