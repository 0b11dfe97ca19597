from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import CrmServiceCommon


class TestCrmServiceCaseAccess(CrmServiceCommon):
    """Who reads, writes, creates and deletes which service cases."""

    def _new_case_values(self, user):
        return {"subject": "Paper jam", "partner_id": self.customer.id, "user_id": user.id}

    # Agent: own and unassigned cases -------------------------------------------

    def test_agent_reads_own_and_unassigned_cases(self):
        self.assertEqual(self._search_cases(self.agent_a), self.case_a | self.case_unassigned)

    def test_agent_cannot_read_colleague_case(self):
        with self.assertRaises(AccessError):
            self.case_b.with_user(self.agent_a).read(["subject"])

    def test_agent_writes_own_case(self):
        self.case_a.with_user(self.agent_a).write({"priority": "2"})
        self.assertEqual(self.case_a.priority, "2")

    def test_agent_takes_unassigned_case(self):
        self.case_unassigned.with_user(self.agent_a).write({"user_id": self.agent_a.id})
        self.assertEqual(self.case_unassigned.user_id, self.agent_a)

    def test_agent_cannot_write_colleague_case(self):
        with self.assertRaises(AccessError):
            self.case_b.with_user(self.agent_a).write({"priority": "2"})

    def test_agent_creates_own_case(self):
        case = self.env["crm.service.case"].with_user(self.agent_a).create(self._new_case_values(self.agent_a))
        self.assertEqual(case.user_id, self.agent_a)

    def test_agent_logs_a_case_for_a_colleague_and_keeps_seeing_it(self):
        # the call centre logs cases that routing or the agent gives to someone else
        case = self.env["crm.service.case"].with_user(self.agent_a).create(self._new_case_values(self.agent_b))
        self.assertEqual(case.user_id, self.agent_b)
        self.assertIn(case, self._search_cases(self.agent_a))
        self.assertIn(case, self._search_cases(self.agent_b))
        self.assertNotIn(case, self._search_cases(self.agent_other))

    def test_agent_cannot_take_a_colleagues_case(self):
        with self.assertRaises(AccessError):
            self.case_b.with_user(self.agent_a).write({"user_id": self.agent_a.id})

    def test_agent_cannot_delete_own_case(self):
        with self.assertRaises(AccessError):
            self.case_a.with_user(self.agent_a).unlink()

    # Department manager: their department and its sub-departments --------------

    def test_manager_reads_department_and_sub_department_cases(self):
        self.assertEqual(
            self._search_cases(self.manager),
            self.case_a | self.case_b | self.case_sub | self.case_manager | self.case_unassigned,
        )

    def test_manager_cannot_read_other_department_case(self):
        with self.assertRaises(AccessError):
            self.case_other.with_user(self.manager).read(["subject"])

    def test_manager_writes_sub_department_case(self):
        self.case_sub.with_user(self.manager).write({"user_id": self.agent_b.id})
        self.assertEqual(self.case_sub.user_id, self.agent_b)

    def test_manager_cannot_write_other_department_case(self):
        with self.assertRaises(AccessError):
            self.case_other.with_user(self.manager).write({"priority": "2"})

    def test_manager_creates_case_for_department_member(self):
        case = self.env["crm.service.case"].with_user(self.manager).create(self._new_case_values(self.agent_b))
        self.assertEqual(case.user_id, self.agent_b)

    def test_manager_cannot_change_a_case_of_another_department(self):
        with self.assertRaises(AccessError):
            self.case_other.with_user(self.manager).write({"subject": "Mine now"})

    def test_manager_deletes_department_case(self):
        self.case_b.with_user(self.manager).unlink()
        self.assertFalse(self.case_b.exists())

    def test_manager_cannot_delete_other_department_case(self):
        with self.assertRaises(AccessError):
            self.case_other.with_user(self.manager).unlink()

    # Executive: every case of the companies they work in -----------------------

    def test_executive_reads_cases_of_both_companies(self):
        self.assertEqual(
            self._search_cases(self.executive, self.company + self.company_2),
            self.company_cases | self.company_2_cases,
        )

    def test_executive_reads_only_cases_of_active_company(self):
        self.assertEqual(self._search_cases(self.executive, self.company), self.company_cases)

    def test_executive_writes_any_case(self):
        cases = (self.case_other | self.case_company_2).with_user(self.executive)
        cases.with_context(allowed_company_ids=(self.company + self.company_2).ids).write({"priority": "1"})
        self.assertEqual(set(cases.mapped("priority")), {"1"})

    def test_executive_creates_case_for_anyone(self):
        case = self.env["crm.service.case"].with_user(self.executive).create(self._new_case_values(self.agent_other))
        self.assertEqual(case.user_id, self.agent_other)

    def test_executive_deletes_any_case(self):
        self.case_other.with_user(self.executive).unlink()
        self.assertFalse(self.case_other.exists())

    # Companies ------------------------------------------------------------------

    def test_second_company_agent_reads_only_their_company_cases(self):
        self.assertEqual(self._search_cases(self.agent_company_2), self.company_2_cases)

    def test_second_company_agent_cannot_read_first_company_unassigned_case(self):
        with self.assertRaises(AccessError):
            self.case_unassigned.with_user(self.agent_company_2).read(["subject"])

    def test_first_company_agent_cannot_read_second_company_unassigned_case(self):
        with self.assertRaises(AccessError):
            self.case_company_2_unassigned.with_user(self.agent_a).read(["subject"])

    # Users without a service role -----------------------------------------------

    def test_employee_without_service_role_cannot_read_cases(self):
        with self.assertRaises(AccessError):
            self._search_cases(self.employee)

    def test_employee_without_service_role_cannot_create_case(self):
        with self.assertRaises(AccessError):
            self.env["crm.service.case"].with_user(self.employee).create(self._new_case_values(self.employee))

    def test_portal_user_reads_only_their_company_cases(self):
        self.assertFalse(self._search_cases(self.portal_user))
        customer_user = new_test_user(self.env, login="service_portal_customer", groups="base.group_portal")
        customer_user.partner_id.parent_id = self.customer
        self.assertEqual(self._search_cases(customer_user), self.company_cases)
        # what is internal stays out of reach, over RPC too
        case = self.case_a.with_user(customer_user)
        for name in ("user_id", "stage_id", "team_id", "event_id"):
            with self.subTest(field=name), self.assertRaises(AccessError):
                case.read([name])

    def test_portal_user_cannot_create_case(self):
        with self.assertRaises(AccessError):
            self.env["crm.service.case"].with_user(self.portal_user).create(self._new_case_values(self.agent_a))
