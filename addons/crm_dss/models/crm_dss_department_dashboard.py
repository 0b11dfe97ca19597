from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.crm_workflow.lib.receivables import AGEING_BUCKETS

from ..lib import department_dashboard as board_lib

INCOME_TYPES = ("income", "income_other")
EXPENSE_TYPES = ("expense", "expense_depreciation", "expense_direct_cost")
OPEN_CASE_STATES = ("new", "in_progress", "waiting")
SATISFIED = 4  # rating.rating: RATING_LIMIT_SATISFIED, the "top" smiley


class CrmDssDashboard(models.AbstractModel):
    """The department dashboards (sales, customer department, customer service, finance).

    One public entry point, :meth:`get_department_dashboard`, answers the OWL client
    action (``crm_dss.dashboard``) with the dashboard data contract. Every figure is an
    aggregate read as superuser and filtered on the caller's scope (``crm.dss.scope``):
    managers see their department subtree, executives their companies or a department
    of them. Each board runs a fixed number of grouped queries whatever the data.
    """

    _inherit = "crm.dss.dashboard"

    @api.model
    def get_department_dashboard(self, board, company_ids=None, department_id=None, date_from=None, date_to=None):
        """The dashboard ``board`` (``sales``, ``customer``, ``service``, ``finance``) of the caller's scope.

        :param company_ids: companies asked for (default: the companies the user works in now)
        :param department_id: a department asked for (managers: theirs or one under it)
        :param date_from: ISO date, first day of the period (default: first of this month)
        :param date_to: ISO date, last day of the period (default: end of that month)
        :raise AccessError: the caller is no manager, or asks outside their reach
        :raise UserError: an unknown board or a bad period
        """
        if board not in board_lib.BOARDS:
            raise UserError(
                self.env._(
                    "There is no department dashboard %(board)s: choose one of %(boards)s.",
                    board=board,
                    boards=", ".join(board_lib.BOARDS),
                )
            )
        scope = self.env["crm.dss.scope"]._dss_scope(company_ids, department_id)
        try:
            start, end = board_lib.period(date_from, date_to, fields.Date.context_today(self))
        except (TypeError, ValueError) as error:
            raise UserError(
                self.env._(
                    "The period %(start)s - %(end)s is not valid: "
                    "give two ISO dates (YYYY-MM-DD), the first one first.",
                    start=date_from,
                    end=date_to,
                )
            ) from error
        # sudo: the currencies of the scope's companies, some of which the caller may not read
        companies = self.env["res.company"].sudo().browse(scope.company_ids)
        # the caller's current company, as the executive board: its currency is the board's
        rates, currency = self._dss_rates(companies)
        result = {
            "title": "",
            "board": board,
            "company_ids": list(scope.company_ids),
            "department_ids": list(scope.department_ids or []),
            "date_from": fields.Date.to_string(start),
            "date_to": fields.Date.to_string(end),
            "currency": currency,
            "sections": [],
        }
        # sudo: figures cover every document of the scope; each reader filters on it
        getattr(self.sudo(), f"_dss_board_{board}")(scope, start, end, rates, result)
        # the figures stay, their drill-downs open with the caller's own rights: none
        # where the caller may not read the records (a manager without Sales or Accounting)
        board_lib.restrict_drills(result["sections"], lambda model: self.env[model].has_access("read"))
        return result

    # boards ------------------------------------------------------------------

    def _dss_board_sales(self, scope, start, end, rates, result):
        result["title"] = self.env._("Sales Dashboard")
        sections = result["sections"]
        progress = self._dss_dept_section_activities(scope, start, end)
        if self._dss_dept_installed("crm.lead"):
            progress["charts"].append(self._dss_dept_chart_pipeline(scope, rates))
        sections.append(progress)
        if self._dss_dept_installed("crm.sales.target"):
            sections.append(self._dss_dept_section_plans(scope, start, end, rates))
        if self._dss_dept_installed("crm.market.intel"):
            sections.append(self._dss_dept_section_intel_customers(scope, start, end))
        feedback = self._dss_dept_section_feedback(scope, start, end)
        if feedback:
            sections.append(feedback)

    def _dss_board_customer(self, scope, start, end, rates, result):
        result["title"] = self.env._("Customer Department Dashboard")
        sections = result["sections"]
        sections.append(self._dss_dept_section_activities(scope, start, end))
        if self._dss_dept_installed("crm.sales.target"):
            sections.append(self._dss_dept_section_plans(scope, start, end, rates))
        sections.append(self._dss_dept_section_staff_customers(scope, start, end))
        feedback = self._dss_dept_section_feedback(scope, start, end)
        if feedback:
            sections.append(feedback)

    def _dss_board_service(self, scope, start, end, rates, result):
        result["title"] = self.env._("Customer Service Dashboard")
        if not self._dss_dept_installed("crm.service.case"):
            result["notice"] = self.env._(
                "Install the CRM Service add-on (crm_service) to see cases, SLA and satisfaction here."
            )
            return
        result["sections"].extend(self._dss_dept_sections_service(scope, start, end))

    def _dss_board_finance(self, scope, start, end, rates, result):
        result["title"] = self.env._("Finance Dashboard")
        result["sections"].extend(
            [
                self._dss_dept_section_collections(scope, start, end, rates),
                self._dss_dept_section_income(scope, start, end, rates),
                self._dss_dept_section_receivables(scope, rates),
            ]
        )

    # helpers -----------------------------------------------------------------

    def _dss_dept_installed(self, model_name):
        return self.env["crm.dss.scope"]._dss_installed(model_name)

    def _dss_dept_users(self, scope, user_field, company_field=None):
        """Domain of records whose ``user_field`` is a user of the scope.

        A department scope names its staff; the whole companies take the users whose
        company is one of them (or ``company_field`` of the records when given).
        """
        if not scope.whole_companies:
            return [(user_field, "in", list(scope.user_ids))]
        if company_field:
            return [(company_field, "in", list(scope.company_ids))]
        return [(f"{user_field}.company_id", "in", list(scope.company_ids))]

    def _dss_dept_period(self, field, start, end, datetime=False):
        """The domain of ``field`` within the days ``start`` to ``end``; a datetime field from
        the caller's local midnight to the next one after ``end`` (``_dss_day_bounds``)."""
        if datetime:
            day_start, day_stop = self.env["crm.dss.scope"]._dss_day_bounds(start, end)
            return [
                (field, ">=", fields.Datetime.to_string(day_start)),
                (field, "<", fields.Datetime.to_string(day_stop)),
            ]
        return [(field, ">=", fields.Date.to_string(start)), (field, "<=", fields.Date.to_string(end))]

    @staticmethod
    def _dss_dept_section(key, title, kpis=None, charts=None, tables=None):
        return {"key": key, "title": title, "kpis": kpis or [], "charts": charts or [], "tables": tables or []}

    @staticmethod
    def _dss_dept_converted(groups, rates):
        """``{key: amount}`` of grouped rows ``(company, key, amount)``, each company's amount converted
        into the reader's currency with ``rates`` (``_dss_rates``) before they are summed."""
        return board_lib.converted_totals(((company.id, key, amount) for company, key, amount in groups), rates)

    def _dss_dept_names(self, model, ids):
        """``{id: display name}`` of ``ids`` in one read."""
        records = self.env[model].browse([record_id for record_id in ids if record_id])
        return {record.id: record.display_name for record in records}

    # sections ----------------------------------------------------------------

    def _dss_dept_section_activities(self, scope, start, end):
        """Work progress: activities done in the period (their "done" messages) and overdue now."""
        today = fields.Date.context_today(self)
        overdue_domain = [("date_deadline", "<", fields.Date.to_string(today)), *self._dss_dept_users(scope, "user_id")]
        overdue = self.env["mail.activity"]._read_group(overdue_domain, ["user_id"], ["__count"])
        done_domain = [
            ("mail_activity_type_id", "!=", False),
            *self._dss_dept_period("date", start, end, datetime=True),
            *self._dss_dept_users(scope, "author_id.user_ids"),
        ]
        done = self.env["mail.message"]._read_group(done_domain, ["author_id"], ["__count"])
        overdue_count = sum(count for _user, count in overdue)
        done_count = sum(count for _author, count in done)
        done_names = {author.display_name: count for author, count in done}
        overdue_names = {user.partner_id.display_name: count for user, count in overdue}
        people = sorted(set(done_names) | set(overdue_names))
        return self._dss_dept_section(
            "progress",
            self.env._("Work Progress"),
            kpis=[
                self._dss_kpi(
                    "activities_done",
                    self.env._("Activities Done"),
                    done_count,
                    action=self._dss_drill("mail.message", self.env._("Activities Done"), done_domain),
                ),
                self._dss_kpi(
                    "activities_overdue",
                    self.env._("Activities Overdue"),
                    overdue_count,
                    action=self._dss_drill("mail.activity", self.env._("Overdue Activities"), overdue_domain),
                ),
                self._dss_kpi(
                    "activities_done_rate",
                    self.env._("Done on Time"),
                    board_lib.percent(done_count, done_count + overdue_count),
                    "percent",
                    hint=self.env._("Activities done in the period among those done and those overdue now."),
                ),
            ],
            charts=[
                {
                    "key": "activities_by_person",
                    "title": self.env._("Activities per Person"),
                    "type": "bar",
                    "labels": people,
                    "datasets": [
                        {"label": self.env._("Done"), "data": [done_names.get(person, 0) for person in people]},
                        {"label": self.env._("Overdue"), "data": [overdue_names.get(person, 0) for person in people]},
                    ],
                }
            ],
        )

    def _dss_dept_chart_pipeline(self, scope, rates):
        """Opportunities in the pipeline (not won, active) by stage, their revenue converted per company."""
        domain = [
            ("type", "=", "opportunity"),
            ("stage_id.is_won", "=", False),
            *self.env["crm.dss.scope"]._dss_domain(scope, "company_id", "user_id"),
        ]
        stages = {}
        for stage, company, count, revenue in self.env["crm.lead"]._read_group(
            domain, ["stage_id", "company_id"], ["__count", "expected_revenue:sum"]
        ):
            stage_count, stage_revenue = stages.get(stage, (0, 0.0))
            stages[stage] = (stage_count + count, stage_revenue + board_lib.convert(rates, company.id, revenue))
        groups = sorted(
            ((stage, count, round(revenue, 2)) for stage, (count, revenue) in stages.items()),
            key=lambda group: (group[0].sequence, group[0].id),
        )
        return {
            "key": "pipeline",
            "title": self.env._("Pipeline by Stage"),
            "type": "bar",
            "labels": [stage.display_name or self.env._("No Stage") for stage, _count, _revenue in groups],
            "datasets": [
                {"label": self.env._("Opportunities"), "data": [count for _stage, count, _revenue in groups]},
                {"label": self.env._("Expected Revenue"), "data": [revenue for _stage, _count, revenue in groups]},
            ],
            "actions": [
                self._dss_drill(
                    "crm.lead", stage.display_name or self.env._("Pipeline"), [*domain, ("stage_id", "=", stage.id)]
                )
                for stage, _count, _revenue in groups
            ],
        }

    def _dss_dept_section_plans(self, scope, start, end, rates):
        """Plan completion: sales targets (crm_sfa) overlapping the period, daily plans done.

        Targets are amounts in their company's currency: read per company, converted, then
        summed per measure.
        """
        target_domain = [
            ("date_from", "<=", fields.Date.to_string(end)),
            ("date_to", ">=", fields.Date.to_string(start)),
            ("company_id", "in", list(scope.company_ids)),
        ]
        if scope.whole_companies:
            target_domain.append(("level", "=", "company"))
        else:
            target_domain += [("level", "=", "user"), ("user_id", "in", list(scope.user_ids))]
        Target = self.env["crm.sales.target"]
        totals = {}
        for measure, company, amount, achieved in Target._read_group(
            target_domain, ["measure", "company_id"], ["amount:sum", "achieved_amount:sum"]
        ):
            total_amount, total_achieved = totals.get(measure, (0.0, 0.0))
            totals[measure] = (
                total_amount + board_lib.convert(rates, company.id, amount),
                total_achieved + board_lib.convert(rates, company.id, achieved),
            )
        targets = [(measure, amount, achieved) for measure, (amount, achieved) in totals.items()]
        measures = dict(Target._fields["measure"]._description_selection(self.env))
        plan_domain = [
            *self._dss_dept_period("date", start, end),
            *self.env["crm.dss.scope"]._dss_domain(scope, "company_id", "user_id"),
        ]
        plans = self.env["crm.daily.plan"]._read_group(plan_domain, ["user_id"], ["line_count:sum", "done_count:sum"])
        planned = sum(lines for _user, lines, _done in plans)
        done = sum(done for _user, _lines, done in plans)
        kpis = [
            self._dss_kpi(
                f"target_{measure}",
                self.env._("%s Target Completion", measures.get(measure, measure)),
                board_lib.percent(achieved, amount),
                "percent",
                action=self._dss_drill(
                    "crm.sales.target", self.env._("Sales Targets"), [*target_domain, ("measure", "=", measure)]
                ),
                hint=self.env._(
                    "Achieved %(achieved)s of %(amount)s", achieved=round(achieved, 2), amount=round(amount, 2)
                ),
            )
            for measure, amount, achieved in targets
        ]
        kpis.append(
            self._dss_kpi(
                "daily_plan_completion",
                self.env._("Daily Plan Completion"),
                board_lib.percent(done, planned),
                "percent",
                action=self._dss_drill("crm.daily.plan", self.env._("Daily Plans"), plan_domain),
                hint=self.env._("%(done)s of %(planned)s planned calls and visits done", done=done, planned=planned),
            )
        )
        return self._dss_dept_section(
            "plans",
            self.env._("Plan Completion"),
            kpis=kpis,
            charts=[
                {
                    "key": "targets",
                    "title": self.env._("Targets and Achievements"),
                    "type": "bar",
                    "labels": [measures.get(measure, measure) for measure, _amount, _achieved in targets],
                    "datasets": [
                        {
                            "label": self.env._("Target"),
                            "data": [round(amount, 2) for _measure, amount, _achieved in targets],
                        },
                        {
                            "label": self.env._("Achieved"),
                            "data": [round(achieved, 2) for _measure, _amount, achieved in targets],
                        },
                    ],
                }
            ],
            tables=[
                {
                    "key": "daily_plans",
                    "title": self.env._("Daily Plans per Salesperson"),
                    "columns": [
                        {"key": "name", "label": self.env._("Salesperson"), "format": "text"},
                        {"key": "planned", "label": self.env._("Planned"), "format": "integer"},
                        {"key": "done", "label": self.env._("Done"), "format": "integer"},
                        {"key": "rate", "label": self.env._("Completion"), "format": "percent"},
                    ],
                    "rows": [
                        {
                            "name": user.display_name,
                            "planned": lines,
                            "done": done,
                            "rate": board_lib.percent(done, lines),
                            "action": self._dss_drill(
                                "crm.daily.plan", user.display_name, [*plan_domain, ("user_id", "=", user.id)]
                            ),
                        }
                        for user, lines, done in plans
                    ],
                }
            ],
        )

    def _dss_dept_section_intel_customers(self, scope, start, end):
        """Customers developed from market intelligence recorded by another company's salespeople.

        Leads of the scope (their company, their salesperson) linked to intelligence dated
        in the period whose author works for another company (``res.users.company_id``)
        than the lead's: one grouped query, by the author's company.
        """
        user_filter = (
            SQL("AND lead.user_id IN %s", tuple(scope.user_ids or (0,))) if not scope.whole_companies else SQL()
        )
        self.env["crm.market.intel"].flush_model(["date", "user_id", "opportunity_ids"])
        self.env["crm.lead"].flush_model(["active", "company_id", "user_id", "partner_id", "stage_id"])
        self.env["res.users"].flush_model(["company_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT author.company_id,
                       ARRAY_AGG(DISTINCT lead.id),
                       COUNT(DISTINCT lead.partner_id),
                       COUNT(DISTINCT lead.id) FILTER (WHERE stage.is_won),
                       COUNT(DISTINCT intel.id)
                  FROM crm_market_intel_lead_rel rel
                  JOIN crm_market_intel intel ON intel.id = rel.intel_id
                  JOIN res_users author ON author.id = intel.user_id
                  JOIN crm_lead lead ON lead.id = rel.lead_id
             LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                 WHERE lead.active
                   AND lead.company_id IN %(companies)s
                   AND author.company_id <> lead.company_id
                   AND intel.date BETWEEN %(start)s AND %(end)s
                   %(user_filter)s
              GROUP BY author.company_id
              ORDER BY author.company_id
                """,
                companies=tuple(scope.company_ids or (0,)),
                start=start,
                end=end,
                user_filter=user_filter,
            )
        )
        rows = self.env.cr.fetchall()
        names = self._dss_dept_names("res.company", [row[0] for row in rows])
        lead_ids = sorted({lead_id for row in rows for lead_id in row[1]})
        return self._dss_dept_section(
            "intel_customers",
            self.env._("Customers from Other Companies' Intelligence"),
            kpis=[
                self._dss_kpi(
                    "intel_leads",
                    self.env._("Leads from Intelligence"),
                    len(lead_ids),
                    action=self._dss_drill("crm.lead", self.env._("Leads from Intelligence"), [("id", "in", lead_ids)]),
                    hint=self.env._(
                        "Leads linked to market intelligence that salespeople of another company "
                        "recorded in the period."
                    ),
                ),
                self._dss_kpi("intel_customers", self.env._("Customers"), sum(row[2] for row in rows)),
                self._dss_kpi("intel_won", self.env._("Won"), sum(row[3] for row in rows)),
            ],
            tables=[
                {
                    "key": "intel_by_company",
                    "title": self.env._("By Company of the Author"),
                    "columns": [
                        {"key": "name", "label": self.env._("Company"), "format": "text"},
                        {"key": "intel", "label": self.env._("Intelligence"), "format": "integer"},
                        {"key": "leads", "label": self.env._("Leads"), "format": "integer"},
                        {"key": "customers", "label": self.env._("Customers"), "format": "integer"},
                        {"key": "won", "label": self.env._("Won"), "format": "integer"},
                    ],
                    "rows": [
                        {
                            "name": names.get(company_id, ""),
                            "intel": intel_count,
                            "leads": len(leads),
                            "customers": customers,
                            "won": won,
                            "action": self._dss_drill(
                                "crm.lead", names.get(company_id, ""), [("id", "in", sorted(leads))]
                            ),
                        }
                        for company_id, leads, customers, won, intel_count in rows
                    ],
                }
            ],
        )

    def _dss_dept_section_feedback(self, scope, start, end):
        """Feedback: complaints of the scope's customers (crm_service) and intelligence its staff recorded (crm_sfa).

        None when neither add-on is installed.
        """
        kpis, tables = [], []
        if self._dss_dept_installed("crm.service.case"):
            domain = [
                ("case_type", "=", "complaint"),
                ("company_id", "in", list(scope.company_ids)),
                *self._dss_dept_period("date_open", start, end, datetime=True),
            ]
            if not scope.whole_companies:
                domain.append(("partner_id.user_id", "in", list(scope.user_ids)))
            groups = dict(self.env["crm.service.case"]._read_group(domain, ["state"], ["__count"]))
            total = sum(groups.values())
            open_count = sum(groups.get(state, 0) for state in OPEN_CASE_STATES)
            kpis += [
                self._dss_kpi(
                    "complaints",
                    self.env._("Complaints"),
                    total,
                    action=self._dss_drill("crm.service.case", self.env._("Complaints"), domain),
                    hint=self.env._("Complaints opened in the period by the customers of the scope's salespeople."),
                ),
                self._dss_kpi(
                    "complaints_open",
                    self.env._("Open Complaints"),
                    open_count,
                    action=self._dss_drill(
                        "crm.service.case",
                        self.env._("Open Complaints"),
                        [*domain, ("state", "in", list(OPEN_CASE_STATES))],
                    ),
                ),
            ]
        if self._dss_dept_installed("crm.market.intel"):
            domain = [
                *self._dss_dept_period("date", start, end),
                *self.env["crm.dss.scope"]._dss_domain(scope, "company_id", "user_id"),
            ]
            Intel = self.env["crm.market.intel"]
            count = Intel.search_count(domain)
            latest = Intel.search_fetch(domain, ["name", "date", "kind", "user_id"], limit=5)
            kpis.append(
                self._dss_kpi(
                    "intel_recorded",
                    self.env._("Market Intelligence Recorded"),
                    count,
                    action=self._dss_drill("crm.market.intel", self.env._("Market Intelligence"), domain),
                )
            )
            tables.append(self._dss_intel_table(latest, with_company=False))
        if not kpis:
            return None
        return self._dss_dept_section("feedback", self.env._("Feedback"), kpis=kpis, tables=tables)

    def _dss_dept_section_staff_customers(self, scope, start, end):
        """Per staff member: new customers (created with them as salesperson), newly signed
        (first confirmed order of the customer in its company falls in the period) and
        followed customers (distinct customers of their quotations and orders dated in the period)."""
        new_domain = [
            *self._dss_dept_period("create_date", start, end, datetime=True),
            *self._dss_dept_users(scope, "user_id"),
        ]
        new = dict(
            self.env["res.partner"].with_context(active_test=False)._read_group(new_domain, ["user_id"], ["__count"])
        )
        order_scope = self.env["crm.dss.scope"]._dss_domain(scope, "company_id", "user_id")
        followed_domain = [
            ("state", "!=", "cancel"),
            ("user_id", "!=", False),
            *self._dss_dept_period("date_order", start, end, datetime=True),
            *order_scope,
        ]
        followed = dict(self.env["sale.order"]._read_group(followed_domain, ["user_id"], ["partner_id:count_distinct"]))
        user_filter = (
            SQL("AND first.user_id IN %s", tuple(scope.user_ids or (0,))) if not scope.whole_companies else SQL()
        )
        self.env["sale.order"].flush_model(["state", "company_id", "partner_id", "user_id", "date_order"])
        day_start, day_stop = self.env["crm.dss.scope"]._dss_day_bounds(start, end)
        self.env.cr.execute(
            SQL(
                """
                SELECT first.user_id, ARRAY_AGG(first.partner_id)
                  FROM (
                      SELECT DISTINCT ON (so.company_id, so.partner_id)
                             so.company_id, so.partner_id, so.user_id, so.date_order
                        FROM sale_order so
                       WHERE so.state = 'sale' AND so.company_id IN %(companies)s
                    ORDER BY so.company_id, so.partner_id, so.date_order, so.id
                  ) first
                 WHERE first.date_order >= %(start)s AND first.date_order < %(end)s
                   AND first.user_id IS NOT NULL
                   %(user_filter)s
              GROUP BY first.user_id
                """,
                companies=tuple(scope.company_ids or (0,)),
                start=day_start,
                end=day_stop,
                user_filter=user_filter,
            )
        )
        signed = dict(self.env.cr.fetchall())
        new = {user.id: count for user, count in new.items()}
        followed = {user.id: count for user, count in followed.items()}
        staff_ids = set(signed) | set(new) | set(followed) | set(scope.user_ids or ())
        signed_ids = sorted({partner_id for partners in signed.values() for partner_id in partners})
        staff = self.env["res.users"].browse(sorted(staff_ids)).sorted("name")
        return self._dss_dept_section(
            "staff_customers",
            self.env._("Customers per Staff Member"),
            kpis=[
                self._dss_kpi(
                    "new_customers",
                    self.env._("New Customers"),
                    sum(new.values()),
                    action=self._dss_drill("res.partner", self.env._("New Customers"), new_domain),
                ),
                self._dss_kpi(
                    "signed_customers",
                    self.env._("Newly Signed Customers"),
                    sum(len(partners) for partners in signed.values()),
                    action=self._dss_drill(
                        "res.partner", self.env._("Newly Signed Customers"), [("id", "in", signed_ids)]
                    ),
                    hint=self.env._(
                        "Customers whose first confirmed order in a company falls in the period (counted per company)."
                    ),
                ),
                self._dss_kpi(
                    "followed_customers",
                    self.env._("Followed Customers"),
                    sum(followed.values()),
                    action=self._dss_drill("sale.order", self.env._("Quotations and Orders"), followed_domain),
                    hint=self.env._(
                        "Distinct customers of each staff member's quotations and orders dated in the period."
                    ),
                ),
            ],
            tables=[
                {
                    "key": "staff",
                    "title": self.env._("Staff"),
                    "columns": [
                        {"key": "name", "label": self.env._("Staff Member"), "format": "text"},
                        {"key": "new", "label": self.env._("New"), "format": "integer"},
                        {"key": "signed", "label": self.env._("Signed"), "format": "integer"},
                        {"key": "followed", "label": self.env._("Followed"), "format": "integer"},
                    ],
                    "rows": [
                        {
                            "user_id": user.id,
                            "name": user.name,
                            "new": new.get(user.id, 0),
                            "signed": len(signed.get(user.id, ())),
                            "followed": followed.get(user.id, 0),
                            "action": self._dss_drill(
                                "sale.order", user.name, [*followed_domain, ("user_id", "=", user.id)]
                            ),
                        }
                        for user in staff
                    ],
                }
            ],
        )

    def _dss_dept_sections_service(self, scope, start, end):
        """Cases opened, closed and open; SLA met and breached; satisfaction; per team and agent."""
        Case = self.env["crm.service.case"]
        base = self.env["crm.dss.scope"]._dss_domain(scope, "company_id", "user_id")
        opened_domain = [*base, *self._dss_dept_period("date_open", start, end, datetime=True)]
        closed_domain = [*base, *self._dss_dept_period("date_closed", start, end, datetime=True)]
        open_domain = [*base, ("state", "in", list(OPEN_CASE_STATES))]
        opened = Case._read_group(
            opened_domain, ["team_id", "user_id", "sla_resolution_status", "sla_response_status"], ["__count"]
        )
        closed = Case.search_count(closed_domain)
        open_count = Case.search_count(open_domain)
        resolution, response, teams, agents = {}, {}, {}, {}
        for team, user, resolution_status, response_status, count in opened:
            resolution[resolution_status] = resolution.get(resolution_status, 0) + count
            response[response_status] = response.get(response_status, 0) + count
            for key, bucket in ((team, teams), (user, agents)):
                row = bucket.setdefault(key, {"cases": 0, "breached": 0, "met": 0})
                row["cases"] += count
                row["breached"] += count if "breached" in (resolution_status, response_status) else 0
                row["met"] += count if resolution_status == "met" else 0
        rating_domain = [
            ("res_model", "=", "crm.service.case"),
            ("consumed", "=", True),
            ("rating", ">", 0),
            ("res_id", "in", Case._search(base)),
            *self._dss_dept_period("write_date", start, end, datetime=True),
        ]
        ratings = self.env["rating.rating"]._read_group(rating_domain, ["rating"], ["__count"])
        rated = sum(count for _value, count in ratings)
        satisfied = sum(count for value, count in ratings if value >= SATISFIED)
        met = resolution.get("met", 0)
        breached = resolution.get("breached", 0)
        statuses = dict(Case._fields["sla_resolution_status"]._description_selection(self.env))

        def table(key, title, label, groups, field):
            return {
                "key": key,
                "title": title,
                "columns": [
                    {"key": "name", "label": label, "format": "text"},
                    {"key": "cases", "label": self.env._("Opened"), "format": "integer"},
                    {"key": "met", "label": self.env._("Resolution SLA Met"), "format": "integer"},
                    {"key": "breached", "label": self.env._("SLA Breached"), "format": "integer"},
                ],
                "rows": [
                    {
                        "name": record.display_name or self.env._("None"),
                        **row,
                        "action": self._dss_drill(
                            "crm.service.case", record.display_name or title, [*opened_domain, (field, "=", record.id)]
                        ),
                    }
                    for record, row in sorted(groups.items(), key=lambda item: item[0].display_name or "")
                ],
            }

        return [
            self._dss_dept_section(
                "cases",
                self.env._("Cases"),
                kpis=[
                    self._dss_kpi(
                        "opened",
                        self.env._("Opened"),
                        sum(row["cases"] for row in teams.values()),
                        action=self._dss_drill("crm.service.case", self.env._("Cases Opened"), opened_domain),
                    ),
                    self._dss_kpi(
                        "closed",
                        self.env._("Closed"),
                        closed,
                        action=self._dss_drill("crm.service.case", self.env._("Cases Closed"), closed_domain),
                    ),
                    self._dss_kpi(
                        "open",
                        self.env._("Open Now"),
                        open_count,
                        action=self._dss_drill("crm.service.case", self.env._("Open Cases"), open_domain),
                    ),
                ],
                tables=[
                    table("teams", self.env._("Per Team"), self.env._("Team"), teams, "team_id"),
                    table("agents", self.env._("Per Agent"), self.env._("Agent"), agents, "user_id"),
                ],
            ),
            self._dss_dept_section(
                "sla",
                self.env._("SLA"),
                kpis=[
                    self._dss_kpi(
                        "resolution_met",
                        self.env._("Resolution SLA Met"),
                        met,
                        action=self._dss_drill(
                            "crm.service.case",
                            self.env._("Resolution SLA Met"),
                            [*opened_domain, ("sla_resolution_status", "=", "met")],
                        ),
                    ),
                    self._dss_kpi(
                        "resolution_breached",
                        self.env._("Resolution SLA Breached"),
                        breached,
                        action=self._dss_drill(
                            "crm.service.case",
                            self.env._("Resolution SLA Breached"),
                            [*opened_domain, ("sla_resolution_status", "=", "breached")],
                        ),
                    ),
                    self._dss_kpi(
                        "response_breached",
                        self.env._("Response SLA Breached"),
                        response.get("breached", 0),
                        action=self._dss_drill(
                            "crm.service.case",
                            self.env._("Response SLA Breached"),
                            [*opened_domain, ("sla_response_status", "=", "breached")],
                        ),
                    ),
                    self._dss_kpi(
                        "sla_met_rate",
                        self.env._("Resolution SLA Met Rate"),
                        board_lib.percent(met, met + breached),
                        "percent",
                        hint=self.env._(
                            "Met among the cases opened in the period whose resolution is met or breached."
                        ),
                    ),
                ],
                charts=[
                    {
                        "key": "resolution_status",
                        "title": self.env._("Resolution SLA of the Cases Opened"),
                        "type": "doughnut",
                        "labels": [
                            statuses.get(status, self.env._("No SLA")) for status in sorted(resolution, key=str)
                        ],
                        "datasets": [
                            {
                                "label": self.env._("Cases"),
                                "data": [resolution[status] for status in sorted(resolution, key=str)],
                            }
                        ],
                        "actions": [
                            self._dss_drill(
                                "crm.service.case",
                                statuses.get(status, self.env._("No SLA")),
                                [*opened_domain, ("sla_resolution_status", "=", status or False)],
                            )
                            for status in sorted(resolution, key=str)
                        ],
                    }
                ],
            ),
            self._dss_dept_section(
                "satisfaction",
                self.env._("Satisfaction"),
                kpis=[
                    self._dss_kpi(
                        "satisfied_rate",
                        self.env._("Satisfied"),
                        board_lib.percent(satisfied, rated),
                        "percent",
                        action=self._dss_drill("rating.rating", self.env._("Case Ratings"), rating_domain),
                        hint=self.env._("Ratings of 4 or 5 among the ratings given in the period."),
                    ),
                    self._dss_kpi("ratings", self.env._("Ratings"), rated),
                ],
                charts=[
                    {
                        "key": "ratings",
                        "title": self.env._("Ratings"),
                        "type": "bar",
                        "labels": [str(int(value)) for value, _count in sorted(ratings)],
                        "datasets": [
                            {"label": self.env._("Ratings"), "data": [count for _value, count in sorted(ratings)]}
                        ],
                    }
                ],
            ),
        ]

    def _dss_dept_move_line_scope(self, scope):
        return self.env["crm.dss.scope"]._dss_domain(scope, "company_id", "move_id.invoice_user_id")

    def _dss_dept_section_collections(self, scope, start, end, rates):
        """Collections: payments reconciled with customer invoices in the period, by month.

        Read on the reconciliations (``account.partial.reconcile``), so a department
        counts what was collected on its salespeople's invoices; per company (the
        reconciliation's, its invoice's) to convert each company's currency.
        """
        domain = [
            ("debit_move_id.move_id.move_type", "=", "out_invoice"),
            ("credit_move_id.payment_id", "!=", False),
            *self._dss_dept_period("max_date", start, end),
            ("debit_move_id.company_id", "in", list(scope.company_ids)),
        ]
        drill = [
            ("matched_debit_ids.debit_move_id.move_id.move_type", "=", "out_invoice"),
            ("payment_id", "!=", False),
            *self._dss_dept_period("matched_debit_ids.max_date", start, end),
            ("company_id", "in", list(scope.company_ids)),
        ]
        if not scope.whole_companies:
            domain.append(("debit_move_id.move_id.invoice_user_id", "in", list(scope.user_ids)))
            drill.append(("matched_debit_ids.debit_move_id.move_id.invoice_user_id", "in", list(scope.user_ids)))
        monthly = self._dss_dept_converted(
            self.env["account.partial.reconcile"]._read_group(domain, ["company_id", "max_date:month"], ["amount:sum"]),
            rates,
        )
        labels, data = board_lib.month_series(monthly, start, end)
        return self._dss_dept_section(
            "collections",
            self.env._("Collections"),
            kpis=[
                self._dss_kpi(
                    "collected",
                    self.env._("Collected"),
                    round(sum(monthly.values()), 2),
                    "monetary",
                    action=self._dss_drill("account.move.line", self.env._("Collections"), drill),
                    hint=self.env._("Payments reconciled with customer invoices in the period."),
                )
            ],
            charts=[
                {
                    "key": "collected_by_month",
                    "title": self.env._("Collected by Month"),
                    "type": "bar",
                    "labels": labels,
                    "datasets": [{"label": self.env._("Collected"), "data": data}],
                }
            ],
        )

    def _dss_dept_section_income(self, scope, start, end, rates):
        """Income, expenses and profit from posted journal items, by month, converted per company."""
        Line = self.env["account.move.line"]
        base = [
            ("parent_state", "=", "posted"),
            *self._dss_dept_period("date", start, end),
            *self._dss_dept_move_line_scope(scope),
        ]
        income_domain = [*base, ("account_id.account_type", "in", list(INCOME_TYPES))]
        expense_domain = [*base, ("account_id.account_type", "in", list(EXPENSE_TYPES))]
        income = {
            month: -balance
            for month, balance in self._dss_dept_converted(
                Line._read_group(income_domain, ["company_id", "date:month"], ["balance:sum"]), rates
            ).items()
        }
        expenses = self._dss_dept_converted(
            Line._read_group(expense_domain, ["company_id", "date:month"], ["balance:sum"]), rates
        )
        labels, income_data = board_lib.month_series(income, start, end)
        _labels, expense_data = board_lib.month_series(expenses, start, end)
        total_income = round(sum(income.values()), 2)
        total_expenses = round(sum(expenses.values()), 2)
        return self._dss_dept_section(
            "income",
            self.env._("Income and Expenses"),
            kpis=[
                self._dss_kpi(
                    "income",
                    self.env._("Income"),
                    total_income,
                    "monetary",
                    action=self._dss_drill("account.move.line", self.env._("Income"), income_domain),
                ),
                self._dss_kpi(
                    "expenses",
                    self.env._("Expenses"),
                    total_expenses,
                    "monetary",
                    action=self._dss_drill("account.move.line", self.env._("Expenses"), expense_domain),
                ),
                self._dss_kpi("profit", self.env._("Profit"), round(total_income - total_expenses, 2), "monetary"),
            ],
            charts=[
                {
                    "key": "income_by_month",
                    "title": self.env._("Income and Expenses by Month"),
                    "type": "bar",
                    "labels": labels,
                    "datasets": [
                        {"label": self.env._("Income"), "data": income_data},
                        {"label": self.env._("Expenses"), "data": expense_data},
                        {
                            "label": self.env._("Profit"),
                            "data": [round(i - e, 2) for i, e in zip(income_data, expense_data, strict=True)],
                        },
                    ],
                }
            ],
        )

    def _dss_dept_receivables_by_user(self, scope, today, rates):
        """``{salesperson's user id: {"outstanding", "overdue"}}`` of a department scope, converted.

        The ledger's open receivables (``crm.dss.ledger``, the suite's one overdue rule)
        grouped by company and salesperson, so that each company's amounts are converted
        before they are summed per salesperson.
        """
        if not scope.company_ids or not scope.user_ids:
            return {}
        rows = self.env["crm.dss.ledger"]._crm_dss_open_receivables(
            scope.company_ids,
            scope.user_ids,
            today,
            [(first, last) for _key, first, last in AGEING_BUCKETS],
            group_by="company_user",
        )
        figures = {}
        for company_id, user_id, outstanding, overdue, *_rest in rows:
            row = figures.setdefault(user_id, {"outstanding": 0.0, "overdue": 0.0})
            row["outstanding"] += board_lib.convert(rates, company_id, outstanding)
            row["overdue"] += board_lib.convert(rates, company_id, overdue)
        return figures

    def _dss_dept_section_receivables(self, scope, rates):
        """Open receivables and their overdue ageing (the suite's one overdue rule), per salesperson or company.

        Each company's amounts are converted into the reader's currency before they are
        summed: the totals and the ageing come from the suite's reader grouped by company,
        a department's rows per salesperson from :meth:`_dss_dept_receivables_by_user`.
        """
        today = fields.Date.context_today(self)
        group_by = "company" if scope.whole_companies else "user"
        by_company = {
            company_id: {
                key: board_lib.convert(rates, company_id, value) for key, value in row.items() if key != "count"
            }
            for company_id, row in self.env["account.move.line"]
            ._crm_dss_receivables(scope, today=today, group_by="company")
            .items()
        }
        figures = by_company if group_by == "company" else self._dss_dept_receivables_by_user(scope, today, rates)
        names = self._dss_dept_names("res.company" if group_by == "company" else "res.users", figures)
        open_domain = [
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            *self._dss_dept_move_line_scope(scope),
        ]
        # the drill-down of crm_workflow.lib.receivables.is_overdue
        overdue_domain = [
            *open_domain,
            ("date_maturity", "<", fields.Date.to_string(today)),
            ("amount_residual", ">", 0),
        ]
        total = {
            key: sum(row[key] for row in by_company.values())
            for key in ("outstanding", "overdue", "1_30", "31_60", "61_90", "91_plus")
        }
        buckets = [("1_30", "1-30"), ("31_60", "31-60"), ("61_90", "61-90"), ("91_plus", "91+")]
        key_field = "company_id" if group_by == "company" else "move_id.invoice_user_id"
        return self._dss_dept_section(
            "receivables",
            self.env._("Receivables"),
            kpis=[
                self._dss_kpi(
                    "outstanding",
                    self.env._("Outstanding"),
                    round(total["outstanding"], 2),
                    "monetary",
                    action=self._dss_drill("account.move.line", self.env._("Open Receivables"), open_domain),
                ),
                self._dss_kpi(
                    "overdue",
                    self.env._("Overdue"),
                    round(total["overdue"], 2),
                    "monetary",
                    action=self._dss_drill("account.move.line", self.env._("Overdue Receivables"), overdue_domain),
                ),
            ],
            charts=[
                {
                    "key": "ageing",
                    "title": self.env._("Overdue Ageing"),
                    "type": "bar",
                    "labels": [label for _key, label in buckets],
                    "datasets": [
                        {"label": self.env._("Overdue"), "data": [round(total[key], 2) for key, _label in buckets]}
                    ],
                }
            ],
            tables=[
                {
                    "key": "receivables_by_" + group_by,
                    "title": self.env._("Per Company") if group_by == "company" else self.env._("Per Salesperson"),
                    "columns": [
                        {
                            "key": "name",
                            "label": self.env._("Company") if group_by == "company" else self.env._("Salesperson"),
                            "format": "text",
                        },
                        {"key": "outstanding", "label": self.env._("Outstanding"), "format": "monetary"},
                        {"key": "overdue", "label": self.env._("Overdue"), "format": "monetary"},
                    ],
                    "rows": [
                        {
                            "name": names.get(key) or self.env._("None"),
                            "outstanding": round(row["outstanding"], 2),
                            "overdue": round(row["overdue"], 2),
                            "action": self._dss_drill(
                                "account.move.line",
                                names.get(key) or self.env._("Receivables"),
                                [*open_domain, (key_field, "=", key or False)],
                            ),
                        }
                        for key, row in sorted(figures.items(), key=lambda item: names.get(item[0]) or "")
                    ],
                }
            ],
        )
