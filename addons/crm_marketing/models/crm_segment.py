from odoo import fields, models


class CrmSegment(models.Model):
    _name = "crm.segment"
    _description = "Target Segment"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
