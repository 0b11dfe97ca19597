from odoo import fields, models

LINE_STATUSES = [
    ("new", "New Contact"),
    ("existing", "Existing Contact"),
    ("duplicate", "Duplicate in File"),
    ("rejected", "Rejected"),
]


class CrmSegmentImportLine(models.TransientModel):
    """One row of an imported file, as the checks left it: what the preview shows and the
    import acts on.

    The lines are the result of the checks: they are written by the check only (users
    read them), so that what is imported is what was checked.
    """

    _name = "crm.segment.import.line"
    _description = "Prospect Import Row"
    _order = "import_id, row_number"

    import_id = fields.Many2one("crm.segment.import", required=True, ondelete="cascade", index=True)
    row_number = fields.Integer(string="Row", readonly=True)
    status = fields.Selection(LINE_STATUSES, required=True, readonly=True)
    reason = fields.Char(readonly=True)
    name = fields.Char(readonly=True)
    email = fields.Char(readonly=True)
    phone = fields.Char(readonly=True)
    company_name = fields.Char(string="Company", readonly=True)
    city = fields.Char(readonly=True)
    country_code = fields.Char(string="Country", readonly=True)
    email_normalized = fields.Char(readonly=True)
    phone_normalized = fields.Char(string="Phone (E.164)", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True)
