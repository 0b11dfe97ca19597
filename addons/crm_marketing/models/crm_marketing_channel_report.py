from odoo import fields, models, tools
from odoo.tools import SQL


class CrmMarketingChannelReport(models.Model):
    """Channels (medium and source) compared on what they cost and what they brought.

    One row per campaign and channel: the cost lines of the channel, the leads and won
    deals that came through it and the paid invoices that carry it (untaxed, refunds
    negative), the same definitions as the campaign's figures. The campaign form reads it
    for the cheapest effective channel of a segment (see ``lib/roi.cheapest_channel``).
    Amounts are in the currency of each invoice's company.
    """

    _name = "crm.marketing.channel.report"
    _description = "Campaign Channel Analysis"
    _auto = False
    _rec_name = "marketing_campaign_id"
    _order = "campaign_date desc, marketing_campaign_id, medium_id, source_id"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    marketing_campaign_id = fields.Many2one("crm.marketing.campaign", string="Campaign", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", string="UTM Campaign", readonly=True)
    segment_id = fields.Many2one("crm.segment", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    state = fields.Selection(
        [("draft", "Planned"), ("running", "Running"), ("done", "Finished"), ("cancel", "Cancelled")],
        string="Status",
        readonly=True,
    )
    campaign_date = fields.Date(string="Campaign Start", readonly=True)
    medium_id = fields.Many2one("utm.medium", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    planned_cost = fields.Monetary(readonly=True)
    actual_cost = fields.Monetary(string="Cost", readonly=True)
    lead_count = fields.Integer(string="Leads", readonly=True)
    won_count = fields.Integer(string="Won Deals", readonly=True)
    revenue = fields.Monetary(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                    WITH facts AS (
                        SELECT line.campaign_id AS marketing_campaign_id, line.medium_id, line.source_id,
                               line.planned_amount AS planned_cost, line.actual_amount AS actual_cost,
                               0 AS lead_count, 0 AS won_count, 0 AS revenue
                          FROM crm_marketing_cost_line line
                        UNION ALL
                        SELECT mc.id, lead.medium_id, lead.source_id, 0, 0, 1,
                               CASE WHEN lead.active AND stage.is_won THEN 1 ELSE 0 END, 0
                          FROM crm_lead lead
                          JOIN crm_marketing_campaign mc ON mc.campaign_id = lead.campaign_id
                     LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                        UNION ALL
                        SELECT mc.id, move.medium_id, move.source_id, 0, 0, 0, 0, move.amount_untaxed_signed
                          FROM account_move move
                          JOIN crm_marketing_campaign mc ON mc.campaign_id = move.campaign_id
                         WHERE move.state = 'posted'
                           AND move.move_type IN ('out_invoice', 'out_refund')
                           AND move.payment_state IN ('paid', 'in_payment')
                    )
                    SELECT ROW_NUMBER() OVER (ORDER BY mc.id, facts.medium_id, facts.source_id) AS id,
                           mc.company_id, mc.id AS marketing_campaign_id, mc.campaign_id, mc.segment_id,
                           utm.user_id, mc.state, COALESCE(mc.date_start, mc.create_date::date) AS campaign_date,
                           facts.medium_id, facts.source_id,
                           SUM(facts.planned_cost) AS planned_cost, SUM(facts.actual_cost) AS actual_cost,
                           SUM(facts.lead_count) AS lead_count, SUM(facts.won_count) AS won_count,
                           SUM(facts.revenue) AS revenue
                      FROM facts
                      JOIN crm_marketing_campaign mc ON mc.id = facts.marketing_campaign_id
                      JOIN utm_campaign utm ON utm.id = mc.campaign_id
                  GROUP BY mc.id, utm.user_id, facts.medium_id, facts.source_id
                )
                """,
                table=SQL.identifier(self._table),
            )
        )
