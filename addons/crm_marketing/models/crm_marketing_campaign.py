from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import roi

#: what a paid customer invoice is: posted, and paid or in payment (refunds included, they count negative)
PAID_INVOICE_DOMAIN = [
    ("state", "=", "posted"),
    ("move_type", "in", ("out_invoice", "out_refund")),
]
PAID_STATES = ("paid", "in_payment")
MARKETER_GROUP = "crm_marketing.group_crm_marketing_user"


class CrmMarketingCampaign(models.Model):
    """A marketing campaign with its plan, budget and return.

    The campaign itself is Odoo's ``utm.campaign`` (the one leads, orders, invoices and
    mailings already carry); this model adds the planning and money side on top of it.
    Marketing plans it in its company; a branch (a child company) or a sales team may run
    it, and marketing follows their progress on the plan's steps.

    The figures read the documents of the whole campaign whoever sold them, in one
    grouped query per kind of document for any number of campaigns:

    * leads: every lead and opportunity of the campaign, also lost ones; won: those in a
      won stage;
    * orders: confirmed sales orders, with their untaxed amount;
    * revenue: the untaxed amount of the paid (or in payment) customer invoices, minus
      the paid refunds: money that came in, not a promise;
    * ROI, cost per lead and cost per won deal from the actual cost (the cost lines).
    """

    _name = "crm.marketing.campaign"
    _description = "Marketing Campaign"
    _inherits = {"utm.campaign": "campaign_id"}
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.system.fields.mixin"]
    _order = "date_start desc, id desc"
    # figures summed from the cost lines and the steps: written by the ORM, never by a caller
    _crm_system_fields = ("planned_cost", "actual_cost", "progress")

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
    objective = fields.Text(help="What the campaign is meant to achieve, and how success is measured.")
    segment_id = fields.Many2one(
        "crm.segment",
        string="Target Segment",
        index="btree_not_null",
        tracking=True,
        help="The customers the campaign addresses; campaigns of the same segment are compared by channel.",
    )
    executing_company_id = fields.Many2one(
        "res.company",
        string="Run by Branch",
        index="btree_not_null",
        tracking=True,
        help="The branch that runs the campaign planned here: its people see the campaign and work its steps.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Run by Sales Team",
        index="btree_not_null",
        tracking=True,
        help="The sales team that runs the campaign: its members see the campaign and work its steps.",
    )
    cost_line_ids = fields.One2many("crm.marketing.cost.line", "campaign_id", string="Costs", groups=MARKETER_GROUP)
    step_ids = fields.One2many("crm.marketing.campaign.step", "campaign_id", string="Plan")
    event_step_ids = fields.One2many(
        "crm.marketing.campaign.step", "campaign_id", string="Events", domain=[("kind", "=", "event")]
    )
    budget = fields.Monetary(tracking=True, help="What the campaign may spend.")
    planned_cost = fields.Monetary(
        compute="_compute_costs", store=True, help="Sum of the planned amounts of the cost lines."
    )
    actual_cost = fields.Monetary(
        compute="_compute_costs",
        store=True,
        tracking=True,
        help="What the campaign has spent so far: sum of the actual amounts of the cost lines.",
    )
    is_over_budget = fields.Boolean(
        string="Over Budget",
        compute="_compute_is_over_budget",
        help="The planned or the actual cost exceeds the budget.",
    )
    expected_revenue = fields.Monetary(help="The revenue the campaign is planned to bring.")
    progress = fields.Float(
        compute="_compute_progress",
        store=True,
        aggregator="avg",
        help="Share of the plan's steps that are done, in percent (cancelled steps do not count).",
    )
    lead_count = fields.Integer(string="Leads", compute="_compute_results")
    opportunity_count = fields.Integer(string="Opportunities", compute="_compute_results")
    won_count = fields.Integer(string="Won Deals", compute="_compute_results")
    order_count = fields.Integer(string="Orders", compute="_compute_results")
    order_amount = fields.Monetary(
        string="Orders Amount",
        compute="_compute_results",
        help="Untaxed amount of the confirmed sales orders of the campaign.",
    )
    invoice_count = fields.Integer(string="Invoices", compute="_compute_results")
    revenue = fields.Monetary(
        compute="_compute_results",
        help="Untaxed amount of the paid customer invoices of the campaign, minus its paid refunds.",
    )
    roi = fields.Float(
        string="ROI (%)",
        compute="_compute_results",
        help="(Revenue - actual cost) / actual cost.",
    )
    cost_per_lead = fields.Monetary(compute="_compute_results", help="Actual cost / leads.")
    cost_per_won = fields.Monetary(
        string="Cost per Won Deal", compute="_compute_results", help="Actual cost / won deals."
    )
    response_count = fields.Integer(string="Responses", compute="_compute_results")
    # for the planners: the channel report behind it is marketing's
    best_medium_id = fields.Many2one(
        "utm.medium",
        string="Cheapest Medium",
        compute="_compute_best_channel",
        groups=MARKETER_GROUP,
        help="Of the earlier campaigns of the same segment, the channel with the lowest cost per won deal.",
    )
    best_source_id = fields.Many2one(
        "utm.source", string="Cheapest Source", compute="_compute_best_channel", groups=MARKETER_GROUP
    )
    best_cost_per_won = fields.Monetary(
        string="Its Cost per Won Deal", compute="_compute_best_channel", groups=MARKETER_GROUP
    )
    description = fields.Html()

    _sql_constraints = [
        ("budget_positive", "CHECK(budget >= 0)", "The budget cannot be negative."),
        ("cost_positive", "CHECK(actual_cost >= 0)", "The actual cost cannot be negative."),
    ]

    # Costs and progress are summed from the lines in memory (fetched for the whole batch at
    # once), so that the form shows them while its lines are being edited.

    @api.depends("cost_line_ids.planned_amount", "cost_line_ids.actual_amount")
    def _compute_costs(self):
        for campaign in self:
            campaign.planned_cost = sum(campaign.cost_line_ids.mapped("planned_amount"))
            campaign.actual_cost = sum(campaign.cost_line_ids.mapped("actual_amount"))

    @api.depends("budget", "planned_cost", "actual_cost")
    def _compute_is_over_budget(self):
        for campaign in self:
            campaign.is_over_budget = max(campaign.planned_cost, campaign.actual_cost) > campaign.budget

    @api.depends("step_ids.state")
    def _compute_progress(self):
        for campaign in self:
            counted = campaign.step_ids.filtered(lambda step: step.state != "cancel")
            done = counted.filtered(lambda step: step.state == "done")
            campaign.progress = roi.share_percent(len(done), len(counted))

    @api.depends("campaign_id", "actual_cost")
    def _compute_results(self):
        utm_ids = self.campaign_id.ids
        # sudo: the figures count every lead, order, invoice and response of the campaign, also
        # those of salespeople and branches the reader may not open; only counts and sums leave here
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        leads = defaultdict(dict)
        for utm, lead_type, count in Lead._read_group(
            [("campaign_id", "in", utm_ids)], ["campaign_id", "type"], ["__count"]
        ):
            leads[utm][lead_type] = count
        won = dict(
            Lead._read_group(
                [("campaign_id", "in", utm_ids), ("active", "=", True), ("stage_id.is_won", "=", True)],
                ["campaign_id"],
                ["__count"],
            )
        )
        # sale.report is an SQL view over the orders' tables: write pending changes first,
        # or an order confirmed in this transaction would not count yet.
        self.env["sale.order"].flush_model()
        self.env["sale.order.line"].flush_model()
        orders = {
            utm: (count, amount)
            for utm, count, amount in self.env["sale.report"]
            .sudo()
            ._read_group(
                [("campaign_id", "in", utm_ids), ("state", "=", "sale")],
                ["campaign_id"],
                ["order_reference:count_distinct", "price_subtotal:sum"],
            )
        }
        invoices = defaultdict(list)
        for utm, payment_state, currency, count, amount in (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [("campaign_id", "in", utm_ids), *PAID_INVOICE_DOMAIN],
                ["campaign_id", "payment_state", "company_currency_id"],
                ["__count", "amount_untaxed_signed:sum"],
            )
        ):
            invoices[utm].append((payment_state in PAID_STATES, currency, count, amount))
        responses = dict(
            self.env["crm.campaign.response"]
            .sudo()
            ._read_group([("campaign_id", "in", utm_ids)], ["campaign_id"], ["__count"])
        )
        today = fields.Date.context_today(self)
        for campaign in self:
            utm = campaign.campaign_id
            by_type = leads.get(utm, {})
            lead_count = sum(by_type.values())
            won_count = won.get(utm, 0)
            campaign.lead_count = lead_count
            campaign.opportunity_count = by_type.get("opportunity", 0)
            campaign.won_count = won_count
            campaign.order_count, campaign.order_amount = orders.get(utm, (0, 0.0))
            campaign.invoice_count = sum(count for _paid, _currency, count, _amount in invoices.get(utm, []))
            revenue = sum(
                currency._convert(amount, campaign.currency_id, campaign.company_id, today)
                for paid, currency, _count, amount in invoices.get(utm, [])
                if paid
            )
            campaign.revenue = revenue
            campaign.roi = roi.roi_percent(revenue, campaign.actual_cost)
            campaign.cost_per_lead = roi.cost_per(campaign.actual_cost, lead_count)
            campaign.cost_per_won = roi.cost_per(campaign.actual_cost, won_count)
            campaign.response_count = responses.get(utm, 0)

    @api.depends("state", "segment_id", "date_start", "company_id")
    def _compute_best_channel(self):
        """The cheapest effective channel of the earlier campaigns of the segment, for planning.

        Earlier campaigns are the other, not cancelled campaigns of the same segment and
        company that started before this one (before today while it has no start date).
        One grouped read of the channel report for all the campaigns being planned.
        """
        planning = self.filtered(lambda campaign: campaign.state == "draft" and campaign.segment_id)
        (self - planning).update({"best_medium_id": False, "best_source_id": False, "best_cost_per_won": 0.0})
        if not planning:
            return
        # the report is an SQL view over these tables: write pending changes first
        for model in ("crm.marketing.campaign", "crm.marketing.cost.line", "crm.lead", "account.move"):
            self.env[model].flush_model()
        rows = defaultdict(list)
        for segment, company, other, started, medium, source, cost, won_count in self.env[
            "crm.marketing.channel.report"
        ]._read_group(
            [
                ("segment_id", "in", planning.segment_id.ids),
                ("company_id", "in", planning.company_id.ids),
                ("state", "!=", "cancel"),
            ],
            ["segment_id", "company_id", "marketing_campaign_id", "campaign_date:day", "medium_id", "source_id"],
            ["actual_cost:sum", "won_count:sum"],
        ):
            rows[segment.id, company.id].append((other.id, started, medium.id, source.id, cost, won_count))
        today = fields.Date.context_today(self)
        for campaign in planning:
            reference = campaign.date_start or today
            earlier = [
                roi.ChannelResult(medium, source, cost, won_count)
                for other, started, medium, source, cost, won_count in rows.get(
                    (campaign.segment_id.id, campaign.company_id.id), []
                )
                if other != campaign.id and started and started < reference
            ]
            best = roi.cheapest_channel(earlier)
            medium, source, cost_per_won = best or (False, False, 0.0)
            campaign.best_medium_id = medium
            campaign.best_source_id = source
            campaign.best_cost_per_won = cost_per_won

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for campaign in self:
            if campaign.date_start and campaign.date_end and campaign.date_end < campaign.date_start:
                raise ValidationError(
                    self.env._(
                        "The campaign %s ends before it starts: set an end date after the start date.", campaign.title
                    )
                )

    @api.constrains("company_id", "executing_company_id", "team_id")
    def _check_execution(self):
        for campaign in self:
            branch = campaign.executing_company_id
            # sudo: the planner may not have access to the branch, yet its place in the group is what we check
            if branch and (
                branch == campaign.company_id
                or not branch.sudo().parent_path.startswith(campaign.company_id.sudo().parent_path)
            ):
                raise ValidationError(
                    self.env._(
                        "The campaign %(campaign)s can only be run by a branch of %(company)s: "
                        "pick one of its child companies.",
                        campaign=campaign.title,
                        company=campaign.company_id.name,
                    )
                )
            team_company = campaign.team_id.sudo().company_id
            if team_company and team_company not in campaign.company_id | branch:
                raise ValidationError(
                    self.env._(
                        "The sales team %(team)s belongs to another company: pick a team of %(company)s "
                        "or of the branch that runs the campaign.",
                        team=campaign.team_id.sudo().name,
                        company=campaign.company_id.name,
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
        action["context"] = {"default_campaign_id": self.campaign_id.id, "active_test": False}
        return action

    def action_view_opportunities(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_opportunities")
        action["domain"] = [("campaign_id", "=", self.campaign_id.id), ("type", "=", "opportunity")]
        action["context"] = {"default_campaign_id": self.campaign_id.id, "default_type": "opportunity"}
        return action

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("campaign_id", "=", self.campaign_id.id), ("state", "=", "sale")]
        action["context"] = {}
        return action

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("campaign_id", "=", self.campaign_id.id), *PAID_INVOICE_DOMAIN]
        action["context"] = {"default_move_type": "out_invoice", "default_campaign_id": self.campaign_id.id}
        return action

    def action_view_responses(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Responses"),
            "res_model": "crm.campaign.response",
            "views": [(False, "list"), (False, "form")],
            "domain": [("campaign_id", "=", self.campaign_id.id)],
            "context": {"default_campaign_id": self.campaign_id.id},
        }

    def action_view_steps(self):
        self.ensure_one()
        # the list opened is filtered by the record rules anyway: refuse early who may not read the campaign
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_marketing.crm_marketing_campaign_step_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action
