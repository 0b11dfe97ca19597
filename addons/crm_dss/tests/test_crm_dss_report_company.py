from odoo.tests import tagged

from .common import CrmDssCommon


@tagged("post_install", "-at_install")
class TestCrmDssReportCompany(CrmDssCommon):
    """The report's amounts are those of the orders and invoices behind them."""

    def test_amounts_per_company_match_posted_documents(self):
        self.assertEqual(
            self._totals(self.executive, "company_id", self.companies),
            {
                self.company.id: {"ordered": 15000.0, "invoiced": 1450.0, "receivable": 1350.0, "overdue": 1200.0},
                self.company_2.id: {"ordered": 16000.0, "invoiced": 900.0, "receivable": 900.0, "overdue": 900.0},
            },
        )

    def test_overdue_counts_only_invoices_past_due(self):
        overdue = {
            user_id: totals["overdue"]
            for user_id, totals in self._totals(self.executive, "user_id", self.companies).items()
        }
        self.assertEqual(
            overdue,
            {
                self.sales_a.id: 500.0,
                self.sales_b.id: 0.0,
                self.sales_sub.id: 0.0,
                self.sales_other.id: 700.0,
                self.sales_branch.id: 900.0,
            },
        )

    def test_partial_payment_lowers_receivable_not_invoiced(self):
        self.assertEqual(
            self._totals(self.executive, "user_id")[self.sales_b.id],
            {"ordered": 2000.0, "invoiced": 250.0, "receivable": 150.0, "overdue": 0.0},
        )

    def test_quotations_draft_invoices_and_vendor_bills_are_left_out(self):
        rows = self._rows(self.executive, self.companies)
        self.assertEqual(len(rows.filtered("ordered")), 5)
        self.assertEqual(len(rows.filtered("invoiced")), 5)
        self.assertEqual(len(rows), 10)

    def test_department_manager_sees_totals_of_their_department_only(self):
        self.assertEqual(
            self._totals(self.manager, "company_id"),
            {self.company.id: {"ordered": 7000.0, "invoiced": 750.0, "receivable": 650.0, "overdue": 500.0}},
        )
