from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..lib import forecast, rfm

HISTORY_MONTHS = 36
HORIZON_MONTHS = 6
RECOMPUTE_GROUPS = ("crm_marketing.group_crm_marketing_manager", "sales_team.group_sale_manager")


class CrmMarketingForecast(models.Model):
    """The revenue trend and forecast of each segment (RFM class) of each company.

    Stored rows, recomputed daily by a cron (or by a manager's *Recompute*) rather than a
    view: the forecast is a computation over the whole series (:mod:`..lib.forecast`), too
    heavy to run at every read of the graph, and the sales managers who set their targets
    from it read the same figures all day. Per company and segment, one row per month of
    the actual history (the last :data:`HISTORY_MONTHS` complete months) and one per
    forecast month (:data:`HORIZON_MONTHS` from the current month on); each carries the
    method the backtest chose and its error, the same on every row of the segment.

    A segment's history is the revenue of the customers who are in the class today, so
    the forecast answers "what will our best customers (as we know them) bring".
    Only the code writes here: nobody has write access.
    """

    _name = "crm.marketing.forecast"
    _description = "Revenue Forecast"
    _log_access = False
    _order = "company_id, rfm_class, date"

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    rfm_class = fields.Selection(rfm.CLASSES, string="Segment", help="The customers' RFM class; empty: unclassified.")
    date = fields.Date(string="Month", required=True)
    kind = fields.Selection([("actual", "Actual"), ("forecast", "Forecast")], required=True)
    amount = fields.Monetary(help="Untaxed invoiced revenue (actual) or forecast, in the company currency.")
    method = fields.Selection(forecast.METHOD_LABELS, help="The method with the lowest backtest error.")
    error = fields.Float(
        aggregator=False,
        digits=(16, 2),
        help="Backtest error of the method on the last months held out: MAPE in %, or MAE in the company "
        "currency when a held-out month had no revenue. Empty: too short a history to measure.",
    )
    error_measure = fields.Selection(forecast.MEASURES)
    computed_on = fields.Datetime(readonly=True)

    def init(self):
        # one row per company, segment, kind and month: the upsert of the recompute finds
        # its rows by it, and the graph and the dashboard read per company and month
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS crm_marketing_forecast_key_index
                   ON %s (company_id, (COALESCE(rfm_class, '')), kind, date)""",
                SQL.identifier(self._table),
            )
        )

    @api.model
    def action_recompute(self):
        """Recompute now the forecasts of the companies the user works in (the button)."""
        if not any(self.env.user.has_group(group) for group in RECOMPUTE_GROUPS):
            raise AccessError(self.env._("Only marketing and sales managers may recompute the revenue forecast."))
        # sudo: the forecast reads every invoice of the companies, whoever sold, and writes
        # rows nobody may write by hand; the companies are the user's own (env.companies)
        self.sudo()._crm_recompute(self.env.companies)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _cron_crm_forecast(self):
        """Daily: forecast every company, in one batch (a constant number of queries)."""
        self._crm_recompute(self.env["res.company"].search([]))

    # business methods

    def _crm_recompute(self, companies):
        """Replace the rows of ``companies`` with a fresh history and forecast.

        One grouped query reads the monthly revenue of every company and segment; the
        series are completed with the months without revenue (zero) from the segment's
        first month in the window to the last complete month; :func:`..lib.forecast.forecast`
        picks the method per series; one statement (:meth:`_crm_replace_query`) writes them
        all and drops the rows no series has any more: the same queries for one company as
        for fifty.
        """
        today = fields.Date.context_today(self)
        month = today.replace(day=1)
        start = month - relativedelta(months=HISTORY_MONTHS)
        self.env["account.move"].flush_model(
            ["company_id", "state", "move_type", "invoice_date", "amount_untaxed_signed", "commercial_partner_id"]
        )
        self.env["crm.marketing.rfm.score"].flush_model(["partner_id", "company_id", "rfm_class"])
        self.env.cr.execute(
            SQL(
                """
                SELECT m.company_id, s.rfm_class, date_trunc('month', m.invoice_date)::date,
                       SUM(m.amount_untaxed_signed)
                  FROM account_move m
                  LEFT JOIN %(score)s s ON s.partner_id = m.commercial_partner_id AND s.company_id = m.company_id
                 WHERE m.company_id IN %(companies)s AND m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.invoice_date >= %(start)s AND m.invoice_date < %(month)s
                 GROUP BY 1, 2, 3
                """,
                score=SQL.identifier(self.env["crm.marketing.rfm.score"]._table),
                companies=tuple(companies.ids) or (0,),
                start=start,
                month=month,
            )
        )
        series = defaultdict(dict)
        for company_id, rfm_class, day, amount in self.env.cr.fetchall():
            series[company_id, rfm_class][day] = float(amount)
        now = fields.Datetime.now()
        rows = []
        for (company_id, rfm_class), amounts in series.items():
            months = _months(min(amounts), month)
            history = [amounts.get(day, 0.0) for day in months]
            result = forecast.forecast(history, HORIZON_MONTHS)
            common = (result.method, result.error, result.measure, now)
            rows += [
                (company_id, rfm_class, day, "actual", amount, *common)
                for day, amount in zip(months, history, strict=True)
            ]
            rows += [
                (company_id, rfm_class, month + relativedelta(months=step), "forecast", amount, *common)
                for step, amount in enumerate(result.values)
            ]
        self.flush_model()
        self.env.cr.execute(self._crm_replace_query(companies, rows))
        self.invalidate_model()

    def _crm_replace_query(self, companies, rows):
        """The one statement that writes the new rows of ``companies`` and drops the others.

        An upsert on the unique (company, segment, kind, month) rather than delete and
        insert: when the cron and a manager's button run at the same moment, the second
        one meets the first one's rows and fails with a serialization error, which Odoo
        retries on the committed rows, instead of both inserting their copy.
        """
        table = SQL.identifier(self._table)
        upsert = SQL(
            """
            INSERT INTO %(table)s AS forecast (company_id, rfm_class, date, kind, amount, method, error,
                                               error_measure, computed_on)
            VALUES %(values)s
            ON CONFLICT (company_id, (COALESCE(rfm_class, '')), kind, date) DO UPDATE
               SET amount = EXCLUDED.amount, method = EXCLUDED.method, error = EXCLUDED.error,
                   error_measure = EXCLUDED.error_measure, computed_on = EXCLUDED.computed_on
            RETURNING id
            """,
            table=table,
            values=SQL(", ").join(SQL("(%s, %s, %s, %s, %s, %s, %s, %s, %s)", *row) for row in rows),
        )
        return SQL(
            """
            WITH upserted AS (%(upsert)s)
            DELETE FROM %(table)s AS stale
             WHERE stale.company_id IN %(companies)s
               AND NOT EXISTS (SELECT FROM upserted WHERE upserted.id = stale.id)
            """,
            upsert=upsert if rows else SQL("SELECT NULL::int AS id"),
            table=table,
            companies=tuple(companies.ids) or (0,),
        )


def _months(first, end):
    """The first days of the months from ``first`` up to ``end`` excluded."""
    months = []
    while first < end:
        months.append(first)
        first += relativedelta(months=1)
    return months
