from odoo import fields, models

KINDS = [
    ("consultation", "Consultation"),
    ("complaint", "Complaint"),
    ("service", "Service Request"),
    ("repair", "Repair"),
]


class CrmServiceCaseType(models.Model):
    """A type of case the company handles: the four kinds, and its own under them
    (an installation, a maintenance visit, a billing question)."""

    _name = "crm.service.case.type"
    _description = "Service Case Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(KINDS, required=True, default="service", help="How the suite treats cases of this type.")
    paid = fields.Boolean(
        string="Paid Service",
        help="Work on such cases is charged unless a contract or the asset's warranty covers it: "
        "an uncovered case passes the customer's credit check before it is scheduled.",
    )
    company_id = fields.Many2one("res.company", index=True, help="Empty: used by every company.")
    active = fields.Boolean(default=True)
