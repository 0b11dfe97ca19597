from odoo.tests import tagged

from .common_response import CrmResponseCommon

BATCH = 50


@tagged("post_install", "-at_install", "is_query_count", "crm_marketing_perf")
class TestCampaignResponsePerformance(CrmResponseCommon):
    """Query ceilings of recording and converting responses in batches, tracking on as
    in production: the counts do not grow with the batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # tracking as in production (the suite's fixtures are made without)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_create_nolog=False))
        contacts = cls.env["mailing.contact"].create(
            [
                {"name": f"Reader {index}", "email": f"reader{index}@example.com", "company_name": f"Reader Co {index}"}
                for index in range(BATCH)
            ]
        )
        mailing = cls.mailing.copy({"mailing_model_id": cls.env["ir.model"]._get_id("mailing.contact")})
        cls.traces = cls.env["mailing.trace"].create(
            [
                {
                    "model": "mailing.contact",
                    "res_id": contact.id,
                    "mass_mailing_id": mailing.id,
                    "email": contact.email,
                    "trace_status": "sent",
                }
                for contact in contacts
            ]
        )
        cls.env.flush_all()

    def test_record_opens_in_a_batch(self):
        Trace = self.env["mailing.trace"].sudo()
        with self.assertQueryCount(12):
            Trace.set_opened(domain=[("id", "in", self.traces.ids)])
            self.env.flush_all()
        self.assertEqual(len(self._responses(self.traces, "open")), BATCH)
        # a second open of every trace: nothing more, fewer queries
        with self.assertQueryCount(2):
            Trace.set_opened(domain=[("id", "in", self.traces.ids)])
            self.env.flush_all()
        self.assertEqual(len(self._responses(self.traces)), BATCH)

    def _calls(self):
        responses = self.env["crm.campaign.response"].create(
            [
                {
                    "kind": "call",
                    "campaign_id": self.utm.id,
                    "company_id": self.company.id,
                    "responder_name": f"Caller {index}",
                    "email": f"caller{index}@example.com",
                    "phone": f"+32 470 00 {index:04d}",
                    "company_name": f"Caller Co {index}",
                    "interest": "Asked for a quote",
                }
                for index in range(BATCH)
            ]
        )
        self.env.flush_all()
        return responses

    def test_convert_to_open_leads(self):
        """Every responder has an open lead: the responses are linked and each lead gets
        a note, in a constant number of queries."""
        responses = self._calls()
        self.env["crm.lead"].create(
            [{"name": f"Caller {index}", "email_from": f"caller{index}@example.com"} for index in range(BATCH)]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(25):
            responses.action_convert_to_lead()
            self.env.flush_all()
        self.assertEqual(len(responses.lead_id), BATCH)

    def test_convert_to_new_leads(self):
        """No responder has a lead: one batch create of the leads. What grows with the
        batch is Odoo's own creation of leads with tracking on (the creation message and
        its followers, the stage: 9 queries a lead), not the conversion. The ceiling is
        that of the whole suite installed: the other add-ons' lead defaults add two."""
        responses = self._calls()
        self.env.invalidate_all()
        with self.assertQueryCount(37 + 9 * BATCH):
            responses.action_convert_to_lead()
            self.env.flush_all()
        self.assertEqual(len(responses.lead_id), BATCH)
