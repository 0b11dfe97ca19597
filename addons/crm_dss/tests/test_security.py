from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CrmDssCommon


@tagged("post_install", "-at_install")
class TestCrmDssReportCompanyAccess(CrmDssCommon):
    """Who sees which rows of the company performance report; nobody changes it."""

    def _rows_of(self, salespeople):
        return self.env["crm.dss.report.company"].search(
            [("partner_id", "=", self.customer.id), ("user_id", "in", salespeople.ids)]
        )

    # Department manager: the salespeople of their department and sub-departments

    def test_manager_reads_rows_of_department_and_sub_department_salespeople(self):
        self.assertEqual(self._rows(self.manager).user_id, self.department_salespeople)

    def test_manager_cannot_read_rows_of_other_department(self):
        with self.assertRaises(AccessError):
            self._rows_of(self.sales_other).with_user(self.manager).read(["ordered"])

    # Executive: every row of the companies they work in --------------------------

    def test_executive_reads_rows_of_both_companies(self):
        self.assertEqual(
            self._rows(self.executive, self.companies).user_id, self.company_salespeople | self.sales_branch
        )

    def test_executive_reads_only_rows_of_active_company(self):
        self.assertEqual(self._rows(self.executive, self.company).user_id, self.company_salespeople)

    def test_second_company_executive_reads_only_their_company_rows(self):
        self.assertEqual(self._rows(self.executive_2).user_id, self.sales_branch)

    def test_second_company_executive_cannot_read_first_company_rows(self):
        with self.assertRaises(AccessError):
            self._rows_of(self.sales_a).with_user(self.executive_2).read(["ordered"])

    # The report is read-only for everyone ----------------------------------------

    def test_executive_cannot_write_report(self):
        with self.assertRaises(AccessError):
            self._rows_of(self.sales_a).with_user(self.executive).write({"ordered": 0.0})

    def test_executive_cannot_create_report_row(self):
        with self.assertRaises(AccessError):
            self._report(self.executive).create({"ordered": 1.0, "company_id": self.company.id})

    def test_executive_cannot_delete_report_row(self):
        with self.assertRaises(AccessError):
            self._rows_of(self.sales_a).with_user(self.executive).unlink()

    def test_manager_cannot_write_report(self):
        with self.assertRaises(AccessError):
            self._rows_of(self.sales_a).with_user(self.manager).write({"ordered": 0.0})

    # Users without a decision-support role ---------------------------------------

    def test_salesperson_cannot_read_report(self):
        with self.assertRaises(AccessError):
            self._rows(self.sales_a)

    def test_portal_user_cannot_read_report(self):
        with self.assertRaises(AccessError):
            self._rows(self.portal_user)
