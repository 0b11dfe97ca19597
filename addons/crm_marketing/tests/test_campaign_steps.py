from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form

from .common_campaign import CrmMarketingCampaignCommon

STEP_TYPE = "crm_marketing.mail_activity_type_campaign_step"


class TestCampaignStepActivities(CrmMarketingCampaignCommon):
    """A step assigned to someone is in their activities, by its deadline, and done with it."""

    def setUp(self):
        super().setUp()
        self.campaign = self.campaigns["participant"]
        self.Step = self.env["crm.marketing.campaign.step"].with_user(self.participant)

    def _activities(self, step):
        return self.env["mail.activity"].search(
            [("res_model", "=", step._name), ("res_id", "=", step.id), ("activity_type_id", "=", self.activity_type.id)]
        )

    @property
    def activity_type(self):
        return self.env.ref(STEP_TYPE)

    def test_assigned_step_is_an_activity_of_the_assignee_with_the_deadline(self):
        step = self.Step.create(
            {
                "campaign_id": self.campaign.id,
                "name": "Book the booth",
                "user_id": self.colleague.id,
                "date_deadline": "2025-02-10",
            }
        )
        activity = self._activities(step)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.colleague)
        self.assertEqual(activity.date_deadline, date(2025, 2, 10))
        self.assertEqual(activity.summary, "Book the booth")

    def test_unassigned_step_has_no_activity_until_assigned(self):
        step = self.Step.create({"campaign_id": self.campaign.id, "name": "Print flyers"})
        self.assertFalse(self._activities(step))
        step.write({"user_id": self.colleague.id, "date_deadline": "2025-02-12"})
        self.assertEqual(self._activities(step).user_id, self.colleague)

    def test_new_assignee_or_deadline_moves_the_same_activity(self):
        step = self.Step.create(
            {
                "campaign_id": self.campaign.id,
                "name": "Flyers",
                "user_id": self.colleague.id,
                "date_deadline": "2025-02-10",
            }
        )
        activity = self._activities(step)
        step.write({"user_id": self.sub_user.id, "date_deadline": "2025-02-20"})
        self.assertEqual(self._activities(step), activity)
        self.assertEqual((activity.user_id, activity.date_deadline), (self.sub_user, date(2025, 2, 20)))

    def test_marking_the_activity_done_marks_the_step_done(self):
        step = self.Step.create({"campaign_id": self.campaign.id, "name": "Flyers", "user_id": self.colleague.id})
        self.assertEqual(step.state, "todo")
        # the assignee ticks the activity in their activity list
        self._activities(step).with_user(self.colleague).action_feedback(feedback="Printed")
        self.assertEqual(step.state, "done")
        self.assertFalse(self._activities(step))

    def test_marking_the_step_done_marks_its_activity_done(self):
        step = self.Step.create({"campaign_id": self.campaign.id, "name": "Flyers", "user_id": self.colleague.id})
        step.action_done()
        self.assertEqual(step.state, "done")
        self.assertFalse(self._activities(step))
        done_messages = step.message_ids.filtered(lambda message: message.mail_activity_type_id == self.activity_type)
        self.assertEqual(len(done_messages), 1, "the activity was done, not just deleted")

    def test_cancelled_step_drops_its_activity_and_reopened_step_gets_one(self):
        step = self.Step.create({"campaign_id": self.campaign.id, "name": "Flyers", "user_id": self.colleague.id})
        step.action_cancel()
        self.assertFalse(self._activities(step))
        step.action_reset()
        self.assertEqual(self._activities(step).user_id, self.colleague)

    def test_other_activities_of_the_step_are_left_alone(self):
        step = self.Step.create({"campaign_id": self.campaign.id, "name": "Flyers", "user_id": self.colleague.id})
        call = step.activity_schedule("mail.mail_activity_data_call", user_id=self.participant.id)
        step.action_done()
        self.assertTrue(call.exists())

    def test_progress_is_the_share_of_steps_done(self):
        steps = self.Step.create([{"campaign_id": self.campaign.id, "name": f"Step {index}"} for index in range(5)])
        steps[0].action_done()
        steps[1].action_done()
        steps[4].action_cancel()
        self.assertEqual(self.campaign.progress, 50.0)

    def test_step_of_a_colleague_campaign_is_refused(self):
        with self.assertRaises(AccessError):
            self.Step.create({"campaign_id": self.campaigns["colleague"].id, "name": "Not mine"})


class TestCampaignEventAnalysis(CrmMarketingCampaignCommon):
    """An event is analysed after it: attendance, leads, cost, notes and rating."""

    def setUp(self):
        super().setUp()
        self.campaign = self.campaigns["participant"]
        self.event = self.env["crm.marketing.campaign.step"].create(
            {
                "campaign_id": self.campaign.id,
                "name": "Spring trade show",
                "kind": "event",
                "event_type": "trade_show",
                "attendance_planned": 4,
                "user_id": self.participant.id,
            }
        )

    def _attend(self, lead=False, kind="attendance"):
        # as superuser: the lead a response made is set by the system
        return self.env["crm.campaign.response"].create(
            {
                "campaign_id": self.campaign.campaign_id.id,
                "step_id": self.event.id,
                "kind": kind,
                "responder_name": "Visitor",
                "lead_id": lead.id if lead else False,
            }
        )

    def test_post_event_analysis(self):
        lead = self._lead(self.campaign)
        self._attend(lead)
        self._attend(lead)
        self._attend()
        self._attend(kind="call")
        self._cost(self.campaign, actual=600, step=self.event)
        self._cost(self.campaign, actual=400, step=self.event)
        self._cost(self.campaign, actual=999)
        event = self.event.with_user(self.participant)
        event.write({"analysis_notes": "<p>Busy second day</p>", "rating": "2"})
        self.assertEqual(event.attendance_actual, 3)
        self.assertEqual(event.attendance_rate, 75.0)
        self.assertEqual(event.lead_count, 1)
        self.assertEqual(event.event_cost, 1000)
        self.assertEqual(event.cost_per_lead, 1000)
        self.assertEqual(self.campaign.event_step_ids, self.event)

    def test_event_without_responses_or_costs(self):
        event = self.event.with_user(self.participant)
        self.assertEqual((event.attendance_actual, event.attendance_rate, event.lead_count), (0, 0.0, 0))
        self.assertEqual((event.event_cost, event.cost_per_lead), (0.0, 0.0))


class TestCampaignStepMailing(CrmMarketingCampaignCommon):
    """A mailing or SMS step prepares a draft mailing of the campaign, sent from Email Marketing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.participant.groups_id += cls.env.ref("mass_mailing.group_mass_mailing_user")
        cls.campaign = cls.campaigns["participant"]
        cls.campaign.segment_id = cls.segment

    def _step(self, kind):
        return (
            self.env["crm.marketing.campaign.step"]
            .with_user(self.participant)
            .create({"campaign_id": self.campaign.id, "name": "Spring invitation", "kind": kind})
        )

    def test_mailing_step_prepares_a_draft_email_mailing_of_the_campaign(self):
        step = self._step("mailing")
        action = step.action_prepare_mailing()
        mailing = step.mailing_id
        self.assertEqual(action["res_model"], "mailing.mailing")
        self.assertEqual(action["res_id"], mailing.id)
        self.assertEqual(mailing.state, "draft")
        self.assertEqual(mailing.mailing_type, "mail")
        self.assertEqual(mailing.subject, "Spring invitation")
        self.assertEqual(mailing.campaign_id, self.campaign.campaign_id)
        self.assertEqual(mailing.mailing_model_real, "res.partner")
        if "crm_segment_id" in mailing._fields:
            self.assertEqual(mailing.crm_segment_id, self.segment)

    def test_sms_step_prepares_an_sms_mailing_and_opens_the_same_one_again(self):
        step = self._step("sms")
        step.action_prepare_mailing()
        mailing = step.mailing_id
        self.assertEqual(mailing.mailing_type, "sms")
        self.assertEqual(step.action_prepare_mailing()["res_id"], mailing.id)
        self.assertEqual(
            self.env["mailing.mailing"].search_count([("campaign_id", "=", self.campaign.campaign_id.id)]), 1
        )

    def test_task_step_prepares_no_mailing(self):
        step = self._step("task")
        with self.assertRaises(UserError):
            step.action_prepare_mailing()
        self.assertFalse(step.mailing_id)

    def test_step_form_shows_the_event_type_only_for_events(self):
        form = Form(self.env["crm.marketing.campaign.step"].with_user(self.participant))
        form.campaign_id = self.campaign
        form.name = "Seminar"
        form.kind = "event"
        form.event_type = "seminar"
        step = form.save()
        self.assertEqual(step.event_type, "seminar")
