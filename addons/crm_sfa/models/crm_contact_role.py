from odoo import fields, models


class CrmContactRole(models.Model):
    """The part a contact plays in the customer's buying decisions."""

    _name = "crm.contact.role"
    _description = "Contact Role"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    partner_ids = fields.Many2many(
        "res.partner",
        "crm_contact_role_res_partner_rel",
        "role_id",
        "partner_id",
        string="Contacts",
    )
