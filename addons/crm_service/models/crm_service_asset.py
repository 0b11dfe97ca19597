from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmServiceAsset(models.Model):
    """A product installed at a customer's site (the installed base): what it is, where,
    since when, under warranty until when, how much it is used, and how it is set up."""

    _name = "crm.service.asset"
    _description = "Installed Asset"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "partner_id, product_id, serial"
    _rec_names_search = ["name", "serial", "partner_id"]

    name = fields.Char(compute="_compute_name", store=True, index="trigram")
    product_id = fields.Many2one("product.product", required=True, index=True, tracking=True)
    serial = fields.Char(string="Serial Number", required=True, index=True, tracking=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, tracking=True)
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Commercial Entity"
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    date_installed = fields.Date(string="Installed On", tracking=True)
    warranty_end = fields.Date(string="Warranty Until", tracking=True)
    under_warranty = fields.Boolean(compute="_compute_under_warranty", search="_search_under_warranty")
    location = fields.Char(help="Where the asset stands at the customer's: site, building, room.")
    configuration = fields.Html(help="How this customer's asset is set up: options, settings, versions.")
    reading_ids = fields.One2many("crm.service.asset.reading", "asset_id", string="Usage Readings")
    last_reading = fields.Float(compute="_compute_last_reading")
    last_reading_date = fields.Date(compute="_compute_last_reading")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("serial_unique", "UNIQUE(product_id, serial, company_id)", "A product's serial number is registered once."),
    ]

    @api.depends("product_id", "serial")
    def _compute_name(self):
        for asset in self:
            asset.name = f"{asset.product_id.display_name or ''} / {asset.serial or ''}"

    def _compute_under_warranty(self):
        today = fields.Date.context_today(self)
        for asset in self:
            asset.under_warranty = bool(asset.warranty_end and asset.warranty_end >= today)

    def _search_under_warranty(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Search the warranty with = or != and True or False."))
        today = fields.Date.context_today(self)
        if (operator == "=") == value:
            return [("warranty_end", ">=", today)]
        return ["|", ("warranty_end", "=", False), ("warranty_end", "<", today)]

    @api.depends("reading_ids.value", "reading_ids.date")
    def _compute_last_reading(self):
        last = {
            asset.id: (value, date)
            for asset, date, value in self.env["crm.service.asset.reading"]._read_group(
                [("asset_id", "in", self.ids)], ["asset_id"], ["date:max", "value:max"]
            )
        }
        for asset in self:
            value, date = last.get(asset.id, (0.0, False))
            asset.last_reading, asset.last_reading_date = value, date

    @api.constrains("date_installed", "warranty_end")
    def _check_dates(self):
        for asset in self:
            if asset.date_installed and asset.warranty_end and asset.warranty_end < asset.date_installed:
                raise ValidationError(
                    self.env._("The warranty of %(asset)s cannot end before its installation.", asset=asset.name)
                )
