from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.crm_workflow.tests.common import new_staff_user

MANAGER = "crm_dss.group_crm_dss_manager"
EXECUTIVE = "crm_dss.group_crm_dss_executive"
SALESPERSON = "sales_team.group_sale_salesman"
ADMIN = "base.group_user,base.group_system"


class OperationsCommon(TransactionCase):
    """An administrator and one user of every other role the suite has: none of them but the
    administrator may use the operations centre (it describes the whole database)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_2 = cls.env["res.company"].create({"name": "Operations Branch"})
        department = cls.env["hr.department"].create({"name": "Operations Sales", "company_id": cls.company.id})
        cls.admin = new_test_user(cls.env, login="ops_admin", groups=ADMIN, email="ops_admin@example.com")
        cls.executive = new_staff_user(cls.env, "ops_executive", EXECUTIVE, companies=cls.company | cls.company_2)
        cls.manager = new_staff_user(cls.env, "ops_manager", MANAGER, department)
        cls.salesperson = new_staff_user(cls.env, "ops_salesperson", SALESPERSON, department)
        cls.company2_user = new_staff_user(cls.env, "ops_company2", f"{SALESPERSON},{MANAGER}", companies=cls.company_2)
        cls.portal = new_test_user(cls.env, login="ops_portal", groups="base.group_portal")
        cls.outsiders = cls.executive | cls.manager | cls.salesperson | cls.company2_user | cls.portal
        cls.company_2.write({"user_ids": [Command.link(cls.admin.id)]})
