import re

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTour(HttpCase):
    """The whole round in the web client: a marketer plans a campaign for a segment and
    sends its mailing; a contact clicks the link; the contact's salesperson sees the click
    as a response that became a lead with a follow-up call for them."""

    def test_campaign_to_segment_response_becomes_lead(self):
        marketer = new_test_user(self.env, login="mkt_tour_marketer", groups="crm_marketing.group_crm_marketing_user")
        salesperson = new_test_user(self.env, login="mkt_tour_salesperson", groups="sales_team.group_sale_salesman")
        Partner = self.env["res.partner"]
        clicker = Partner.create(
            {
                "name": "Hangzhou Lighting",
                "email": "buyer@hz-lighting.example.com",
                "city": "Hangzhou",
                "user_id": salesperson.id,
            }
        )
        reader = Partner.create({"name": "West Lake Tea", "email": "info@westlake-tea.example.com", "city": "Hangzhou"})
        refusing = Partner.create(
            {"name": "Qiantang Tools", "email": "no@qiantang.example.com", "city": "Hangzhou", "crm_allow_email": False}
        )
        Partner.create({"name": "Shanghai Glass", "email": "sales@sh-glass.example.com", "city": "Shanghai"})
        self.env["crm.segment"].create(
            {"name": "Tour: Hangzhou prospects", "kind": "dynamic", "domain": "[('city', '=', 'Hangzhou')]"}
        )

        self.start_tour("/odoo", "crm_marketing_tour", login=marketer.login)

        campaign = self.env["crm.marketing.campaign"].search([("title", "=", "Tour: spring trade fair")])
        self.assertEqual(campaign.budget, 4500)
        self.assertEqual(campaign.user_id, marketer)
        mailing = campaign.step_ids.mailing_id
        self.assertEqual(mailing.state, "in_queue")
        self.assertEqual(mailing.campaign_id, campaign.campaign_id)
        # The marketer's text with a link (the editor's work), then the queue runs as its cron would.
        mailing.write({"body_arch": '<p>Meet us: <a href="https://example.com/fair">the fair</a></p>'})
        mailing.write({"body_html": mailing.body_arch})
        mailing.action_send_mail()
        traces = mailing.mailing_trace_ids
        self.assertEqual(set(traces.mapped("res_id")), {clicker.id, reader.id, refusing.id})
        self.assertEqual(traces.filtered(lambda t: t.res_id == refusing.id).trace_status, "cancel")
        self.assertEqual(set(traces.filtered(lambda t: t.res_id != refusing.id).mapped("trace_status")), {"sent"})

        # The contact clicks the tracked link of their mail.
        link = self.env["link.tracker"].search([("campaign_id", "=", campaign.campaign_id.id)])
        self.assertEqual(len(link), 1)
        trace = traces.filtered(lambda t: t.res_id == clicker.id)
        self.authenticate(None, None)
        response = self.url_open(f"/r/{link.code}/m/{trace.id}", allow_redirects=False)
        self.assertIn(response.status_code, (301, 302, 303))

        responses = self.env["crm.campaign.response"].search([("campaign_id", "=", campaign.campaign_id.id)])
        self.assertEqual(sorted(responses.mapped("kind")), ["click", "open"], "a click opens the mail too")
        click = responses.filtered(lambda r: r.kind == "click")
        self.assertEqual(click.partner_id, clicker)
        self.assertEqual(click.lead_id.partner_id, clicker)
        self.assertEqual(click.lead_id.campaign_id, campaign.campaign_id)
        self.assertEqual(click.activity_id.user_id, salesperson)
        self.assertEqual(click.activity_id.res_id, click.lead_id.id)
        self.assertTrue(re.search("Call", click.activity_id.activity_type_id.name))

        self.start_tour("/odoo", "crm_marketing_response_tour", login=salesperson.login)
