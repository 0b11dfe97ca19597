from odoo import fields, models, tools
from odoo.tools import SQL

LINE_TYPES = [
    ("order", "Confirmed Order"),
    ("lead", "Closed Opportunity"),
    ("activity", "Activity Done"),
    ("plan", "Daily Plan"),
]


class CrmSfaReportPerformance(models.Model):
    """Sales performance by region (the customer's country and state), period and salesperson.

    Three kinds of rows, added up by the pivot and graph views:

    - confirmed sales orders, on their order date: revenue (untaxed, in the company's
      currency) and, for a customer's first confirmed order, a new customer credited
      to that order's salesperson;
    - opportunities won or lost, on their closing date: won and lost deals, and the
      conversion (won over closed, averaged by the views);
    - activities marked done on leads, orders and customers, on the day they were
      done, credited to who did them. Odoo 18 deletes (or archives, for types that
      keep them) done activities and posts a message carrying the activity type:
      that message is the source, as for Odoo's own activity analysis.

    - daily plans, on their day: reported plans and their completion rate, credited to
      their owner (a plan has no customer, so no region).

    The query is :meth:`_with` (the customers' first orders) and a ``UNION ALL`` of the
    four kinds, each built from its ``_select_*``, ``_from_*`` and ``_where_*`` methods
    (``order``, ``lead``, ``activity``, ``plan``), which a module extends through
    ``super()``; a column added to the report is added to the four ``_select_*`` (the
    branches of a union have the same columns, in the same order).
    """

    _name = "crm.sfa.report.performance"
    _inherit = ["crm.sfa.report.mixin"]
    _description = "Sales Performance"
    _auto = False
    _rec_name = "date"
    _order = "date desc"
    _depends = {
        "sale.order": ["state", "date_order", "user_id", "team_id", "company_id", "partner_id", "amount_untaxed"],
        "crm.lead": [
            "active",
            "type",
            "probability",
            "date_closed",
            "user_id",
            "team_id",
            "company_id",
            "partner_id",
        ],
        "mail.message": ["model", "res_id", "mail_activity_type_id", "author_id", "date"],
        "res.partner": ["country_id", "state_id", "commercial_partner_id"],
        "crm.daily.plan": ["date", "user_id", "company_id", "state", "completion_rate"],
    }

    line_type = fields.Selection(LINE_TYPES, string="Line", readonly=True)
    date = fields.Date(string="Period", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    state_id = fields.Many2one("res.country.state", readonly=True)
    new_customer_count = fields.Integer(string="New Customers", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    revenue = fields.Float(readonly=True, help="Untaxed confirmed orders, in the company's currency.")
    won_count = fields.Integer(string="Won Deals", readonly=True)
    lost_count = fields.Integer(string="Lost Deals", readonly=True)
    conversion_rate = fields.Float(
        string="Conversion (%)", readonly=True, aggregator="avg", help="Won over closed opportunities."
    )
    activity_count = fields.Integer(string="Activities Done", readonly=True)
    plan_count = fields.Integer(string="Plans Completed", readonly=True, help="Daily plans reported at day's end.")
    plan_completion_rate = fields.Float(
        string="Plan Completion (%)", readonly=True, aggregator="avg", help="Share of planned work done."
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        branches = SQL(" UNION ALL ").join(
            SQL("SELECT %s FROM %s WHERE %s", select, from_, where)
            for select, from_, where in (
                (self._select_order(), self._from_order(), self._where_order()),
                (self._select_lead(), self._from_lead(), self._where_lead()),
                (self._select_activity(), self._from_activity(), self._where_activity()),
                (self._select_plan(), self._from_plan(), self._where_plan()),
            )
        )
        return SQL("WITH %s %s", self._with(), branches)

    def _with(self):
        return SQL(
            """
            first_orders AS (
                SELECT DISTINCT ON (p.commercial_partner_id) so.id
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale'
                 ORDER BY p.commercial_partner_id, so.date_order, so.id
            )
            """
        )

    # confirmed orders, on their order date

    def _select_order(self):
        return SQL(
            """
                   so.id * 4 AS id,
                   'order' AS line_type,
                   so.date_order::date AS date,
                   so.user_id,
                   so.team_id,
                   so.company_id,
                   so.partner_id,
                   p.country_id,
                   p.state_id,
                   CASE WHEN fo.id IS NOT NULL THEN 1 ELSE 0 END AS new_customer_count,
                   1 AS order_count,
                   so.amount_untaxed / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0 ELSE so.currency_rate END
                       AS revenue,
                   0 AS won_count,
                   0 AS lost_count,
                   NULL::float AS conversion_rate,
                   0 AS activity_count,
                   0 AS plan_count,
                   NULL::float AS plan_completion_rate
            """
        )

    def _from_order(self):
        return SQL(
            """
                   sale_order so
              JOIN res_partner p ON p.id = so.partner_id
              LEFT JOIN first_orders fo ON fo.id = so.id
            """
        )

    def _where_order(self):
        return SQL("so.state = 'sale'")

    # opportunities won or lost, on their closing date

    def _select_lead(self):
        return SQL(
            """
                   l.id * 4 + 1,
                   'lead',
                   l.date_closed::date,
                   l.user_id,
                   l.team_id,
                   l.company_id,
                   l.partner_id,
                   COALESCE(p.country_id, l.country_id),
                   COALESCE(p.state_id, l.state_id),
                   0,
                   0,
                   0.0,
                   CASE WHEN l.active THEN 1 ELSE 0 END,
                   CASE WHEN l.active THEN 0 ELSE 1 END,
                   CASE WHEN l.active THEN 100.0 ELSE 0.0 END,
                   0,
                   0,
                   NULL
            """
        )

    def _from_lead(self):
        return SQL(
            """
                   crm_lead l
              LEFT JOIN res_partner p ON p.id = l.partner_id
            """
        )

    def _where_lead(self):
        return SQL(
            """
                   l.type = 'opportunity'
               AND l.date_closed IS NOT NULL
               AND ((l.active AND l.probability >= 100) OR (NOT l.active AND l.probability = 0))
            """
        )

    # activities done on leads, orders and customers, on the day they were done

    def _select_activity(self):
        return SQL(
            """
                   m.id * 4 + 2,
                   'activity',
                   m.date::date,
                   author.user_id,
                   COALESCE(l.team_id, so.team_id, author.sale_team_id),
                   COALESCE(l.company_id, so.company_id, m.record_company_id),
                   customer.id,
                   customer.country_id,
                   customer.state_id,
                   0,
                   0,
                   0.0,
                   0,
                   0,
                   NULL,
                   1,
                   0,
                   NULL
            """
        )

    def _from_activity(self):
        return SQL(
            """
                   mail_message m
              LEFT JOIN crm_lead l ON m.model = 'crm.lead' AND l.id = m.res_id
              LEFT JOIN sale_order so ON m.model = 'sale.order' AND so.id = m.res_id
              LEFT JOIN res_partner customer
                     ON customer.id = COALESCE(l.partner_id, so.partner_id,
                                               CASE WHEN m.model = 'res.partner' THEN m.res_id END)
              LEFT JOIN LATERAL (
                    SELECT u.id AS user_id, u.sale_team_id
                      FROM res_users u
                     WHERE u.partner_id = m.author_id
                     ORDER BY u.id
                     LIMIT 1
              ) author ON TRUE
            """
        )

    def _where_activity(self):
        return SQL(
            """
                   m.model IN ('crm.lead', 'sale.order', 'res.partner')
               AND m.mail_activity_type_id IS NOT NULL
            """
        )

    # daily plans reported, on their day

    def _select_plan(self):
        return SQL(
            """
                   dp.id * 4 + 3,
                   'plan',
                   dp.date,
                   dp.user_id,
                   u.sale_team_id,
                   dp.company_id,
                   NULL,
                   NULL,
                   NULL,
                   0,
                   0,
                   0.0,
                   0,
                   0,
                   NULL,
                   0,
                   1,
                   dp.completion_rate
            """
        )

    def _from_plan(self):
        return SQL(
            """
                   crm_daily_plan dp
              JOIN res_users u ON u.id = dp.user_id
            """
        )

    def _where_plan(self):
        return SQL("dp.state = 'reported'")
