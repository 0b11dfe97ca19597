from datetime import date, datetime, time, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, tagged

from odoo.addons.crm_workflow.tests.common import call_kw

from ..lib import department_dashboard as board_lib
from .common import EXECUTIVE, MANAGER, SALESPERSON, CrmDssCommon

BOARDS = ("sales", "customer", "service", "finance")


class TestDepartmentDashboardLib(BaseCase):
    """The plain-Python figures of the department dashboards."""

    def test_period_defaults_to_the_current_month(self):
        self.assertEqual(board_lib.period(today=date(2026, 2, 14)), (date(2026, 2, 1), date(2026, 2, 28)))
        self.assertEqual(board_lib.period("2026-03-05", None), (date(2026, 3, 5), date(2026, 3, 31)))
        self.assertEqual(board_lib.period("2026-03-05", "2026-04-01"), (date(2026, 3, 5), date(2026, 4, 1)))

    def test_period_refuses_bad_dates(self):
        with self.assertRaises(ValueError):
            board_lib.period("2026-13-01", None)
        with self.assertRaises(ValueError):
            board_lib.period("2026-03-05", "2026-03-04")

    def test_month_series_fills_every_month(self):
        labels, data = board_lib.month_series({date(2026, 12, 1): 5.0}, date(2026, 11, 20), date(2027, 1, 3))
        self.assertEqual(labels, ["2026-11", "2026-12", "2027-01"])
        self.assertEqual(data, [0.0, 5.0, 0.0])

    def test_percent(self):
        self.assertEqual(board_lib.percent(1, 3), 33.3)
        self.assertEqual(board_lib.percent(5, 0), 0.0)

    def test_converted_totals_convert_each_company_before_the_sum(self):
        rates = {1: 1.0, 2: 0.5}
        self.assertEqual(board_lib.convert(rates, 2, 10.0), 5.0)
        self.assertEqual(board_lib.convert(rates, 3, 10.0), 10.0)  # a company without a rate keeps its amount
        self.assertEqual(board_lib.convert(rates, 1, None), 0.0)
        rows = [(1, "2026-01", 100.0), (2, "2026-01", 100.0), (2, "2026-02", 40.0)]
        self.assertEqual(board_lib.converted_totals(rows, rates), {"2026-01": 150.0, "2026-02": 20.0})

    def test_restrict_drills_keeps_the_figures_and_drops_unreadable_actions(self):
        def drill(model):
            return {"res_model": model, "name": model, "domain": []}

        sections = [
            {
                "kpis": [
                    {"key": "a", "value": 1, "action": drill("sale.order")},
                    {"key": "b", "value": 2, "action": drill("res.partner")},
                    {"key": "c", "value": 3, "action": None},
                ],
                "charts": [{"key": "chart", "actions": [drill("sale.order"), drill("res.partner")]}, {"key": "x"}],
                "tables": [{"key": "table", "rows": [{"name": "n", "action": drill("sale.order")}, {"name": "m"}]}],
            }
        ]
        asked = []

        def may_read(model):
            asked.append(model)
            return model == "res.partner"

        board_lib.restrict_drills(sections, may_read)
        section = sections[0]
        self.assertEqual([kpi["value"] for kpi in section["kpis"]], [1, 2, 3])
        self.assertEqual([bool(kpi["action"]) for kpi in section["kpis"]], [False, True, False])
        self.assertEqual(section["charts"][0]["actions"], [None, drill("res.partner")])
        self.assertNotIn("actions", section["charts"][1])
        self.assertEqual(section["tables"][0]["rows"], [{"name": "n", "action": None}, {"name": "m"}])
        self.assertEqual(sorted(asked), ["res.partner", "sale.order"])  # once per model


class DepartmentDashboardCommon(CrmDssCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.customer)
        cls.period = {
            "date_from": fields.Date.to_string(cls.today - timedelta(days=90)),
            "date_to": fields.Date.to_string(cls.today),
        }
        Partner = cls.env["res.partner"]
        # new customers of the period, by salesperson
        cls.new_a = Partner.create([{"name": f"New A{i}", "user_id": cls.sales_a.id} for i in range(2)])
        cls.new_sub = Partner.create({"name": "New Sub", "user_id": cls.sales_sub.id})
        cls.new_other = Partner.create({"name": "New Other", "user_id": cls.sales_other.id})
        # signed in the period by sales_sub (first confirmed order)
        cls.signed = cls.new_sub
        order = cls._create_order(cls.sales_sub, 10.0, cls.company)
        order.partner_id = cls.signed
        order.action_confirm()
        # an old customer: first order 200 days ago, a new order now is no signing
        cls.old_customer = Partner.create({"name": "Old Customer"})
        old = cls._create_order(cls.sales_b, 10.0, cls.company)
        old.partner_id = cls.old_customer
        old.action_confirm()
        old.date_order = fields.Datetime.now() - timedelta(days=200)
        again = cls._create_order(cls.sales_a, 10.0, cls.company)
        again.partner_id = cls.old_customer
        again.action_confirm()
        # activities: one overdue of sales_a, one of the branch, one done by sales_b
        yesterday = cls.today - timedelta(days=1)
        cls.customer.activity_schedule("mail.mail_activity_data_todo", yesterday, user_id=cls.sales_a.id)
        cls.customer.activity_schedule("mail.mail_activity_data_todo", yesterday, user_id=cls.sales_branch.id)
        cls.customer.activity_schedule("mail.mail_activity_data_todo", cls.today, user_id=cls.sales_other.id)
        done = cls.customer.activity_schedule("mail.mail_activity_data_todo", cls.today, user_id=cls.sales_b.id)
        done.with_user(cls.sales_b).action_feedback("Called")

    def _board(self, user, board, companies=None, **kwargs):
        Dashboard = self.env["crm.dss.dashboard"].with_user(user)
        if companies:
            Dashboard = Dashboard.with_context(allowed_company_ids=companies.ids)
        return Dashboard.get_department_dashboard(board, **{**self.period, **kwargs})

    @staticmethod
    def _section(result, key):
        return next(section for section in result["sections"] if section["key"] == key)

    def _kpis(self, result, key):
        return {kpi["key"]: kpi["value"] for kpi in self._section(result, key)["kpis"]}


@tagged("post_install", "-at_install")
class TestDepartmentDashboardFigures(DepartmentDashboardCommon):
    """The finance and customer boards' figures against the fixtures, for each role."""

    def test_finance_board_of_the_manager_covers_their_department(self):
        result = self._board(self.manager, "finance")
        self.assertEqual(result["title"], "Finance Dashboard")
        self.assertEqual(result["company_ids"], self.company.ids)
        self.assertEqual(
            self._kpis(result, "receivables"), {"outstanding": 650.0, "overdue": 500.0}
        )  # 500 overdue (a), 300 - 100 paid (b), refund -50 (b)
        rows = {row["name"]: row["overdue"] for row in self._section(result, "receivables")["tables"][0]["rows"]}
        self.assertEqual(rows, {self.sales_a.name: 500.0, self.sales_b.name: 0.0})
        self.assertEqual(self._kpis(result, "income"), {"income": 750.0, "expenses": 222.0, "profit": 528.0})
        self.assertEqual(self._kpis(result, "collections"), {"collected": 100.0})
        chart = self._section(result, "income")["charts"][0]
        self.assertEqual(len(chart["labels"]), len(board_lib.months(self.today - timedelta(days=90), self.today)))
        self.assertEqual(sum(chart["datasets"][0]["data"]), 750.0)
        ageing = self._section(result, "receivables")["charts"][0]["datasets"][0]["data"]
        self.assertEqual(ageing, [500.0, 0.0, 0.0, 0.0])

    def test_finance_drill_downs_find_the_figures_records(self):
        # the drill-downs open the journal items with the reader's rights: a manager who may read them
        self.manager.groups_id = [Command.link(self.env.ref("account.group_account_invoice").id)]
        result = self._board(self.manager, "finance")
        kpis = {kpi["key"]: kpi for section in result["sections"] for kpi in section["kpis"]}
        Line = self.env["account.move.line"]
        overdue = Line.search(kpis["overdue"]["action"]["domain"])
        self.assertEqual(overdue.move_id, self.invoice_a)
        self.assertEqual(sum(Line.search(kpis["outstanding"]["action"]["domain"]).mapped("amount_residual")), 650.0)
        self.assertEqual(-sum(Line.search(kpis["income"]["action"]["domain"]).mapped("balance")), 750.0)
        collected = Line.search(kpis["collected"]["action"]["domain"])
        self.assertEqual(collected.payment_id.reconciled_invoice_ids, self.invoice_b)

    def test_finance_board_of_the_executive_covers_both_companies(self):
        result = self._board(self.executive, "finance", company_ids=self.companies.ids)
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 2250.0, "overdue": 2100.0})
        rows = {row["name"]: row["outstanding"] for row in self._section(result, "receivables")["tables"][0]["rows"]}
        self.assertEqual(rows, {self.company.name: 1350.0, self.company_2.name: 900.0})
        self.assertEqual(self._kpis(result, "income"), {"income": 2350.0, "expenses": 222.0, "profit": 2128.0})

    def test_finance_board_of_the_executive_for_a_chosen_department(self):
        result = self._board(
            self.executive, "finance", company_ids=self.companies.ids, department_id=self.department.id
        )
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 650.0, "overdue": 500.0})
        result = self._board(
            self.executive, "finance", company_ids=self.companies.ids, department_id=self.other_department.id
        )
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 700.0, "overdue": 700.0})
        self.assertEqual(self._kpis(result, "income")["income"], 700.0)

    def test_finance_board_of_the_second_company_executive(self):
        result = self._board(self.executive_2, "finance")
        self.assertEqual(result["company_ids"], self.company_2.ids)
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 900.0, "overdue": 900.0})
        self.assertEqual(self._kpis(result, "income"), {"income": 900.0, "expenses": 0.0, "profit": 900.0})
        self.assertEqual(self._kpis(result, "collections"), {"collected": 0.0})

    def test_customer_board_of_the_manager(self):
        result = self._board(self.manager, "customer")
        self.assertEqual(result["title"], "Customer Department Dashboard")
        progress = self._kpis(result, "progress")
        self.assertEqual((progress["activities_done"], progress["activities_overdue"]), (1, 1))
        staff = self._section(result, "staff_customers")
        self.assertEqual(
            self._kpis(result, "staff_customers"),
            {"new_customers": 3, "signed_customers": 2, "followed_customers": 5},
        )
        rows = {row["user_id"]: (row["new"], row["signed"], row["followed"]) for row in staff["tables"][0]["rows"]}
        self.assertEqual(
            rows,
            {
                self.sales_a.id: (2, 1, 2),  # Northwind's first order; Northwind and the old customer followed
                self.sales_b.id: (0, 0, 1),
                self.sales_sub.id: (1, 1, 2),
                self.manager.id: (0, 0, 0),
            },
        )
        signed = self.env["res.partner"].search(staff["kpis"][1]["action"]["domain"])
        self.assertEqual(signed, self.customer | self.signed)
        if not self.env["crm.dss.scope"]._dss_installed("crm.sales.target"):
            self.assertNotIn("plans", [section["key"] for section in result["sections"]])

    def test_the_period_is_made_of_the_callers_days_in_their_time_zone(self):
        day = self.today - timedelta(days=10)
        early = self.env["res.partner"].create({"name": "Early Bird", "user_id": self.sales_a.id})
        # 00:30 in Shanghai on ``day`` is 16:30 UTC the day before
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = %s",
            [datetime.combine(day - timedelta(days=1), time(16, 30)), early.id],
        )
        one_day = {"date_from": fields.Date.to_string(day), "date_to": fields.Date.to_string(day)}
        new_customers = {}
        for tz in ("Asia/Shanghai", "UTC"):
            self.manager.tz = tz
            result = self._board(self.manager, "customer", **one_day)
            new_customers[tz] = self._kpis(result, "staff_customers")["new_customers"]
        self.assertEqual(new_customers, {"Asia/Shanghai": 1, "UTC": 0})

    def test_customer_board_of_executives(self):
        result = self._board(self.executive, "customer", company_ids=self.companies.ids)
        progress = self._kpis(result, "progress")
        self.assertEqual((progress["activities_done"], progress["activities_overdue"]), (1, 2))
        kpis = self._kpis(result, "staff_customers")
        # Northwind signs once in each company; sales_other's new customer shows
        self.assertEqual(kpis["new_customers"], 4)
        self.assertEqual(kpis["signed_customers"], 3)
        result = self._board(self.executive_2, "customer")
        rows = self._section(result, "staff_customers")["tables"][0]["rows"]
        self.assertEqual([(row["user_id"], row["signed"]) for row in rows], [(self.sales_branch.id, 1)])
        self.assertEqual(self._kpis(result, "progress")["activities_overdue"], 1)

    def test_service_board_tells_why_it_is_empty_without_crm_service(self):
        result = self._board(self.manager, "service")
        self.assertTrue(result["title"])
        if self.env["crm.dss.scope"]._dss_installed("crm.service.case"):
            # its figures: crm_suite_tests' test_dss_department_dashboard
            self.assertNotIn("notice", result)
            self.assertTrue(result["sections"])
        else:
            self.assertEqual(result["sections"], [])
            self.assertIn("crm_service", result["notice"])

    def test_sales_board_without_optional_add_ons_shows_progress(self):
        result = self._board(self.manager, "sales")
        self.assertEqual(result["title"], "Sales Dashboard")
        self.assertEqual(self._kpis(result, "progress")["activities_overdue"], 1)


@tagged("post_install", "-at_install")
class TestDepartmentDashboardAccess(DepartmentDashboardCommon):
    """Who may open which board and for what."""

    def test_salesperson_and_portal_are_refused(self):
        for user in (self.sales_a, self.portal_user):
            for board in BOARDS:
                with self.subTest(user=user.login, board=board), self.assertRaises(AccessError):
                    self._board(user, board)

    def test_call_kw_attack_as_salesperson_and_portal(self):
        for user in (self.sales_a, self.portal_user):
            for board in BOARDS:
                with self.subTest(user=user.login, board=board), self.assertRaises(AccessError):
                    call_kw(user, "crm.dss.dashboard", "get_department_dashboard", board)
                with self.subTest(user=user.login, board=board), self.assertRaises(AccessError):
                    call_kw(
                        user,
                        "crm.dss.dashboard",
                        "get_department_dashboard",
                        board,
                        company_ids=self.companies.ids,
                        department_id=self.department.id,
                    )

    def test_call_kw_as_manager_answers(self):
        result = call_kw(self.manager, "crm.dss.dashboard", "get_department_dashboard", "finance")
        self.assertEqual(result["company_ids"], self.company.ids)

    def test_manager_cannot_ask_for_another_department_or_company(self):
        with self.assertRaises(AccessError):
            self._board(self.manager, "finance", department_id=self.other_department.id)
        with self.assertRaises(AccessError):
            self._board(self.manager, "customer", department_id=self.department_2.id)
        with self.assertRaises(AccessError):
            self._board(self.manager, "finance", company_ids=self.company_2.ids)

    def test_manager_may_narrow_to_a_sub_department(self):
        result = self._board(self.manager, "finance", department_id=self.sub_department.id)
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 0.0, "overdue": 0.0})
        result = self._board(self.manager, "customer", department_id=self.sub_department.id)
        rows = self._section(result, "staff_customers")["tables"][0]["rows"]
        self.assertEqual([row["user_id"] for row in rows], self.sales_sub.ids)

    def test_second_company_executive_cannot_ask_for_first_company(self):
        with self.assertRaises(AccessError):
            self._board(self.executive_2, "finance", company_ids=self.company.ids)
        with self.assertRaises(AccessError):
            self._board(self.executive_2, "customer", department_id=self.department.id)

    def test_bad_board_and_bad_period_are_user_errors(self):
        with self.assertRaisesRegex(UserError, "choose one of"):
            self._board(self.manager, "marketing")
        with self.assertRaisesRegex(UserError, "ISO dates"):
            self._board(self.manager, "finance", date_from="2026-02-30")
        with self.assertRaisesRegex(UserError, "ISO dates"):
            self._board(self.manager, "finance", date_from="2026-03-02", date_to="2026-03-01")

    def test_drill_down_opens_with_the_users_own_rights(self):
        # the figure is read as superuser, the drill-down with the user's own rights: a
        # manager without Sales rights sees the count, not a link to orders they may not read
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.manager).search([])
        result = self._board(self.manager, "customer")
        kpi = self._section(result, "staff_customers")["kpis"][2]
        self.assertEqual((kpi["key"], kpi["value"], kpi["action"]), ("followed_customers", 5, None))
        self.manager.groups_id = [Command.link(self.env.ref(SALESPERSON).id)]
        kpi = self._section(self._board(self.manager, "customer"), "staff_customers")["kpis"][2]
        self.assertEqual(kpi["action"]["res_model"], "sale.order")
        # it opens (no AccessError); the Sales record rules show the manager their own orders
        self.env["sale.order"].with_user(self.manager).search(kpi["action"]["domain"])


@tagged("post_install", "-at_install")
class TestDepartmentDashboardDrillRights(DepartmentDashboardCommon):
    """A figure's drill-down is offered only to a caller who may read its records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a manager of the same department with Sales and Billing rights
        cls.manager_full = cls._create_user(
            "dss_manager_full", f"{MANAGER},{SALESPERSON},account.group_account_invoice", cls.department
        )
        cls.has_leads = cls.env["crm.dss.scope"]._dss_installed("crm.lead")
        if cls.has_leads:  # an opportunity in the pipeline chart
            cls.env["crm.lead"].create(
                {"name": "Deal", "type": "opportunity", "user_id": cls.sales_a.id, "company_id": cls.company.id}
            )

    @staticmethod
    def _actions(result):
        """``{model: [action, ...]}`` of every drill-down of ``result``, ``None`` ones under the figure's key."""
        actions = {}
        for section in result["sections"]:
            drills = [(kpi["key"], kpi["action"]) for kpi in section["kpis"]]
            for chart in section["charts"]:
                drills += [(chart["key"], action) for action in chart.get("actions", ())]
            for table in section["tables"]:
                drills += [(table["key"], row.get("action")) for row in table["rows"] if "action" in row]
            for key, action in drills:
                actions.setdefault(action["res_model"] if action else None, []).append(key)
        return actions

    def test_manager_without_rights_gets_the_figures_without_drill_downs(self):
        for model in ("account.move.line", "account.partial.reconcile", "sale.order"):
            self.assertFalse(self.env[model].with_user(self.manager).has_access("read"))
        result = call_kw(self.manager, "crm.dss.dashboard", "get_department_dashboard", "finance", **self.period)
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 650.0, "overdue": 500.0})
        actions = self._actions(result)
        self.assertEqual(list(actions), [None])  # every finance drill opens journal items
        self.assertEqual(
            sorted(set(actions[None])),
            ["collected", "expenses", "income", "outstanding", "overdue", "profit", "receivables_by_user"],
        )
        result = call_kw(self.manager, "crm.dss.dashboard", "get_department_dashboard", "customer", **self.period)
        self.assertEqual(self._kpis(result, "staff_customers")["followed_customers"], 5)
        actions = self._actions(result)
        self.assertNotIn("sale.order", actions)
        self.assertIn("followed_customers", actions[None])
        self.assertIn("staff", actions[None])  # the staff rows open orders too
        # what every internal user reads stays clickable
        self.assertIn("res.partner", actions)
        self.assertIn("mail.activity", actions)
        result = call_kw(self.manager, "crm.dss.dashboard", "get_department_dashboard", "sales", **self.period)
        actions = self._actions(result)
        self.assertNotIn("crm.lead", actions)
        if self.has_leads:
            self.assertIn("pipeline", actions[None])

    def test_manager_with_rights_gets_the_drill_downs(self):
        result = self._board(self.manager_full, "finance")
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 650.0, "overdue": 500.0})
        actions = self._actions(result)
        self.assertEqual(actions.pop(None), ["profit"])  # a difference of figures, never a drill-down
        self.assertEqual(list(actions), ["account.move.line"])
        Line = self.env["account.move.line"].with_user(self.manager_full)
        kpis = {kpi["key"]: kpi for section in result["sections"] for kpi in section["kpis"]}
        self.assertEqual(Line.search(kpis["overdue"]["action"]["domain"]).move_id, self.invoice_a)
        result = self._board(self.manager_full, "customer")
        actions = self._actions(result)
        self.assertIn("followed_customers", actions["sale.order"])
        kpi = self._section(result, "staff_customers")["kpis"][2]
        self.env["sale.order"].with_user(self.manager_full).search(kpi["action"]["domain"])  # opens, no AccessError
        if self.has_leads:
            self.assertIn("pipeline", self._actions(self._board(self.manager_full, "sales"))["crm.lead"])


@tagged("post_install", "-at_install")
class TestDepartmentDashboardCurrencies(DepartmentDashboardCommon):
    """A branch in another currency: its amounts are converted into the reader's currency.

    The Euro branch (``company_3``) invoiced 400 EUR, 30 days overdue, 100 EUR of it
    paid in the period. At HQ 1 USD = 2 EUR, and at the Euro branch 1 EUR = 0.5 USD:
    in USD the invoice is 200, its payment 50 and what is left 150.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("1900-01-01", 2.0)])  # rates of HQ
        cls.company_3 = cls.setup_other_company(name="Euro Branch", currency_id=cls.eur.id)["company"]
        cls.env["res.currency.rate"].create(
            {
                "name": "1900-01-01",
                "rate": 0.5,
                "currency_id": cls.company.currency_id.id,
                "company_id": cls.company_3.id,
            }
        )
        cls.sales_euro = cls._create_user("dss_sales_euro", SALESPERSON, companies=cls.company_3)
        cls.executive_euro = cls._create_user("dss_executive_euro", EXECUTIVE, companies=cls.company + cls.company_3)
        cls.invoice_euro = cls._post_invoice(
            cls.sales_euro,
            400.0,
            cls.company_3,
            invoice_date=cls.today - timedelta(days=60),
            invoice_date_due=cls.today - timedelta(days=30),
        )
        cls._register_payment(cls.invoice_euro, 100.0)

    def test_finance_board_converts_the_branch_into_the_current_company_currency(self):
        self.assertEqual(self.invoice_euro.currency_id, self.eur)
        both = (self.company + self.company_3).ids
        result = self._board(self.executive_euro, "finance", company_ids=both)
        usd = self.company.currency_id
        self.assertEqual(
            {key: result["currency"][key] for key in ("id", "name", "symbol", "position", "digits")},
            {
                "id": usd.id,
                "name": usd.name,
                "symbol": usd.symbol,
                "position": usd.position,
                "digits": usd.decimal_places,
            },
        )
        self.assertIn(usd.name, result["currency"]["note"])
        # HQ: 1350 outstanding, 1200 overdue, 1450 income, 222 expenses, 100 collected
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 1500.0, "overdue": 1350.0})
        rows = {row["name"]: row["outstanding"] for row in self._section(result, "receivables")["tables"][0]["rows"]}
        self.assertEqual(rows, {self.company.name: 1350.0, self.company_3.name: 150.0})
        ageing = self._section(result, "receivables")["charts"][0]["datasets"][0]["data"]
        self.assertEqual(ageing, [1350.0, 0.0, 0.0, 0.0])
        self.assertEqual(self._kpis(result, "income"), {"income": 1650.0, "expenses": 222.0, "profit": 1428.0})
        self.assertEqual(sum(self._section(result, "income")["charts"][0]["datasets"][0]["data"]), 1650.0)
        self.assertEqual(self._kpis(result, "collections"), {"collected": 150.0})
        self.assertEqual(sum(self._section(result, "collections")["charts"][0]["datasets"][0]["data"]), 150.0)

    def test_the_current_company_chooses_the_currency(self):
        both = (self.company + self.company_3).ids
        # working in the Euro branch first: the board is in euros (HQ's 1350 USD are 2700 EUR)
        result = self._board(self.executive_euro, "finance", companies=self.company_3 + self.company, company_ids=both)
        self.assertEqual((result["currency"]["id"], result["currency"]["name"]), (self.eur.id, "EUR"))
        self.assertIn("EUR", result["currency"]["note"])
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 3000.0, "overdue": 2700.0})
        self.assertEqual(self._kpis(result, "collections"), {"collected": 300.0})

    def test_a_department_salesperson_selling_in_both_companies(self):
        # a department row sums its salesperson's invoices of each company, converted
        self.sales_a.company_ids = [Command.link(self.company_3.id)]
        self._post_invoice(
            self.sales_a,
            40.0,
            self.company_3,
            invoice_date=self.today - timedelta(days=60),
            invoice_date_due=self.today - timedelta(days=30),
        )
        result = self._board(
            self.executive_euro,
            "finance",
            company_ids=(self.company + self.company_3).ids,
            department_id=self.department.id,
        )
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 670.0, "overdue": 520.0})
        rows = {row["name"]: row["overdue"] for row in self._section(result, "receivables")["tables"][0]["rows"]}
        self.assertEqual(rows, {self.sales_a.name: 520.0, self.sales_b.name: 0.0})
        self.assertEqual(self._kpis(result, "income")["income"], 770.0)

    def test_one_currency_has_no_note(self):
        result = self._board(self.manager, "finance")
        self.assertEqual(result["currency"]["id"], self.company.currency_id.id)
        self.assertNotIn("note", result["currency"])
        self.assertEqual(self._kpis(result, "receivables"), {"outstanding": 650.0, "overdue": 500.0})


@tagged("post_install", "-at_install", "crm_dss_perf")
class TestDepartmentDashboardQueries(DepartmentDashboardCommon):
    """The boards read a fixed number of queries, whatever the data."""

    def _count(self, user, board, **kwargs):
        self._board(user, board, **kwargs)  # warm the registry caches
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self._board(user, board, **kwargs)
        return self.env.cr.sql_log_count - before

    def _grow(self, factor):
        """``factor`` times more customers, orders, invoices and activities in both companies."""
        Partner = self.env["res.partner"]
        partners = Partner.create(
            [
                {"name": f"Grown {factor}-{i}", "user_id": (self.sales_a, self.sales_sub)[i % 2].id}
                for i in range(5 * factor)
            ]
        )
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": partner.user_id.id,
                    "company_id": self.company.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_a.id, "price_unit": 10.0, "tax_id": [Command.clear()]}
                        )
                    ],
                }
                for partner in partners
            ]
        )
        orders.action_confirm()
        invoices = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_user_id": partner.user_id.id,
                    "invoice_date": self.today - timedelta(days=40),
                    "invoice_date_due": self.today - timedelta(days=10),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Grown", "quantity": 1, "price_unit": 10.0, "tax_ids": [Command.clear()]}
                        )
                    ],
                }
                for partner in partners[: 2 * factor]
            ]
        )
        invoices.action_post()
        for partner in partners[:factor]:
            partner.activity_schedule(
                "mail.mail_activity_data_todo", self.today - timedelta(days=2), user_id=partner.user_id.id
            )

    def test_query_count_stays_the_same_when_data_grows_tenfold(self):
        cases = [
            (self.manager, "finance", {}),
            (self.manager, "customer", {}),
            (self.manager, "sales", {}),
            (self.executive, "finance", {"company_ids": self.companies.ids}),
            (self.executive, "customer", {"company_ids": self.companies.ids}),
        ]
        self._grow(1)
        small = [self._count(user, board, **kwargs) for user, board, kwargs in cases]
        self._grow(10)
        large = [self._count(user, board, **kwargs) for user, board, kwargs in cases]
        # the same grouped queries at both sizes; a record already in the cache (more of
        # them prefetched together) may spare a read, never add one
        for (user, board, _kwargs), before, after in zip(cases, small, large, strict=True):
            with self.subTest(user=user.login, board=board):
                self.assertLessEqual(after, before)
                self.assertLessEqual(after, 35)  # with every optional add-on installed
