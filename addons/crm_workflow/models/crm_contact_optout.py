from odoo import api, fields, models, tools

from ..lib import contact_preferences as prefs


class CrmContactOptout(models.Model):
    """The log of a contact's opt-outs and opt-ins, one row per channel change.

    Written by code only (``res.partner`` when a channel is refused or allowed again,
    ``mail.blacklist`` when an address is blocked or released): users read it, nobody
    writes or deletes it (no access right grants it; the code creates its rows in sudo).
    A narrow fact table: no ``write_*`` columns, the date and the user are the row's
    own; the partner's form reads the latest opt-out of each channel through the
    index on ``(partner_id, channel, id)``.
    """

    _name = "crm.contact.optout"
    _description = "Contact Opt-out"
    _order = "date desc, id desc"
    _log_access = False
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Contact", required=True, ondelete="cascade", readonly=True)
    channel = fields.Selection(prefs.CONTACT_CHANNELS, required=True, readonly=True)
    kind = fields.Selection(prefs.KINDS, required=True, readonly=True)
    reason = fields.Selection(prefs.OPTOUT_REASONS, readonly=True)
    note = fields.Char(readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    source = fields.Selection(prefs.OPTOUT_SOURCES, required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Recorded By", readonly=True, default=lambda self: self.env.uid)

    def _auto_init(self):
        result = super()._auto_init()
        tools.create_index(
            self._cr, "crm_contact_optout_partner_channel_index", self._table, ["partner_id", "channel", "id"]
        )
        return result

    @api.model
    def _crm_record(self, vals_list):
        """Log the changes ``vals_list`` (partner_id, channel, kind, reason, note, source).

        sudo: the log is nobody's to write; whoever changed the channel is its user_id.
        """
        return self.sudo().create([{"user_id": self.env.uid, **vals} for vals in vals_list]) if vals_list else self

    def _crm_latest_optouts(self, partners):
        """The latest opt-out of each channel of ``partners``: ``{partner: rows}``, one row a channel."""
        groups = self.sudo()._read_group(
            [("partner_id", "in", partners.ids), ("kind", "=", prefs.OPT_OUT)],
            ["partner_id", "channel"],
            ["id:max"],
        )
        latest = {}
        for partner, _channel, row_id in groups:
            latest.setdefault(partner, []).append(row_id)
        return {partner: self.browse(ids) for partner, ids in latest.items()}
