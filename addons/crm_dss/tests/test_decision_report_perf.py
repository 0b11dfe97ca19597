from io import BytesIO

import xlsxwriter

from odoo import Command, fields
from odoo.tests import tagged

from ..lib.workbook import DssWorkbook, workbook_options
from .common_decision_report import CrmDssDecisionReportCommon


@tagged("post_install", "-at_install", "is_query_count", "crm_dss_perf")
class TestDecisionReportPerf(CrmDssDecisionReportCommon):
    """The receivable lines sheet reads its lines in batches: the same queries for 5 lines
    as for 65 (tracking on)."""

    def _write_lines(self):
        report = (
            self.env["report.crm_dss.decision_report_xlsx"]
            .with_user(self.executive)
            .with_context(allowed_company_ids=self.companies.ids)
        )
        scope = report.env["crm.dss.scope"]._dss_scope(self.companies.ids)
        book = xlsxwriter.Workbook(BytesIO(), workbook_options())
        writer = DssWorkbook(book)
        self.env.invalidate_all()
        with self.assertQueryCount(9):
            rows = report._dss_write_receivable_lines(writer, scope)
        book.close()
        return rows

    def test_receivable_lines_queries_do_not_grow(self):
        self.assertEqual(self._write_lines(), 5)
        today = fields.Date.context_today(self.customer)
        customers = self.env["res.partner"].create([{"name": f"Perf Customer {n}"} for n in range(20)])
        moves = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customers[n % 20].id,
                    "invoice_user_id": (self.sales_a, self.sales_b, self.sales_other)[n % 3].id,
                    "invoice_date": today,
                    "invoice_date_due": today,
                    "invoice_line_ids": [
                        Command.create({"name": "Perf", "quantity": 1, "price_unit": 10 + n, "tax_ids": []})
                    ],
                }
                for n in range(60)
            ]
        )
        moves.action_post()
        self.assertEqual(self._write_lines(), 65)
