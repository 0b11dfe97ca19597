from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.crm_lead import FORECAST_CATEGORIES

LINE_TYPES = [("opportunity", "Open Opportunity"), ("target", "Target"), ("adjustment", "Manager Adjustment")]
LEVELS = [("company", "Branch"), ("team", "Sales Team"), ("user", "Salesperson")]


class CrmSfaReportForecast(models.Model):
    """Forecast against targets per period, salesperson, team and branch.

    Three kinds of rows, added up by the pivot and graph views:

    - each open opportunity at its expected closing date: expected, weighted
      (expected x probability), per forecast category, and projected with the
      salesperson's historical win rate (``crm.forecast.win.rate``);
    - each month of each target, the target spread evenly over its months; when a
      subject has targets of several period types, the finest one counts for its
      months (a monthly target over the quarterly one over the annual one);
    - the latest manager adjustment of each subject and period, whose difference to
      its original is added to the weighted pipeline to give the adjusted forecast.

    ``level`` tells which targets and adjustments a row carries (opportunities have
    none): filter on one level to compare like with like.

    The query is a ``UNION ALL`` of the three kinds, each built from its ``_select_*``,
    ``_from_*`` and ``_where_*`` methods (``opportunity``, ``target``, ``adjustment``),
    which a module extends through ``super()``; a column added to the report is added to
    the three ``_select_*`` (the branches of a union have the same columns, in the same
    order and of the same types).
    """

    _name = "crm.sfa.report.forecast"
    _inherit = ["crm.sfa.report.mixin"]
    _description = "Sales Forecast"
    _auto = False
    _rec_name = "date"
    _order = "date desc"
    _depends = {
        "crm.lead": [
            "active",
            "type",
            "probability",
            "date_deadline",
            "user_id",
            "team_id",
            "company_id",
            "stage_id",
            "crm_forecast_category",
            "expected_revenue",
            "prorated_revenue",
        ],
        "crm.sales.target": [
            "active",
            "level",
            "company_id",
            "team_id",
            "user_id",
            "period_type",
            "measure",
            "date_from",
            "date_to",
            "amount",
        ],
        "crm.forecast.adjustment": [
            "period_type",
            "date_from",
            "company_id",
            "team_id",
            "user_id",
            "original_amount",
            "adjusted_amount",
        ],
        "crm.forecast.win.rate": ["company_id", "user_id", "win_rate"],
    }

    line_type = fields.Selection(LINE_TYPES, string="Line", readonly=True)
    date = fields.Date(string="Period", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    forecast_category = fields.Selection(FORECAST_CATEGORIES, readonly=True)
    level = fields.Selection(LEVELS, string="Target Level", readonly=True)
    opportunity_count = fields.Integer(string="Opportunities", readonly=True)
    expected_revenue = fields.Float(string="Pipeline", readonly=True)
    weighted_revenue = fields.Float(string="Weighted Pipeline", readonly=True)
    commit_revenue = fields.Float(string="Commit", readonly=True)
    best_case_revenue = fields.Float(
        string="Best Case", readonly=True, help="Expected revenue of the opportunities in Commit or Best Case."
    )
    projected_revenue = fields.Float(
        string="Projected (Win Rate)",
        readonly=True,
        help="Expected revenue times the salesperson's historical win rate (the company's without history; "
        "the probability until the win rates are first computed).",
    )
    original_amount = fields.Float(string="Adjusted: Original", readonly=True)
    adjusted_amount = fields.Float(string="Adjusted: By Manager", readonly=True)
    forecast_revenue = fields.Float(
        string="Forecast",
        readonly=True,
        help="The weighted pipeline, plus the managers' adjustments (adjusted minus original).",
    )
    target_amount = fields.Float(string="Target", readonly=True)
    gap_amount = fields.Float(string="Forecast - Target", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        # A plain UNION ALL (no WITH, the same column types in every branch): PostgreSQL
        # then flattens it, drops the columns a query does not ask for and, with them,
        # the join to the win rates (unique index) unless the projection is asked for.
        return SQL(" UNION ALL ").join(
            SQL("SELECT %s FROM %s WHERE %s", select, from_, where)
            for select, from_, where in (
                (self._select_opportunity(), self._from_opportunity(), self._where_opportunity()),
                (self._select_target(), self._from_target(), self._where_target()),
                (self._select_adjustment(), self._from_adjustment(), self._where_adjustment()),
            )
        )

    # open opportunities, at their expected closing date

    def _select_opportunity(self):
        return SQL(
            """
                   l.id * 4 AS id,
                   'opportunity'::varchar AS line_type,
                   l.date_deadline AS date,
                   l.id AS lead_id,
                   l.user_id,
                   l.team_id,
                   l.company_id,
                   l.stage_id,
                   l.crm_forecast_category AS forecast_category,
                   NULL::varchar AS level,
                   1 AS opportunity_count,
                   l.expected_revenue,
                   l.prorated_revenue AS weighted_revenue,
                   CASE WHEN l.crm_forecast_category = 'commit' THEN l.expected_revenue ELSE 0 END AS commit_revenue,
                   CASE WHEN l.crm_forecast_category IN ('commit', 'best_case') THEN l.expected_revenue ELSE 0 END
                       AS best_case_revenue,
                   (l.expected_revenue * COALESCE(win_rate.win_rate, l.probability::numeric / 100))::numeric
                       AS projected_revenue,
                   0::numeric AS original_amount,
                   0::numeric AS adjusted_amount,
                   l.prorated_revenue AS forecast_revenue,
                   0::numeric AS target_amount,
                   l.prorated_revenue AS gap_amount
            """
        )

    def _from_opportunity(self):
        return SQL(
            """
                   crm_lead l
              LEFT JOIN crm_forecast_win_rate win_rate
                     ON win_rate.company_id = l.company_id AND COALESCE(win_rate.user_id, 0) = COALESCE(l.user_id, 0)
            """
        )

    def _where_opportunity(self):
        return SQL("l.active AND l.type = 'opportunity' AND COALESCE(l.probability, 0) < 100")

    # targets, spread evenly over their months

    def _select_target(self):
        return SQL(
            """
                   (tm.target_id * 12 + tm.month_index) * 4 + 1,
                   'target'::varchar,
                   tm.month,
                   NULL::integer,
                   tm.user_id,
                   COALESCE(tm.team_id, u.sale_team_id),
                   tm.company_id,
                   NULL::integer,
                   NULL::varchar,
                   tm.level,
                   0,
                   0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric,
                   tm.amount,
                   -tm.amount
            """
        )

    def _from_target(self):
        return SQL(
            """
                   (
                    -- each month of each target; the finest target of a subject wins its month
                    SELECT DISTINCT ON (t.level, t.company_id, COALESCE(t.team_id, 0), COALESCE(t.user_id, 0), m.month)
                           t.id AS target_id, t.level, t.company_id, t.team_id, t.user_id,
                           m.month::date AS month,
                           (EXTRACT(MONTH FROM m.month) - EXTRACT(MONTH FROM t.date_from))::integer AS month_index,
                           t.amount / CASE t.period_type WHEN 'annual' THEN 12 WHEN 'quarterly' THEN 3 ELSE 1 END
                               AS amount
                      FROM crm_sales_target t
                     CROSS JOIN LATERAL generate_series(t.date_from, t.date_to, INTERVAL '1 month') AS m(month)
                     WHERE t.active
                     ORDER BY t.level, t.company_id, COALESCE(t.team_id, 0), COALESCE(t.user_id, 0), m.month,
                              CASE t.period_type WHEN 'monthly' THEN 1 WHEN 'quarterly' THEN 2 ELSE 3 END,
                              CASE t.measure WHEN 'order' THEN 1 WHEN 'invoice' THEN 2 ELSE 3 END,
                              t.id DESC
                   ) tm
              LEFT JOIN res_users u ON u.id = tm.user_id
            """
        )

    def _where_target(self):
        return SQL("TRUE")

    # the latest manager adjustment of each subject and period

    def _select_adjustment(self):
        return SQL(
            """
                   adj.id * 4 + 2,
                   'adjustment'::varchar,
                   adj.date_from,
                   NULL::integer,
                   adj.user_id,
                   adj.team_id,
                   adj.company_id,
                   NULL::integer,
                   NULL::varchar,
                   (CASE WHEN adj.user_id IS NOT NULL THEN 'user' ELSE 'team' END)::varchar,
                   0,
                   0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric,
                   adj.original_amount,
                   adj.adjusted_amount,
                   adj.adjusted_amount - adj.original_amount,
                   0::numeric,
                   adj.adjusted_amount - adj.original_amount
            """
        )

    def _from_adjustment(self):
        return SQL(
            """
                   (
                    SELECT DISTINCT ON (a.period_type, a.date_from, a.company_id, COALESCE(a.team_id, 0),
                                        COALESCE(a.user_id, 0))
                           a.id, a.date_from, a.company_id, a.team_id, a.user_id, a.original_amount, a.adjusted_amount
                      FROM crm_forecast_adjustment a
                     ORDER BY a.period_type, a.date_from, a.company_id, COALESCE(a.team_id, 0),
                              COALESCE(a.user_id, 0), a.id DESC
                   ) adj
            """
        )

    def _where_adjustment(self):
        return SQL("TRUE")
