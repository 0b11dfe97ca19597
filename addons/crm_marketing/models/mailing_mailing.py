from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression


class MailingMailing(models.Model):
    """A mailing (email or SMS) sent to the members of a target segment.

    The segment restricts the recipients through mass_mailing's own hook
    (:meth:`_get_recipients_domain`), on top of the mailing's domain: the count shown on
    the mailing, the test of A/B samples and the send itself all read it, and the send
    keeps applying Odoo's blacklists and opt-out lists (``_mailing_get_opt_out_list``).
    """

    _inherit = "mailing.mailing"

    crm_segment_id = fields.Many2one(
        "crm.segment",
        string="Target Segment",
        compute="_compute_crm_segment_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        help="Send to the members of this segment only (the recipients are contacts).",
    )

    @api.depends("mailing_model_id")
    def _compute_crm_segment_id(self):
        # a segment selects contacts: another recipients model drops it
        for mailing in self:
            if mailing.mailing_model_name != "res.partner":
                mailing.crm_segment_id = False

    @api.onchange("crm_segment_id")
    def _onchange_crm_segment_id(self):
        if self.crm_segment_id:
            self.mailing_model_id = self.env["ir.model"]._get("res.partner")

    @api.constrains("crm_segment_id", "mailing_model_id")
    def _check_crm_segment_id(self):
        for mailing in self:
            if mailing.crm_segment_id and mailing.mailing_model_name != "res.partner":
                raise ValidationError(
                    self.env._(
                        "A mailing to segment %s is sent to contacts: choose Contact as recipients.",
                        mailing.crm_segment_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("crm_segment_id"):
                self._crm_check_segment_access(vals["crm_segment_id"])
                vals.setdefault("mailing_model_id", self.env["ir.model"]._get_id("res.partner"))
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("crm_segment_id"):
            self._crm_check_segment_access(vals["crm_segment_id"])
        return super().write(vals)

    def _crm_check_segment_access(self, segment_id):
        """Only a segment the user may read can be chosen (the send reads it as superuser)."""
        self.env["crm.segment"].browse(segment_id).check_access("read")

    def _get_recipients_domain(self):
        """The mailing's recipients, restricted to the segment's members."""
        domain = super()._get_recipients_domain()
        if self.crm_segment_id and self.mailing_model_real == "res.partner":
            # sudo: the segment belongs to the mailing, chosen by someone allowed to read it
            # (checked on write); whoever sends it (a mailing user, the queue's cron) sends
            # to its members. The subquery only selects: the search stays the sender's own,
            # with their rules on contacts.
            members = self.crm_segment_id.sudo()._crm_segment_partner_query()
            domain = expression.AND([domain, [("id", "in", members)]])
        return domain
