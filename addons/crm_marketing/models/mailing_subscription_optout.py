from odoo import fields, models

from odoo.addons.crm_workflow.lib import contact_preferences as prefs


class MailingSubscriptionOptout(models.Model):
    """The suite's opt-out reason each answer of the unsubscribe page stands for: what the
    contact's opt-out log (``crm.contact.optout``) records when a recipient gives it."""

    _inherit = "mailing.subscription.optout"

    crm_reason = fields.Selection(
        [item for item in prefs.OPTOUT_REASONS if item[0] != prefs.NOT_GIVEN],
        string="Contact Opt-out Reason",
        required=True,
        default="other",
        help="How the contacts' opt-out history records this answer.",
    )
