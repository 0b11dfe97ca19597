from datetime import timedelta
from io import BytesIO

import xlsxwriter

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from ..lib.periods import next_period_start, previous_period
from ..lib.workbook import DssWorkbook, workbook_options
from .common_decision_report import CrmDssDecisionReportCommon, fixture_board

REPORT = "crm_dss.decision_report_xlsx"
MODELS = ("crm.dss.report.template", "crm.dss.report.run", "report.crm_dss.decision_report_xlsx")


@tagged("post_install", "-at_install")
class TestDecisionWorkbookLib(BaseCase):
    """``lib.workbook`` without a database: contract dicts into sheets, charts, streams."""

    def _book(self, write, constant_memory=True):
        import openpyxl

        buffer = BytesIO()
        book = xlsxwriter.Workbook(buffer, workbook_options(constant_memory))
        writer = DssWorkbook(book)
        write(writer)
        book.close()
        return writer, openpyxl.load_workbook(BytesIO(buffer.getvalue()))

    def test_contract_sections_become_sheets_with_native_charts(self):
        contract = {
            "currency": {"symbol": "¥", "position": "before", "digits": 2},
            "sections": [
                {
                    "key": "leads",
                    "title": "New Customers: HQ/Branch [2026]",
                    "kpis": [{"key": "new", "label": "New", "value": 7, "format": "integer"}],
                    "charts": [
                        {
                            "key": "p",
                            "title": "Share",
                            "type": "pie",
                            "labels": ["A", "B"],
                            "datasets": [{"label": "n", "data": [3, 4]}],
                        },
                        {"key": "e", "title": "Empty", "type": "line", "labels": [], "datasets": []},
                    ],
                    "tables": [],
                },
                {"key": "leads2", "title": "New Customers: HQ/Branch [2026]", "kpis": [], "charts": [], "tables": []},
            ],
        }
        writer, book = self._book(lambda writer: writer.write_contract(contract))
        self.assertEqual(book.sheetnames, ["New Customers  HQ Branch  2026", "New Customers  HQ Branch  2 (2)"])
        sheet = book.worksheets[0]
        self.assertEqual(len(sheet._charts), 1, "a chart without figures is not drawn")
        self.assertEqual(type(sheet._charts[0]).__name__, "PieChart")
        self.assertEqual(sheet["B4"].value, 7)
        self.assertEqual(writer.rows_written, 3)

    def test_rows_stream_in_constant_memory(self):
        columns = [{"key": "n", "label": "N", "format": "integer"}, {"key": "d", "label": "Due", "format": "date"}]
        rows = ({"n": n, "d": "2028-02-29" if n == 2 else None} for n in range(5))
        writer, book = self._book(lambda writer: writer.write_rows("Lines", columns, rows))
        values = [list(row) for row in book["Lines"].iter_rows(values_only=True)]
        self.assertEqual(values[0], ["N", "Due"])
        self.assertEqual([row[0] for row in values[1:]], [0, 1, 2, 3, 4])
        self.assertEqual(values[3][1].date().isoformat(), "2028-02-29")
        self.assertEqual(writer.rows_written, 5)


@tagged("post_install", "-at_install")
class TestDecisionReport(CrmDssDecisionReportCommon):
    """The dashboard export on demand and the periodic report, as the roles that use them."""

    def _export(self, user, **data):
        action = self.env.ref("crm_dss.crm_dss_dashboard_xlsx_action").with_user(user)
        context = {"allowed_company_ids": data.pop("allowed", user.company_ids).ids}
        content, kind = action.with_context(**context)._render_xlsx(REPORT, None, data)
        self.assertEqual(kind, "xlsx")
        return self.read_workbook(content)

    def _due(self, template):
        template.sudo().next_run_date = fields.Date.context_today(template)

    # on demand

    def test_export_as_executive_reads_back_the_fixtures(self):
        with self.fixture_dashboard():
            book = self._export(self.executive, board="executive", company_ids=self.companies.ids)
        self.assertEqual(book.sheetnames, ["Summary", "Receivables", "Income & Expenses", "Receivable Lines"])
        sheet = book["Receivables"]
        # HQ: 500 + 700 overdue, 200 left of 300 not due, refund of 50; branch: 900 overdue
        self.assertEqual(self.kpi(sheet, "Overdue"), 2100.0)
        self.assertEqual(self.kpi(sheet, "Outstanding"), 2250.0)
        self.assertEqual(self.kpi(sheet, "31-60"), 0.0)
        self.assertEqual(self.kpi(sheet, "1-30"), 2100.0, "30 days overdue: the first ageing bucket")
        self.assertEqual(self.kpi(sheet, self.company_2.name), 900.0)
        self.assertEqual(len(sheet._charts), 1, "a native chart")
        self.assertEqual(type(sheet._charts[0]).__name__, "BarChart")
        lines = self.sheet_rows(book["Receivable Lines"])
        self.assertEqual(lines[0][:2], ["Company", "Document"])
        by_move = {(row[0], row[1]): row for row in lines[1:]}
        self.assertEqual(
            set(by_move),
            {
                (m.company_id.name, m.name)
                for m in (self.invoice_a, self.invoice_b, self.refund_b, self.invoice_other, self.invoice_branch)
            },
        )
        by_move = {name: row for (company, name), row in by_move.items() if company == self.company.name}
        self.assertEqual(by_move[self.invoice_b.name][6], 200.0)
        self.assertEqual(by_move[self.invoice_b.name][7], 0.0, "not due yet")
        self.assertEqual(by_move[self.invoice_a.name][7], 500.0)
        self.assertEqual(by_move[self.invoice_a.name][8], 30)
        self.assertEqual(by_move[self.invoice_a.name][9], "1-30")
        self.assertEqual(by_move[self.refund_b.name][6], -50.0)
        summary = self.sheet_rows(book["Summary"])
        self.assertIn(["Prepared for", self.executive.name], summary)

    def test_export_follows_the_callers_scope(self):
        with self.fixture_dashboard():
            book = self._export(self.executive_2, board="executive", company_ids=self.company_2.ids)
            self.assertEqual(self.kpi(book["Receivables"], "Overdue"), 900.0)
            self.assertEqual(len(self.sheet_rows(book["Receivable Lines"])), 2, "the branch's invoice only")
            with self.assertRaises(AccessError):
                self._export(self.executive_2, board="executive", company_ids=self.companies.ids)
            # a manager's export of their department: their scope, no detail of the companies' lines
            book = self._export(self.manager, board="sales", department_id=self.department.id)
            self.assertEqual(self.kpi(book["Receivables"], "Overdue"), 500.0, "sales_a's invoice only")
            self.assertNotIn("Receivable Lines", book.sheetnames)
            for user in (self.sales_a, self.portal_user):
                with self.assertRaises(AccessError):
                    self._export(user, board="executive")

    def test_export_bad_input(self):
        with self.fixture_dashboard():
            for data in (
                {"company_ids": "1,2"},
                {"company_ids": ["x"]},
                {"date_from": "2026-13-45"},
                {"department_id": "Sales"},
                {"board": 3},
            ):
                with self.subTest(data=data), self.assertRaises(UserError):
                    self._export(self.executive, **data)

    def test_real_dashboard_written_as_is(self):
        """When the executive dashboard is installed, its contract is written section by section."""
        Dashboard = self.env.get("crm.dss.dashboard")
        if not hasattr(Dashboard, "get_executive_dashboard"):
            with self.assertRaises(UserError):
                self._export(self.executive, board="executive")
            return
        contract = (
            Dashboard.with_user(self.executive)
            .with_context(allowed_company_ids=self.companies.ids)
            .get_executive_dashboard(self.companies.ids, None, None)
        )
        book = self._export(self.executive, board="executive", company_ids=self.companies.ids)
        self.assertEqual(len(book.sheetnames), len(contract["sections"]) + 2)
        # and the periodic report, built by the cron from the real dashboard
        self._due(self.template)
        self.env["crm.dss.report.template"].sudo()._cron_generate()
        self.assertEqual((self.template.run_ids.state, self.template.run_ids.error), ("done", False))
        for sheet, section in zip(book.worksheets[1:], contract["sections"], strict=False):
            for kpi in section.get("kpis") or ():
                if isinstance(kpi.get("value"), int | float) and not isinstance(kpi.get("value"), bool):
                    self.assertAlmostEqual(self.kpi(sheet, kpi["label"]), kpi["value"], places=2)

    # templates

    def test_bad_period_refused_nothing_written(self):
        Template = self.env["crm.dss.report.template"].with_user(self.executive)
        before = Template.search_count([])
        for period in ("daily", "yearly", ""):
            with self.subTest(period=period), self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
                Template.create({"name": "Bad", "period": period})
        self.assertEqual(Template.search_count([]), before)
        with self.assertRaises(ValidationError):
            self.template.with_user(self.executive).write({"period": "daily"})
        self.assertEqual(self.template.period, "monthly")

    def test_bad_template_refused(self):
        Template = self.env["crm.dss.report.template"].with_user(self.executive_2)
        with self.assertRaises(AccessError):
            Template.create(
                {"name": "HQ", "company_id": self.company_2.id, "company_ids": [fields.Command.set(self.companies.ids)]}
            )
        with self.assertRaises(ValidationError):
            self.template.with_user(self.executive).write(
                {"recipient_user_ids": [fields.Command.link(self.manager.id)]}
            )
        with self.assertRaises(ValidationError):
            self.template.with_user(self.executive).write({"company_ids": [fields.Command.set(self.company_2.ids)]})

    def test_template_defaults_next_run(self):
        today = fields.Date.context_today(self.template)
        self.assertEqual(self.template.next_run_date, next_period_start("monthly", today))
        self.assertEqual(self.template.user_id, self.executive)
        self.assertEqual(self.template_2.next_run_date, next_period_start("weekly", today))

    # the periodic report

    def test_cron_builds_mails_and_reads_back(self):
        self._due(self.template)
        today = fields.Date.context_today(self.template)
        with self.fixture_dashboard():
            self.env["crm.dss.report.template"].sudo()._cron_generate()
        run = self.template.run_ids
        self.assertEqual(len(run), 1)
        self.assertEqual((run.state, run.error), ("done", False))
        self.assertEqual((run.date_from, run.date_to), previous_period("monthly", today))
        self.assertEqual(self.template.next_run_date, next_period_start("monthly", today))
        self.assertEqual(self.template.last_run_id, run)
        book = self.read_workbook(run.attachment_id.datas)
        self.assertEqual(book.sheetnames[:3], ["Summary", "Receivables", "Income & Expenses"])
        self.assertIn("Receivable Lines", book.sheetnames)
        self.assertEqual(self.kpi(book["Receivables"], "Overdue"), 2100.0)
        self.assertEqual(self.kpi(book["Summary"], "Period"), "Monthly")
        self.assertEqual(self.kpi(book["Summary"], "From"), fields.Date.to_string(run.date_from))
        self.assertEqual(len(book["Receivables"]._charts), 1)
        self.assertEqual(run.sheet_count, len(book.sheetnames))
        Analysis = self.env.get("crm.dss.analysis")
        if hasattr(Analysis, "_dss_appraisal") and hasattr(Analysis, "_dss_satisfaction"):
            scope = (
                self.env["crm.dss.scope"]
                .with_user(self.executive)
                .with_context(allowed_company_ids=self.companies.ids)
                ._dss_scope(self.companies.ids)
            )
            for title, reader, group_by in (
                ("Satisfaction by Branch", Analysis._dss_satisfaction, "company"),
                ("Satisfaction by Department", Analysis._dss_satisfaction, "department"),
                ("Appraisal by Branch", Analysis._dss_appraisal, "company"),
                ("Appraisal by Department", Analysis._dss_appraisal, "department"),
            ):
                table = reader(scope, run.date_from, run.date_to, group_by=group_by)
                rows = self.sheet_rows(book[title])
                self.assertEqual(rows[0], [column["label"] for column in table["columns"]], title)
                self.assertEqual(
                    [row[0] for row in rows[1:]],
                    [record[table["columns"][0]["key"]] for record in table["rows"]],
                    title,
                )
        self.assertGreater(run.row_count, 5)
        # the mail: the executive of both companies and the board member, not the branch's executive
        mail = self.env["mail.mail"].search([("model", "=", run._name), ("res_id", "=", run.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued for the mail cron, not sent in the transaction")
        self.assertEqual(mail.recipient_ids, self.executive.partner_id | self.external)
        self.assertEqual(mail.attachment_ids, run.attachment_id)
        self.assertEqual(run.skipped_user_ids, self.executive_2)
        self.assertTrue(run.sent_on)
        # the next cron builds nothing more
        with self.fixture_dashboard():
            self.env["crm.dss.report.template"].sudo()._cron_generate()
        self.assertEqual(len(self.template.run_ids), 1)
        self.assertEqual(self.env["mail.mail"].search_count([("model", "=", run._name), ("res_id", "=", run.id)]), 1)

    def test_failure_shown_then_retried(self):
        self._due(self.template)

        def boom():
            raise UserError(self.env._("the ledger is locked"))

        with self.fixture_dashboard(boom), mute_logger("odoo.addons.crm_dss.models.crm_dss_report_run"):
            self.env["crm.dss.report.template"].sudo()._cron_generate()
        run = self.template.run_ids
        self.assertEqual(run.state, "failed")
        self.assertIn("the ledger is locked", run.error)
        self.assertFalse(run.attachment_id)
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", run._name), ("res_id", "=", run.id)]))
        self.assertFalse(self.env["mail.mail"].search([("model", "=", run._name), ("res_id", "=", run.id)]))
        self.assertEqual(self.template.next_run_date, fields.Date.context_today(run), "still due")
        self.assertEqual(run.attempt_count, 1)
        with self.fixture_dashboard():
            self.env["crm.dss.report.template"].sudo()._cron_generate()
        self.assertEqual((run.state, run.error, run.attempt_count), ("done", False, 2))
        self.assertTrue(run.attachment_id)
        self.assertEqual(len(self.template.run_ids), 1)

    def test_generate_now_as_executive(self):
        with self.fixture_dashboard():
            action = (
                self.template.with_user(self.executive)
                .with_context(allowed_company_ids=self.companies.ids)
                .action_generate_now()
            )
            run = self.env["crm.dss.report.run"].browse(action["res_id"])
            self.assertEqual(run.state, "done")
            self.assertEqual(
                run.with_user(self.executive).attachment_id.with_user(self.executive).mimetype,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            # again: the same run, not a second one
            again = self.template.with_user(self.executive).action_generate_now()
        self.assertEqual(again["res_id"], run.id)
        self.assertEqual(len(self.template.run_ids), 1)

    def test_owner_without_access_fails_visibly(self):
        """The report is built with the owner's rights: an owner who lost a company fails the run."""
        self.executive.sudo().company_ids = self.company
        self._due(self.template)
        with self.fixture_dashboard(), mute_logger("odoo.addons.crm_dss.models.crm_dss_report_run"):
            self.env["crm.dss.report.template"].sudo()._cron_generate()
        run = self.template.run_ids
        self.assertEqual(run.state, "failed")
        self.assertIn("AccessError", run.error)
        self.assertFalse(run.attachment_id)
        self.assertFalse(self.env["mail.mail"].search([("model", "=", run._name), ("res_id", "=", run.id)]))

    # access

    def _runs(self):
        with self.fixture_dashboard():
            self.template.sudo()._generate_due(fields.Date.context_today(self.template))
            self.template_2.sudo()._generate_due(fields.Date.context_today(self.template))
        return self.template.run_ids, self.template_2.run_ids

    def test_access_per_role(self):
        run, run_2 = self._runs()
        Template, Run = self.env["crm.dss.report.template"], self.env["crm.dss.report.run"]
        both = {"allowed_company_ids": self.companies.ids}
        self.assertEqual(
            Template.with_user(self.executive).with_context(**both).search([]), self.template | self.template_2
        )
        self.assertEqual(Run.with_user(self.executive).with_context(**both).search([]), run | run_2)
        # the branch's executive: their templates and runs only, never the HQ report of both
        self.assertEqual(Template.with_user(self.executive_2).search([]), self.template_2)
        self.assertEqual(Run.with_user(self.executive_2).search([]), run_2)
        with self.assertRaises(AccessError):
            self.template.with_user(self.executive_2).read(["name"])
        with self.assertRaises(AccessError):
            run.with_user(self.executive_2).read(["state"])
        with self.assertRaises(AccessError):
            run.attachment_id.with_user(self.executive_2).read(["datas"])
        self.assertTrue(run.attachment_id.with_user(self.executive).with_context(**both).datas)
        # executives read runs, nobody writes or deletes them
        for method, args in (("write", ({"error": "x"},)), ("unlink", ())):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(run.with_user(self.executive), method)(*args)
        # managers, salespeople and portal users see no report at all
        for user in (self.manager, self.sales_a, self.portal_user):
            for Model, record in ((Template, self.template), (Run, run)):
                with self.subTest(user=user.login, model=Model._name), self.assertRaises(AccessError):
                    Model.with_user(user).search([])
                with self.assertRaises(AccessError):
                    record.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                Template.with_user(user).create({"name": "Mine"})
            with self.assertRaises(AccessError):
                run.attachment_id.with_user(user).read(["datas"])

    def test_system_fields_refused_over_rpc(self):
        run, __ = self._runs()
        for field, value in (("state", "done"), ("error", "x"), ("attachment_id", False), ("row_count", 9)):
            with self.subTest(field=field), self.assertRaises(AccessError):
                call_kw(self.executive, "crm.dss.report.run", "write", [run.id], {field: value})
        with self.assertRaises(AccessError):
            call_kw(
                self.executive,
                "crm.dss.report.run",
                "create",
                {"template_id": self.template.id, "date_from": "2020-01-01", "date_to": "2020-01-31"},
            )
        for field, value in (
            ("next_run_date", "2020-01-01"),
            ("user_id", self.executive_2.id),
            ("last_run_id", False),
        ):
            with self.subTest(field=field), self.assertRaises(AccessError):
                call_kw(self.executive, "crm.dss.report.template", "write", [self.template.id], {field: value})
        with self.assertRaises(AccessError):
            call_kw(
                self.executive,
                "crm.dss.report.template",
                "create",
                {"name": "Backdated", "next_run_date": "2020-01-01"},
            )
        self.assertEqual(self.template.next_run_date, next_period_start("monthly", fields.Date.context_today(run)))

    def test_call_kw_attacks_as_salesperson_and_portal(self):
        run, __ = self._runs()
        methods = {(model, method) for model, method in public_methods(self.env, "crm_dss") if model in MODELS}
        self.assertEqual(
            methods,
            {
                ("crm.dss.report.template", "action_generate_now"),
                ("crm.dss.report.template", "action_view_runs"),
                ("crm.dss.report.template", "create"),
                ("crm.dss.report.template", "write"),
                ("crm.dss.report.run", "action_download"),
                ("report.crm_dss.decision_report_xlsx", "generate_xlsx_report"),
                ("report.crm_dss.decision_report_xlsx", "get_workbook_options"),
            },
        )
        ids = {"crm.dss.report.template": [self.template.id], "crm.dss.report.run": [run.id]}
        for user in (self.sales_a, self.portal_user):
            for model, method in sorted(methods - {("report.crm_dss.decision_report_xlsx", "get_workbook_options")}):
                args = [ids[model]] if model in ids else [[], None, {"board": "executive"}, None]
                if method == "create":
                    args = [{"name": "Mine"}]
                elif method == "write":
                    args = [ids[model], {"name": "Mine"}]
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, model, method, *args)
            with self.assertRaises(AccessError):
                call_kw(
                    user, "report.crm_dss.decision_report_xlsx", "create_xlsx_report", [], None, {"board": "executive"}
                )
            for method, args in (("write", ([run.id], {"state": "failed"})), ("unlink", ([run.id],))):
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.dss.report.run", method, *args)
        # private methods are refused over RPC to everyone
        for method in ("_cron_generate", "_generate_due", "_ensure_run"):
            with self.assertRaises(AccessError):
                call_kw(self.executive, "crm.dss.report.template", method, [self.template.id])
        with self.assertRaises(AccessError):
            call_kw(self.executive, "crm.dss.report.run", "_generate", [run.id])

    def test_fixture_board_matches_the_receivables_reader(self):
        """The stand-in dashboard of these tests gives the fixtures' figures (the guard of the others)."""
        report = (
            self.env["report.crm_dss.decision_report_xlsx"]
            .with_user(self.executive)
            .with_context(allowed_company_ids=self.companies.ids)
        )
        contract = fixture_board(report, "executive", self.companies.ids, None, None, None)
        kpis = {kpi["key"]: kpi["value"] for kpi in contract["sections"][0]["kpis"]}
        self.assertEqual(kpis, {"outstanding": 2250.0, "overdue": 2100.0})
        self.assertTrue(self.invoice_a.invoice_date_due < fields.Date.context_today(self.invoice_a) - timedelta(days=1))
