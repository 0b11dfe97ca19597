from odoo.tests import TransactionCase, new_test_user

from odoo.addons.crm_workflow.tests.common import new_staff_user

AGENT = "crm_service.group_crm_service_user"
MANAGER = "crm_service.group_crm_service_manager"
EXECUTIVE = "crm_service.group_crm_service_executive"


class CrmServiceCommon(TransactionCase):
    """Two companies, a department tree, one user per role and a case owned by each.

    Headquarters: the Customer Service department with its Field Service sub-department,
    and an unrelated Finance department. The branch (second company) has its own
    service department. Every internal user has an employee in their department.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_2 = cls.env["res.company"].create({"name": "Service Branch"})

        Department = cls.env["hr.department"]
        cls.department = Department.create({"name": "Customer Service", "company_id": cls.company.id})
        cls.sub_department = Department.create(
            {"name": "Field Service", "parent_id": cls.department.id, "company_id": cls.company.id}
        )
        cls.other_department = Department.create({"name": "Finance", "company_id": cls.company.id})
        cls.department_2 = Department.create({"name": "Branch Service", "company_id": cls.company_2.id})

        cls.agent_a = cls._create_user("service_agent_a", AGENT, cls.department)
        cls.agent_b = cls._create_user("service_agent_b", AGENT, cls.department)
        cls.agent_sub = cls._create_user("service_agent_sub", AGENT, cls.sub_department)
        cls.agent_other = cls._create_user("service_agent_other", AGENT, cls.other_department)
        cls.manager = cls._create_user("service_manager", MANAGER, cls.department)
        cls.department.manager_id = cls.manager.employee_ids
        cls.executive = cls._create_user("service_executive", EXECUTIVE, companies=cls.company + cls.company_2)
        cls.agent_company_2 = cls._create_user("service_agent_branch", AGENT, cls.department_2, cls.company_2)
        cls.employee = cls._create_user("service_no_access", "base.group_user", cls.department)
        cls.portal_user = new_test_user(
            cls.env, login="service_portal", groups="base.group_portal", company_id=cls.company.id
        )

        cls.customer = cls.env["res.partner"].create({"name": "Printing Solutions Ltd"})
        cls.case_a, cls.case_b, cls.case_sub, cls.case_other, cls.case_manager, cls.case_unassigned = cls._create_cases(
            [cls.agent_a, cls.agent_b, cls.agent_sub, cls.agent_other, cls.manager, None],
            cls.company,
        )
        cls.case_company_2, cls.case_company_2_unassigned = cls._create_cases(
            [cls.agent_company_2, None], cls.company_2
        )
        cls.company_cases = cls.case_a | cls.case_b | cls.case_sub | cls.case_other | cls.case_manager
        cls.company_cases |= cls.case_unassigned
        cls.company_2_cases = cls.case_company_2 | cls.case_company_2_unassigned

    @classmethod
    def _create_user(cls, login, groups, department=None, companies=None):
        """An internal user of ``companies`` (HQ by default) with an employee in ``department``."""
        return new_staff_user(cls.env, login, groups, department, companies or cls.company)

    @classmethod
    def _create_cases(cls, users, company):
        """One case of ``cls.customer`` in ``company`` per user (``None``: unassigned)."""
        return cls.env["crm.service.case"].create(
            [
                {
                    "subject": f"Case of {user.login if user else 'nobody'}",
                    "partner_id": cls.customer.id,
                    "user_id": user.id if user else False,
                    "company_id": company.id,
                }
                for user in users
            ]
        )

    def _search_cases(self, user, companies=None):
        """The cases of the fixtures' customer that ``user`` finds in ``companies``."""
        Case = self.env["crm.service.case"].with_user(user)
        if companies:
            Case = Case.with_context(allowed_company_ids=companies.ids)
        return Case.search([("partner_id", "=", self.customer.id)])
