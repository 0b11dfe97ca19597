from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.crm_workflow.lib.receivables import AGEING_BUCKETS, AGEING_LABELS

#: The records whose follow-ups (activities) the dashboard counts.
FOLLOW_UP_MODELS = ("crm.lead", "res.partner", "sale.order")
INCOME_TYPES = ("income", "income_other")
EXPENSE_TYPES = ("expense", "expense_depreciation", "expense_direct_cost")
LIST_FORM = [[False, "list"], [False, "form"]]


class CrmDssDashboard(models.AbstractModel):
    """The executive dashboard: the figures of HQ and each branch for a period.

    Every figure is read in a fixed number of grouped queries, as superuser, filtered
    by the caller's scope (``crm.dss.scope``), so the cost does not grow with the number
    of companies and the query count does not grow with the data. The result follows
    the dashboard data contract that the OWL client (``crm_dss.dashboard``) renders and
    the XLSX export reads: sections of KPIs, charts and tables, each figure that stands
    for records carrying a drill-down action (a literal domain the user opens with their
    own rights).
    """

    _name = "crm.dss.dashboard"
    _description = "Decision Support Dashboard"

    @api.model
    def get_executive_dashboard(self, company_ids=None, date_from=None, date_to=None):
        """The executive dashboard for ``company_ids`` (default: the current companies) and a period.

        :param date_from: ISO date, default the first day of this month
        :param date_to: ISO date, default the last day of this month
        :return: the dashboard contract dict
        :raise AccessError: the caller is not a manager, or asks for a company outside reach
        :raise UserError: the period is not two ISO dates in order
        """
        scope = self.env["crm.dss.scope"]._dss_scope(company_ids)
        date_from, date_to = self._dss_period(date_from, date_to)
        companies = self.env["res.company"].sudo().browse(scope.company_ids)  # sudo: names of the scope's companies
        rates, currency = self._dss_rates(companies)
        ctx = _Context(self, scope, companies, date_from, date_to, rates)
        sections = [
            self._dss_section_overview(ctx),
            self._dss_section_customers(ctx),
            self._dss_section_follow_ups(ctx),
        ]
        Scope = self.env["crm.dss.scope"]
        if Scope._dss_installed("crm.sales.target"):
            sections.append(self._dss_section_targets(ctx))
        sections += [self._dss_section_receivables(ctx), self._dss_section_finance(ctx)]
        if Scope._dss_installed("crm.daily.plan"):
            sections.append(self._dss_section_daily_work(ctx))
        if Scope._dss_installed("crm.market.intel"):
            sections.append(self._dss_section_market_intel(ctx))
        return {
            "title": self.env._("Executive Dashboard"),
            "company_ids": list(scope.company_ids),
            "department_ids": list(scope.department_ids or []),
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
            "currency": currency,
            "sections": sections,
        }

    # ------------------------------------------------------------------ helpers

    @api.model
    def _dss_period(self, date_from, date_to):
        """``(date_from, date_to)`` as dates; this month by default."""
        today = fields.Date.context_today(self)
        try:
            start = fields.Date.to_date(date_from) if date_from else today.replace(day=1)
            end = fields.Date.to_date(date_to) if date_to else today.replace(day=1) + relativedelta(months=1, days=-1)
        except ValueError as error:
            raise UserError(self.env._("Give the period as two dates (YYYY-MM-DD): %s", error)) from error
        if start > end:
            raise UserError(self.env._("The period starts after it ends: choose a start date before the end date."))
        return start, end

    @api.model
    def _dss_rates(self, companies):
        """``({company id: rate into the current company's currency}, contract currency dict)``."""
        target = self.env.company.currency_id
        today = fields.Date.context_today(self)
        rates = {}
        for company in companies:
            source = company.currency_id
            rates[company.id] = (
                1.0 if source == target else source._get_conversion_rate(source, target, self.env.company, today)
            )
        currency = {
            "id": target.id,
            "name": target.name,
            "symbol": target.symbol,
            "position": target.position,
            "digits": target.decimal_places,
        }
        if any(rate != 1.0 for rate in rates.values()) or len(companies.currency_id) > 1:
            currency["note"] = self.env._(
                "Amounts of companies in another currency are converted into %s at today's rate.", target.name
            )
        return rates, currency

    @staticmethod
    def _dss_kpi(key, label, value, fmt="integer", action=None, hint=None):
        kpi = {"key": key, "label": label, "value": value, "format": fmt, "action": action}
        if hint:
            kpi["hint"] = hint
        return kpi

    @staticmethod
    def _dss_drill(res_model, name, domain, views=None, context=None):
        return {
            "res_model": res_model,
            "name": name,
            "domain": domain,
            "views": views or LIST_FORM,
            "context": context or {},
        }

    def _dss_intel_table(self, intel, with_company=True):
        """The table of the latest market intelligence ``intel`` (``crm.market.intel``), each row
        opening its record; the executive board shows each entry's company, a department's not."""
        kinds = dict(intel._fields["kind"]._description_selection(self.env))
        columns = [
            {"key": "date", "label": self.env._("Date"), "format": "date"},
            {"key": "name", "label": self.env._("Subject"), "format": "text"},
            {"key": "kind", "label": self.env._("Kind"), "format": "text"},
        ]
        if with_company:
            columns.append({"key": "company", "label": self.env._("Company"), "format": "text"})
        columns.append({"key": "user", "label": self.env._("Author"), "format": "text"})
        rows = []
        for record in intel:
            row = {
                "date": fields.Date.to_string(record.date),
                "name": record.name,
                "kind": kinds.get(record.kind, record.kind),
                "user": record.user_id.name or "",
                "action": self._dss_drill("crm.market.intel", record.name, [("id", "=", record.id)], [[False, "form"]]),
            }
            if with_company:
                row["company"] = record.company_id.name
            rows.append(row)
        return {
            "key": "latest_intel",
            "title": self.env._("Latest Market Intelligence"),
            "columns": columns,
            "rows": rows,
        }

    # ------------------------------------------------------------------ sections

    def _dss_section_customers(self, ctx):
        new = ctx.new_customers()
        signed = ctx.newly_signed()
        new_drills = [ctx.new_customers_drill([cid]) for cid in ctx.company_ids]
        signed_drills = [ctx.signed_drill(signed.get(cid, [])) for cid in ctx.company_ids]
        all_signed = sorted({pid for ids in signed.values() for pid in ids})
        return {
            "key": "customers",
            "title": self.env._("Customers"),
            "kpis": [
                self._dss_kpi(
                    "new_customers",
                    self.env._("New Customers"),
                    sum(new.values()),
                    action=ctx.new_customers_drill(ctx.company_ids),
                    hint=self.env._("Customers (companies and individuals) created in the period"),
                ),
                self._dss_kpi(
                    "signed_customers",
                    self.env._("Newly Signed Customers"),
                    len(all_signed),
                    action=ctx.signed_drill(all_signed),
                    hint=self.env._("Customers whose first confirmed order with the company falls in the period"),
                ),
            ],
            "charts": [
                {
                    "key": "new_customers_by_company",
                    "title": self.env._("New Customers per Company"),
                    "type": "bar",
                    "labels": ctx.company_labels,
                    "datasets": [
                        {"label": self.env._("New Customers"), "data": [new.get(cid, 0) for cid in ctx.company_ids]}
                    ],
                    "actions": new_drills,
                },
                {
                    "key": "signed_customers_by_company",
                    "title": self.env._("Newly Signed Customers per Company"),
                    "type": "bar",
                    "labels": ctx.company_labels,
                    "datasets": [
                        {
                            "label": self.env._("Newly Signed"),
                            "data": [len(signed.get(cid, [])) for cid in ctx.company_ids],
                        }
                    ],
                    "actions": signed_drills,
                },
            ],
            "tables": [],
        }

    def _dss_section_follow_ups(self, ctx):
        done = ctx.follow_ups_done()
        overdue = ctx.follow_ups_overdue()
        return {
            "key": "follow_ups",
            "title": self.env._("Follow-ups"),
            "kpis": [
                self._dss_kpi(
                    "follow_ups_done",
                    self.env._("Follow-ups Done"),
                    sum(done.values()),
                    action=ctx.done_drill(ctx.company_ids),
                    hint=self.env._("Activities on leads, customers and orders marked done in the period"),
                ),
                self._dss_kpi(
                    "follow_ups_overdue",
                    self.env._("Overdue Follow-ups"),
                    sum(overdue.values()),
                    action=ctx.overdue_activities_drill(ctx.company_ids),
                    hint=self.env._("Open activities on leads, customers and orders past their deadline today"),
                ),
            ],
            "charts": [
                {
                    "key": "follow_ups_by_company",
                    "title": self.env._("Follow-ups per Company"),
                    "type": "bar",
                    "labels": ctx.company_labels,
                    "datasets": [
                        {"label": self.env._("Done"), "data": [done.get(cid, 0) for cid in ctx.company_ids]},
                        {"label": self.env._("Overdue"), "data": [overdue.get(cid, 0) for cid in ctx.company_ids]},
                    ],
                    "actions": [ctx.overdue_activities_drill([cid]) for cid in ctx.company_ids],
                }
            ],
            "tables": [],
        }

    def _dss_section_receivables(self, ctx):
        invoiced = ctx.invoiced()
        collected = ctx.collected()
        open_ = ctx.receivables()
        total = defaultdict(float)
        for figures in open_.values():
            for key in ("outstanding", "overdue", *AGEING_LABELS):
                total[key] += figures[key]
        invoice_total = sum(amount for amount, _count in invoiced.values())
        return {
            "key": "receivables",
            "title": self.env._("Receivables"),
            "kpis": [
                self._dss_kpi(
                    "invoiced",
                    self.env._("Invoiced"),
                    invoice_total,
                    "monetary",
                    ctx.invoices_drill(ctx.company_ids),
                    self.env._("Posted customer invoices less credit notes dated in the period, taxes included"),
                ),
                self._dss_kpi(
                    "collected",
                    self.env._("Collected"),
                    sum(collected.values()),
                    "monetary",
                    ctx.collected_drill(ctx.company_ids),
                    self.env._("Customer payments matched with invoices in the period"),
                ),
                self._dss_kpi(
                    "outstanding",
                    self.env._("Outstanding"),
                    total["outstanding"],
                    "monetary",
                    ctx.receivable_lines_drill(ctx.company_ids, self.env._("Outstanding Receivables")),
                    self.env._("Everything customers still owe today"),
                ),
                self._dss_kpi(
                    "overdue",
                    self.env._("Overdue"),
                    total["overdue"],
                    "monetary",
                    ctx.receivable_lines_drill(ctx.company_ids, self.env._("Overdue Receivables"), overdue=True),
                    self.env._("Instalments past their due date with something left to pay"),
                ),
            ],
            "charts": [
                {
                    "key": "ageing",
                    "title": self.env._("Overdue Ageing (days)"),
                    "type": "bar",
                    "labels": [AGEING_LABELS[key] for key, _first, _last in AGEING_BUCKETS],
                    "datasets": [
                        {"label": self.env._("Overdue"), "data": [total[key] for key, _f, _l in AGEING_BUCKETS]}
                    ],
                    "actions": [
                        ctx.receivable_lines_drill(
                            ctx.company_ids,
                            self.env._("Overdue %s days", AGEING_LABELS[key]),
                            overdue=True,
                            days=(first, last),
                        )
                        for key, first, last in AGEING_BUCKETS
                    ],
                },
                {
                    "key": "receivables_by_company",
                    "title": self.env._("Receivables per Company"),
                    "type": "bar",
                    "labels": ctx.company_labels,
                    "datasets": [
                        {
                            "label": self.env._("Outstanding"),
                            "data": [open_.get(cid, {}).get("outstanding", 0.0) for cid in ctx.company_ids],
                        },
                        {
                            "label": self.env._("Overdue"),
                            "data": [open_.get(cid, {}).get("overdue", 0.0) for cid in ctx.company_ids],
                        },
                    ],
                    "actions": [
                        ctx.receivable_lines_drill([cid], self.env._("Overdue Receivables"), overdue=True)
                        for cid in ctx.company_ids
                    ],
                },
            ],
            "tables": [],
        }

    def _dss_section_finance(self, ctx):
        months, monthly, period = ctx.profit_and_loss()
        income = [monthly[month]["income"] for month in months]
        expenses = [monthly[month]["expense"] for month in months]
        labels = [month.strftime("%Y-%m") for month in months]
        return {
            "key": "finance",
            "title": self.env._("Income and Expenses"),
            "kpis": [
                self._dss_kpi(
                    "income",
                    self.env._("Income"),
                    period["income"],
                    "monetary",
                    ctx.pl_drill(INCOME_TYPES, self.env._("Income")),
                ),
                self._dss_kpi(
                    "expenses",
                    self.env._("Expenses"),
                    period["expense"],
                    "monetary",
                    ctx.pl_drill(EXPENSE_TYPES, self.env._("Expenses")),
                ),
                self._dss_kpi(
                    "profit",
                    self.env._("Profit"),
                    period["income"] - period["expense"],
                    "monetary",
                    ctx.pl_drill(INCOME_TYPES + EXPENSE_TYPES, self.env._("Income and Expenses")),
                ),
            ],
            "charts": [
                {
                    "key": "monthly_profit",
                    "title": self.env._("Monthly Income, Expenses and Profit (last 12 months)"),
                    "type": "bar",
                    "labels": labels,
                    "datasets": [
                        {"label": self.env._("Income"), "data": income},
                        {"label": self.env._("Expenses"), "data": expenses},
                        {"label": self.env._("Profit"), "data": [i - e for i, e in zip(income, expenses, strict=True)]},
                    ],
                    "actions": [
                        ctx.pl_drill(
                            INCOME_TYPES + EXPENSE_TYPES,
                            self.env._("Income and Expenses %s", label),
                            month,
                            month + relativedelta(months=1, days=-1),
                        )
                        for month, label in zip(months, labels, strict=True)
                    ],
                }
            ],
            "tables": [],
        }

    def _dss_section_overview(self, ctx):
        new, signed = ctx.new_customers(), ctx.newly_signed()
        done, overdue_fu = ctx.follow_ups_done(), ctx.follow_ups_overdue()
        invoiced, collected, open_ = ctx.invoiced(), ctx.collected(), ctx.receivables()
        pl = ctx.pl_by_company()
        rows = []
        for cid, label in zip(ctx.company_ids, ctx.company_labels, strict=True):
            receivable = open_.get(cid, {})
            rows.append(
                {
                    "company": label,
                    "new_customers": new.get(cid, 0),
                    "signed_customers": len(signed.get(cid, [])),
                    "follow_ups_done": done.get(cid, 0),
                    "follow_ups_overdue": overdue_fu.get(cid, 0),
                    "invoiced": invoiced.get(cid, (0.0, 0))[0],
                    "collected": collected.get(cid, 0.0),
                    "outstanding": receivable.get("outstanding", 0.0),
                    "overdue": receivable.get("overdue", 0.0),
                    "income": pl[cid]["income"],
                    "expenses": pl[cid]["expense"],
                    "profit": pl[cid]["income"] - pl[cid]["expense"],
                    "action": ctx.invoices_drill([cid]),
                }
            )
        columns = [
            ("company", self.env._("Company"), "text"),
            ("new_customers", self.env._("New Customers"), "integer"),
            ("signed_customers", self.env._("Newly Signed"), "integer"),
            ("follow_ups_done", self.env._("Follow-ups Done"), "integer"),
            ("follow_ups_overdue", self.env._("Overdue Follow-ups"), "integer"),
            ("invoiced", self.env._("Invoiced"), "monetary"),
            ("collected", self.env._("Collected"), "monetary"),
            ("outstanding", self.env._("Outstanding"), "monetary"),
            ("overdue", self.env._("Overdue"), "monetary"),
            ("income", self.env._("Income"), "monetary"),
            ("expenses", self.env._("Expenses"), "monetary"),
            ("profit", self.env._("Profit"), "monetary"),
        ]
        return {
            "key": "overview",
            "title": self.env._("HQ and Branches"),
            "kpis": [],
            "charts": [
                {
                    "key": "invoiced_by_company",
                    "title": self.env._("Invoiced and Collected per Company"),
                    "type": "bar",
                    "labels": ctx.company_labels,
                    "datasets": [
                        {"label": self.env._("Invoiced"), "data": [row["invoiced"] for row in rows]},
                        {"label": self.env._("Collected"), "data": [row["collected"] for row in rows]},
                    ],
                    "actions": [row["action"] for row in rows],
                }
            ],
            "tables": [
                {
                    "key": "companies",
                    "title": self.env._("Figures per Company"),
                    "columns": [{"key": key, "label": label, "format": fmt} for key, label, fmt in columns],
                    "rows": rows,
                }
            ],
        }

    def _dss_section_targets(self, ctx):
        groups = ctx.targets()
        measures = dict(self.env["crm.sales.target"]._fields["measure"]._description_selection(self.env))
        rows = []
        amount = achieved = 0.0
        labels = dict(zip(ctx.company_ids, ctx.company_labels, strict=True))
        for (cid, measure), (target, done) in sorted(groups.items()):
            amount += target
            achieved += done
            rows.append(
                {
                    "company": labels.get(cid, ""),
                    "measure": measures.get(measure, measure),
                    "target": target,
                    "achieved": done,
                    "completion": done / target * 100.0 if target else 0.0,
                    "action": ctx.targets_drill([cid]),
                }
            )
        by_company = defaultdict(lambda: [0.0, 0.0])
        for (cid, _measure), (target, done) in groups.items():
            by_company[cid][0] += target
            by_company[cid][1] += done
        return {
            "key": "targets",
            "title": self.env._("Annual Targets %s", ctx.date_to.year),
            "kpis": [
                self._dss_kpi(
                    "target_completion",
                    self.env._("Annual Target Completion"),
                    achieved / amount * 100.0 if amount else 0.0,
                    "percent",
                    ctx.targets_drill(ctx.company_ids),
                    self.env._("Achieved over target of the year's annual targets"),
                ),
                self._dss_kpi(
                    "target_amount", self.env._("Annual Target"), amount, "monetary", ctx.targets_drill(ctx.company_ids)
                ),
            ],
            "charts": [
                {
                    "key": "target_completion_by_company",
                    "title": self.env._("Annual Target Completion per Company (%)"),
                    "type": "bar",
                    "labels": ctx.company_labels,
                    "datasets": [
                        {
                            "label": self.env._("Completion (%)"),
                            "data": [
                                by_company[cid][1] / by_company[cid][0] * 100.0 if by_company[cid][0] else 0.0
                                for cid in ctx.company_ids
                            ],
                        }
                    ],
                    "actions": [ctx.targets_drill([cid]) for cid in ctx.company_ids],
                }
            ],
            "tables": [
                {
                    "key": "targets",
                    "title": self.env._("Annual Targets"),
                    "columns": [
                        {"key": "company", "label": self.env._("Company"), "format": "text"},
                        {"key": "measure", "label": self.env._("Measure"), "format": "text"},
                        {"key": "target", "label": self.env._("Target"), "format": "monetary"},
                        {"key": "achieved", "label": self.env._("Achieved"), "format": "monetary"},
                        {"key": "completion", "label": self.env._("Completion"), "format": "percent"},
                    ],
                    "rows": rows,
                }
            ],
        }

    def _dss_section_daily_work(self, ctx):
        per_company, plans = ctx.daily_work()
        planned = sum(figures[1] for figures in per_company.values())
        done = sum(figures[2] for figures in per_company.values())
        states = dict(self.env["crm.daily.plan"]._fields["state"]._description_selection(self.env))
        return {
            "key": "daily_work",
            "title": self.env._("Staff's Work Today"),
            "kpis": [
                self._dss_kpi(
                    "daily_plans",
                    self.env._("Daily Plans Today"),
                    sum(figures[0] for figures in per_company.values()),
                    action=ctx.daily_plans_drill(ctx.company_ids),
                ),
                self._dss_kpi(
                    "daily_planned", self.env._("Calls and Visits Planned"), planned, action=ctx.daily_lines_drill()
                ),
                self._dss_kpi(
                    "daily_done",
                    self.env._("Calls and Visits Done"),
                    done,
                    action=ctx.daily_lines_drill(done=True),
                ),
                self._dss_kpi(
                    "daily_completion",
                    self.env._("Completion Today"),
                    done / planned * 100.0 if planned else 0.0,
                    "percent",
                ),
            ],
            "charts": [
                {
                    "key": "daily_work_by_company",
                    "title": self.env._("Work Today per Company"),
                    "type": "bar",
                    "labels": ctx.company_labels,
                    "datasets": [
                        {
                            "label": self.env._("Planned"),
                            "data": [per_company.get(cid, (0, 0, 0))[1] for cid in ctx.company_ids],
                        },
                        {
                            "label": self.env._("Done"),
                            "data": [per_company.get(cid, (0, 0, 0))[2] for cid in ctx.company_ids],
                        },
                    ],
                    "actions": [ctx.daily_plans_drill([cid]) for cid in ctx.company_ids],
                }
            ],
            "tables": [
                {
                    "key": "daily_plans",
                    "title": self.env._("Daily Plans Today"),
                    "columns": [
                        {"key": "user", "label": self.env._("Salesperson"), "format": "text"},
                        {"key": "state", "label": self.env._("Status"), "format": "text"},
                        {"key": "planned", "label": self.env._("Planned"), "format": "integer"},
                        {"key": "done", "label": self.env._("Done"), "format": "integer"},
                        {"key": "completion", "label": self.env._("Completion"), "format": "percent"},
                    ],
                    "rows": [
                        {
                            "user": plan.user_id.display_name,
                            "state": states.get(plan.state, plan.state),
                            "planned": plan.line_count,
                            "done": plan.done_count,
                            "completion": plan.completion_rate,
                            "action": self._dss_drill(
                                "crm.daily.plan", plan.display_name, [("id", "=", plan.id)], [[False, "form"]]
                            ),
                        }
                        for plan in plans
                    ],
                }
            ],
        }

    def _dss_section_market_intel(self, ctx):
        intel = ctx.market_intel()
        return {
            "key": "market_intel",
            "title": self.env._("Latest Market Intelligence"),
            "kpis": [
                self._dss_kpi(
                    "market_intel",
                    self.env._("Market Intelligence in the Period"),
                    ctx.market_intel_count(),
                    action=ctx.market_intel_drill(),
                )
            ],
            "charts": [],
            "tables": [self._dss_intel_table(intel)],
        }


class _Context:
    """The readers of one dashboard request: each query runs once and is memoised.

    Everything is read as superuser (``cr`` and ``sudo()``) and filtered on ``scope``.
    """

    def __init__(self, dashboard, scope, companies, date_from, date_to, rates):
        self.dashboard = dashboard
        self.env = dashboard.env
        self.cr = dashboard.env.cr
        self.scope = scope
        self.company_ids = list(scope.company_ids)
        self.company_labels = [company.name for company in companies]
        self.date_from = date_from
        self.date_to = date_to
        self.dt_from, self.dt_to = self.env["crm.dss.scope"]._dss_day_bounds(date_from, date_to)
        self.today = fields.Date.context_today(dashboard)
        self.rates = rates
        self._memo = {}

    # ---- plumbing

    def _once(self, key, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def _users(self, column):
        """SQL limiting ``column`` (a user id) to the scope's users (nothing for a whole-company scope)."""
        if self.scope.user_ids is None:
            return SQL()
        if not self.scope.user_ids:
            return SQL("AND FALSE")
        return SQL("AND %s IN %s", column, tuple(self.scope.user_ids))

    def _user_domain(self, field):
        if self.scope.user_ids is None:
            return []
        return [(field, "in", list(self.scope.user_ids))]

    def _rows(self, query):
        self.cr.execute(query)
        return self.cr.fetchall()

    def _convert(self, company_id, amount):
        return (amount or 0.0) * self.rates.get(company_id, 1.0)

    def _drill(self, *args, **kwargs):
        return CrmDssDashboard._dss_drill(*args, **kwargs)

    @property
    def _companies(self):
        return tuple(self.company_ids) or (0,)

    # ---- customers

    def new_customers(self):
        def compute():
            rows = self._rows(
                SQL(
                    """
                    SELECT COALESCE(p.company_id, u.company_id), COUNT(*)
                      FROM res_partner p
                      LEFT JOIN res_users u ON u.id = p.create_uid
                     WHERE p.active AND p.parent_id IS NULL AND p.customer_rank > 0
                       AND p.create_date >= %(start)s AND p.create_date < %(end)s
                       AND COALESCE(p.company_id, u.company_id) IN %(companies)s
                       %(users)s
                  GROUP BY 1
                    """,
                    start=self.dt_from,
                    end=self.dt_to,
                    companies=self._companies,
                    users=self._users(SQL("p.user_id")),
                )
            )
            return dict(rows)

        return self._once("new_customers", compute)

    def new_customers_drill(self, company_ids):
        domain = [
            ("customer_rank", ">", 0),
            ("parent_id", "=", False),
            ("create_date", ">=", fields.Datetime.to_string(self.dt_from)),
            ("create_date", "<", fields.Datetime.to_string(self.dt_to)),
            "|",
            ("company_id", "in", list(company_ids)),
            "&",
            ("company_id", "=", False),
            ("create_uid.company_id", "in", list(company_ids)),
            *self._user_domain("user_id"),
        ]
        return self._drill("res.partner", self.env._("New Customers"), domain)

    def newly_signed(self):
        """``{company id: [partner ids]}``: first confirmed order with the company in the period.

        The NOT EXISTS probe reads the index on (partner_id, company_id, date_order) of
        confirmed orders once per order of the period: the cost follows the period's
        orders, not the whole order history.
        """

        def compute():
            rows = self._rows(
                SQL(
                    """
                    SELECT so.company_id, ARRAY_AGG(DISTINCT so.partner_id)
                      FROM sale_order so
                     WHERE so.state = 'sale'
                       AND so.date_order >= %(start)s AND so.date_order < %(end)s
                       AND so.company_id IN %(companies)s
                       %(users)s
                       AND NOT EXISTS (
                           SELECT 1 FROM sale_order prior
                            WHERE prior.partner_id = so.partner_id
                              AND prior.company_id = so.company_id
                              AND prior.state = 'sale'
                              AND prior.date_order < %(start)s)
                  GROUP BY 1
                    """,
                    start=self.dt_from,
                    end=self.dt_to,
                    companies=self._companies,
                    users=self._users(SQL("so.user_id")),
                )
            )
            return {company_id: sorted(ids) for company_id, ids in rows}

        return self._once("newly_signed", compute)

    def signed_drill(self, partner_ids):
        return self._drill("res.partner", self.env._("Newly Signed Customers"), [("id", "in", list(partner_ids))])

    # ---- follow-ups

    def follow_ups_done(self):
        def compute():
            author_filter = SQL()
            if self.scope.user_ids is not None:
                author_filter = (
                    SQL(
                        "AND m.author_id IN (SELECT partner_id FROM res_users WHERE id IN %s)",
                        tuple(self.scope.user_ids),
                    )
                    if self.scope.user_ids
                    else SQL("AND FALSE")
                )
            rows = self._rows(
                SQL(
                    """
                    SELECT m.record_company_id, COUNT(*)
                      FROM mail_message m
                     WHERE m.mail_activity_type_id IS NOT NULL
                       AND m.model IN %(models)s
                       AND m.date >= %(start)s AND m.date < %(end)s
                       AND m.record_company_id IN %(companies)s
                       %(authors)s
                  GROUP BY 1
                    """,
                    models=FOLLOW_UP_MODELS,
                    start=self.dt_from,
                    end=self.dt_to,
                    companies=self._companies,
                    authors=author_filter,
                )
            )
            return dict(rows)

        return self._once("follow_ups_done", compute)

    def done_drill(self, company_ids):
        domain = [
            ("mail_activity_type_id", "!=", False),
            ("model", "in", list(FOLLOW_UP_MODELS)),
            ("date", ">=", fields.Datetime.to_string(self.dt_from)),
            ("date", "<", fields.Datetime.to_string(self.dt_to)),
            ("record_company_id", "in", list(company_ids)),
            *self._user_domain("author_id.user_ids"),
        ]
        return self._drill("mail.message", self.env._("Follow-ups Done"), domain)

    def follow_ups_overdue(self):
        def compute():
            rows = self._rows(
                SQL(
                    """
                    SELECT u.company_id, COUNT(*)
                      FROM mail_activity a
                      JOIN res_users u ON u.id = a.user_id
                     WHERE a.active AND a.res_model IN %(models)s
                       AND a.date_deadline < %(today)s
                       AND u.company_id IN %(companies)s
                       %(users)s
                  GROUP BY 1
                    """,
                    models=FOLLOW_UP_MODELS,
                    today=self.today,
                    companies=self._companies,
                    users=self._users(SQL("a.user_id")),
                )
            )
            return dict(rows)

        return self._once("follow_ups_overdue", compute)

    def overdue_activities_drill(self, company_ids):
        domain = [
            ("res_model", "in", list(FOLLOW_UP_MODELS)),
            ("date_deadline", "<", fields.Date.to_string(self.today)),
            ("user_id.company_id", "in", list(company_ids)),
            *self._user_domain("user_id"),
        ]
        return self._drill("mail.activity", self.env._("Overdue Follow-ups"), domain)

    # ---- receivables

    def invoiced(self):
        def compute():
            rows = self._rows(
                SQL(
                    """
                    SELECT am.company_id, COALESCE(SUM(am.amount_total_signed), 0), COUNT(*)
                      FROM account_move am
                     WHERE am.move_type IN ('out_invoice', 'out_refund') AND am.state = 'posted'
                       AND am.invoice_date BETWEEN %(start)s AND %(end)s
                       AND am.company_id IN %(companies)s
                       %(users)s
                  GROUP BY 1
                    """,
                    start=self.date_from,
                    end=self.date_to,
                    companies=self._companies,
                    users=self._users(SQL("am.invoice_user_id")),
                )
            )
            return {cid: (self._convert(cid, amount), count) for cid, amount, count in rows}

        return self._once("invoiced", compute)

    def invoices_drill(self, company_ids):
        domain = [
            ("move_type", "in", ["out_invoice", "out_refund"]),
            ("state", "=", "posted"),
            ("invoice_date", ">=", fields.Date.to_string(self.date_from)),
            ("invoice_date", "<=", fields.Date.to_string(self.date_to)),
            ("company_id", "in", list(company_ids)),
            *self._user_domain("invoice_user_id"),
        ]
        return self._drill("account.move", self.env._("Invoices of the Period"), domain)

    def collected(self):
        def compute():
            rows = self._rows(
                SQL(
                    """
                    SELECT dl.company_id, COALESCE(SUM(apr.amount), 0)
                      FROM account_partial_reconcile apr
                      JOIN account_move_line dl ON dl.id = apr.debit_move_id
                      JOIN account_move dm ON dm.id = dl.move_id
                      JOIN account_move_line cl ON cl.id = apr.credit_move_id
                      JOIN account_move cm ON cm.id = cl.move_id
                     WHERE dm.move_type = 'out_invoice' AND dm.state = 'posted'
                       AND cm.move_type = 'entry' AND cm.state = 'posted'
                       AND apr.max_date BETWEEN %(start)s AND %(end)s
                       AND dl.company_id IN %(companies)s
                       %(users)s
                  GROUP BY 1
                    """,
                    start=self.date_from,
                    end=self.date_to,
                    companies=self._companies,
                    users=self._users(SQL("dm.invoice_user_id")),
                )
            )
            return {cid: self._convert(cid, amount) for cid, amount in rows}

        return self._once("collected", compute)

    def collected_drill(self, company_ids):
        domain = [
            ("parent_state", "=", "posted"),
            ("move_id.move_type", "=", "entry"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("matched_debit_ids.debit_move_id.move_id.move_type", "=", "out_invoice"),
            ("matched_debit_ids.max_date", ">=", fields.Date.to_string(self.date_from)),
            ("matched_debit_ids.max_date", "<=", fields.Date.to_string(self.date_to)),
            ("company_id", "in", list(company_ids)),
            *self._user_domain("matched_debit_ids.debit_move_id.move_id.invoice_user_id"),
        ]
        return self._drill("account.move.line", self.env._("Collections"), domain)

    def receivables(self):
        def compute():
            figures = self.env["account.move.line"]._crm_dss_receivables(self.scope, today=self.today)
            return {
                cid: {key: (value if key == "count" else self._convert(cid, value)) for key, value in values.items()}
                for cid, values in figures.items()
            }

        return self._once("receivables", compute)

    def receivable_lines_drill(self, company_ids, name, overdue=False, days=None):
        domain = [
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("company_id", "in", list(company_ids)),
            *self._user_domain("move_id.invoice_user_id"),
        ]
        if overdue:
            domain += [("date_maturity", "<", fields.Date.to_string(self.today)), ("amount_residual", ">", 0)]
        if days:
            first, last = days
            domain.append(("date_maturity", "<=", fields.Date.to_string(self.today - timedelta(days=first))))
            if last is not None:
                domain.append(("date_maturity", ">=", fields.Date.to_string(self.today - timedelta(days=last))))
        return self._drill("account.move.line", name, domain)

    # ---- income and expenses

    def _pl_rows(self):
        """(company, month, income, expense, income in period, expense in period), from the ledger's totals."""

        def compute():
            window_start = min(self.date_to.replace(day=1) - relativedelta(months=11), self.date_from)
            window_end = max(self.date_to.replace(day=1) + relativedelta(months=1, days=-1), self.date_to)
            rows = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
            for cid, month, account_type, balance, in_period in self.env["crm.dss.ledger"]._crm_dss_monthly_balances(
                self.company_ids,
                self.scope.user_ids,
                INCOME_TYPES + EXPENSE_TYPES,
                (window_start, window_end),
                (self.date_from, self.date_to),
            ):
                figures = rows[cid, month]
                if account_type in INCOME_TYPES:
                    figures[0] -= balance
                    figures[2] -= in_period
                else:
                    figures[1] += balance
                    figures[3] += in_period
            return [(cid, month, *figures) for (cid, month), figures in rows.items()]

        return self._once("pl", compute)

    def profit_and_loss(self):
        """``(months, {month: {"income", "expense"}}, {"income", "expense"} of the period)``."""
        first = self.date_to.replace(day=1) - relativedelta(months=11)
        months = [first + relativedelta(months=index) for index in range(12)]
        monthly = {month: {"income": 0.0, "expense": 0.0} for month in months}
        period = {"income": 0.0, "expense": 0.0}
        for cid, month, income, expense, period_income, period_expense in self._pl_rows():
            if month in monthly:
                monthly[month]["income"] += self._convert(cid, income)
                monthly[month]["expense"] += self._convert(cid, expense)
            period["income"] += self._convert(cid, period_income)
            period["expense"] += self._convert(cid, period_expense)
        return months, monthly, period

    def pl_by_company(self):
        totals = defaultdict(lambda: {"income": 0.0, "expense": 0.0})
        for cid, _month, _income, _expense, period_income, period_expense in self._pl_rows():
            totals[cid]["income"] += self._convert(cid, period_income)
            totals[cid]["expense"] += self._convert(cid, period_expense)
        return totals

    def pl_drill(self, types, name, start=None, end=None):
        domain = [
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "in", list(types)),
            ("date", ">=", fields.Date.to_string(start or self.date_from)),
            ("date", "<=", fields.Date.to_string(end or self.date_to)),
            ("company_id", "in", self.company_ids),
            *self._user_domain("move_id.invoice_user_id"),
        ]
        return self._drill("account.move.line", name, domain)

    # ---- optional add-ons (crm_sfa)

    def _target_domain(self, company_ids):
        domain = [
            ("active", "=", True),
            ("period_type", "=", "annual"),
            ("year", "=", self.date_to.year),
            ("company_id", "in", list(company_ids)),
        ]
        if self.scope.user_ids is None:
            return [*domain, ("level", "=", "company")]
        return [*domain, ("level", "=", "user"), ("user_id", "in", list(self.scope.user_ids))]

    def targets(self):
        groups = (
            self.env["crm.sales.target"]
            .sudo()  # sudo: targets aggregated within the scope's domain
            ._read_group(
                self._target_domain(self.company_ids),
                ["company_id", "measure"],
                ["amount:sum", "achieved_amount:sum"],
            )
        )
        return {
            (company.id, measure): (self._convert(company.id, amount), self._convert(company.id, achieved))
            for company, measure, amount, achieved in groups
        }

    def targets_drill(self, company_ids):
        return self._drill("crm.sales.target", self.env._("Annual Targets"), self._target_domain(company_ids))

    def _plan_domain(self, company_ids):
        return [
            ("date", "=", fields.Date.to_string(self.today)),
            ("company_id", "in", list(company_ids)),
            *self._user_domain("user_id"),
        ]

    def daily_work(self):
        Plan = self.env["crm.daily.plan"].sudo()  # sudo: today's plans of the scope, aggregated
        groups = Plan._read_group(
            self._plan_domain(self.company_ids), ["company_id"], ["__count", "line_count:sum", "done_count:sum"]
        )
        per_company = {company.id: (count, planned, done) for company, count, planned, done in groups}
        plans = Plan.search_fetch(
            self._plan_domain(self.company_ids),
            ["user_id", "state", "line_count", "done_count", "completion_rate", "name"],
            order="completion_rate desc, id",
            limit=20,
        )
        plans.user_id.fetch(["name"])
        return per_company, plans

    def daily_plans_drill(self, company_ids):
        return self._drill("crm.daily.plan", self.env._("Daily Plans Today"), self._plan_domain(company_ids))

    def daily_lines_drill(self, done=False):
        domain = [
            ("date", "=", fields.Date.to_string(self.today)),
            ("company_id", "in", self.company_ids),
            *self._user_domain("user_id"),
        ]
        if done:
            domain.append(("done", "=", True))
        return self._drill("crm.daily.plan.line", self.env._("Calls and Visits Today"), domain)

    def _intel_domain(self, period=False):
        domain = [("company_id", "in", self.company_ids), *self._user_domain("user_id")]
        if period:
            domain += [
                ("date", ">=", fields.Date.to_string(self.date_from)),
                ("date", "<=", fields.Date.to_string(self.date_to)),
            ]
        return domain

    def market_intel(self):
        intel = (
            self.env["crm.market.intel"]
            .sudo()  # sudo: the latest intelligence of the scope, titles shown on the dashboard
            .search_fetch(self._intel_domain(), ["name", "date", "kind", "company_id", "user_id"], limit=10)
        )
        intel.user_id.fetch(["name"])
        intel.company_id.fetch(["name"])
        return intel

    def market_intel_count(self):
        return self.env["crm.market.intel"].sudo().search_count(self._intel_domain(period=True))  # sudo: see above

    def market_intel_drill(self):
        return self._drill("crm.market.intel", self.env._("Market Intelligence"), self._intel_domain(period=True))
