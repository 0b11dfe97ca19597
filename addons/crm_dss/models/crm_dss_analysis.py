from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import trend as trend_lib

SATISFIED = 4  # of 5: Odoo's "top" rating (rating.models.rating_data.RATING_LIMIT_SATISFIED)
SERIES_MONTHS = 12
FORECAST_MONTHS = 3
HOLDOUT_MONTHS = 3
CASE = "crm.service.case"


class CrmDssAnalysis(models.AbstractModel):
    """Analysis for the decision level: satisfaction per branch and department, the
    salespeople's appraisal, customer behaviour and service quality by region with a
    trend forecast.

    Every reader takes a resolved ``crm.dss.scope`` and aggregates as superuser in a
    fixed number of grouped queries, filtered on the scope only. The tables are
    ``{"columns": [{"key", "label", "format"}], "rows": [...]}``, also read by the
    decision report; :meth:`get_analysis` returns them as the dashboard contract.
    """

    _name = "crm.dss.analysis"
    _description = "Decision Support Analysis"

    @api.model
    def get_analysis(self, company_ids=None, date_from=None, date_to=None):
        """The analysis board for ``company_ids`` (default: the current companies) and a period.

        :return: the dashboard contract dict (sections satisfaction, appraisal, region)
        :raise AccessError: the caller is not a manager, or asks for a company outside reach
        :raise UserError: the period is not two ISO dates in order
        """
        scope = self.env["crm.dss.scope"]._dss_scope(company_ids)
        Dashboard = self.env["crm.dss.dashboard"]
        date_from, date_to = Dashboard._dss_period(date_from, date_to)
        companies = self.env["res.company"].sudo().browse(scope.company_ids)  # sudo: names of the scope's companies
        rates, currency = Dashboard._dss_rates(companies)
        reader = _Reader(self, scope, date_from, date_to, rates)
        sections = []
        if self.env["crm.dss.scope"]._dss_installed(CASE):
            sections.append(self._dss_section_satisfaction(reader))
        sections += [self._dss_section_appraisal(reader), self._dss_section_region(reader)]
        return {
            "title": self.env._("Analysis"),
            "company_ids": list(scope.company_ids),
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
            "currency": currency,
            "sections": sections,
        }

    # ------------------------------------------------------------------ readers (the decision report's)

    @api.model
    def _dss_satisfaction(self, scope, date_from, date_to, group_by="company"):
        """Ratings of the service cases given in the period, per company or agent's department."""
        return self._dss_satisfaction_table(_Reader(self, scope, date_from, date_to), group_by)

    @api.model
    def _dss_appraisal(self, scope, date_from, date_to, group_by="user"):
        """The salespeople's figures of the period, per salesperson, department or company."""
        return self._dss_appraisal_table(_Reader(self, scope, date_from, date_to), group_by)

    # ------------------------------------------------------------------ tables

    def _dss_column(self, key, label, fmt="integer"):
        return {"key": key, "label": label, "format": fmt}

    def _dss_satisfaction_table(self, reader, group_by):
        if group_by not in ("company", "department", "user"):
            raise ValueError(f"satisfaction is grouped by company, department or user, not {group_by!r}")
        columns = [
            self._dss_column("name", reader.group_label(group_by), "text"),
            self._dss_column("rated", self.env._("Rated")),
            self._dss_column("satisfied", self.env._("Satisfied")),
            self._dss_column("satisfied_rate", self.env._("Satisfied %"), "percent"),
        ]
        if not reader.service:
            return {
                "columns": columns,
                "rows": [],
                "note": self.env._("Install Customer Service to see the satisfaction of rated cases."),
            }
        totals = defaultdict(lambda: [0, 0])
        for (company_id, user_id), (rated, satisfied) in reader.ratings().items():
            key = reader.group_key(group_by, company_id, user_id)
            totals[key][0] += rated
            totals[key][1] += satisfied
        names = reader.names(group_by, totals)
        rows = [
            {
                "key": key,
                "name": names[key],
                "rated": rated,
                "satisfied": satisfied,
                "satisfied_rate": _percent(satisfied, rated),
            }
            for key, (rated, satisfied) in totals.items()
        ]
        return {"columns": columns, "rows": sorted(rows, key=lambda row: row["name"])}

    def _dss_appraisal_table(self, reader, group_by):
        if group_by not in ("company", "department", "user"):
            raise ValueError(f"the appraisal is grouped by company, department or user, not {group_by!r}")
        measures = ("new_customers", "signed_customers", "orders_amount", "invoiced", "collected")
        totals = defaultdict(lambda: defaultdict(float))
        facts = (
            ("new_customers", reader.new_customers()),
            ("signed_customers", reader.signed_customers()),
            ("orders_amount", reader.orders_amount()),
            ("invoiced", reader.invoiced()),
            ("collected", reader.collected()),
            ("target", reader.targets()),
            ("won", reader.leads("won")),
            ("lost", reader.leads("lost")),
            ("rating", reader.ratings() if reader.service else {}),
        )
        for measure, values in facts:
            for (company_id, user_id), value in values.items():
                row = totals[reader.group_key(group_by, company_id, user_id)]
                if measure == "target":
                    row["target_amount"] += value[0]
                    row["target_achieved"] += value[1]
                elif measure == "rating":
                    row["rated"] += value[0]
                    row["satisfied"] += value[1]
                else:
                    row[measure] += reader.convert(company_id, value) if measure in AMOUNTS else value
        for key, overdue in reader.overdue(group_by).items():
            totals[key]["overdue"] += overdue
        rows = []
        names = reader.names(group_by, totals)
        for key, row in totals.items():
            rows.append(
                {
                    "key": key,
                    "name": names[key],
                    **{measure: row.get(measure, 0.0) for measure in measures},
                    "new_customers": int(row.get("new_customers", 0)),
                    "signed_customers": int(row.get("signed_customers", 0)),
                    "overdue": row.get("overdue", 0.0),
                    "target_completion": _percent(row.get("target_achieved", 0.0), row.get("target_amount", 0.0)),
                    "won": int(row.get("won", 0)),
                    "lost": int(row.get("lost", 0)),
                    "satisfied_rate": _percent(row.get("satisfied", 0), row.get("rated", 0)),
                }
            )
        columns = [
            self._dss_column("name", reader.group_label(group_by), "text"),
            self._dss_column("new_customers", self.env._("New Customers")),
            self._dss_column("signed_customers", self.env._("Signed Customers")),
            self._dss_column("orders_amount", self.env._("Orders"), "monetary"),
            self._dss_column("invoiced", self.env._("Invoiced"), "monetary"),
            self._dss_column("collected", self.env._("Collected"), "monetary"),
            self._dss_column("overdue", self.env._("Overdue"), "monetary"),
        ]
        if reader.sfa:
            columns.append(self._dss_column("target_completion", self.env._("Target Completion"), "percent"))
        if reader.crm:
            columns += [self._dss_column("won", self.env._("Won")), self._dss_column("lost", self.env._("Lost"))]
        if reader.service:
            columns.append(self._dss_column("satisfied_rate", self.env._("Satisfied %"), "percent"))
        return {"columns": columns, "rows": sorted(rows, key=lambda row: (-row["orders_amount"], row["name"]))}

    def _dss_region_table(self, reader):
        orders = reader.region_orders()
        cases = reader.region_cases() if reader.service else {}
        rows = []
        names = reader.region_names(set(orders) | set(cases))
        for key in sorted(names, key=names.get):
            count, amount = orders.get(key, (0, 0.0))
            case_count, breached = cases.get(key, (0, 0))
            row = {
                "key": f"{key[0]}-{key[1]}",
                "name": names[key],
                "orders": count,
                "orders_amount": amount,
                "average_order": amount / count if count else 0.0,
            }
            if reader.service:
                row.update(cases=case_count, sla_breached_rate=_percent(breached, case_count))
            rows.append(row)
        columns = [
            self._dss_column("name", self.env._("Region"), "text"),
            self._dss_column("orders", self.env._("Orders")),
            self._dss_column("orders_amount", self.env._("Amount"), "monetary"),
            self._dss_column("average_order", self.env._("Average Order"), "monetary"),
        ]
        if reader.service:
            columns += [
                self._dss_column("cases", self.env._("Cases")),
                self._dss_column("sla_breached_rate", self.env._("SLA Breached %"), "percent"),
            ]
        return {"columns": columns, "rows": rows}

    # ------------------------------------------------------------------ sections

    def _dss_section_satisfaction(self, reader):
        by_company = self._dss_satisfaction_table(reader, "company")
        by_department = self._dss_satisfaction_table(reader, "department")
        rated = sum(row["rated"] for row in by_company["rows"])
        satisfied = sum(row["satisfied"] for row in by_company["rows"])
        kpi = self.env["crm.dss.dashboard"]._dss_kpi
        drill = self.env["crm.dss.dashboard"]._dss_drill(
            "rating.rating",
            self.env._("Ratings"),
            [("res_model", "=", CASE), ("consumed", "=", True), ("rating", ">", 0), *reader.rating_period_domain()],
        )
        return {
            "key": "satisfaction",
            "title": self.env._("Satisfaction"),
            "kpis": [
                kpi("rated", self.env._("Rated Cases"), rated, "integer", drill),
                kpi("satisfied_rate", self.env._("Satisfied"), _percent(satisfied, rated), "percent", drill),
            ],
            "charts": [
                {
                    "key": "satisfaction_company",
                    "title": self.env._("Satisfied % per Branch"),
                    "type": "bar",
                    "labels": [row["name"] for row in by_company["rows"]],
                    "datasets": [
                        {
                            "label": self.env._("Satisfied %"),
                            "data": [row["satisfied_rate"] or 0.0 for row in by_company["rows"]],
                        }
                    ],
                }
            ],
            "tables": [
                {"key": "satisfaction_company", "title": self.env._("Satisfaction per Branch"), **by_company},
                {"key": "satisfaction_department", "title": self.env._("Satisfaction per Department"), **by_department},
            ],
        }

    def _dss_section_appraisal(self, reader):
        by_user = self._dss_appraisal_table(reader, "user")
        by_department = self._dss_appraisal_table(reader, "department")
        by_company = self._dss_appraisal_table(reader, "company")
        kpi = self.env["crm.dss.dashboard"]._dss_kpi
        rows = by_company["rows"]
        top = by_user["rows"][:10]
        return {
            "key": "appraisal",
            "title": self.env._("Salesperson Appraisal"),
            "kpis": [
                kpi("new_customers", self.env._("New Customers"), sum(r["new_customers"] for r in rows)),
                kpi("signed_customers", self.env._("Signed Customers"), sum(r["signed_customers"] for r in rows)),
                kpi("orders_amount", self.env._("Orders"), sum(r["orders_amount"] for r in rows), "monetary"),
                kpi("collected", self.env._("Collected"), sum(r["collected"] for r in rows), "monetary"),
            ],
            "charts": [
                {
                    "key": "appraisal_orders",
                    "title": self.env._("Orders and Collections per Salesperson"),
                    "type": "bar",
                    "labels": [row["name"] for row in top],
                    "datasets": [
                        {"label": self.env._("Orders"), "data": [row["orders_amount"] for row in top]},
                        {"label": self.env._("Collected"), "data": [row["collected"] for row in top]},
                    ],
                }
            ],
            "tables": [
                {"key": "appraisal_user", "title": self.env._("Per Salesperson"), **by_user},
                {"key": "appraisal_department", "title": self.env._("Per Department"), **by_department},
                {"key": "appraisal_company", "title": self.env._("Per Branch"), **by_company},
            ],
        }

    def _dss_section_region(self, reader):
        table = self._dss_region_table(reader)
        months, amounts, cases = reader.monthly_series()
        forecast = trend_lib.trend(amounts, FORECAST_MONTHS, HOLDOUT_MONTHS)
        labels = months + reader.next_months(FORECAST_MONTHS)
        kpi = self.env["crm.dss.dashboard"]._dss_kpi
        mape = forecast["mape"]
        charts = [
            {
                "key": "orders_trend",
                "title": self.env._("Monthly Orders and Trend"),
                "type": "line",
                "labels": labels,
                "datasets": [
                    {"label": self.env._("Orders"), "data": amounts + [None] * FORECAST_MONTHS},
                    {
                        "label": self.env._("Trend and Forecast"),
                        "data": [round(v, 2) for v in forecast["fitted"] + forecast["forecast"]],
                    },
                ],
            },
            {
                "key": "region_orders",
                "title": self.env._("Orders per Region"),
                "type": "bar",
                "labels": [row["name"] for row in table["rows"]],
                "datasets": [{"label": self.env._("Amount"), "data": [row["orders_amount"] for row in table["rows"]]}],
            },
        ]
        if reader.service:
            charts.append(
                {
                    "key": "cases_trend",
                    "title": self.env._("Monthly Cases"),
                    "type": "line",
                    "labels": months,
                    "datasets": [{"label": self.env._("Cases"), "data": cases}],
                }
            )
        return {
            "key": "region",
            "title": self.env._("Customer Behaviour and Service Quality by Region"),
            "kpis": [
                kpi("forecast_next", self.env._("Forecast Next Month"), round(forecast["forecast"][0], 2), "monetary"),
                kpi(
                    "forecast_mape",
                    self.env._("Forecast Error (MAPE)"),
                    round(mape, 2) if mape is not None else None,
                    "percent",
                    hint=self.env._(
                        "Mean absolute error of the trend on the last %s months, fitted without them.", HOLDOUT_MONTHS
                    ),
                ),
            ],
            "charts": charts,
            "tables": [
                {"key": "region", "title": self.env._("By Region"), **table},
                {
                    "key": "monthly",
                    "title": self.env._("Monthly Series"),
                    "columns": [
                        self._dss_column("month", self.env._("Month"), "text"),
                        self._dss_column("orders_amount", self.env._("Orders"), "monetary"),
                        self._dss_column("trend", self.env._("Trend"), "monetary"),
                    ],
                    "rows": [
                        {"month": month, "orders_amount": amount, "trend": round(fitted, 2)}
                        for month, amount, fitted in zip(
                            labels,
                            amounts + [None] * FORECAST_MONTHS,
                            forecast["fitted"] + forecast["forecast"],
                            strict=True,
                        )
                    ],
                },
            ],
        }


AMOUNTS = {"orders_amount", "invoiced", "collected"}


def _percent(part, whole):
    return round(100.0 * part / whole, 2) if whole else None


class _Reader:
    """The grouped queries of one analysis request, each run once, as superuser on ``scope``.

    Facts are keyed ``(company id, user id)`` and rolled up to a company, a department
    (of the user's employee) or a user by :meth:`group_key`.
    """

    def __init__(self, analysis, scope, date_from, date_to, rates=None):
        self.env = analysis.env
        self.cr = analysis.env.cr
        self.scope = scope
        Dashboard = self.env["crm.dss.dashboard"]
        self.date_from, self.date_to = Dashboard._dss_period(date_from, date_to)
        self.dt_from, self.dt_to = self.env["crm.dss.scope"]._dss_day_bounds(self.date_from, self.date_to)
        self.rates = rates or {}
        installed = self.env["crm.dss.scope"]._dss_installed
        self.service = installed(CASE)
        self.sfa = installed("crm.sales.target")
        self.crm = installed("crm.lead")
        self._memo = {}
        self.env.flush_all()

    # ---- plumbing

    @property
    def companies(self):
        return tuple(self.scope.company_ids) or (0,)

    def users(self, column):
        if self.scope.user_ids is None:
            return SQL()
        if not self.scope.user_ids:
            return SQL("AND FALSE")
        return SQL("AND %s IN %s", column, tuple(self.scope.user_ids))

    def rows(self, query):
        self.cr.execute(query)
        return self.cr.fetchall()

    def once(self, key, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def convert(self, company_id, amount):
        return (amount or 0.0) * self.rates.get(company_id, 1.0)

    def pairs(self, query):
        return {(company_id, user_id): value for company_id, user_id, value in self.rows(query)}

    def rating_period_domain(self):
        return [
            ("write_date", ">=", fields.Datetime.to_string(self.dt_from)),
            ("write_date", "<", fields.Datetime.to_string(self.dt_to)),
        ]

    # ---- grouping

    def departments(self):
        """``{user id: department id}`` of the scope's companies' employees."""

        def compute():
            return dict(
                self.rows(
                    SQL(
                        """
                        SELECT DISTINCT ON (user_id) user_id, department_id
                          FROM hr_employee
                         WHERE user_id IS NOT NULL AND active AND company_id IN %s
                      ORDER BY user_id, id
                        """,
                        self.companies,
                    )
                )
            )

        return self.once("departments", compute)

    def group_key(self, group_by, company_id, user_id):
        if group_by == "company":
            return company_id
        if group_by == "user":
            return user_id or 0
        return self.departments().get(user_id) or 0

    def group_label(self, group_by):
        return {
            "company": self.env._("Branch"),
            "department": self.env._("Department"),
            "user": self.env._("Salesperson"),
        }[group_by]

    def names(self, group_by, keys):
        """``{key: label}`` of the companies, departments or users ``keys``, read in one batch."""
        model = {"company": "res.company", "department": "hr.department", "user": "res.users"}[group_by]
        records = self.env[model].sudo().browse([key for key in keys if key])  # sudo: labels of the scope's figures
        labels = {record.id: record.display_name for record in records}
        missing = self.env._("Unassigned") if group_by == "user" else self.env._("No Department")
        return {key: labels.get(key, missing) for key in keys}

    # ---- facts per (company, user)

    def new_customers(self):
        return self.once(
            "new_customers",
            lambda: self.pairs(
                SQL(
                    """
                    SELECT COALESCE(p.company_id, u.company_id), p.user_id, COUNT(*)
                      FROM res_partner p
                      LEFT JOIN res_users u ON u.id = p.create_uid
                     WHERE p.active AND p.parent_id IS NULL AND p.customer_rank > 0
                       AND p.create_date >= %(start)s AND p.create_date < %(end)s
                       AND COALESCE(p.company_id, u.company_id) IN %(companies)s %(users)s
                  GROUP BY 1, 2
                    """,
                    start=self.dt_from,
                    end=self.dt_to,
                    companies=self.companies,
                    users=self.users(SQL("p.user_id")),
                )
            ),
        )

    def signed_customers(self):
        """Customers whose first confirmed order with the company falls in the period."""
        return self.once(
            "signed",
            lambda: self.pairs(
                SQL(
                    """
                    SELECT first.company_id, first.user_id, COUNT(*)
                      FROM (SELECT DISTINCT ON (so.company_id, so.partner_id) so.company_id, so.user_id, so.date_order
                              FROM sale_order so
                             WHERE so.state = 'sale' AND so.company_id IN %(companies)s
                               AND so.date_order < %(end)s
                          ORDER BY so.company_id, so.partner_id, so.date_order, so.id) first
                     WHERE first.date_order >= %(start)s %(users)s
                  GROUP BY 1, 2
                    """,
                    start=self.dt_from,
                    end=self.dt_to,
                    companies=self.companies,
                    users=self.users(SQL("first.user_id")),
                )
            ),
        )

    def orders_amount(self):
        return self.once(
            "orders",
            lambda: self.pairs(
                SQL(
                    """
                    SELECT so.company_id, so.user_id,
                           SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                      FROM sale_order so
                     WHERE so.state = 'sale' AND so.company_id IN %(companies)s
                       AND so.date_order >= %(start)s AND so.date_order < %(end)s %(users)s
                  GROUP BY 1, 2
                    """,
                    start=self.dt_from,
                    end=self.dt_to,
                    companies=self.companies,
                    users=self.users(SQL("so.user_id")),
                )
            ),
        )

    def _invoices(self):
        def compute():
            rows = self.rows(
                SQL(
                    """
                    SELECT am.company_id, am.invoice_user_id,
                           COALESCE(SUM(am.amount_untaxed_signed), 0),
                           COALESCE(SUM(am.amount_total_signed - am.amount_residual_signed), 0)
                      FROM account_move am
                     WHERE am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')
                       AND am.company_id IN %(companies)s
                       AND am.invoice_date >= %(start)s AND am.invoice_date <= %(end)s %(users)s
                  GROUP BY 1, 2
                    """,
                    start=self.date_from,
                    end=self.date_to,
                    companies=self.companies,
                    users=self.users(SQL("am.invoice_user_id")),
                )
            )
            return {(company_id, user_id): (invoiced, collected) for company_id, user_id, invoiced, collected in rows}

        return self.once("invoices", compute)

    def invoiced(self):
        return {key: value[0] for key, value in self._invoices().items()}

    def collected(self):
        return {key: value[1] for key, value in self._invoices().items()}

    def overdue(self, group_by):
        """``{group key: overdue}`` from the suite's receivables reader (its one overdue rule)."""
        Lines = self.env["account.move.line"]
        if group_by == "company":
            figures = Lines._crm_dss_receivables(self.scope, today=self.date_to, group_by="company")
            return {key: self.convert(key, values["overdue"]) for key, values in figures.items()}
        figures = Lines._crm_dss_receivables(self.scope, today=self.date_to, group_by="user")
        result = defaultdict(float)
        for user_id, values in figures.items():
            result[self.group_key(group_by, None, user_id)] += values["overdue"]
        return dict(result)

    def targets(self):
        """``{(company, user): (target, achieved)}`` of the salespeople's targets overlapping the period."""
        if not self.sfa:
            return {}

        def compute():
            Target = self.env["crm.sales.target"].sudo()  # sudo: the scope's targets, aggregated
            domain = [
                ("level", "=", "user"),
                ("company_id", "in", list(self.companies)),
                ("date_from", "<=", self.date_to),
                ("date_to", ">=", self.date_from),
            ]
            if self.scope.user_ids is not None:
                domain.append(("user_id", "in", list(self.scope.user_ids)))
            groups = Target._read_group(domain, ["company_id", "user_id"], ["amount:sum", "achieved_amount:sum"])
            return {(company.id, user.id): (amount, achieved) for company, user, amount, achieved in groups}

        return self.once("targets", compute)

    def _leads(self):
        def compute():
            rows = self.rows(
                SQL(
                    """
                    SELECT l.company_id, l.user_id,
                           COUNT(*) FILTER (WHERE l.active AND s.is_won),
                           COUNT(*) FILTER (WHERE NOT l.active AND l.probability = 0)
                      FROM crm_lead l
                      LEFT JOIN crm_stage s ON s.id = l.stage_id
                     WHERE l.company_id IN %(companies)s
                       AND l.date_closed >= %(start)s AND l.date_closed < %(end)s %(users)s
                  GROUP BY 1, 2
                    """,
                    start=self.dt_from,
                    end=self.dt_to,
                    companies=self.companies,
                    users=self.users(SQL("l.user_id")),
                )
            )
            return {(c, u): (won, lost) for c, u, won, lost in rows}

        return self.once("leads", compute) if self.crm else {}

    def leads(self, which):
        index = 0 if which == "won" else 1
        return {key: value[index] for key, value in self._leads().items()}

    def ratings(self):
        """``{(company, agent): (rated, satisfied)}`` of the cases' ratings given in the period."""
        if not self.service:
            return {}

        def compute():
            rows = self.rows(
                SQL(
                    """
                    SELECT c.company_id, c.user_id, COUNT(*), COUNT(*) FILTER (WHERE r.rating >= %(satisfied)s)
                      FROM rating_rating r
                      JOIN crm_service_case c ON c.id = r.res_id
                     WHERE r.res_model = %(model)s AND r.consumed AND r.rating > 0
                       AND r.write_date >= %(start)s AND r.write_date < %(end)s
                       AND c.company_id IN %(companies)s %(users)s
                  GROUP BY 1, 2
                    """,
                    satisfied=SATISFIED,
                    model=CASE,
                    start=self.dt_from,
                    end=self.dt_to,
                    companies=self.companies,
                    users=self.users(SQL("c.user_id")),
                )
            )
            return {(c, u): (rated, satisfied) for c, u, rated, satisfied in rows}

        return self.once("ratings", compute)

    # ---- regions and months

    def region_orders(self):
        """``{(country id, state id): (orders, amount)}`` of the period's confirmed orders."""
        rows = self.rows(
            SQL(
                """
                SELECT COALESCE(p.country_id, 0), COALESCE(p.state_id, 0), so.company_id, COUNT(*),
                       SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale' AND so.company_id IN %(companies)s
                   AND so.date_order >= %(start)s AND so.date_order < %(end)s %(users)s
              GROUP BY 1, 2, 3
                """,
                start=self.dt_from,
                end=self.dt_to,
                companies=self.companies,
                users=self.users(SQL("so.user_id")),
            )
        )
        result = {}
        for country, state, company_id, count, amount in rows:
            previous = result.get((country, state), (0, 0.0))
            result[country, state] = (previous[0] + count, previous[1] + self.convert(company_id, amount))
        return result

    def region_cases(self):
        """``{(country id, state id): (cases, SLA breached)}`` of the cases opened in the period."""
        rows = self.rows(
            SQL(
                """
                SELECT COALESCE(p.country_id, 0), COALESCE(p.state_id, 0), COUNT(*),
                       COUNT(*) FILTER (WHERE c.sla_response_status = 'breached'
                                           OR c.sla_resolution_status = 'breached')
                  FROM crm_service_case c
                  JOIN res_partner p ON p.id = c.partner_id
                 WHERE c.company_id IN %(companies)s
                   AND c.date_open >= %(start)s AND c.date_open < %(end)s %(users)s
              GROUP BY 1, 2
                """,
                start=self.dt_from,
                end=self.dt_to,
                companies=self.companies,
                users=self.users(SQL("c.user_id")),
            )
        )
        return {(country, state): (count, breached) for country, state, count, breached in rows}

    def region_names(self, keys):
        """``{(country id, state id): label}`` read in one batch per model."""
        states = self.env["res.country.state"].browse([state for _country, state in keys if state])
        countries = self.env["res.country"].browse([country for country, state in keys if country and not state])
        state_labels = {state.id: f"{state.country_id.name} / {state.name}" for state in states}
        country_labels = {country.id: country.name for country in countries}
        return {
            (country, state): state_labels.get(state) or country_labels.get(country) or self.env._("No Region")
            for country, state in keys
        }

    def _months(self):
        last = self.date_to.replace(day=1)
        return [last - relativedelta(months=SERIES_MONTHS - 1 - index) for index in range(SERIES_MONTHS)]

    def next_months(self, count):
        last = self.date_to.replace(day=1)
        return [(last + relativedelta(months=index + 1)).strftime("%Y-%m") for index in range(count)]

    def monthly_series(self):
        """``(labels, order amounts, cases)`` of the last 12 months up to the period's end."""
        months = self._months()
        start = self.env["crm.dss.scope"]._dss_day_bounds(months[0], months[0])[0]
        amounts = defaultdict(float)
        for month, company_id, amount in self.rows(
            SQL(
                """
                SELECT date_trunc('month', so.date_order)::date, so.company_id,
                       SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                  FROM sale_order so
                 WHERE so.state = 'sale' AND so.company_id IN %(companies)s
                   AND so.date_order >= %(start)s AND so.date_order < %(end)s %(users)s
              GROUP BY 1, 2
                """,
                start=start,
                end=self.dt_to,
                companies=self.companies,
                users=self.users(SQL("so.user_id")),
            )
        ):
            amounts[month] += self.convert(company_id, amount)
        cases = {}
        if self.service:
            cases = dict(
                self.rows(
                    SQL(
                        """
                        SELECT date_trunc('month', c.date_open)::date, COUNT(*)
                          FROM crm_service_case c
                         WHERE c.company_id IN %(companies)s
                           AND c.date_open >= %(start)s AND c.date_open < %(end)s %(users)s
                      GROUP BY 1
                        """,
                        start=start,
                        end=self.dt_to,
                        companies=self.companies,
                        users=self.users(SQL("c.user_id")),
                    )
                )
            )
        return (
            [month.strftime("%Y-%m") for month in months],
            [round(amounts.get(month, 0.0), 2) for month in months],
            [cases.get(month, 0) for month in months],
        )
