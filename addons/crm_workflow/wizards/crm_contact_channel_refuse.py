from odoo import api, fields, models

from ..lib import contact_preferences as prefs


class CrmContactChannelRefuse(models.TransientModel):
    """Record that contacts refuse a channel, and why: the reason and the note go to the
    opt-out log with the change. Unticking the channel on the form records it too, with
    the reason "not given"; ticking it again records the opt-in."""

    _name = "crm.contact.channel.refuse"
    _description = "Refuse a Contact Channel"

    partner_ids = fields.Many2many("res.partner", string="Contacts", required=True)
    channel = fields.Selection(prefs.CONTACT_CHANNELS, required=True)
    reason = fields.Selection([item for item in prefs.OPTOUT_REASONS if item[0] != prefs.NOT_GIVEN], required=True)
    note = fields.Char(help="What the contact said, in their words.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "partner_ids" in fields_list
            and not values.get("partner_ids")
            and context.get("active_model") == "res.partner"
            and context.get("active_ids")
        ):
            values["partner_ids"] = [fields.Command.set(context["active_ids"])]
        return values

    def action_confirm(self):
        """Refuse the channel for the contacts, as the user (their rights on contacts apply);
        a contact who preferred that channel no longer has a preference."""
        self.ensure_one()
        reason = prefs.Reason(reason=self.reason, note=self.note or "", source=prefs.SOURCE_USER)
        self.partner_ids.filtered(lambda p: p.crm_preferred_channel == self.channel).crm_preferred_channel = False
        self.partner_ids._crm_set_channels({self.channel: False}, reason)
        return {"type": "ir.actions.act_window_close"}
