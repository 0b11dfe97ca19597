from odoo.exceptions import AccessError

from .common import CrmWorkflowCommon


class TestCrmEventRead(CrmWorkflowCommon):
    """Who finds which customer events."""

    def test_participant_reads_own_and_unassigned_events(self):
        self.assertVisible(self.participant, self.events, self.event_participant | self.event_unassigned)

    def test_colleague_does_not_read_participant_events(self):
        self.assertVisible(self.colleague, self.events, self.event_colleague | self.event_unassigned)

    def test_participant_cannot_open_colleague_event(self):
        with self.assertRaises(AccessError):
            self.event_colleague.with_user(self.participant).read(["name"])

    def test_manager_reads_department_and_sub_department_events(self):
        self.assertVisible(self.manager, self.events, self.events_department)

    def test_manager_cannot_open_other_department_event(self):
        with self.assertRaises(AccessError):
            self.event_other_user.with_user(self.manager).read(["name"])

    def test_executive_reads_events_of_all_allowed_companies(self):
        self.assertVisible(
            self.executive,
            self.events,
            self.events,
            allowed_company_ids=[self.company.id, self.company_2.id],
        )

    def test_executive_reads_only_events_of_the_active_company(self):
        self.assertVisible(self.executive, self.events, self.events_company, allowed_company_ids=[self.company.id])
        self.assertVisible(self.executive, self.events, self.events_company2, allowed_company_ids=[self.company_2.id])

    def test_second_company_user_reads_only_second_company_events(self):
        self.assertVisible(self.company2_user, self.events, self.events_company2)

    def test_second_company_user_cannot_open_first_company_event(self):
        with self.assertRaises(AccessError):
            self.event_unassigned.with_user(self.company2_user).read(["name"])

    def test_first_company_user_cannot_open_second_company_event(self):
        with self.assertRaises(AccessError):
            self.event_company2_unassigned.with_user(self.participant).read(["name"])

    def test_portal_cannot_read_events(self):
        with self.assertRaises(AccessError):
            self.env["crm.event"].with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.event_unassigned.with_user(self.portal).read(["name"])


class TestCrmEventWrite(CrmWorkflowCommon):
    """Who may change, create and delete customer events."""

    def test_participant_writes_own_event(self):
        self.event_participant.with_user(self.participant).write({"severity": "high"})
        self.assertEqual(self.event_participant.severity, "high")

    def test_participant_takes_unassigned_event(self):
        self.event_unassigned.with_user(self.participant).write({"user_id": self.participant.id})
        self.assertEqual(self.event_unassigned.user_id, self.participant)

    def test_participant_cannot_write_colleague_event(self):
        with self.assertRaises(AccessError):
            self.event_colleague.with_user(self.participant).write({"severity": "high"})

    def test_participant_hands_own_event_over_to_colleague(self):
        self.event_participant.with_user(self.participant).write({"user_id": self.colleague.id})
        self.assertVisible(self.participant, self.event_participant, self.event_participant.browse())
        self.assertVisible(self.colleague, self.event_participant, self.event_participant)

    def test_participant_creates_own_event(self):
        event = self.env["crm.event"].with_user(self.participant).create({"name": "Phone call"})
        self.assertEqual(event.user_id, self.participant)
        self.assertEqual(event.company_id, self.company)

    def test_participant_cannot_create_event_for_colleague(self):
        with self.assertRaises(AccessError):
            self.env["crm.event"].with_user(self.participant).create({"name": "Call", "user_id": self.colleague.id})

    def test_participant_cannot_unlink_own_event(self):
        with self.assertRaises(AccessError):
            self.event_participant.with_user(self.participant).unlink()

    def test_manager_writes_sub_department_event(self):
        self.event_sub_user.with_user(self.manager).write({"severity": "critical"})
        self.assertEqual(self.event_sub_user.severity, "critical")

    def test_manager_creates_event_for_department_member(self):
        event = self.env["crm.event"].with_user(self.manager).create({"name": "Visit", "user_id": self.colleague.id})
        self.assertEqual(event.user_id, self.colleague)

    def test_manager_cannot_write_other_department_event(self):
        with self.assertRaises(AccessError):
            self.event_other_user.with_user(self.manager).write({"severity": "critical"})

    def test_manager_unlinks_department_event(self):
        self.event_colleague.with_user(self.manager).unlink()
        self.assertFalse(self.event_colleague.exists())

    def test_manager_cannot_unlink_other_department_event(self):
        with self.assertRaises(AccessError):
            self.event_other_user.with_user(self.manager).unlink()

    def test_executive_writes_and_unlinks_any_event(self):
        executive = self.executive.with_context(allowed_company_ids=[self.company.id, self.company_2.id])
        self.event_other_user.with_user(executive).write({"severity": "low"})
        self.assertEqual(self.event_other_user.severity, "low")
        (self.event_other_user | self.event_company2).with_user(executive).unlink()
        self.assertFalse((self.event_other_user | self.event_company2).exists())

    def test_second_company_user_cannot_write_first_company_event(self):
        with self.assertRaises(AccessError):
            self.event_unassigned.with_user(self.company2_user).write({"severity": "low"})

    def test_second_company_user_cannot_create_event_in_first_company(self):
        with self.assertRaises(AccessError):
            self.env["crm.event"].with_user(self.company2_user).create({"name": "Visit", "company_id": self.company.id})

    def test_portal_cannot_create_event(self):
        with self.assertRaises(AccessError):
            self.env["crm.event"].with_user(self.portal).create({"name": "Visit"})

    def test_portal_cannot_write_event(self):
        with self.assertRaises(AccessError):
            self.event_unassigned.with_user(self.portal).write({"severity": "low"})


class TestCrmEventDepartmentChange(CrmWorkflowCommon):
    """The department rules follow the employees when they move (the rule cache is cleared)."""

    def test_colleague_leaving_department_leaves_manager_view(self):
        self.assertVisible(self.manager, self.event_colleague, self.event_colleague)
        self.employee_colleague.department_id = self.dept_other
        self.assertVisible(self.manager, self.event_colleague, self.event_colleague.browse())

    def test_employee_joining_department_enters_manager_view(self):
        self.assertVisible(self.manager, self.event_other_user, self.event_other_user.browse())
        self.employee_other_user.department_id = self.dept_sub
        self.assertVisible(self.manager, self.event_other_user, self.event_other_user)

    def test_manager_moving_to_other_department_sees_that_department(self):
        # The first search fills the rule cache with the manager's department...
        self.assertVisible(self.manager, self.events, self.events_department)
        self.employee_manager.department_id = self.dept_other
        # ...which the move must drop.
        expected = self.event_other_user | self.event_manager | self.event_unassigned
        self.assertVisible(self.manager, self.events, expected)

    def test_user_linked_to_employee_enters_manager_view(self):
        newcomer = self._new_user("suite_newcomer", self.execution_groups, self.company)
        event = self.env["crm.event"].create({"name": "Newcomer event", "user_id": newcomer.id})
        self.assertVisible(self.manager, event, event.browse())
        self._new_employee(newcomer, self.dept_sales)
        self.assertVisible(self.manager, event, event)

    def test_manager_linked_to_employee_sees_department(self):
        self.employee_manager.user_id = False
        self.assertVisible(self.manager, self.events, self.event_manager | self.event_unassigned)
        self.employee_manager.user_id = self.manager
        self.assertVisible(self.manager, self.events, self.events_department)
