from odoo import fields

from .common import CrmMarketingCommon


class CrmResponseCommon(CrmMarketingCommon):
    """:class:`CrmMarketingCommon` with what responses come from: a customer with its
    salesperson and open lead, a mailing of the participant's campaign with its traces,
    and the default rule "Call within 2 days" (clicks, replies, forms; the lead's or
    customer's salesperson)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.be")
        cls.campaign = cls.campaigns["participant"]
        cls.utm = cls.campaign.campaign_id
        cls.default_rule = cls.env.ref("crm_marketing.crm_campaign_response_rule_call")
        cls.buyer = cls.env["res.partner"].create(
            {
                "name": "Ann Buyer",
                "email": "Ann.Buyer@example.com",
                "phone": "+32 470 12 34 56",
                "user_id": cls.salesperson.id,
            }
        )
        cls.acme = cls.env["res.partner"].create({"name": "Acme", "is_company": True, "user_id": cls.colleague.id})
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Ann's project",
                "partner_id": cls.buyer.id,
                "user_id": cls.salesperson.id,
                "company_id": cls.company.id,
            }
        )
        cls.mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Spring news",
                "campaign_id": cls.utm.id,
                "mailing_model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "body_html": "<p>Hello</p>",
                "medium_id": cls.env.ref("utm.utm_medium_email").id,
                "source_id": cls.env.ref("utm.utm_source_newsletter").id,
            }
        )
        cls.step = cls.env["crm.marketing.campaign.step"].create({"name": "Trade fair", "campaign_id": cls.campaign.id})

    def _trace(self, record, email=None, mailing=None):
        return self.env["mailing.trace"].create(
            {
                "model": record._name,
                "res_id": record.id,
                "mass_mailing_id": (mailing or self.mailing).id,
                "email": email or getattr(record, "email_normalized", False) or "someone@example.com",
                "message_id": f"<trace-{record._name}-{record.id}@example.com>",
                "trace_status": "sent",
                "sent_datetime": fields.Datetime.now(),
            }
        )

    def _click(self, trace, url="https://example.com/pricing"):
        tracker = self.env["link.tracker"].search(
            [("url", "=", url), ("mass_mailing_id", "=", trace.mass_mailing_id.id)]
        )
        tracker = tracker or self.env["link.tracker"].create(
            {
                "url": url,
                "title": url,  # or the tracker fetches the page's title
                "mass_mailing_id": trace.mass_mailing_id.id,
                "campaign_id": trace.campaign_id.id,
            }
        )
        # as the /r/<code>/m/<trace> route does
        return (
            self.env["link.tracker.click"]
            .sudo()
            .add_click(tracker.code, ip="203.0.113.9", country_code="BE", mailing_trace_id=trace.id)
        )

    def _responses(self, traces, kind=None):
        domain = [("trace_id", "in", traces.ids)]
        if kind:
            domain.append(("kind", "=", kind))
        return self.env["crm.campaign.response"].search(domain)

    def _response(self, **values):
        """A response entered by hand (as superuser), by default a call of the participant's campaign."""
        return self.env["crm.campaign.response"].create(
            {"kind": "call", "campaign_id": self.utm.id, "company_id": self.company.id, **values}
        )
