from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import revenue_change, rfm

TREND_MONTHS = 24
TOP_GROUPS = 8
TOP_CAMPAIGNS = 10


class CrmMarketingAnalysis(models.Model):
    """Market analysis: the invoiced revenue of each customer per company, month and channel.

    An SQL view over the posted customer invoices and credit notes (``account_move``,
    header level: ``amount_untaxed_signed`` is already untaxed, signed and in the company
    currency, so no line table and no conversion is read), one row per commercial
    partner, company, month and UTM medium and source of the invoices. Each row carries the
    customer's industry and region and its RFM and ABC classes in that company
    (``crm_marketing_rfm_score``), and whether the month is its first purchase month in
    the company (*new*) or not (*returning*). Industry, region and classes are today's:
    the report answers "what did the customers we have today buy".

    Access: marketers read it (company rule); :meth:`get_dashboard_data` feeds the
    marketing dashboard from it with the caller's rights.
    """

    _name = "crm.marketing.analysis"
    _description = "Market Analysis"
    _auto = False
    _order = "date desc, revenue desc"
    _rec_name = "partner_id"

    date = fields.Date(string="Month", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    medium_id = fields.Many2one("utm.medium", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    industry_id = fields.Many2one("res.partner.industry", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    state_id = fields.Many2one("res.country.state", readonly=True)
    rfm_class = fields.Selection(rfm.CLASSES, string="RFM Class", readonly=True)
    abc_class = fields.Selection(rfm.ABC_CLASSES, string="ABC Class", readonly=True)
    first_month = fields.Date(string="First Purchase Month", readonly=True)
    customer_type = fields.Selection(
        [("new", "New"), ("returning", "Returning")],
        readonly=True,
        help="New: the month of the customer's first invoice in the company.",
    )
    revenue = fields.Monetary(readonly=True, help="Untaxed invoices minus credit notes, in the company currency.")
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    refund_count = fields.Integer(string="Credit Notes", readonly=True)
    basket = fields.Monetary(
        string="Average Basket",
        aggregator="avg",
        readonly=True,
        help="Revenue per invoice of the customer in the month; grouped, the average of these.",
    )
    customer_count = fields.Integer(
        string="Customers",
        aggregator="count_distinct",
        readonly=True,
        help="Distinct customers (counted once however many months or channels they bought in).",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH monthly AS (
                SELECT m.commercial_partner_id AS partner_id, m.company_id,
                       date_trunc('month', m.invoice_date)::date AS date, m.medium_id, m.source_id,
                       SUM(m.amount_untaxed_signed) AS revenue,
                       COUNT(*) FILTER (WHERE m.move_type = 'out_invoice') AS invoice_count,
                       COUNT(*) FILTER (WHERE m.move_type = 'out_refund') AS refund_count
                  FROM account_move m
                 WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.commercial_partner_id IS NOT NULL AND m.invoice_date IS NOT NULL
                 GROUP BY m.commercial_partner_id, m.company_id, date_trunc('month', m.invoice_date),
                          m.medium_id, m.source_id
            ), firsts AS (
                SELECT *, MIN(date) FILTER (WHERE invoice_count > 0)
                              OVER (PARTITION BY partner_id, company_id) AS first_month
                  FROM monthly
            )
            SELECT row_number() OVER (ORDER BY f.date, f.company_id, f.partner_id, f.medium_id, f.source_id) AS id,
                   f.date, f.partner_id, f.company_id, c.currency_id, f.medium_id, f.source_id,
                   p.industry_id, p.country_id, p.state_id, s.rfm_class, s.abc_class, f.first_month,
                   CASE WHEN f.date = f.first_month THEN 'new' ELSE 'returning' END AS customer_type,
                   f.revenue, f.invoice_count, f.refund_count,
                   f.revenue / NULLIF(f.invoice_count, 0) AS basket,
                   f.partner_id AS customer_count
              FROM firsts f
              JOIN res_partner p ON p.id = f.partner_id
              JOIN res_company c ON c.id = f.company_id
              LEFT JOIN %(score)s s ON s.partner_id = f.partner_id AND s.company_id = f.company_id
            """,
            score=SQL.identifier(self.env["crm.marketing.rfm.score"]._table),
        )

    # business methods

    @api.model
    def _crm_revenue_change(self, earlier, later):
        """``{(company, rfm class, country): Change}`` between two periods of months.

        ``earlier`` and ``later`` are ``(first month, last month)`` (first days of months).
        Read with the caller's rights (the company rule decides what counts), one grouped
        query for both periods; decomposed by :func:`..lib.revenue_change.decompose`.
        """
        (from_1, to_1), (from_2, to_2) = earlier, later
        groups = self._read_group(
            [
                "|",
                "&",
                ("date", ">=", from_1),
                ("date", "<=", to_1),
                "&",
                ("date", ">=", from_2),
                ("date", "<=", to_2),
            ],
            ["company_id", "rfm_class", "country_id", "partner_id", "date:month"],
            ["revenue:sum"],
        )
        rows = []
        for company, rfm_class, country, partner, month, amount in groups:
            in_later = from_2 <= month <= to_2
            rows.append(
                ((company, rfm_class, country), partner, 0.0 if in_later else amount, amount if in_later else 0.0)
            )
        return revenue_change.decompose(rows)

    @api.model
    def get_dashboard_data(self):
        """Everything the marketing dashboard shows, in one call, with the caller's rights.

        No sudo: the analysis and forecast rows are those the user's company rule lets it
        read (the companies selected in the switcher), the campaigns those its campaign
        rules show. Amounts of companies in other currencies are converted to the current
        company's currency at today's rate.
        """
        self.check_access("read")
        env = self.env
        company = env.company
        today = fields.Date.context_today(self)
        month = today.replace(day=1)
        year_start, previous_start = month - relativedelta(months=12), month - relativedelta(months=24)

        def convert(amount, source):
            return source.currency_id._convert(amount, company.currency_id, company, today) if amount else 0.0

        def total(groups):
            """``{key: amount}`` summing the companies' converted amounts; key = groups minus company."""
            result = {}
            for source, *keys, amount in groups:
                key = keys[0] if len(keys) == 1 else tuple(keys)
                result[key] = result.get(key, 0.0) + convert(amount, source)
            return result

        last_year = [("date", ">=", year_start), ("date", "<", month)]
        revenue = total(self._read_group(last_year, ["company_id"], ["revenue:sum"])).get((), 0.0)
        previous = total(
            self._read_group(
                [("date", ">=", previous_start), ("date", "<", year_start)], ["company_id"], ["revenue:sum"]
            )
        ).get((), 0.0)
        [[customers, invoices]] = self._read_group(
            last_year, [], ["customer_count:count_distinct", "invoice_count:sum"]
        )
        [[new_customers]] = self._read_group(
            [*last_year, ("customer_type", "=", "new")], [], ["customer_count:count_distinct"]
        )

        actual = total(
            self._read_group(
                [("date", ">=", month - relativedelta(months=TREND_MONTHS)), ("date", "<", month)],
                ["company_id", "date:month"],
                ["revenue:sum"],
            )
        )
        predicted = total(
            env["crm.marketing.forecast"]._read_group(
                [("kind", "=", "forecast"), ("date", ">=", month)], ["company_id", "date:month"], ["amount:sum"]
            )
        )
        months = []
        if actual or predicted:
            day, last = min(actual or predicted), max(predicted or actual)
            while day <= last:
                months.append(day)
                day += relativedelta(months=1)

        def top(groups):
            ranked = sorted(total(groups).items(), key=lambda item: -abs(item[1]))
            return [
                {"label": key.display_name if key else env._("Not set"), "amount": amount}
                for key, amount in ranked[:TOP_GROUPS]
            ]

        classes = dict(self._fields["rfm_class"]._description_selection(env))
        by_class = total(self._read_group(last_year, ["company_id", "rfm_class"], ["revenue:sum"]))
        # the campaigns the user may see that spent something, the most expensive first
        campaigns = env["crm.marketing.campaign"].search(
            [("company_id", "in", env.companies.ids), ("actual_cost", ">", 0)], order="actual_cost desc, id"
        )
        spent = [
            {
                "label": campaign.title,
                "cost": convert(campaign.actual_cost, campaign.company_id),
                "revenue": convert(campaign.revenue, campaign.company_id),
            }
            for campaign in campaigns
        ]
        quarter = (month - relativedelta(months=3), month - relativedelta(months=1))
        before = (month - relativedelta(months=6), month - relativedelta(months=4))
        changes = [
            {
                "label": " / ".join(
                    (classes.get(rfm_class) or env._("Unclassified"), country.name or env._("No country"))
                ),
                "company": source.name,
                "change": convert(change.change, source),
                "after": convert(change.after, source),
                "driver": change.driver,
            }
            for (source, rfm_class, country), change in self._crm_revenue_change(before, quarter).items()
            if change.change
        ]
        changes.sort(key=lambda row: row["change"])
        drivers = dict(env["crm.marketing.revenue.change.line"]._fields["driver"]._description_selection(env))
        for row in changes:
            row["driver"] = drivers.get(row["driver"], "")
        return {
            "currency_id": company.currency_id.id,
            "kpis": {
                "revenue": revenue,
                "previous_revenue": previous,
                "growth": (revenue - previous) / abs(previous) * 100 if previous else None,
                "customers": customers,
                "new_customers": new_customers,
                "invoices": invoices,
                "basket": revenue / invoices if invoices else 0.0,
                "campaign_cost": sum(row["cost"] for row in spent),
                "campaign_revenue": sum(row["revenue"] for row in spent),
            },
            "trend": {
                "labels": [key.strftime("%Y-%m") for key in months],
                "actual": [actual.get(key, 0.0) if key < month else None for key in months],
                "forecast": [predicted.get(key) for key in months],
            },
            "classes": [
                {"label": classes.get(key) or env._("Unclassified"), "amount": amount}
                for key, amount in sorted(by_class.items(), key=lambda item: -item[1])
            ],
            "industries": top(self._read_group(last_year, ["company_id", "industry_id"], ["revenue:sum"])),
            "regions": top(self._read_group(last_year, ["company_id", "country_id"], ["revenue:sum"])),
            "channels": top(self._read_group(last_year, ["company_id", "medium_id"], ["revenue:sum"])),
            "campaigns": spent[:TOP_CAMPAIGNS],
            "rising": [row for row in reversed(changes) if row["change"] > 0][:5],
            "falling": [row for row in changes if row["change"] < 0][:5],
        }
