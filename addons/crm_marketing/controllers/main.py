import re
from datetime import timedelta

from odoo import http, tools
from odoo.http import request

from ..lib import prospects

# a form token as ``secrets.token_urlsafe(24)`` makes it
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# the largest submission read: the fields' limits with room for their names
MAX_BODY_BYTES = 16 * 1024
DEFAULT_LIMIT = 10
DEFAULT_WINDOW_MINUTES = 10


class CrmMarketingForm(http.Controller):
    """The public web form of a campaign: landing pages post the visitor's name, email,
    phone, company and message to ``/crm_marketing/form/<token>`` (form-encoded or
    JSON), which records a form response of the campaign (and so its follow-up).

    The address is a secret of the campaign (``utm.campaign.crm_form_token``); the
    visitor chooses nothing but the five values, which are checked and cut to their
    limits (``prospects.clean_form``). No CSRF token, as a form on another site cannot
    have one: the route creates no session and reads nothing of the visitor's; it is
    rate-limited per client address (``crm_marketing.form_limit`` submissions per
    ``crm_marketing.form_window`` minutes, counted before the token is looked up so that
    tokens cannot be guessed), answering 429 past the limit. Answers are JSON.
    """

    @http.route(
        "/crm_marketing/form/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        cors="*",
        save_session=False,
    )
    def crm_marketing_form(self, token, **post):
        if (request.httprequest.content_length or 0) > MAX_BODY_BYTES:
            return self._crm_answer({"error": "too_large"}, 413)
        limit, window = self._crm_limits()
        # sudo: the counter is the system's; the address is kept as a keyed hash
        client = tools.hmac(request.env(su=True), "crm_marketing.form", request.httprequest.remote_addr or "")
        if not request.env["crm.campaign.response.lock"].sudo()._crm_count_attempt(f"form:{client}", limit, window):
            return self._crm_answer(
                {"error": "too_many_requests"}, 429, headers=[("Retry-After", str(int(window.total_seconds())))]
            )
        campaign = self._crm_campaign(token)
        if not campaign:
            return self._crm_answer({"error": "unknown_form"}, 404)
        values = post
        if request.httprequest.mimetype == "application/json":
            values = request.httprequest.get_json(silent=True)
            if not isinstance(values, dict):
                return self._crm_answer({"error": "invalid_json"}, 400)
        cleaned, errors = prospects.clean_form(values)
        if errors:
            return self._crm_answer({"error": "invalid", "fields": errors}, 400)
        request.env["crm.campaign.response"]._crm_record_form(campaign, cleaned)
        return self._crm_answer({"ok": True}, 201)

    def _crm_campaign(self, token):
        """The active campaign of the form token, else nothing."""
        if not token or not TOKEN_RE.match(token):
            return None
        # sudo: visitors may not read campaigns; the token is the secret that names one
        return request.env["utm.campaign"].sudo().search([("crm_form_token", "=", token)], limit=1) or None

    def _crm_limits(self):
        # sudo: visitors may not read the configuration
        params = request.env["ir.config_parameter"].sudo()
        limit = prospects.positive_int(params.get_param("crm_marketing.form_limit"), DEFAULT_LIMIT)
        minutes = prospects.positive_int(params.get_param("crm_marketing.form_window"), DEFAULT_WINDOW_MINUTES)
        return limit, timedelta(minutes=minutes)

    def _crm_answer(self, data, status, headers=None):
        return request.make_json_response(data, headers=headers, status=status)
