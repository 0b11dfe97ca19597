from odoo import fields, models


class ResPartner(models.Model):
    """The static lists a partner belongs to: the other side of ``crm.segment.partner_ids``.

    It makes membership a plain domain (``[("crm_segment_ids", "in", ids)]``) that the web
    client can send back, which a list of 100,000 ids could not be. Kept apart from
    ``res_partner.py`` (the classification) because it belongs to the segments.
    """

    _inherit = "res.partner"

    crm_segment_ids = fields.Many2many(
        "crm.segment",
        "crm_segment_partner_rel",
        "partner_id",
        "segment_id",
        string="Target Lists",
        groups="crm_marketing.group_crm_marketing_user",
    )
