from odoo import api, models

# the channels a blacklisted number blocks (``res.partner._crm_contactable``)
PHONE_CHANNELS = ["sms", "phone"]
# told by create to the writes it makes itself (reactivations): it logs them once, itself;
# a context sent over RPC is JSON and never holds this object
_LOGGED_BY_CREATE = object()


class PhoneBlacklist(models.Model):
    """Every number blocked or released (the blacklist's form and import, the SMS
    unsubscribe page) is logged as an SMS and call opt-out or opt-in of the contacts
    with that number (``crm.contact.optout``), their own choices unchanged: the number
    is blocked for everyone who holds it, and ``_crm_contactable`` honours it."""

    _inherit = "phone.blacklist"

    def _crm_blocked(self, numbers):
        """Of ``numbers`` (sanitized), those the blacklist blocks now."""
        # sudo: whoever changes the blacklist (the public unsubscribe page included), its
        # log compares what it blocked before and after
        return (
            set(self.sudo().with_context(active_test=True).search([("number", "in", list(numbers))]).mapped("number"))
            if numbers
            else set()
        )

    def _crm_log(self, numbers, before):
        self.env["res.partner"]._crm_log_blacklist_changes(
            "phone_sanitized", before, self._crm_blocked(numbers), PHONE_CHANNELS
        )

    @api.model_create_multi
    def create(self, vals_list):
        numbers = {self.env.user._phone_format(number=vals["number"]) for vals in vals_list if vals.get("number")} - {
            False
        }
        before = self._crm_blocked(numbers)
        records = super(PhoneBlacklist, self.with_context(crm_marketing_blacklist=_LOGGED_BY_CREATE)).create(vals_list)
        self._crm_log(numbers, before)
        return records.with_env(self.env)

    def write(self, vals):
        if ("active" not in vals and "number" not in vals) or (
            self.env.context.get("crm_marketing_blacklist") is _LOGGED_BY_CREATE
        ):
            return super().write(vals)
        numbers = set(self.with_context(active_test=False).mapped("number"))
        if vals.get("number"):
            numbers.add(self.env.user._phone_format(number=vals["number"]))
        numbers.discard(False)
        before = self._crm_blocked(numbers)
        result = super().write(vals)
        self._crm_log(numbers, before)
        return result

    def unlink(self):
        released = {record.number for record in self if record.active}
        result = super().unlink()
        self.env["res.partner"]._crm_log_blacklist_changes("phone_sanitized", released, set(), PHONE_CHANNELS)
        return result
