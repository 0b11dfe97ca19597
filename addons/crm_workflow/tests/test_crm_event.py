from odoo.exceptions import AccessError
from odoo.tests import tagged, warmup

from .common import CrmWorkflowCommon


class TestCrmEventFlow(CrmWorkflowCommon):
    """A participant works an event from new to done."""

    def test_new_event_is_new_and_assigned_to_its_creator(self):
        event = self.env["crm.event"].with_user(self.participant).create({"name": "Complaint"})
        self.assertEqual(event.state, "new")
        self.assertEqual(event.user_id, self.participant)

    def test_participant_starts_and_finishes_own_event(self):
        event = self.event_participant.with_user(self.participant)
        event.action_start()
        self.assertEqual(event.state, "in_progress")
        event.action_done()
        self.assertEqual(event.state, "done")

    def test_participant_cancels_own_event(self):
        event = self.event_participant.with_user(self.participant)
        event.action_cancel()
        self.assertEqual(event.state, "cancel")

    def test_participant_cannot_start_colleague_event(self):
        with self.assertRaises(AccessError):
            self.event_colleague.with_user(self.participant).action_start()

    def test_manager_starts_department_events_together(self):
        events = (self.event_colleague | self.event_sub_user).with_user(self.manager)
        events.action_start()
        self.assertEqual(set(events.mapped("state")), {"in_progress"})


@tagged("is_query_count", "crm_workflow_perf")
class TestCrmEventPerformance(CrmWorkflowCommon):
    """Reading a department's worklist costs the same for 5 or 50 events."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.many_events = cls.env["crm.event"].create(
            [
                {"name": f"Batch event {index}", "user_id": (cls.colleague | cls.sub_user)[index % 2].id}
                for index in range(60)
            ]
        )

    @warmup
    def test_manager_reads_department_worklist(self):
        Event = self.env["crm.event"].with_user(self.manager)
        self.env.invalidate_all()
        with self.assertQueryCount(5):
            rows = Event.search_read(
                [("id", "in", self.many_events.ids)],
                ["name", "event_type", "severity", "state", "date", "partner_id", "user_id"],
            )
        self.assertEqual(len(rows), 60)
