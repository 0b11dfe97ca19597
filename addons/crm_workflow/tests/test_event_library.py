from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError

from .common_process import CrmWorkflowProcessCase

T0 = datetime(2025, 3, 3, 9, 0, 0)


class TestEventLibraryCase(CrmWorkflowProcessCase):
    """The shipped library: customer events start the COMPLAINT and CRITICAL processes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the customer's salesperson hears of complaints; the responsible's manager approves
        cls.customer.user_id = cls.colleague
        cls.employee_participant.parent_id = cls.employee_manager
        cls.rule_complaint = cls.env.ref("crm_workflow.event_rule_complaint")
        cls.rule_critical = cls.env.ref("crm_workflow.event_rule_critical")

    def _report(self, values):
        """A participant records a customer event, as from the event form."""
        return (
            self.env["crm.event"].with_user(self.participant).create(dict({"partner_id": self.customer.id}, **values))
        )

    def _instances(self, events):
        return self.env["crm.workflow.instance"].search([("event_id", "in", events.ids)])


class TestEventLibraryFlows(TestEventLibraryCase):
    def test_shipped_processes_are_active(self):
        Process = self.env["crm.workflow.process"]
        self.assertEqual(Process._get_active("COMPLAINT"), self.env.ref("crm_workflow.process_complaint"))
        self.assertEqual(Process._get_active("CRITICAL"), self.env.ref("crm_workflow.process_critical"))

    def test_complaint_notifies_the_salesperson_and_apologises_to_the_customer(self):
        event = self._report({"name": "Invoice sent twice", "event_type": "complaint"})
        instance = self._instances(event)
        self.assertEqual(len(instance), 1)
        self.assertEqual((instance.process_code, instance.state), ("COMPLAINT", "done"))
        self.assertEqual(
            self._items(instance).mapped("activity_id.name"),
            ["Complaint received", "Notify the sales department", "Apology letter", "Done"],
        )
        self.assertEqual(set(self._items(instance).mapped("state")), {"done"})

        # the salesperson is e-mailed about the complaint, the customer is not
        mails = self.env["mail.mail"].sudo().search([("model", "=", "crm.event"), ("res_id", "=", event.id)])
        to_sales = mails.filtered(lambda mail: mail.subject == "Complaint from Process Customer: Invoice sent twice")
        self.assertEqual(len(to_sales), 1)
        self.assertEqual(to_sales.recipient_ids, self.colleague.partner_id)
        self.assertIn("Invoice sent twice", to_sales.body_html)

        # the customer receives the apology, posted on the event
        messages = self.env["mail.message"].sudo().search([("model", "=", "crm.event"), ("res_id", "=", event.id)])
        apology = messages.filtered(lambda message: message.subject == "We are sorry: Invoice sent twice")
        self.assertEqual(len(apology), 1)
        self.assertEqual(apology.partner_ids, self.customer)
        self.assertIn("Dear Process Customer", apology.body)
        self.assertNotIn(self.customer, to_sales.recipient_ids)

    def test_complaint_without_salesperson_notifies_the_responsible(self):
        self.customer.user_id = False
        event = self._report({"name": "Rude driver", "event_type": "complaint"})
        mails = self.env["mail.mail"].sudo().search([("model", "=", "crm.event"), ("res_id", "=", event.id)])
        to_sales = mails.filtered(lambda mail: (mail.subject or "").startswith("Complaint from"))
        self.assertEqual(to_sales.recipient_ids, self.participant.partner_id)
        self.assertEqual(self._instances(event).state, "done")

    def test_critical_event_needs_approval_and_call_back(self):
        with freeze_time(T0):
            event = self._report({"name": "Production line stopped", "severity": "critical"})
        instance = self._instances(event)
        self.assertEqual((instance.process_code, instance.state), ("CRITICAL", "running"))
        approval = self._items(instance, "Manager approval")
        callback = self._items(instance, "Call the customer back")
        self.assertRecordValues(
            approval | callback,
            [
                {"state": "offered", "user_id": self.manager.id, "deadline": T0 + timedelta(hours=8)},
                {"state": "offered", "user_id": self.participant.id, "deadline": T0 + timedelta(hours=4)},
            ],
        )
        call = self._workflow_activities(event, self.participant)
        self.assertRecordValues(
            call,
            [
                {
                    "summary": "Call the customer back",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "date_deadline": T0.date(),
                }
            ],
        )
        self.assertEqual(self._workflow_activities(event, self.manager).summary, "Manager approval")

        # the responsible calls back, from the activity on the event
        with freeze_time(T0 + timedelta(hours=2)):
            self._as(self.participant, call).action_feedback(feedback="Customer reassured")
        self.assertEqual(callback.state, "done")
        self.assertEqual(instance.state, "running", "the approval is still missing")
        self.assertEqual(self._items(instance, "Both done").state, "waiting")

        with freeze_time(T0 + timedelta(hours=3)):
            self._as(self.manager, approval).action_complete()
        self.assertEqual(approval.state, "done")
        self.assertRecordValues(instance, [{"state": "done", "cycle_hours": 3.0}])
        self.assertFalse(self._workflow_activities(event))

    def test_critical_complaint_starts_both_processes(self):
        event = self._report({"name": "Fire in the shop", "event_type": "complaint", "severity": "critical"})
        instances = self._instances(event)
        self.assertEqual(set(instances.mapped("process_code")), {"COMPLAINT", "CRITICAL"})

    def test_other_events_start_nothing(self):
        event = self._report({"name": "Question on prices", "event_type": "consultation", "severity": "high"})
        self.assertFalse(self._instances(event))

    def test_participant_sees_the_instance_of_their_event(self):
        event = self._report({"name": "Production line stopped", "severity": "critical"})
        instance = self._instances(event)
        visible = self._as(self.participant, self.env["crm.workflow.instance"]).search([("event_id", "=", event.id)])
        self.assertEqual(visible, instance)
        self.assertEqual(self._as(self.participant, event).workflow_instance_count, 1)


class TestEventLibraryRules(TestEventLibraryCase):
    """Rules are read when each event arrives: a change applies to the next event."""

    def test_deactivated_rule_starts_nothing(self):
        self._as(self.manager, self.rule_complaint).write({"active": False})
        event = self._report({"name": "Invoice sent twice", "event_type": "complaint"})
        self.assertFalse(self._instances(event))
        self.assertEqual(event.workflow_instance_count, 0)
        # switched back on, it applies to the next complaint
        self._as(self.manager, self.rule_complaint).write({"active": True})
        event = self._report({"name": "Invoice sent three times", "event_type": "complaint"})
        self.assertEqual(self._instances(event).process_code, "COMPLAINT")

    def test_new_rule_starts_its_process_for_the_next_event(self):
        process = self._build_process(
            "CONSULTATION",
            [("Start", "start"), ("Answer the question", "human", {"performer": "field"}), ("End", "end")],
            [("Start", "Answer the question"), ("Answer the question", "End")],
            user=self.manager,
        )
        earlier = self._report({"name": "Question on prices", "event_type": "consultation"})
        rule = (
            self.env["crm.event.rule"]
            .with_user(self.manager)
            .create({"name": "Consultations", "event_type": "consultation", "process_id": process.id})
        )
        self.assertEqual(rule.process_code, "CONSULTATION")
        later = self._report({"name": "Question on delivery", "event_type": "consultation"})
        self.assertFalse(self._instances(earlier))
        instance = self._instances(later)
        self.assertEqual(instance.process_id, process)
        self.assertEqual(self._items(instance, "Answer the question").user_id, self.participant)
        # a complaint still starts only the complaint process
        complaint = self._report({"name": "Invoice sent twice", "event_type": "complaint"})
        self.assertEqual(self._instances(complaint).mapped("process_code"), ["COMPLAINT"])

    def test_rule_condition_narrows_the_events(self):
        process = self._sequence("VIP", "field")
        vip = self.env["res.partner"].create({"name": "VIP customer"})
        self.env["crm.event.rule"].with_user(self.manager).create(
            {
                "name": "VIP consultations",
                "event_type": "consultation",
                "condition": f"[('partner_id', '=', {vip.id})]",
                "process_code": process.code,
            }
        )
        regular = self._report({"name": "Question", "event_type": "consultation"})
        special = self._report({"name": "Question", "event_type": "consultation", "partner_id": vip.id})
        self.assertFalse(self._instances(regular))
        self.assertEqual(self._instances(special).process_id, process)

    def test_rule_of_a_process_without_active_version_starts_nothing(self):
        process = self._build_process(
            "DRAFTED",
            [("Start", "start"), ("End", "end")],
            [("Start", "End")],
            activate=False,
        )
        self.env["crm.event.rule"].create(
            {"name": "Drafted", "event_type": "consultation", "process_code": process.code}
        )
        event = self._report({"name": "Question", "event_type": "consultation"})
        self.assertFalse(self._instances(event))

    def test_rule_of_another_company_does_not_apply(self):
        process = self._sequence("COMPANY2-ONLY", "field")
        self.env["crm.event.rule"].create(
            {
                "name": "Second company consultations",
                "event_type": "consultation",
                "process_code": process.code,
                "company_id": self.company_2.id,
            }
        )
        event = self._report({"name": "Question", "event_type": "consultation"})
        self.assertFalse(self._instances(event))

    def test_participant_cannot_change_rules(self):
        with self.assertRaises(AccessError):
            self._as(self.participant, self.rule_complaint).write({"active": False})
        self.assertTrue(self.rule_complaint.active)


class TestEventPayloads(TestEventLibraryCase):
    """``crm.event._create_from_payload``: every payload is checked before anything is recorded."""

    def setUp(self):
        super().setUp()
        self.Event = self.env["crm.event"].with_user(self.participant)
        gone = self.env["res.partner"].create({"name": "Gone"})
        self.gone_id = gone.id
        gone.unlink()

    def _counts(self):
        return (
            self.env["crm.event"].search_count([]),
            self.env["crm.workflow.instance"].search_count([]),
        )

    def test_bad_payloads_create_nothing_and_say_why(self):
        good = {"name": "Invoice sent twice", "event_type": "complaint", "partner_id": self.customer.id}
        cases = [
            ({"name": "Gossip", "event_type": "gossip"}, "Event 2: event_type 'gossip' is unknown"),
            ({"name": "Doom", "severity": "apocalyptic"}, "Event 2: severity 'apocalyptic' is unknown"),
            ({"name": "Red", "colour": "red", "size": 3}, "Event 2 has unknown keys: colour, size"),
            ({"event_type": "complaint"}, "Event 2: it has no subject"),
            ({"name": "   "}, "Event 2: it has no subject"),
            ({"name": 42}, "Event 2: it has no subject"),
            (
                {"name": "Ghost", "partner_id": self.gone_id},
                f"partner_id names no record that exists (id {self.gone_id})",
            ),
            ({"name": "Text id", "partner_id": str(self.customer.id)}, "partner_id must be the id of a record"),
            (
                {"name": "Customer", "user_id": self.portal.id},
                f"user_id names no record that exists (id {self.portal.id})",
            ),
            ({"name": "True user", "user_id": True}, "user_id must be the id of a record, not True"),
            (
                {"name": "Foreign", "company_id": self.company_2.id},
                f"company_id names no record that exists (id {self.company_2.id})",
            ),
            ({"name": "When", "date": "yesterday"}, "date 'yesterday' is not a date and time"),
            ({"name": "When", "date": "2026-13-45 25:00:00"}, "is not a date and time"),
            ({"name": "From", "source_ref": f"res.partner,{self.gone_id}"}, "source_ref 'res.partner,"),
            ({"name": "From", "source_ref": "no.such.model,1"}, "must name an existing record as 'model,id'"),
            ({"name": "Details", "description": ["<p>"]}, "description must be a text"),
            ("not a dict", "Event 2 is not a set of named values"),
        ]
        for payload, message in cases:
            with self.subTest(payload=payload):
                before = self._counts()
                with self.assertRaises(UserError) as caught:
                    self._as(self.participant, self.Event)._create_from_payload([good, payload])
                self.assertIn(message, str(caught.exception))
                self.assertIn("No event was recorded", str(caught.exception))
                self.assertEqual(self._counts(), before)

    def test_every_problem_is_named_at_once(self):
        with self.assertRaises(UserError) as caught:
            self.Event._create_from_payload([{"event_type": "gossip", "severity": "doom"}])
        message = str(caught.exception)
        for part in ("no subject", "event_type 'gossip' is unknown", "severity 'doom' is unknown"):
            self.assertIn(part, message)

    def test_good_payloads_create_events_and_start_their_processes(self):
        before_events, before_instances = self._counts()
        events = self._as(self.participant, self.Event)._create_from_payload(
            [
                {"name": "Invoice sent twice", "event_type": "complaint", "partner_id": self.customer.id},
                {"name": "Line stopped", "severity": "critical", "partner_id": self.customer.id},
                {"name": "Question on prices", "description": "<p>Which discount applies?</p>"},
            ]
        )
        self.assertEqual(len(events), 3)
        self.assertEqual(self._counts(), (before_events + 3, before_instances + 2))
        self.assertRecordValues(
            events,
            [
                {"event_type": "complaint", "severity": "normal", "user_id": self.participant.id},
                {"event_type": "consultation", "severity": "critical", "user_id": self.participant.id},
                {"event_type": "consultation", "severity": "normal", "user_id": self.participant.id},
            ],
        )
        self.assertEqual(self._instances(events[0]).mapped("state"), ["done"])
        self.assertEqual(self._instances(events[1]).mapped("process_code"), ["CRITICAL"])
        self.assertFalse(self._instances(events[2]))

    def test_payload_dates_are_read(self):
        event = self.Event._create_from_payload([{"name": "Dated", "date": "2026-11-30 08:15:00"}])
        self.assertEqual(str(event.date), "2026-11-30 08:15:00")

    def test_empty_payload_list_creates_nothing(self):
        before = self._counts()
        self.assertFalse(self.Event._create_from_payload([]))
        self.assertEqual(self._counts(), before)
