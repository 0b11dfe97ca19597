from odoo import Command

from odoo.addons.crm_workflow.tests.common import CrmSuiteOrgCase


class CrmSfaCommon(CrmSuiteOrgCase):
    """The suite's organisation with Odoo's sales levels, a branch and sales documents.

    On top of :class:`CrmSuiteOrgCase`: a branch of the head office (``company`` is the
    HQ) with a salesperson in Sales North, the manager and the executive allowed in the
    branch, and for each salesperson an opportunity, a quotation and a customer invoice.

    The web client always sends the active companies (``allowed_company_ids``), and the
    department rules depend on them: ``res.users.employee_ids`` only holds the employees
    of the active companies. Tests that span the HQ and its branch pass them too
    (``hq_and_branch``).
    """

    execution_groups = "sales_team.group_sale_salesman"
    management_groups = "crm_sfa.group_crm_sfa_manager"
    decision_groups = "sales_team.group_sale_salesman_all_leads"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "SFA Customer"})
        cls.product = cls.env["product.product"].create(
            {"name": "Consulting day", "type": "service", "list_price": 800}
        )
        cls._setup_leads()
        cls._setup_orders()
        cls._setup_invoices()
        # sale.report and crm.activity.report are SQL views over the tables
        cls.env.flush_all()

    @classmethod
    def _setup_companies(cls):
        companies = super()._setup_companies()
        cls._ensure_chart_of_accounts(cls.company)
        cls.branch = cls.env["res.company"].create({"name": "HQ Branch", "parent_id": cls.company.id})
        return companies | cls.branch

    @classmethod
    def _ensure_chart_of_accounts(cls, company):
        """Give ``company`` Odoo's generic chart of accounts if it has none yet.

        Installed with its tests in one step (``-i crm_sfa --test-enable``), the module's
        tests run before Odoo loads the chart of accounts that the installation of
        ``account`` chose (it does at the end of the registry's loading): they load it
        themselves, as ``AccountTestInvoicingCommon`` does, for the test only. A database
        that has its chart already (the suite's template) keeps it, at no cost.
        """
        if not company.chart_template:
            cls.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)

    @classmethod
    def _setup_users(cls):
        users = super()._setup_users()
        cls.branch_user = cls._new_user("suite_branch_user", cls.execution_groups, cls.branch)
        (cls.manager | cls.executive).write({"company_ids": [Command.link(cls.branch.id)]})
        cls.hq_and_branch = {"allowed_company_ids": (cls.company | cls.branch).ids}
        return users | cls.branch_user

    @classmethod
    def _setup_employees(cls):
        employees = super()._setup_employees()
        cls.employee_branch_user = cls._new_employee(cls.branch_user, cls.dept_sub)
        return employees | cls.employee_branch_user

    @classmethod
    def _owners(cls):
        """Each salesperson with the company of their documents, and no one (unassigned) in the HQ."""
        return {
            "participant": (cls.participant, cls.company),
            "colleague": (cls.colleague, cls.company),
            "sub_user": (cls.sub_user, cls.company),
            "branch_user": (cls.branch_user, cls.branch),
            "other_user": (cls.other_user, cls.company),
            "manager": (cls.manager, cls.company),
            "executive": (cls.executive, cls.company),
            "company2_user": (cls.company2_user, cls.company_2),
            "unassigned": (cls.env["res.users"], cls.company),
        }

    @classmethod
    def _setup_leads(cls):
        owners = cls._owners()
        leads = cls.env["crm.lead"].create(
            [
                {
                    "name": f"Opportunity of {key}",
                    "type": "opportunity",
                    "partner_id": cls.customer.id,
                    "user_id": user.id,
                    "team_id": False,
                    "company_id": company.id,
                }
                for key, (user, company) in owners.items()
            ]
        )
        cls.leads = dict(zip(owners, leads, strict=True))
        cls.all_leads = leads

    @classmethod
    def _setup_orders(cls):
        owners = cls._owners()
        orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "user_id": user.id,
                    "team_id": False,
                    "company_id": company.id,
                    "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 2})],
                }
                for user, company in owners.values()
            ]
        )
        cls.orders = dict(zip(owners, orders, strict=True))
        cls.all_orders = orders

    @classmethod
    def _setup_invoices(cls):
        # Invoices only in the head office: it is the company with a chart of accounts.
        owners = {key: user for key, (user, company) in cls._owners().items() if company == cls.company}
        invoices = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer.id,
                    "invoice_user_id": user.id,
                    "invoice_line_ids": [Command.create({"name": "Consulting", "quantity": 1, "price_unit": 800})],
                }
                for user in owners.values()
            ]
        )
        cls.invoices = dict(zip(owners, invoices, strict=True))
        cls.all_invoices = invoices

    @classmethod
    def pick(cls, records_by_owner, *keys):
        """The union of the records of the given owners."""
        result = next(iter(records_by_owner.values())).browse()
        for key in keys:
            result |= records_by_owner[key]
        return result
