import io
from datetime import timedelta

import openpyxl

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.crm_workflow.tests.common import call_kw, new_staff_user, public_methods

from .common import SALESPERSON, CrmDssCommon

DOSSIER_PDF = "crm_dss.crm_dss_customer_dossier_report"
DOSSIER_XLSX = "crm_dss.crm_dss_customer_dossier_report_xlsx"
STATEMENT_PDF = "crm_dss.crm_dss_marketing_statement_report"
STATEMENT_XLSX = "crm_dss.crm_dss_marketing_statement_report_xlsx"
REPORTS = ("report.crm_dss.customer_dossier", "report.crm_dss.marketing_statement")


def read_workbook(content):
    """``{sheet name: [row tuples]}`` of an XLSX file's content."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


class CrmDssStatementCommon(CrmDssCommon):
    """The performance fixtures, with the customer's salesperson and two sales teams.

    ``team`` (HQ) holds every HQ salesperson's orders and invoices, ``team_2`` the
    branch's. Figures of the customer in HQ: confirmed 15 000 (4 orders), quoted 999,
    invoiced 1 450 (500 + 300 - 50 + 700), paid 100, open 1 350 of which 1 200 overdue.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.customer)
        cls.customer.user_id = cls.sales_a
        Team = cls.env["crm.team"]
        cls.team = Team.create(
            {
                "name": "HQ Sales",
                "company_id": cls.company.id,
                "user_id": cls.sales_a.id,
                "member_ids": [Command.set(cls.company_salespeople.ids)],
            }
        )
        cls.team_2 = Team.create(
            {
                "name": "Branch Sales Team",
                "company_id": cls.company_2.id,
                "member_ids": [Command.set(cls.sales_branch.ids)],
            }
        )
        orders = cls.env["sale.order"].search([("partner_id", "=", cls.customer.id)])
        moves = cls.env["account.move"].search([("partner_id", "=", cls.customer.id)])
        for records in (orders, moves):
            records.filtered(lambda record: record.company_id == cls.company).team_id = cls.team
            records.filtered(lambda record: record.company_id == cls.company_2).team_id = cls.team_2
        cls.sales_manager = new_staff_user(
            cls.env, "dss_sale_manager", "sales_team.group_sale_manager", None, cls.company
        )
        # a customer of the branch only: HQ salespeople may not read it
        cls.branch_customer = cls.env["res.partner"].create({"name": "Branch Only", "company_id": cls.company_2.id})

    def _wizard(self, user, teams, companies=None, **values):
        Wizard = self.env["crm.dss.marketing.statement"].with_user(user)
        if companies:
            Wizard = Wizard.with_context(allowed_company_ids=companies.ids)
        return Wizard.create(
            {
                "team_ids": [Command.set(teams.ids)],
                "date_from": self.today - timedelta(days=90),
                "date_to": self.today,
                **values,
            }
        )


@tagged("post_install", "-at_install")
class TestStatementDossier(CrmDssStatementCommon):
    def test_dossier_figures_as_salesperson(self):
        dossier = self.env["crm.dss.statement"].with_user(self.sales_a)._dss_customer_dossier(self.customer)[0]
        hq = [("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)]
        confirmed = self.env["sale.order"].search([*hq, ("state", "=", "sale")])
        self.assertEqual(dossier["partner_id"], self.customer.id)
        self.assertEqual(dossier["salesperson"], self.sales_a.name)
        self.assertEqual(dossier["order_count"], len(confirmed))
        self.assertAlmostEqual(dossier["purchased"], sum(confirmed.mapped("amount_untaxed")))
        self.assertAlmostEqual(dossier["purchased"], 15000.0)
        self.assertEqual(dossier["purchases"][0]["year"], self.today.year)
        self.assertEqual(dossier["quotations"], {"count": 1, "amount": 999.0})
        self.assertAlmostEqual(dossier["invoiced"], 1450.0)
        self.assertAlmostEqual(dossier["paid"], 100.0)
        self.assertAlmostEqual(dossier["residual"], 1350.0)
        self.assertAlmostEqual(dossier["receivable"]["outstanding"], 1350.0)
        self.assertAlmostEqual(dossier["receivable"]["overdue"], 1200.0)
        self.assertAlmostEqual(dossier["receivable"]["1_30"], 1200.0)
        # listed: only the documents the salesperson may open (their own)
        own_orders = (
            self.env["sale.order"].with_user(self.sales_a).search([*hq, ("state", "in", ("draft", "sent", "sale"))])
        )
        self.assertEqual({row["id"] for row in dossier["order_list"] + dossier["quotation_list"]}, set(own_orders.ids))
        self.assertEqual([row["id"] for row in dossier["invoice_list"]], self.invoice_a.ids)
        # the sections of optional add-ons show when they are installed (tested in crm_suite_tests)
        self.assertEqual(dossier["show_needs"], "crm.lead" in self.env)
        self.assertEqual(dossier["show_complaints"], "crm.service.case" in self.env)

    def test_dossier_company_scope(self):
        """Working in both companies the executive-salesperson sees the branch's figures too."""
        seller = new_staff_user(self.env, "dss_seller_both", SALESPERSON, None, self.companies)
        Statement = self.env["crm.dss.statement"].with_user(seller)
        hq_only = Statement.with_context(allowed_company_ids=self.company.ids)._dss_customer_dossier(self.customer)
        both = Statement.with_context(allowed_company_ids=self.companies.ids)._dss_customer_dossier(self.customer)
        self.assertAlmostEqual(hq_only[0]["purchased"], 15000.0)
        self.assertAlmostEqual(both[0]["purchased"], 31000.0)
        self.assertAlmostEqual(both[0]["invoiced"], 2350.0)
        self.assertFalse(hq_only[0]["invoice_list"], "a salesperson lists only the invoices they may open")

    def test_dossier_refused(self):
        Statement = self.env["crm.dss.statement"]
        with self.assertRaises(AccessError):
            Statement.with_user(self.sales_a)._dss_customer_dossier(self.branch_customer)
        with self.assertRaises(AccessError):
            Statement.with_user(self.portal_user)._dss_customer_dossier(self.portal_user.partner_id)
        with self.assertRaises(AccessError):
            Statement.with_user(self.manager)._dss_customer_dossier(self.customer)
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.sales_a)._render_qweb_html(
                DOSSIER_PDF, self.branch_customer.ids
            )

    def test_dossier_pdf_html(self):
        html = (
            self.env["ir.actions.report"].with_user(self.sales_a)._render_qweb_html(DOSSIER_PDF, self.customer.ids)[0]
        )
        html = html.decode()
        self.assertIn("Customer Dossier", html)
        self.assertIn("Northwind Traders", html)
        for figure in ("15,000.00", "999.00", "1,450.00", "1,350.00", "1,200.00", "100.00"):
            self.assertIn(figure, html)
        self.assertIn(self.invoice_a.name, html)
        self.assertNotIn(self.invoice_other.name, html, "another salesperson's invoice is not listed")

    def test_dossier_xlsx(self):
        content, kind = (
            self.env["ir.actions.report"].with_user(self.sales_a)._render_xlsx(DOSSIER_XLSX, self.customer.ids, None)
        )
        self.assertEqual(kind, "xlsx")
        sheets = read_workbook(content)
        header, row = sheets["Customers"][:2]
        figures = dict(zip(header, row, strict=True))
        self.assertEqual(figures["Customer"], "Northwind Traders")
        self.assertAlmostEqual(figures["Purchased"], 15000.0)
        self.assertAlmostEqual(figures["Invoiced"], 1450.0)
        self.assertAlmostEqual(figures["Paid"], 100.0)
        self.assertAlmostEqual(figures["Outstanding"], 1350.0)
        self.assertAlmostEqual(figures["Overdue"], 1200.0)
        self.assertEqual([line[1] for line in sheets["Invoices"][1:]], [self.invoice_a.name])
        self.assertEqual(sum(line[4] for line in sheets["Purchases"][1:]), 15000.0)


@tagged("post_install", "-at_install")
class TestStatementMarketing(CrmDssStatementCommon):
    def _statement(self, user, teams, companies=None):
        Statement = self.env["crm.dss.statement"].with_user(user)
        if companies:
            Statement = Statement.with_context(allowed_company_ids=companies.ids)
        return Statement._dss_marketing_statement(teams, self.today - timedelta(days=90), self.today)

    def test_department_manager(self):
        """The manager of Sales sees the figures of Sales and Key Accounts staff only."""
        (statement,) = self._statement(self.manager, self.team)
        people = {row["user_id"]: row for row in statement["appraisal"]}
        self.assertEqual(set(people), set(self.department_salespeople.ids))
        self.assertAlmostEqual(statement["totals"]["ordered"], 7000.0)
        self.assertEqual(statement["totals"]["orders"], 3)
        self.assertAlmostEqual(people[self.sales_a.id]["ordered"], 1000.0)
        self.assertAlmostEqual(statement["totals"]["invoiced"], 750.0)
        self.assertAlmostEqual(statement["outstanding"], 650.0)
        self.assertAlmostEqual(statement["overdue"], 500.0)
        self.assertEqual(statement["active_customers"], 1)
        self.assertEqual(statement["new_customers"], 1)
        overdue = [row for row in statement["receivables"] if row["overdue"]]
        self.assertEqual([row["invoice"] for row in overdue], [self.invoice_a.name])
        self.assertEqual(overdue[0]["days_overdue"], 30)
        self.assertEqual(overdue[0]["date_maturity"], self.invoice_a.invoice_date_due)
        self.assertEqual(statement["show_campaigns"], "crm.marketing.campaign" in self.env)

    def test_executive_and_branch_executive(self):
        hq, branch = self._statement(self.executive, self.team | self.team_2, self.companies)
        self.assertAlmostEqual(hq["totals"]["ordered"], 15000.0)
        self.assertAlmostEqual(hq["totals"]["invoiced"], 1450.0)
        self.assertAlmostEqual(hq["outstanding"], 1350.0)
        self.assertAlmostEqual(hq["overdue"], 1200.0)
        self.assertAlmostEqual(branch["totals"]["ordered"], 16000.0)
        self.assertAlmostEqual(branch["overdue"], 900.0)
        (branch_only,) = self._statement(self.executive_2, self.team_2)
        self.assertEqual(branch_only["totals"], branch["totals"])
        with self.assertRaises(AccessError):
            self._statement(self.executive_2, self.team)
        # the HQ executive working in HQ only may not print the branch's team
        with self.assertRaises(AccessError):
            self._statement(self.executive, self.team_2, self.company)

    def test_sales_manager_sees_whole_company(self):
        (statement,) = self._statement(self.sales_manager, self.team)
        self.assertAlmostEqual(statement["totals"]["ordered"], 15000.0)

    def test_refused(self):
        for user in (self.sales_a, self.portal_user):
            with self.assertRaises(AccessError):
                self._statement(user, self.team)

    def test_bad_dates(self):
        Wizard = self.env["crm.dss.marketing.statement"]
        before = Wizard.search_count([])
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self._wizard(self.manager, self.team, date_from=self.today, date_to=self.today - timedelta(days=1))
        self.assertEqual(Wizard.search_count([]), before)
        with self.assertRaises(ValidationError):
            self.env["crm.dss.statement"].with_user(self.manager)._dss_marketing_statement(
                self.team, self.today, self.today - timedelta(days=1)
            )

    def test_wizard_pdf_html(self):
        wizard = self._wizard(self.manager, self.team)
        action = wizard.action_print_pdf()
        self.assertEqual(action["report_name"], "crm_dss.marketing_statement")
        self.assertEqual(action["report_type"], "qweb-pdf")
        self.assertEqual(wizard.action_export_xlsx()["report_type"], "xlsx")
        html = self.env["ir.actions.report"].with_user(self.manager)._render_qweb_html(STATEMENT_PDF, wizard.ids)[0]
        html = html.decode()
        self.assertIn("Marketing Statement", html)
        for figure in ("7,000.00", "750.00", "650.00", self.invoice_a.name, self.sales_b.name):
            self.assertIn(figure, html)
        self.assertNotIn(self.invoice_other.name, html, "outside the manager's department")
        # another user's wizard cannot be printed
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.executive)._render_qweb_html(STATEMENT_PDF, wizard.ids)

    def test_wizard_xlsx(self):
        wizard = self._wizard(self.executive, self.team | self.team_2, self.companies)
        content, _kind = (
            self.env["ir.actions.report"]
            .with_user(self.executive)
            .with_context(allowed_company_ids=self.companies.ids)
            ._render_xlsx(STATEMENT_XLSX, wizard.ids, None)
        )
        sheets = read_workbook(content)
        header = sheets["Appraisal"][0]
        totals = {row[0]: dict(zip(header, row, strict=False)) for row in sheets["Appraisal"][1:] if row[1] == "Total"}
        self.assertAlmostEqual(totals["HQ Sales"]["Ordered"], 15000.0)
        self.assertAlmostEqual(totals["HQ Sales"]["Outstanding"], 1350.0)
        self.assertAlmostEqual(totals["Branch Sales Team"]["Ordered"], 16000.0)
        receivables = sheets["Receivables"]
        self.assertEqual(
            receivables[0][:7],
            ("Sales Team", "Invoice", "Customer", "Salesperson", "Due Date", "Residual", "Days Overdue"),
        )
        by_invoice = {row[1]: row for row in receivables[1:]}
        self.assertEqual(by_invoice[self.invoice_branch.name][6], 30)
        self.assertAlmostEqual(by_invoice[self.invoice_b.name][5], 200.0)
        self.assertEqual(sum(row[5] for row in receivables[1:]), 1350.0 + 900.0)


@tagged("post_install", "-at_install")
class TestStatementSecurity(CrmDssStatementCommon):
    def test_public_methods_refused(self):
        models = ("crm.dss.statement", "crm.dss.marketing.statement", *REPORTS)
        self.assertEqual(
            {(model, method) for model, method in public_methods(self.env, "crm_dss") if model in models},
            {
                ("crm.dss.marketing.statement", "action_print_pdf"),
                ("crm.dss.marketing.statement", "action_export_xlsx"),
                *((report, "generate_xlsx_report") for report in REPORTS),
            },
        )
        wizard = self._wizard(self.manager, self.team)
        for user in (self.sales_a, self.portal_user):
            with self.subTest(user=user.login), mute_logger("odoo.addons.base.models.ir_model"):
                for model, method, args in (
                    ("crm.dss.marketing.statement", "action_print_pdf", [wizard.ids]),
                    ("crm.dss.marketing.statement", "action_export_xlsx", [wizard.ids]),
                    ("crm.dss.marketing.statement", "read", [wizard.ids, ["team_ids"]]),
                    (
                        "crm.dss.marketing.statement",
                        "create",
                        [{"team_ids": [Command.set(self.team.ids)], "date_from": self.today, "date_to": self.today}],
                    ),
                    ("report.crm_dss.marketing_statement", "create_xlsx_report", [[], wizard.ids, {}]),
                    ("report.crm_dss.marketing_statement", "generate_xlsx_report", [[], "book", {}, wizard.ids]),
                    ("report.crm_dss.customer_dossier", "generate_xlsx_report", [[], "book", {}, self.customer.ids]),
                    ("crm.dss.statement", "_dss_customer_dossier", [self.customer.ids]),
                    ("crm.dss.statement", "_dss_marketing_statement", [self.team.ids, "2020-01-01", "2030-01-01"]),
                ):
                    with self.assertRaises(AccessError, msg=f"{model}.{method}"):
                        call_kw(user, model, method, *args)
        # the salesperson may print the dossier of their customer, portal may not
        content, _kind = call_kw(
            self.sales_a, "report.crm_dss.customer_dossier", "create_xlsx_report", [], self.customer.ids, {}
        )
        self.assertTrue(content)
        with self.assertRaises(AccessError):
            call_kw(
                self.portal_user, "report.crm_dss.customer_dossier", "create_xlsx_report", [], self.customer.ids, {}
            )
        with self.assertRaises(AccessError):
            call_kw(
                self.sales_a, "report.crm_dss.customer_dossier", "create_xlsx_report", [], self.branch_customer.ids, {}
            )

    def test_portal_render_refused(self):
        wizard = self._wizard(self.manager, self.team)
        Report = self.env["ir.actions.report"].with_user(self.portal_user)
        for report, ids in (
            (DOSSIER_PDF, self.customer.ids),
            (DOSSIER_XLSX, self.customer.ids),
            (DOSSIER_PDF, self.portal_user.partner_id.ids),
            (STATEMENT_PDF, wizard.ids),
            (STATEMENT_XLSX, wizard.ids),
        ):
            with self.subTest(report=report), self.assertRaises(AccessError):
                Report._render(report, ids)


@tagged("post_install", "-at_install", "crm_dss_perf")
class TestStatementPerformance(CrmDssCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.customer)
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Dossier Customer {index}", "user_id": cls.sales_a.id} for index in range(50)]
        )
        orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "user_id": cls.sales_a.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product_a.id, "price_unit": 100.0, "tax_id": [Command.clear()]}
                        )
                    ],
                }
                for customer in cls.customers
            ]
        )
        orders[:40].action_confirm()
        invoices = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_user_id": cls.sales_a.id,
                    "invoice_date": today - timedelta(days=40),
                    "invoice_date_due": today - timedelta(days=10),
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "Service", "price_unit": 60.0, "tax_ids": [Command.clear()]})
                    ],
                }
                for customer in cls.customers
            ]
        )
        invoices.action_post()

    def test_dossier_query_ceiling(self):
        Statement = self.env["crm.dss.statement"].with_user(self.sales_a)
        customers = self.customers.with_user(self.sales_a)
        self.env.invalidate_all()
        # 27 with crm_dss alone; 33 with crm and crm_service installed (needs, complaints)
        with self.assertQueryCount(33):
            dossiers = Statement._dss_customer_dossier(customers)
        self.assertEqual(len(dossiers), 50)
        self.assertAlmostEqual(sum(dossier["purchased"] for dossier in dossiers), 4000.0)
        self.assertAlmostEqual(sum(dossier["receivable"]["overdue"] for dossier in dossiers), 3000.0)
        self.assertEqual(sum(len(dossier["invoice_list"]) for dossier in dossiers), 50)
