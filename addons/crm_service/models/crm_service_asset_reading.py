from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmServiceAssetReading(models.Model):
    """A usage reading of an asset (a counter, hours run, pages printed) on a day."""

    _name = "crm.service.asset.reading"
    _description = "Asset Usage Reading"
    _order = "asset_id, date desc, id desc"

    asset_id = fields.Many2one("crm.service.asset", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="asset_id.company_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    value = fields.Float(required=True)
    unit = fields.Char(help="e.g. hours, pages, kWh")
    note = fields.Char()

    @api.constrains("value", "date", "asset_id")
    def _check_increasing(self):
        """A counter does not run backwards: a reading is at least the one before it."""
        for reading in self:
            earlier = self.search(
                [("asset_id", "=", reading.asset_id.id), ("date", "<", reading.date), ("id", "!=", reading.id)],
                order="date desc, id desc",
                limit=1,
            )
            if earlier and reading.value < earlier.value:
                raise ValidationError(
                    self.env._(
                        "%(asset)s read %(earlier)s on %(date)s: a later reading cannot be lower.",
                        asset=reading.asset_id.name,
                        earlier=earlier.value,
                        date=earlier.date,
                    )
                )
