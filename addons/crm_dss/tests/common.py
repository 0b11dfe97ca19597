from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.crm_workflow.tests.common import new_staff_user

MANAGER = "crm_dss.group_crm_dss_manager"
EXECUTIVE = "crm_dss.group_crm_dss_executive"
SALESPERSON = "sales_team.group_sale_salesman"


class CrmDssCommon(AccountTestInvoicingCommon):
    """Two companies with a chart of accounts, a department tree, salespeople in it,
    and the orders and invoices the performance report reads.

    Headquarters (``company``): the Sales department with its Key Accounts
    sub-department and an unrelated Export department. The branch (``company_2``)
    has one salesperson. What was sold and invoiced, per salesperson:

    ============  =========  =================================  ==========
    salesperson   confirmed  posted customer invoices           company
    ============  =========  =================================  ==========
    sales_a         1 000    500 (30 days overdue)              HQ
    sales_b         2 000    300 (due in 30 days, 100 paid),    HQ
                             refund of 50
    sales_sub       4 000    -                                  HQ
    sales_other     8 000    700 (30 days overdue)              HQ
    sales_branch   16 000    900 (30 days overdue)              branch
    ============  =========  =================================  ==========

    A quotation, a draft invoice and a vendor bill must not show in the report.
    """

    @classmethod
    def get_default_groups(cls):
        # The author of the fixtures also runs HR (departments, employees) and Sales (orders).
        return super().get_default_groups() | cls.env.ref("hr.group_hr_manager") | cls.env.ref(SALESPERSON)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data_2 = cls.setup_other_company(name="Performance Branch")
        cls.company_2 = cls.company_data_2["company"]
        cls.companies = cls.company + cls.company_2

        Department = cls.env["hr.department"]
        cls.department = Department.create({"name": "Sales", "company_id": cls.company.id})
        cls.sub_department = Department.create(
            {"name": "Key Accounts", "parent_id": cls.department.id, "company_id": cls.company.id}
        )
        cls.other_department = Department.create({"name": "Export", "company_id": cls.company.id})
        cls.department_2 = Department.create({"name": "Branch Sales", "company_id": cls.company_2.id})

        cls.sales_a = cls._create_user("dss_sales_a", SALESPERSON, cls.department)
        cls.sales_b = cls._create_user("dss_sales_b", SALESPERSON, cls.department)
        cls.sales_sub = cls._create_user("dss_sales_sub", SALESPERSON, cls.sub_department)
        cls.sales_other = cls._create_user("dss_sales_other", SALESPERSON, cls.other_department)
        cls.sales_branch = cls._create_user("dss_sales_branch", SALESPERSON, cls.department_2, cls.company_2)
        cls.manager = cls._create_user("dss_manager", MANAGER, cls.department)
        cls.executive = cls._create_user("dss_executive", EXECUTIVE, companies=cls.companies)
        cls.executive_2 = cls._create_user("dss_executive_branch", EXECUTIVE, companies=cls.company_2)
        cls.portal_user = new_test_user(
            cls.env, login="dss_portal", groups="base.group_portal", company_id=cls.company.id
        )
        cls.department_salespeople = cls.sales_a | cls.sales_b | cls.sales_sub
        cls.company_salespeople = cls.department_salespeople | cls.sales_other

        cls.customer = cls.env["res.partner"].create({"name": "Northwind Traders", "company_id": False})
        today = fields.Date.context_today(cls.customer)
        overdue = {"invoice_date": today - timedelta(days=60), "invoice_date_due": today - timedelta(days=30)}
        not_due = {"invoice_date": today, "invoice_date_due": today + timedelta(days=30)}

        cls._confirm_order(cls.sales_a, 1000.0)
        cls._confirm_order(cls.sales_b, 2000.0)
        cls._confirm_order(cls.sales_sub, 4000.0)
        cls._confirm_order(cls.sales_other, 8000.0)
        cls._confirm_order(cls.sales_branch, 16000.0, cls.company_2)

        cls.invoice_a = cls._post_invoice(cls.sales_a, 500.0, **overdue)
        cls.invoice_b = cls._post_invoice(cls.sales_b, 300.0, **not_due)
        cls._register_payment(cls.invoice_b, 100.0)
        cls.refund_b = cls._post_invoice(
            cls.sales_b, 50.0, move_type="out_refund", invoice_date=today, invoice_date_due=today
        )
        cls.invoice_other = cls._post_invoice(cls.sales_other, 700.0, **overdue)
        cls.invoice_branch = cls._post_invoice(cls.sales_branch, 900.0, cls.company_2, **overdue)

        # Left out of the report: not confirmed, not posted, not a customer document.
        cls._create_order(cls.sales_a, 999.0, cls.company)
        cls._create_invoice(cls.sales_a, 111.0, cls.company, **not_due)
        cls._post_invoice(cls.sales_a, 222.0, move_type="in_invoice", **not_due)

    @classmethod
    def _create_user(cls, login, groups, department=None, companies=None):
        """An internal user of ``companies`` (HQ by default) with an employee in ``department``."""
        return new_staff_user(cls.env, login, groups, department, companies or cls.company)

    @classmethod
    def _create_order(cls, user, amount, company):
        return (
            cls.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": cls.customer.id,
                    "user_id": user.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product_a.id,
                                "product_uom_qty": 1.0,
                                "price_unit": amount,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    @classmethod
    def _confirm_order(cls, user, amount, company=None):
        order = cls._create_order(user, amount, company or cls.company)
        order.action_confirm()
        return order

    @classmethod
    def _create_invoice(cls, user, amount, company, move_type="out_invoice", **dates):
        return (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": cls.customer.id,
                    "invoice_user_id": user.id,
                    "invoice_payment_term_id": False,
                    **dates,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Consulting", "quantity": 1.0, "price_unit": amount, "tax_ids": [Command.clear()]}
                        )
                    ],
                }
            )
        )

    @classmethod
    def _post_invoice(cls, user, amount, company=None, move_type="out_invoice", **dates):
        invoice = cls._create_invoice(user, amount, company or cls.company, move_type, **dates)
        invoice.action_post()
        return invoice

    @classmethod
    def _register_payment(cls, invoice, amount):
        cls.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": amount, "payment_date": invoice.invoice_date}
        )._create_payments()

    def _report(self, user, companies=None):
        """The performance report as ``user`` sees it, working in ``companies``."""
        Report = self.env["crm.dss.report.company"].with_user(user)
        if companies:
            Report = Report.with_context(allowed_company_ids=companies.ids)
        return Report

    def _rows(self, user, companies=None):
        """The report's rows on the fixtures' customer that ``user`` finds."""
        return self._report(user, companies).search([("partner_id", "=", self.customer.id)])

    def _totals(self, user, groupby, companies=None):
        """{group id: {measure: sum}} of the rows on the fixtures' customer, as ``user``."""
        groups = self._report(user, companies).read_group(
            [("partner_id", "=", self.customer.id)],
            ["ordered:sum", "invoiced:sum", "receivable:sum", "overdue:sum"],
            [groupby],
            lazy=False,
        )
        return {
            group[groupby][0]: {measure: group[measure] for measure in ("ordered", "invoiced", "receivable", "overdue")}
            for group in groups
        }
