from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..lib import rfm

MANAGER_GROUP = "crm_marketing.group_crm_marketing_manager"


class CrmMarketingRfmScore(models.Model):
    """The RFM measures, scores and classes of one customer in one company.

    A narrow fact table, one row per commercial partner and company, rather than stored
    fields on ``res.partner``: a customer shared by the companies of a group has one
    classification in each of them (each from its own invoices or orders), which a
    column of the partner cannot hold; the recompute rewrites this table alone, set-based
    (one ``INSERT ... ON CONFLICT`` per company), without touching the wide partner table
    and its triggers; and the classification report reads and groups it directly. The
    partner shows the row of the current company (``res.partner.crm_rfm_*``).

    Only the code writes here (no write access for anyone); rows of customers without
    any purchase any more are deleted at the next recompute.
    """

    _name = "crm.marketing.rfm.score"
    _description = "Customer Classification"
    _log_access = False
    _order = "monetary desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    recency_days = fields.Integer(string="Days Since Last Purchase", aggregator="avg")
    frequency = fields.Integer(string="Purchases", help="Purchases in the period.")
    monetary = fields.Monetary(string="Revenue", help="Untaxed revenue in the period, in the company currency.")
    r_score = fields.Integer(string="Recency Score", aggregator="avg")
    f_score = fields.Integer(string="Frequency Score", aggregator="avg")
    m_score = fields.Integer(string="Monetary Score", aggregator="avg")
    rfm_class = fields.Selection(rfm.CLASSES, string="RFM Class", required=True)
    abc_class = fields.Selection(rfm.ABC_CLASSES, string="ABC Class")
    first_date = fields.Date(string="First Purchase")
    last_date = fields.Date(string="Last Purchase")
    date = fields.Datetime(string="Classified On")

    _sql_constraints = [
        ("partner_company_unique", "UNIQUE(partner_id, company_id)", "A customer has one classification per company."),
    ]

    def init(self):
        # the partner filters and the report look the classes up per company
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS crm_marketing_rfm_score_company_class_index ON %s (company_id, rfm_class)",
                SQL.identifier(self._table),
            )
        )

    @api.model
    def action_recompute(self):
        """Recompute now the classification of the companies the user works in (the button)."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only marketing managers may recompute the customer classification."))
        # sudo: the classification reads every invoice or order of the company, whoever sold
        self.sudo()._crm_recompute(self.env.companies)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The customer classification is up to date."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _cron_crm_rfm(self):
        """Daily: classify the customers of each company, one company per run of the batch.

        A company is one statement (ABC needs the revenue of all its customers at once);
        Odoo's cron runner commits after each and calls again while some are left.
        """
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].search([], order="id")
        due = companies.filtered(
            lambda company: not company.crm_rfm_date or fields.Date.context_today(self, company.crm_rfm_date) < today
        )
        if not due:
            return
        self._crm_recompute(due[0], today)
        self.env["ir.cron"]._notify_progress(done=1, remaining=len(due) - 1)

    # business methods

    def _crm_recompute(self, companies, today=None):
        """Classify the customers of each of ``companies`` from its own documents, set-based.

        Per company: one statement (:meth:`_crm_upsert_query`) that upserts the measures,
        scores and classes of all its customers and deletes the rows of customers without
        purchases any more; then the companies' *Classified On*: the same queries for ten
        customers as for a million.
        """
        today = today or fields.Date.context_today(self)
        self.env["account.move"].flush_model(
            ["company_id", "state", "move_type", "invoice_date", "amount_untaxed_signed", "commercial_partner_id"]
        )
        self.env["sale.order"].flush_model(["company_id", "state", "date_order", "amount_untaxed", "currency_rate"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.flush_model()
        now = fields.Datetime.now()
        for company in companies:
            self.env.cr.execute(self._crm_upsert_query(company, today, now))
        # sudo: the date of the last classification is set by the system, not by the user
        companies.sudo().write({"crm_rfm_date": now})
        self.invalidate_model()
        self.env["res.partner"].invalidate_model(
            [fname for fname in self.env["res.partner"]._fields if fname.startswith(("crm_rfm_", "crm_abc_"))]
        )

    def _crm_source_query(self, company, today):
        """``(partner_id, day, amount, purchase)`` of the company's documents up to ``today``.

        Invoices: posted customer invoices (purchases) and credit notes (which lower the
        revenue but are no purchase), untaxed, signed, in company currency. Orders:
        confirmed sales orders, untaxed, converted with the order's own rate.
        """
        if company.crm_rfm_source == "order":
            return SQL(
                """
                SELECT p.commercial_partner_id AS partner_id, so.date_order::date AS day,
                       so.amount_untaxed / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0
                                                ELSE so.currency_rate END AS amount,
                       TRUE AS purchase
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.company_id = %(company)s AND so.state = 'sale' AND so.date_order::date <= %(today)s
                """,
                company=company.id,
                today=today,
            )
        return SQL(
            """
            SELECT m.commercial_partner_id AS partner_id, m.invoice_date AS day,
                   m.amount_untaxed_signed AS amount, m.move_type = 'out_invoice' AS purchase
              FROM account_move m
             WHERE m.company_id = %(company)s AND m.state = 'posted'
               AND m.move_type IN ('out_invoice', 'out_refund')
               AND m.invoice_date <= %(today)s AND m.commercial_partner_id IS NOT NULL
            """,
            company=company.id,
            today=today,
        )

    def _crm_upsert_query(self, company, today, now):
        """The one statement that classifies all the customers of ``company``.

        The measures come from one ``GROUP BY`` over the source, the scores and classes
        from expressions built out of the company's cut points and :data:`..lib.rfm.RULES`
        (the same definitions :func:`..lib.rfm.classify` applies), ABC from two window
        sums over the revenue (what the customers before make, and the total). The rows of
        the company's customers that the upsert did not return (no purchase any more) are
        deleted by the same statement.
        """
        cuts = company._crm_rfm_cuts()
        date_from = rfm.period_start(today, company.crm_rfm_period_months)
        recency = SQL(
            "%s - %s", len(rfm.SCORES), SQL(" - ").join(SQL("(recency_days > %s)::int", cut) for cut in cuts["recency"])
        )

        def ascending(column, measure):
            exceeded = (SQL("(%s > %s)::int", SQL.identifier(column), cut) for cut in cuts[measure])
            return SQL("1 + %s", SQL(" + ").join(exceeded))

        rfm_class = SQL("CASE %s END", SQL(" ").join(_rule_case(rule) for rule in rfm.RULES))
        return SQL(
            """
            WITH measures AS (
                SELECT partner_id,
                       MAX(day) FILTER (WHERE purchase) AS last_date,
                       MIN(day) FILTER (WHERE purchase) AS first_date,
                       COUNT(*) FILTER (WHERE purchase AND day >= %(date_from)s) AS frequency,
                       COALESCE(SUM(amount) FILTER (WHERE day >= %(date_from)s), 0) AS monetary
                  FROM (%(source)s) source
                 GROUP BY partner_id
            ), days AS (
                SELECT *, %(today)s - last_date AS recency_days FROM measures WHERE last_date IS NOT NULL
            ), scored AS (
                SELECT *, %(recency)s AS r_score, %(frequency)s AS f_score, %(monetary)s AS m_score,
                       first_date >= %(date_from)s AS is_new, frequency = 0 AS lapsed,
                       COALESCE(SUM(monetary) FILTER (WHERE monetary > 0) OVER (
                           ORDER BY monetary DESC, partner_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                       ), 0) AS before,
                       SUM(monetary) FILTER (WHERE monetary > 0) OVER () AS total
                  FROM days
            ), upserted AS (
            INSERT INTO %(table)s AS score (partner_id, company_id, recency_days, frequency, monetary,
                                            r_score, f_score, m_score, rfm_class, abc_class,
                                            first_date, last_date, date)
            SELECT partner_id, %(company)s, recency_days, frequency, monetary, r_score, f_score, m_score,
                   %(rfm_class)s,
                   CASE WHEN monetary <= 0 THEN NULL
                        WHEN before * 100 < %(a_share)s * total THEN 'A'
                        WHEN before * 100 < %(b_share)s * total THEN 'B'
                        ELSE 'C' END,
                   first_date, last_date, %(now)s
              FROM scored
            ON CONFLICT (partner_id, company_id) DO UPDATE
               SET recency_days = EXCLUDED.recency_days, frequency = EXCLUDED.frequency,
                   monetary = EXCLUDED.monetary, r_score = EXCLUDED.r_score, f_score = EXCLUDED.f_score,
                   m_score = EXCLUDED.m_score, rfm_class = EXCLUDED.rfm_class, abc_class = EXCLUDED.abc_class,
                   first_date = EXCLUDED.first_date, last_date = EXCLUDED.last_date, date = EXCLUDED.date
            RETURNING partner_id
            )
            DELETE FROM %(table)s AS stale
             WHERE stale.company_id = %(company)s
               AND NOT EXISTS (SELECT FROM upserted WHERE upserted.partner_id = stale.partner_id)
            """,
            source=self._crm_source_query(company, today),
            date_from=date_from,
            today=today,
            recency=recency,
            frequency=ascending("frequency", "frequency"),
            monetary=ascending("monetary", "monetary"),
            rfm_class=rfm_class,
            table=SQL.identifier(self._table),
            company=company.id,
            a_share=company.crm_abc_a_share,
            b_share=company.crm_abc_b_share,
            now=now,
        )


def _rule_case(rule):
    """``WHEN <conditions> THEN <class>`` of one rule of :data:`..lib.rfm.RULES`."""
    conditions = [SQL("lapsed")] if rule.lapsed else []
    if rule.new:
        conditions.append(SQL("is_new"))
    for column, bounds in (("r_score", rule.r), ("f_score", rule.f), ("m_score", rule.m)):
        if bounds:
            conditions.append(SQL("%s BETWEEN %s AND %s", SQL.identifier(column), bounds[0], bounds[1]))
    return SQL("WHEN %s THEN %s", SQL(" AND ").join(conditions) if conditions else SQL("TRUE"), rule.rfm_class)
