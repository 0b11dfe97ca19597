from odoo import api, fields, models

from ..lib.phone import lookup_key

HISTORY_LIMIT = 40


class ResPartner(models.Model):
    """The customer's service side: their cases, recognition by phone number, and one
    history of every interaction from every channel (:meth:`_crm_service_history`)."""

    _inherit = "res.partner"

    crm_service_case_count = fields.Integer(
        string="Service Cases", compute="_compute_crm_service_case_count", groups="base.group_user"
    )
    crm_service_history_html = fields.Html(
        string="Customer History",
        compute="_compute_crm_service_history_html",
        sanitize=False,
        groups="base.group_user",
    )

    def _compute_crm_service_case_count(self):
        Case = self.env["crm.service.case"]
        if not Case.has_access("read"):
            self.crm_service_case_count = 0
            return
        counts = dict(
            Case._read_group(
                [("partner_id.commercial_partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            family = partner.commercial_partner_id
            partner.crm_service_case_count = sum(
                count for contact, count in counts.items() if contact.commercial_partner_id == family
            )

    def _compute_crm_service_history_html(self):
        for partner in self:
            partner.crm_service_history_html = partner._crm_service_history_render()

    def action_crm_service_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("crm_service.crm_service_case_action")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # Recognition -----------------------------------------------------------------

    @api.model
    def _crm_service_find_by_phone(self, number):
        """The contacts whose phone or mobile is ``number`` (same last digits, any prefix)."""
        key = lookup_key(number)
        if not key:
            return self.browse()
        candidates = self.search([("phone_mobile_search", "ilike", key)], limit=20)
        return candidates.filtered(lambda p: key in (lookup_key(p.phone), lookup_key(p.mobile)))

    # History -----------------------------------------------------------------------

    def _crm_service_history_sources(self):
        """What the history reads: ``(model, domain, date field, kind, title field)`` per
        kind of interaction with the customer's commercial entity, for the models installed.
        Other add-ons extend it (campaign responses of crm_marketing)."""
        family = [("partner_id", "child_of", self.commercial_partner_id.id)]
        sources = [
            ("crm.service.case", family, "date_open", self.env._("Case"), "subject"),
            ("crm.lead", family, "create_date", self.env._("Lead"), "name"),
            ("sale.order", [*family, ("state", "!=", "cancel")], "date_order", self.env._("Order"), "name"),
            (
                "account.move",
                [*family, ("move_type", "in", ("out_invoice", "out_refund")), ("state", "=", "posted")],
                "invoice_date",
                self.env._("Invoice"),
                "name",
            ),
            (
                "discuss.channel",
                [
                    ("channel_type", "=", "livechat"),
                    ("channel_member_ids.partner_id", "child_of", self.commercial_partner_id.id),
                ],
                "create_date",
                self.env._("Chat"),
                "name",
            ),
            (
                "mail.message",
                [
                    ("author_id", "child_of", self.commercial_partner_id.id),
                    ("message_type", "in", ("email", "comment", "sms")),
                ],
                "date",
                self.env._("Message"),
                "subject",
            ),
            ("crm.campaign.response", family, "create_date", self.env._("Campaign Response"), "display_name"),
        ]
        return [source for source in sources if source[0] in self.env]

    def _crm_service_history(self, limit=HISTORY_LIMIT):
        """The customer's interactions, newest first: dicts of date, kind, title, model, id.

        Read with the user's rights: a kind the user may not read is left out, and so is
        what the record rules hide. Each kind costs one search, at most ``limit`` rows.
        """
        self.ensure_one()
        entries = []
        for model, domain, date_field, kind, title_field in self._crm_service_history_sources():
            Model = self.env[model]
            if not Model.has_access("read") or date_field not in Model._fields:
                continue
            for record in Model.search(domain, order=f"{date_field} desc, id desc", limit=limit):
                entries.append(
                    {
                        "date": fields.Datetime.to_datetime(record[date_field]) if record[date_field] else None,
                        "kind": kind,
                        "title": (record[title_field] if title_field in record._fields else "") or record.display_name,
                        "model": model,
                        "id": record.id,
                    }
                )
        entries.sort(key=lambda entry: (entry["date"] is not None, entry["date"] or 0), reverse=True)
        return entries[:limit]

    def _crm_service_history_render(self, limit=HISTORY_LIMIT):
        if not self.commercial_partner_id:
            return False
        return self.env["ir.qweb"]._render(
            "crm_service.crm_service_customer_history",
            {"entries": self._crm_service_history(limit), "partner": self},
        )
