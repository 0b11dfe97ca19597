from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmMarketingCampaign(models.Model):
    """A marketing campaign with its budget and return.

    The campaign itself is Odoo's ``utm.campaign`` (the one leads and orders already
    carry); this model adds the planning and money side on top of it.
    """

    _name = "crm.marketing.campaign"
    _description = "Marketing Campaign"
    _inherits = {"utm.campaign": "campaign_id"}
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"

    campaign_id = fields.Many2one(
        "utm.campaign",
        string="UTM Campaign",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [("draft", "Planned"), ("running", "Running"), ("done", "Finished"), ("cancel", "Cancelled")],
        string="Status",
        required=True,
        default="draft",
        tracking=True,
    )
    date_start = fields.Date(string="Start Date", tracking=True)
    date_end = fields.Date(string="End Date", tracking=True)
    budget = fields.Monetary(tracking=True, help="What the campaign may spend.")
    actual_cost = fields.Monetary(tracking=True, help="What the campaign has spent so far.")
    expected_revenue = fields.Monetary(help="The revenue the campaign is planned to bring.")
    lead_count = fields.Integer(string="Leads", compute="_compute_results")
    order_count = fields.Integer(string="Orders", compute="_compute_results")
    revenue = fields.Monetary(
        compute="_compute_results",
        help="Untaxed amount of the confirmed sales orders that came from the campaign.",
    )
    roi = fields.Float(
        string="ROI (%)",
        compute="_compute_results",
        help="(Revenue - actual cost) / actual cost.",
    )
    description = fields.Html()

    _sql_constraints = [
        ("budget_positive", "CHECK(budget >= 0)", "The budget cannot be negative."),
        ("cost_positive", "CHECK(actual_cost >= 0)", "The actual cost cannot be negative."),
    ]

    @api.depends("campaign_id", "actual_cost")
    def _compute_results(self):
        utm_ids = self.campaign_id.ids
        # Results count every lead and order of the campaign, also those of other
        # salespeople the marketer may not open: read them as superuser.
        leads = dict(
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            ._read_group([("campaign_id", "in", utm_ids)], ["campaign_id"], ["__count"])
        )
        # sale.report is an SQL view over the orders' tables: write pending changes first,
        # or an order confirmed in this transaction would not count yet.
        self.env["sale.order"].flush_model()
        self.env["sale.order.line"].flush_model()
        orders = {
            campaign: (count, amount)
            for campaign, count, amount in self.env["sale.report"]
            .sudo()
            ._read_group(
                [("campaign_id", "in", utm_ids), ("state", "=", "sale")],
                ["campaign_id"],
                ["order_reference:count_distinct", "price_subtotal:sum"],
            )
        }
        for campaign in self:
            count, amount = orders.get(campaign.campaign_id, (0, 0.0))
            campaign.lead_count = leads.get(campaign.campaign_id, 0)
            campaign.order_count = count
            campaign.revenue = amount
            campaign.roi = roi_percent(amount, campaign.actual_cost)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for campaign in self:
            if campaign.date_start and campaign.date_end and campaign.date_end < campaign.date_start:
                raise ValidationError(
                    self.env._(
                        "The campaign %s ends before it starts: set an end date after the start date.", campaign.title
                    )
                )

    def action_start(self):
        self.write({"state": "running"})

    def action_done(self):
        self.write({"state": "done"})

    def action_cancel(self):
        self.write({"state": "cancel"})

    def action_view_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action["domain"] = [("campaign_id", "=", self.campaign_id.id)]
        action["context"] = {"default_campaign_id": self.campaign_id.id}
        return action

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("campaign_id", "=", self.campaign_id.id), ("state", "=", "sale")]
        action["context"] = {}
        return action


def roi_percent(revenue, cost):
    """Return on investment in percent; 0 when nothing was spent."""
    return (revenue - cost) / cost * 100.0 if cost else 0.0
