from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import forecast


class CrmForecastWinRate(models.Model):
    """Historical win rate of each salesperson (and of the whole company) in a company.

    Computed by ``lib/forecast.py`` from the leads won and lost over the company's
    window (*Win rate history* in the settings, 12 months by default) and kept here so
    that the forecast report, an SQL view, projects the open pipeline with it. Only the
    daily cron writes these rows: the rates are the company's, computed as superuser over
    every closed lead, and no user triggers that (there is no button, nothing public).

    Every salesperson with open opportunities gets a row (the company's rate when they
    closed nothing yet), and the row without salesperson holds the company's rate (used
    for unassigned opportunities): the report joins one row per opportunity, on a
    unique index, which PostgreSQL drops from the plan when the projection is not asked.
    A company that closed nothing in the window has no rows: its projection is the
    weighted pipeline.
    """

    _name = "crm.forecast.win.rate"
    _description = "Historical Win Rate"
    _order = "company_id, user_id"

    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        ondelete="cascade",
        help="Empty on the company's own row, used for salespeople without history.",
    )
    date_from = fields.Date(string="History From", required=True)
    won_count = fields.Integer(string="Won")
    lost_count = fields.Integer(string="Lost")
    win_rate = fields.Float(
        digits=(16, 4),
        aggregator="avg",
        help="Won over closed leads in the window, pulled towards the company's rate while the "
        "salesperson closed few leads.",
    )

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS crm_forecast_win_rate_company_user_index ON %s "
                "(company_id, COALESCE(user_id, 0))",
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _cron_refresh(self):
        self._refresh()

    @api.model
    def _refresh(self, companies=None):
        """Recompute the win rates of ``companies`` (all by default) from their closed leads."""
        # sudo: win rates are the company's figures, computed over every closed lead;
        # who reads them is decided by this model's rules.
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        companies = (companies or self.env["res.company"].sudo().search([])).sudo()
        today = fields.Date.context_today(self)
        values = []
        for months, group in companies.grouped("crm_sfa_win_rate_months").items():
            date_from = forecast.window_start(today, max(months, 1))
            closed = Lead._read_group(
                [
                    ("company_id", "in", group.ids),
                    ("type", "=", "opportunity"),
                    ("date_closed", ">=", fields.Datetime.to_datetime(date_from)),
                    "|",
                    "&",
                    ("active", "=", True),
                    ("probability", "=", 100),
                    "&",
                    ("active", "=", False),
                    ("probability", "=", 0),
                ],
                ["company_id", "user_id", "active"],
                ["__count"],
            )
            counts = defaultdict(lambda: defaultdict(lambda: [0, 0]))
            for company, user, won, count in closed:
                counts[company][user][0 if won else 1] += count
            # salespeople with open opportunities and no history get the company's rate
            pipeline = Lead.with_context(active_test=True)._read_group(
                [
                    ("company_id", "in", [company.id for company in counts]),
                    ("type", "=", "opportunity"),
                    "|",
                    ("probability", "=", False),
                    ("probability", "<", 100),
                ],
                ["company_id", "user_id"],
            )
            for company, user in pipeline:
                counts[company].setdefault(user, [0, 0])
            for company in group:
                if company not in counts:
                    continue  # nothing closed in the window: the report keeps the weighted pipeline
                by_user = {user: tuple(pair) for user, pair in counts[company].items()}
                company_rate = forecast.pooled_rate(by_user)
                rates = forecast.win_rates(by_user, prior_rate=company_rate)
                won = sum(pair[0] for pair in by_user.values())
                lost = sum(pair[1] for pair in by_user.values())
                values.append(self._row(company, self.env["res.users"], date_from, won, lost, company_rate))
                values += [
                    self._row(company, user, date_from, rate.won, rate.lost, rate.rate)
                    for user, rate in rates.items()
                    if user
                ]
        self.sudo().search([("company_id", "in", companies.ids)]).unlink()
        return self.sudo().create(values)

    @api.model
    def _row(self, company, user, date_from, won, lost, rate):
        return {
            "company_id": company.id,
            "user_id": user.id,
            "date_from": date_from,
            "won_count": won,
            "lost_count": lost,
            "win_rate": rate,
        }
