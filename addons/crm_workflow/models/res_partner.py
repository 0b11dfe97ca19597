from odoo import api, fields, models

from ..lib import contact_preferences as prefs
from ..lib.contact_preferences import CONTACT_CHANNELS

CONTEXT_REASON = "crm_workflow_optout_reason"


class ResPartner(models.Model):
    """The channels a contact may be reached by, which every sending path of the suite
    asks (:meth:`_crm_contactable`): campaigns, workflow mails, service notifications.

    A channel is allowed by the contact's choice and not blocked by Odoo's blacklists
    (``mail.blacklist`` for email, ``phone.blacklist`` for SMS and calls when installed).
    The two are kept apart on purpose: the blacklist says "never write to this address",
    whoever holds it; the flags are this contact's choice. Both are honoured, neither
    sets the other, and every change of either is logged on the contact
    (``crm.contact.optout``): refusing a channel with its reason and date, allowing it
    again, an address blacklisted or released.
    """

    _inherit = "res.partner"

    crm_allow_email = fields.Boolean(string="Email Allowed", default=True)
    crm_allow_sms = fields.Boolean(string="SMS Allowed", default=True)
    crm_allow_phone = fields.Boolean(string="Calls Allowed", default=True)
    crm_allow_post = fields.Boolean(string="Post Allowed", default=True)
    crm_preferred_channel = fields.Selection(
        CONTACT_CHANNELS, string="Preferred Channel", help="How the contact prefers to hear from us."
    )
    crm_optout_ids = fields.One2many(
        "crm.contact.optout", "partner_id", string="Opt-out History", readonly=True, groups="base.group_user"
    )
    crm_latest_optout_ids = fields.Many2many(
        "crm.contact.optout",
        string="Latest Opt-outs",
        compute="_compute_crm_latest_optout_ids",
        groups="base.group_user",
        help="The last time the contact refused each channel, with the reason given.",
    )

    @api.depends("crm_optout_ids")
    def _compute_crm_latest_optout_ids(self):
        Optout = self.env["crm.contact.optout"]
        latest = Optout._crm_latest_optouts(self._origin)
        for partner in self:
            partner.crm_latest_optout_ids = latest.get(partner._origin, Optout)

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        reason = self._crm_optout_reason()
        partners._crm_log_changes(
            [
                (partner, channel, prefs.OPT_OUT)
                for partner, vals in zip(partners, vals_list, strict=True)
                for channel in prefs.created_refusals(
                    {
                        channel: vals[prefs.field_of(channel)]
                        for channel in prefs.CHANNELS
                        if prefs.field_of(channel) in vals
                    }
                )
            ],
            reason,
        )
        return partners

    def write(self, vals):
        changing = [channel for channel in prefs.CHANNELS if prefs.field_of(channel) in vals]
        if not changing:
            return super().write(vals)
        before = {partner: {channel: partner[prefs.field_of(channel)] for channel in changing} for partner in self}
        result = super().write(vals)
        after = {partner: {channel: partner[prefs.field_of(channel)] for channel in changing} for partner in self}
        self._crm_log_changes(prefs.channel_changes(before, after), self._crm_optout_reason())
        return result

    def _crm_optout_reason(self):
        """Why the channels change now: what code said (a :class:`prefs.Reason` in the
        context), else "not given", by an import, the contact themselves or a user."""
        told = self.env.context.get(CONTEXT_REASON)
        if isinstance(told, prefs.Reason):
            return told
        if self.env.context.get("import_file"):
            return prefs.Reason(source=prefs.SOURCE_IMPORT)
        return prefs.Reason()

    def _crm_log_changes(self, changes, reason):
        """Record ``changes`` (``[(partner, channel, kind)]``) in the opt-out log."""
        if not changes:
            return
        user_partner = self.env.user.partner_id
        self.env["crm.contact.optout"]._crm_record(
            [
                {
                    "partner_id": partner.id,
                    "channel": channel,
                    "kind": kind,
                    "reason": reason.reason if kind == prefs.OPT_OUT else False,
                    "note": reason.note or False,
                    # the portal's preferences page writes the user's own partner
                    "source": prefs.SOURCE_CONTACT
                    if reason.source == prefs.SOURCE_USER and partner == user_partner and self.env.user.share
                    else reason.source,
                }
                for partner, channel, kind in changes
            ]
        )

    def _crm_set_channels(self, allowed, reason):
        """Allow or refuse channels (``{channel: bool}``) for a ``reason`` (:class:`prefs.Reason`):
        the write is the user's own (their access rights apply), the log says why."""
        return self.with_context(**{CONTEXT_REASON: reason}).write(
            {prefs.field_of(channel): value for channel, value in allowed.items()}
        )

    @api.model
    def _crm_log_blacklist_changes(self, field, blocked_before, blocked_after, channels):
        """Log on the contacts whose ``field`` (their address or number) was blocked or
        released by a blacklist change: ``blocked_before`` and ``blocked_after`` are the
        blocked values among those the change touched. Their own choices stay as they are.

        sudo: the blacklist is global, so is its log: every contact with the address,
        whichever company they belong to.
        """
        released, blocked = blocked_before - blocked_after, blocked_after - blocked_before
        if not released and not blocked:
            return
        told = self.env.context.get(CONTEXT_REASON)
        reason = (
            told
            if isinstance(told, prefs.Reason)
            else prefs.Reason(
                source=prefs.SOURCE_IMPORT if self.env.context.get("import_file") else prefs.SOURCE_BLACKLIST
            )
        )
        partners = self.sudo().with_context(active_test=False).search([(field, "in", list(released | blocked))])
        self._crm_log_changes(
            [
                (partner, channel, prefs.OPT_OUT if partner[field] in blocked else prefs.OPT_IN)
                for partner in partners
                for channel in channels
            ],
            reason,
        )

    def _crm_contactable(self, channel):
        """The partners of ``self`` who may be reached by ``channel`` now."""
        if channel not in dict(CONTACT_CHANNELS):
            raise ValueError(f"unknown contact channel {channel!r}")
        partners = self.filtered(f"crm_allow_{channel}")
        if channel == "email":
            # sudo: the blacklist is read to honour it, whoever sends
            emails = [email for email in partners.mapped("email_normalized") if email]
            blocked = set(self.env["mail.blacklist"].sudo().search([("email", "in", emails)]).mapped("email"))
            return partners.filtered(lambda p: p.email_normalized and p.email_normalized not in blocked)
        if channel in ("sms", "phone"):
            numbered = partners.filtered(lambda p: p.mobile or p.phone)
            if "phone_sanitized" not in partners._fields or "phone.blacklist" not in self.env:
                return numbered
            # sudo: the blacklist is read to honour it, whoever sends
            blocked = set(
                self.env["phone.blacklist"]
                .sudo()
                .search([("number", "in", [n for n in numbered.mapped("phone_sanitized") if n])])
                .mapped("number")
            )
            return numbered.filtered(lambda p: not p.phone_sanitized or p.phone_sanitized not in blocked)
        return partners.filtered(lambda p: p.street or p.city)
