import re
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged, users, warmup

from .common import CrmServiceCommon


class TestCrmServiceCase(CrmServiceCommon):
    """The life of a case, as the agent who handles it."""

    def _new_case(self, **values):
        return (
            self.env["crm.service.case"]
            .with_user(self.agent_a)
            .create({"subject": "Printer does not start", "partner_id": self.customer.id, **values})
        )

    @freeze_time("2025-03-14 09:30:00")
    def test_batch_create_numbers_each_case_from_the_sequence(self):
        cases = (
            self.env["crm.service.case"]
            .with_user(self.agent_a)
            .create([{"subject": f"Request {index}", "partner_id": self.customer.id} for index in range(3)])
        )
        for case in cases:
            self.assertRegex(case.name, r"^CASE/2025/\d{5}$")
        numbers = [int(re.search(r"\d{5}$", case.name).group()) for case in cases]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 3)))

    def test_create_keeps_a_given_reference(self):
        self.assertEqual(self._new_case(name="CASE/IMPORTED/1").name, "CASE/IMPORTED/1")

    def test_new_case_is_assigned_to_its_creator(self):
        case = self._new_case()
        self.assertEqual((case.user_id, case.state), (self.agent_a, "new"))

    def test_start_puts_case_in_progress(self):
        case = self._new_case()
        case.action_start()
        self.assertEqual(case.state, "in_progress")

    def test_solve_sets_closing_date(self):
        case = self._new_case()
        case.action_start()
        with freeze_time("2025-03-14 17:45:00"):
            case.action_solve()
        self.assertEqual(case.state, "solved")
        self.assertEqual(case.date_closed, datetime(2025, 3, 14, 17, 45))

    def test_reopen_clears_closing_date(self):
        case = self._new_case()
        case.action_solve()
        case.action_reopen()
        self.assertEqual(case.state, "in_progress")
        self.assertFalse(case.date_closed)

    def test_cancel_does_not_set_closing_date(self):
        case = self._new_case()
        case.action_cancel()
        self.assertEqual(case.state, "cancel")
        self.assertFalse(case.date_closed)


@tagged("crm_service_perf", "is_query_count")
class TestCrmServiceCasePerformance(CrmServiceCommon):
    @users("service_agent_a")
    @warmup
    def test_create_50_cases_in_one_call(self):
        values = [{"subject": f"Request {index}", "partner_id": self.customer.id} for index in range(50)]
        with self.assertQueryCount(service_agent_a=120):
            cases = self.env["crm.service.case"].create(values)
        self.assertEqual(len(cases), 50)
