from odoo import models


class MailingTrace(models.Model):
    """Mailing tracking records campaign responses: an open (the pixel, or the open a
    click or a reply implies), a click, a reply (``crm.campaign.response``), once per
    trace and kind. Odoo's methods run first and unchanged."""

    _inherit = "mailing.trace"

    def set_opened(self, domain=None):
        traces = super().set_opened(domain=domain)
        self.env["crm.campaign.response"]._crm_record_traces(traces, "open")
        return traces

    def set_clicked(self, domain=None):
        traces = super().set_clicked(domain=domain)
        self.env["crm.campaign.response"]._crm_record_traces(traces, "click")
        return traces

    def set_replied(self, domain=None):
        traces = super().set_replied(domain=domain)
        self.env["crm.campaign.response"]._crm_record_traces(traces, "reply")
        return traces
