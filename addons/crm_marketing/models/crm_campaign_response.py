from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, plaintext2html

from ..lib import prospects

KINDS = [
    ("open", "Open"),
    ("click", "Click"),
    ("reply", "Reply"),
    ("form", "Form Submission"),
    ("call", "Call"),
    ("attendance", "Event Attendance"),
]
# recorded by the system (mailing tracking, the public form), never entered by hand
AUTO_KINDS = ("open", "click", "reply", "form")
# what a user may not change on a response the system recorded
AUTO_FIXED_FIELDS = {"kind", "date", "campaign_id", "step_id", "company_id", "email", "phone"}
# the medium of the leads made from the responses that have no mailing
KIND_MEDIUMS = {
    "form": "utm.utm_medium_website",
    "call": "utm.utm_medium_phone",
    "attendance": "utm.utm_medium_direct",
}
# what Odoo strips from phone numbers before comparing them (``mail.thread.phone``)
PHONE_PATTERN = r"[\s\\./\(\)\-]"
# how many learnings the lead and the customer show
LEARNING_LINES = 20


class CrmCampaignResponse(models.Model):
    """A response to a campaign: a mailing opened, a link clicked, a reply, a submission
    of the campaign's web form (recorded by the system), a call or an event attendance
    (entered by a marketer or a salesperson).

    What it is for: the follow-up rules (``crm.campaign.response.rule``) give the
    salesperson an activity ("call within 2 days"); the responder becomes a lead, the
    same lead for every response of the same person or company (``_crm_convert``); and
    what marketing learned shows on the lead and on the customer for sales and service.

    Responses are assigned to a salesperson (``user_id``), who sees theirs; marketers
    see those of their campaigns, managers those of their department's campaigns.
    """

    _name = "crm.campaign.response"
    _description = "Campaign Response"
    _inherit = ["crm.system.fields.mixin"]
    _order = "date desc, id desc"
    _crm_system_fields = ("mailing_id", "trace_id", "lead_id", "activity_id", "rule_id")

    campaign_id = fields.Many2one("utm.campaign", index=True, ondelete="restrict")
    step_id = fields.Many2one(
        "crm.marketing.campaign.step",
        string="Campaign Step",
        index="btree_not_null",
        ondelete="set null",
        help="The event or step of the campaign the responder attended.",
    )
    kind = fields.Selection(KINDS, required=True, default="call", index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index="btree_not_null", ondelete="set null")
    responder_name = fields.Char(string="Name", help="The responder's name when they are no known customer.")
    email = fields.Char()
    phone = fields.Char()
    company_name = fields.Char(help="The company the responder gave.")
    interest = fields.Text(
        string="What We Learned",
        help="The link clicked, the form's message, the call's notes: what sales and service should know.",
    )
    mailing_id = fields.Many2one("mailing.mailing", index="btree_not_null", ondelete="set null")
    trace_id = fields.Many2one("mailing.trace", string="Mailing Trace", ondelete="set null")
    lead_id = fields.Many2one("crm.lead", index="btree_not_null", ondelete="set null")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index="btree_not_null",
        default=lambda self: self.env.user if not self.env.su else False,
        domain="[('share', '=', False)]",
        help="Follows the response up, and sees it.",
    )
    rule_id = fields.Many2one("crm.campaign.response.rule", ondelete="set null")
    activity_id = fields.Many2one("mail.activity", string="Follow-up", ondelete="set null")
    responder = fields.Char(compute="_compute_responder", help="The customer, else the name, email or phone given.")

    _sql_constraints = [
        ("trace_kind_unique", "UNIQUE(trace_id, kind)", "A mailing trace has one response of each kind."),
    ]

    @api.depends("partner_id", "responder_name", "email", "phone")
    def _compute_responder(self):
        for response in self:
            response.responder = (
                response.partner_id.display_name or response.responder_name or response.email or response.phone or ""
            )

    @api.depends("kind", "responder", "campaign_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for response in self:
            parts = [kinds.get(response.kind, ""), response.responder, response.campaign_id.title]
            response.display_name = " - ".join(part for part in parts if part)

    @api.constrains("kind", "step_id", "campaign_id")
    def _check_step(self):
        for response in self:
            if response.kind == "attendance" and not response.step_id:
                raise ValidationError(self.env._("An event attendance names the campaign step that was attended."))
            if response.step_id and response.step_id.campaign_id.campaign_id != response.campaign_id:
                raise ValidationError(
                    self.env._(
                        "The step %s belongs to another campaign: choose a step of the response's campaign.",
                        response.step_id.name,
                    )
                )

    @api.constrains("kind", "partner_id", "responder_name", "email", "phone")
    def _check_responder(self):
        for response in self:
            if response.kind not in AUTO_KINDS and not response.responder:
                raise ValidationError(
                    self.env._("Say who responded: choose the customer, or give a name, an email or a phone.")
                )

    @api.onchange("step_id")
    def _onchange_step_id(self):
        if self.step_id:
            self.campaign_id = self.step_id.campaign_id.campaign_id

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            default_kind = self.default_get(["kind"]).get("kind")
            kinds = {vals.get("kind") or default_kind for vals in vals_list}
            if kinds.intersection(AUTO_KINDS):
                raise AccessError(
                    self.env._("Opens, clicks, replies and form submissions are recorded by the system, not by hand.")
                )
        steps = self.env["crm.marketing.campaign.step"].browse(
            [vals["step_id"] for vals in vals_list if vals.get("step_id") and not vals.get("campaign_id")]
        )
        for vals in vals_list:
            if vals.get("step_id") and not vals.get("campaign_id"):
                vals["campaign_id"] = steps.browse(vals["step_id"]).campaign_id.campaign_id.id
        responses = super().create(vals_list)
        responses._crm_follow_up()
        return responses

    def write(self, vals):
        if not self.env.su:
            if vals.get("kind") in AUTO_KINDS:
                raise AccessError(self.env._("A response of this kind is recorded by the system, not by hand."))
            fixed = AUTO_FIXED_FIELDS.intersection(vals)
            if fixed and any(response.kind in AUTO_KINDS for response in self):
                raise AccessError(
                    self.env._(
                        "%s of a response the system recorded cannot be changed.",
                        ", ".join(self._fields[name].string for name in sorted(fixed)),
                    )
                )
        return super().write(vals)

    # Actions -------------------------------------------------------------------------

    def action_convert_to_lead(self):
        """Turn the responders into leads: the open lead they already have, else a new one."""
        self.check_access("write")
        self._crm_convert()
        leads = self.lead_id
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update(domain=[("id", "in", leads.ids)], context={"create": False})
        if len(leads) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=leads.id)
        return action

    # Recording -----------------------------------------------------------------------

    @api.model
    def _crm_record_traces(self, traces, kind):
        """Record a response of ``kind`` for the mailing traces of campaigns, once per
        trace and kind (a second open records nothing). Runs on every open pixel and
        every click: one query for what is already recorded, one per kind of mailed
        document, one insert."""
        # sudo: the pixel and the link tracker run for anonymous visitors; the responses
        # are the system's record of what the traces say
        traces = traces.sudo().filtered("campaign_id")
        if not traces:
            return self.browse()
        Response = self.sudo()
        done = {
            trace.id
            for [trace] in Response._read_group([("trace_id", "in", traces.ids), ("kind", "=", kind)], ["trace_id"])
        }
        traces = traces.filtered(lambda trace: trace.id not in done)
        if not traces:
            return self.browse()
        documents = {}
        for model in set(traces.mapped("model")):
            if model in self.env:
                ids = [trace.res_id for trace in traces if trace.model == model and trace.res_id]
                documents.update({(model, record.id): record for record in self.env[model].sudo().browse(ids).exists()})
        companies = self._crm_campaign_companies(traces.campaign_id)
        now = fields.Datetime.now()
        vals_list = []
        for trace in traces:
            values = {
                "kind": kind,
                "date": now,
                "campaign_id": trace.campaign_id.id,
                "mailing_id": trace.mass_mailing_id.id,
                "trace_id": trace.id,
                "email": trace.email,
                "interest": self._crm_trace_interest(trace, kind),
                "company_id": companies.get(trace.campaign_id, self.env.company).id,
            }
            values.update(self._crm_document_values(documents.get((trace.model, trace.res_id))))
            vals_list.append(values)
        return Response.create(vals_list)

    def _crm_trace_interest(self, trace, kind):
        if kind == "click":
            url = trace.links_click_ids[-1:].link_id.url
            return self.env._("Clicked %s", url) if url else False
        if kind == "reply":
            return self.env._("Replied to %s", trace.mass_mailing_id.subject)
        return False

    def _crm_document_values(self, document):
        """The responder as the mailed document tells it: the lead, the customer, or the
        mailing contact's name and company."""
        if not document:
            return {}
        values = (
            {"company_id": document.company_id.id} if "company_id" in document._fields and document.company_id else {}
        )
        if document._name == "crm.lead":
            values.update(
                lead_id=document.id,
                partner_id=document.partner_id.id,
                user_id=document.user_id.id,
                responder_name=document.contact_name,
                company_name=document.partner_name,
                phone=document.phone,
            )
            return values
        if document._name == "res.partner":
            values.update(partner_id=document.id, user_id=document.user_id.id)
            return values
        if "name" in document._fields:
            values["responder_name"] = document.name
        if "company_name" in document._fields:
            values["company_name"] = document.company_name
        return values

    @api.model
    def _crm_campaign_companies(self, utm_campaigns):
        """``{utm campaign: company}`` of the marketing campaigns built on them."""
        # sudo: read for visitors and salespeople, who may not see the campaign
        campaigns = self.env["crm.marketing.campaign"].sudo().search([("campaign_id", "in", utm_campaigns.ids)])
        return {campaign.campaign_id: campaign.company_id for campaign in campaigns}

    @api.model
    def _crm_record_form(self, utm_campaign, cleaned):
        """Record a submission of the campaign's public form, as cleaned by
        ``prospects.clean_form``; nothing else of the request is used."""
        company = self._crm_campaign_companies(utm_campaign).get(utm_campaign) or self.env.company
        # sudo: visitors have no rights; the values are the cleaned form's
        return self.sudo().create(
            {
                "kind": "form",
                "campaign_id": utm_campaign.id,
                "company_id": company.id,
                "responder_name": cleaned["name"],
                "email": cleaned["email"] or False,
                "phone": cleaned["phone"] or False,
                "company_name": cleaned["company"] or False,
                "interest": cleaned["message"] or False,
                "user_id": False,
            }
        )

    # Follow-up -----------------------------------------------------------------------

    def _crm_follow_up(self):
        """Apply the first matching rule to the responses without follow-up: the lead
        first where the rule asks for it (or where there is neither lead nor customer to
        put the activity on), then one activity each, all created at once."""
        # sudo: rules act whoever recorded the response; the activity goes to someone else
        responses = self.sudo().filtered(lambda response: not response.activity_id)
        matched = self.env["crm.campaign.response.rule"]._crm_match(responses)
        if not matched:
            return
        to_convert = self.browse(
            [
                response.id
                for response, rule in matched.items()
                if not response.lead_id and (rule.create_lead or not response.partner_id)
            ]
        ).sudo()
        to_convert._crm_convert()
        today = fields.Date.context_today(self)
        model_ids = {name: self.env["ir.model"]._get_id(name) for name in ("crm.lead", "res.partner")}
        activity_vals, followed = [], []
        for response, rule in matched.items():
            owner = (
                response.lead_id.user_id
                or response.partner_id.user_id
                or response.partner_id.commercial_partner_id.user_id
            )
            assignee = prospects.pick_assignee(
                rule.assign_to,
                owner_id=owner.id,
                campaign_user_id=response.campaign_id.user_id.id,
                team_leader_id=rule.team_id.user_id.id,
                fallback_id=rule.user_id.id or response.campaign_id.user_id.id,
            )
            document = response.lead_id or response.partner_id
            if not assignee or not document:
                continue
            activity_vals.append(
                {
                    "res_model_id": model_ids[document._name],
                    "res_id": document.id,
                    "activity_type_id": rule.activity_type_id.id,
                    "summary": self.env._(
                        "%(summary)s: %(campaign)s",
                        summary=rule.summary or rule.activity_type_id.name,
                        campaign=response.campaign_id.title or response.display_name,
                    ),
                    "note": plaintext2html(response.interest) if response.interest else False,
                    "date_deadline": today + timedelta(days=rule.days),
                    "user_id": assignee,
                    "automated": True,
                }
            )
            followed.append((response, rule, assignee))
        activities = self.env["mail.activity"].sudo().create(activity_vals)
        for (response, rule, assignee), activity in zip(followed, activities, strict=True):
            response.write({"activity_id": activity.id, "rule_id": rule.id, "user_id": assignee})

    # Leads ---------------------------------------------------------------------------

    def _crm_keys(self):
        """The keys the responder is recognised by, strongest first: the customer, then
        the email, the phone (a national number read in the customer's or the company's
        country) and the company name (``prospects``)."""
        self.ensure_one()
        partner = self.partner_id
        keys = prospects.responder_keys(
            email=self.email or partner.email,
            phone=self.phone or partner.phone or partner.mobile,
            company=self.company_name or partner.commercial_company_name or (partner.is_company and partner.name),
            country_phone_code=(partner.country_id or self.company_id.country_id).phone_code,
        )
        if partner:
            keys.insert(0, ("partner", partner.commercial_partner_id.id))
        return keys

    def _crm_stored_keys(self, record, companies, company_name):
        """The ``(company id, kind, value)`` keys a customer or a lead is found by, in
        each of ``companies`` it may match in (its own, or all when it has none); a
        national number is read in its country, else in the company's."""
        keys = set()
        for company in record.company_id or companies:
            code = (record.country_id or company.country_id).phone_code
            for kind, value in prospects.responder_keys(record.email_normalized, None, company_name):
                keys.add((company.id, kind, value))
            for number in (record.phone, record.mobile):
                key = prospects.phone_key(number, code)
                if key:
                    keys.add((company.id, "phone", key))
        return keys

    def _crm_phone_domain(self, model, values):
        """A domain on the records of ``model`` whose phone or mobile ends like one of the
        phone keys ``values``: one query, on the digits as Odoo indexes them."""
        Model = self.env[model]
        Model.flush_model(["phone", "mobile"])
        patterns = [f"%{prospects.phone_suffix(value)}" for value in values]
        conditions = SQL(" OR ").join(
            SQL("regexp_replace(%s, %s, '', 'g') LIKE ANY(%s)", SQL.identifier(fname), PHONE_PATTERN, patterns)
            for fname in ("phone", "mobile")
        )
        self.env.cr.execute(SQL("SELECT id FROM %s WHERE %s", SQL.identifier(Model._table), conditions))
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]

    def _crm_convert(self):
        """Link each response to its responder's open lead, else to a new lead: one lead
        per responder, the responses of one batch sharing a key counting as one responder.

        The responders' keys are locked first (``crm.campaign.response.lock``): a second
        transaction converting the same responder at the same moment fails once this one
        commits, is retried, and finds the lead made here. Customers and leads are then
        searched with one query each, matched in Python.
        """
        # sudo: deduplicating reads every customer and lead of the company, also those of
        # other salespeople; callers checked their right on the responses
        responses = self.sudo().filtered(lambda response: not response.lead_id)
        if not responses:
            return
        keys = {response: response._crm_keys() for response in responses}
        self.env["crm.campaign.response.lock"]._crm_lock(
            [
                f"responder:{response.company_id.id}:{kind}:{value}"
                for response in responses
                for kind, value in keys[response]
            ]
        )
        partners = self._crm_find_partners(responses, keys)
        for response, partner in partners.items():
            keys[response].insert(0, ("partner", partner.commercial_partner_id.id))
        leads_found = self._crm_find_leads(responses, keys)
        groups = prospects.group_responders(
            [[(response.company_id.id, *key) for key in keys[response]] for response in responses]
        )
        members = {}
        for response, group in zip(responses, groups, strict=True):
            members.setdefault(group, []).append(response)
        lead_of, new_groups, noted = {}, [], {}
        for group, group_responses in members.items():
            lead = next(
                (
                    found
                    for response in group_responses
                    if (
                        found := prospects.best_match(
                            [(response.company_id.id, *key) for key in keys[response]], leads_found
                        )
                    )
                ),
                None,
            )
            if lead:
                lead_of[group] = lead
                noted.setdefault(lead, []).extend(group_responses)
            else:
                new_groups.append(group)
        new_leads = (
            self.env["crm.lead"]
            .sudo()
            .create([self._crm_lead_values(members[group], partners) for group in new_groups])
        )
        lead_of.update(zip(new_groups, new_leads, strict=True))
        if noted:
            self.env["crm.lead"].sudo().browse([lead.id for lead in noted])._message_log_batch(
                bodies={lead.id: plaintext2html(self._crm_learning_text(found)) for lead, found in noted.items()}
            )
        for group, group_responses in members.items():
            lead = lead_of[group]
            for response in group_responses:
                values = {"lead_id": lead.id}
                partner = response.partner_id or partners.get(response) or lead.partner_id
                if partner and not response.partner_id:
                    values["partner_id"] = partner.id
                if not response.user_id and lead.user_id:
                    values["user_id"] = lead.user_id.id
                response.write(values)

    def _crm_find_partners(self, responses, keys):
        """``{response: customer}`` for the responses without customer whose email, phone
        or company name is a customer's (of their company or shared), the oldest first."""
        unknown = responses.filtered(lambda response: not response.partner_id)
        values = self._crm_key_values(unknown, keys)
        domains = []
        if values["email"]:
            domains.append([("email_normalized", "in", list(values["email"]))])
        if values["phone"]:
            domains.append(self._crm_phone_domain("res.partner", values["phone"]))
        domains.extend([("is_company", "=", True), ("name", "ilike", company)] for company in values["company"])
        if not domains:
            return {}
        # sudo: the dedup looks at every customer; only the one matched is linked
        candidates = (
            self.env["res.partner"]
            .sudo()
            .search(
                expression.AND([expression.OR(domains), [("company_id", "in", [*unknown.company_id.ids, False])]]),
                order="id",
            )
        )
        found = {}
        for partner in candidates:
            company = partner.name if partner.is_company else None
            for key in self._crm_stored_keys(partner, unknown.company_id, company):
                found.setdefault(key, partner)
        return {
            response: partner
            for response in unknown
            if (partner := prospects.best_match([(response.company_id.id, *key) for key in keys[response]], found))
        }

    def _crm_find_leads(self, responses, keys):
        """``{(company id, kind, value): open lead}``: the open leads and opportunities
        (active, not won) of the responses' companies holding one of their keys, the
        oldest first."""
        values = self._crm_key_values(responses, keys)
        domains = []
        if values["partner"]:
            domains.append([("partner_id", "child_of", list(values["partner"]))])
        if values["email"]:
            domains.append([("email_normalized", "in", list(values["email"]))])
        if values["phone"]:
            domains.append(self._crm_phone_domain("crm.lead", values["phone"]))
        domains.extend([("partner_name", "ilike", company)] for company in values["company"])
        if not domains:
            return {}
        leads = (
            self.env["crm.lead"]
            .sudo()
            .search(
                expression.AND(
                    [
                        expression.OR(domains),
                        [("company_id", "in", [*responses.company_id.ids, False])],
                        ["|", ("stage_id", "=", False), ("stage_id.is_won", "=", False)],
                    ]
                ),
                order="id",
            )
        )
        found = {}
        for lead in leads:
            lead_keys = self._crm_stored_keys(lead, responses.company_id, lead.partner_name)
            if lead.partner_id:
                lead_keys |= {
                    (company.id, "partner", lead.partner_id.commercial_partner_id.id)
                    for company in lead.company_id or responses.company_id
                }
            for key in lead_keys:
                found.setdefault(key, lead)
        return found

    @api.model
    def _crm_key_values(self, responses, keys):
        """The values of each kind of key of ``responses``, to search with."""
        values = {kind: set() for kind in ("partner", "email", "phone", "company")}
        for response in responses:
            for kind, value in keys[response]:
                values[kind].add(value)
        return values

    def _crm_lead_values(self, responses, partners):
        """A new lead for the responses of one responder, from the first of them."""
        first = responses[0]
        partner = first.partner_id or partners.get(first)
        medium = first.mailing_id.medium_id or self.env.ref(KIND_MEDIUMS.get(first.kind, ""), raise_if_not_found=False)
        owner = first.user_id or (partner.user_id if partner else False)
        values = {
            "name": self.env._(
                "%(campaign)s: %(responder)s",
                campaign=first.campaign_id.title or self.env._("Campaign response"),
                responder=first.company_name or first.responder or first.email or "",
            ),
            "partner_id": partner.id if partner else False,
            "campaign_id": first.campaign_id.id,
            "medium_id": medium.id if medium else False,
            "source_id": first.mailing_id.source_id.id,
            "user_id": owner.id if owner else False,
            "company_id": first.company_id.id,
            "description": plaintext2html(self._crm_learning_text(responses)),
        }
        if not partner or partner.is_company:
            values["contact_name"] = first.responder_name
        if not partner:
            values["partner_name"] = first.company_name
        # the responder's own details beat the customer's when they gave them
        if first.email:
            values["email_from"] = first.email
        if first.phone:
            values["phone"] = first.phone
        return values

    # Learnings -----------------------------------------------------------------------

    def _crm_learning_text(self, responses=None):
        """What marketing learned from these responses, a line each, the latest first."""
        responses = self if responses is None else self.browse([response.id for response in responses])
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        return "\n".join(
            prospects.learning_line(
                fields.Date.to_string(fields.Datetime.context_timestamp(self, response.date).date()),
                kinds[response.kind],
                response.campaign_id.title,
                response.interest,
            )
            for response in responses.sorted(lambda response: (response.date, response.id), reverse=True)
        )

    @api.model
    def _crm_learnings(self, domain, group_key):
        """``{key: (text, count)}`` of the learnings of the responses in ``domain`` grouped by
        ``group_key(response)`` (a lead, a customer), those of the companies the user
        works in, the latest ``LEARNING_LINES`` of each; one search for all."""
        # sudo: sales and service read what marketing learned of their lead or customer,
        # not the responses themselves (which are the assigned salesperson's)
        responses = self.sudo().search(
            expression.AND([domain, [("company_id", "in", self.env.companies.ids)]]), order="date desc, id desc"
        )
        grouped = {}
        for response in responses:
            grouped.setdefault(group_key(response), []).append(response)
        return {
            key: (responses._crm_learning_text(found[:LEARNING_LINES]), len(found)) for key, found in grouped.items()
        }
