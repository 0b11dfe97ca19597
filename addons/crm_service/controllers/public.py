import pytz

from odoo import fields, http
from odoo.http import request
from odoo.tools import format_date, format_datetime, plaintext2html

from ..lib import public_forms
from ..lib.phone import lookup_key

# how many of the contacts with the caller's number are compared with the name they gave
PARTNER_CANDIDATES = 50
# the fewest digits Odoo's phone search accepts
MIN_SEARCH_DIGITS = 3


class CrmServicePublic(http.Controller):
    """The public service pages: the status of a case by its acceptance number and the
    customer's phone (``/service/status``), and the "call me back" request
    (``/service/callback``).

    Visitors have no rights: the pages read and write as superuser, within what they
    need. The status page tells the brief status and the day the case was received,
    nothing else, and the same neutral answer for a wrong number and a wrong phone. Both
    pages are rate-limited per client address (``crm.service.status.lookup``): past the
    limit they answer 429 without looking anything up, so that numbers cannot be
    enumerated. Both forms are posted with Odoo's CSRF token.
    """

    # Status page ---------------------------------------------------------------------

    @http.route("/service/status", type="http", auth="public", methods=["GET", "POST"], website=True)
    def service_status(self, number=None, phone=None, **kw):
        if request.httprequest.method != "POST":
            return request.render("crm_service.crm_service_public_status", {"looked_up": False})
        attempt, refused = self._crm_service_attempt("status")
        if refused:
            return self._crm_service_too_many()
        case = request.env["crm.service.case"]._crm_service_find_by_acceptance(number, phone)
        values = {"looked_up": True, "number": (number or "").strip()[:20]}
        if case:
            attempt._crm_service_succeeded()
            brief = dict(case._fields["brief_status"]._description_selection(request.env))
            values.update(
                found=True,
                brief_status=case.brief_status,
                brief_status_label=brief[case.brief_status],
                date_received=self._crm_service_format_day(case.date_open),
            )
        return request.render("crm_service.crm_service_public_status", values)

    # Call-back form ------------------------------------------------------------------

    @http.route("/service/callback", type="http", auth="public", methods=["GET", "POST"], website=True)
    def service_callback(self, **post):
        tz = self._crm_service_tz()
        if request.httprequest.method != "POST":
            return self._crm_service_render_callback(tz, {}, {})
        attempt, refused = self._crm_service_attempt("callback")
        if refused:
            return self._crm_service_too_many()
        cleaned, errors = public_forms.clean_callback(post, fields.Datetime.now(), tz)
        if errors:
            return self._crm_service_render_callback(tz, post, self._crm_service_callback_errors(errors), status=400)
        case = self._crm_service_create_callback(cleaned)
        attempt._crm_service_succeeded()
        return request.render(
            "crm_service.crm_service_public_callback_done",
            {
                "acceptance_number": case.acceptance_number,
                "callback_time": format_datetime(request.env, cleaned["callback_date"], tz=tz, dt_format="short")
                if cleaned["callback_date"]
                else False,
            },
        )

    def _crm_service_render_callback(self, tz, post, errors, status=200):
        return request.render(
            "crm_service.crm_service_public_callback",
            {"post": post, "errors": errors, "tz": tz},
            status=status,
        )

    def _crm_service_callback_errors(self, errors):
        messages = {
            "name_required": request.env._("Tell us your name."),
            "name_long": request.env._(
                "The name is too long: keep it under %s characters.", public_forms.NAME_MAX_LENGTH
            ),
            "phone_required": request.env._("Give the number we should call."),
            "phone_invalid": request.env._("The phone number may hold digits, spaces, +, -, dots and brackets only."),
            "phone_short": request.env._("The phone number is too short: give at least 6 digits."),
            "time_invalid": request.env._("Pick the date and the time you would like to be called."),
            "time_past": request.env._("The time you picked is past: pick a later one, or leave it empty."),
            "time_far": request.env._("Pick a time within the next 90 days."),
            "message_long": request.env._(
                "The message is too long: keep it under %s characters.", public_forms.MESSAGE_MAX_LENGTH
            ),
        }
        return {field: messages[code] for field, code in errors.items()}

    def _crm_service_create_callback(self, cleaned):
        """The call-back case of the request, routed by its creation, and the "Call back"
        activity of whoever has it: its assignee, else its team's leader; a case nobody
        has stays in the unassigned queue, where its call-back time shows."""
        company = request.env.company
        partner = self._crm_service_callback_partner(cleaned["name"], cleaned["phone"], company)
        # sudo: visitors may not create cases; the values are the cleaned form's
        case = (
            request.env["crm.service.case"]
            .sudo()
            .create(
                {
                    "subject": request.env._("Call-back request: %s", cleaned["name"]),
                    "partner_id": partner.id,
                    "partner_phone": cleaned["phone"],
                    "channel": "web",
                    "callback_date": cleaned["callback_date"] or False,
                    "description": plaintext2html(cleaned["message"]) if cleaned["message"] else False,
                    "company_id": company.id,
                }
            )
        )
        assignee = case.user_id or case.team_id.leader_id
        if assignee:
            self._crm_service_schedule_callback(case, assignee, cleaned)
        return case

    def _crm_service_schedule_callback(self, case, assignee, cleaned):
        """A "Call back" activity for ``assignee`` on the day of the preferred time in
        their time zone (today when none was given); the time, number and message in its note."""
        tz = assignee.tz if assignee.tz in pytz.all_timezones_set else self._crm_service_tz()
        when = cleaned["callback_date"]
        day = pytz.utc.localize(when or fields.Datetime.now()).astimezone(pytz.timezone(tz)).date()
        lines = [request.env._("Phone: %s", cleaned["phone"])]
        if when:
            lines.append(
                request.env._("Preferred time: %s", format_datetime(request.env, when, tz=tz, dt_format="short"))
            )
        if cleaned["message"]:
            lines.append(cleaned["message"])
        case.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=day,
            summary=request.env._("Call back %s", cleaned["name"]),
            note=plaintext2html("\n".join(lines)),
            user_id=assignee.id,
        )

    def _crm_service_callback_partner(self, name, phone, company):
        """The contact with the caller's number (the same last digits, as the call centre
        compares them), the one of the same name first; a new contact when none has it."""
        key = lookup_key(phone)
        # sudo: visitors may not read partners; only the one matched is used, never shown
        Partner = request.env["res.partner"].sudo()
        # the phone search reads a leading "00" as an international prefix: the key's
        # digits after its leading zeros are searched, and the key compared exactly after
        term = key.lstrip("0")
        candidates = (
            Partner.search(
                [("phone_mobile_search", "like", term), ("company_id", "in", [company.id, False])],
                order="id",
                limit=PARTNER_CANDIDATES,
            )
            if len(term) >= MIN_SEARCH_DIGITS
            else Partner
        )
        matches = candidates.filtered(lambda p: key in (lookup_key(p.phone), lookup_key(p.mobile)))
        same_name = matches.filtered(lambda p: (p.name or "").casefold() == name.casefold())
        return (same_name or matches)[:1] or Partner.create({"name": name, "phone": phone})

    # Shared --------------------------------------------------------------------------

    def _crm_service_attempt(self, kind):
        return request.env["crm.service.status.lookup"]._crm_service_register(kind, request.httprequest.remote_addr)

    def _crm_service_too_many(self):
        minutes = request.env["crm.service.status.lookup"]._crm_service_retry_minutes()
        return request.render(
            "crm_service.crm_service_public_too_many",
            {"retry_minutes": minutes},
            status=429,
            headers=[("Retry-After", str(minutes * 60))],
        )

    def _crm_service_tz(self):
        """The time zone the public pages speak in: the company's."""
        # sudo: visitors may not read the company's partner
        tz = request.env.company.sudo().partner_id.tz
        return tz if tz in pytz.all_timezones_set else "UTC"

    def _crm_service_format_day(self, value):
        """The day of ``value`` (naive UTC) in the company's time zone, as the visitor's language writes it."""
        day = pytz.utc.localize(value).astimezone(pytz.timezone(self._crm_service_tz())).date()
        return format_date(request.env, day)
