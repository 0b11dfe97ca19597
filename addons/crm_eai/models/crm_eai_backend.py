from urllib.parse import urlparse

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmEaiBackend(models.Model):
    """An external system the suite exchanges data with (an MIS or a PDM)."""

    _name = "crm.eai.backend"
    _description = "External System"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    system_type = fields.Selection(
        [("mis", "Management Information System (MIS)"), ("pdm", "Product Data Management (PDM)")],
        string="System",
        required=True,
        default="mis",
        tracking=True,
    )
    protocol = fields.Selection(
        [("soap", "SOAP web service"), ("xml", "Encrypted XML files")],
        required=True,
        default="soap",
        tracking=True,
    )
    url = fields.Char(
        string="Address",
        tracking=True,
        help="WSDL address of the SOAP service, or the folder the XML files are exchanged in.",
    )
    timeout = fields.Integer(string="Timeout (s)", default=30, required=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    note = fields.Html()

    _sql_constraints = [
        ("timeout_positive", "CHECK(timeout > 0)", "The timeout must be a positive number of seconds."),
    ]

    @api.constrains("protocol", "url")
    def _check_url(self):
        for backend in self:
            if backend.protocol == "soap" and backend.url:
                parsed = urlparse(backend.url)
                if parsed.scheme not in ("http", "https") or not parsed.netloc:
                    raise ValidationError(
                        self.env._(
                            "The address of %(name)s is not a web address: give the WSDL as "
                            "http(s)://host/path, for example https://mis.example.com/service?wsdl.",
                            name=backend.name,
                        )
                    )
