from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import periods


class CrmSfaPeriodMixin(models.AbstractModel):
    """A calendar period, a year, a quarter or a month (``lib/periods.py``): for sales
    targets and forecast adjustments.

    ``period_type``, ``year`` and ``period_number`` are entered; ``date_from`` and
    ``date_to`` follow (``_compute_dates``, stored and indexed for the reports); the
    number is checked against the type (``_check_period``) and the period named
    ``_period_label()`` ("2026", "2026 Q2", "2026-05").

    Each model declares its own ``period_type``, a selection among ``annual``,
    ``quarterly`` and ``monthly`` (targets take all three, adjustments no year): a
    selection redefined with other values would replace the mixin's with a warning.
    """

    _name = "crm.sfa.period.mixin"
    _description = "Sales Period"

    # period_type: declared by each model (see above)
    year = fields.Integer(required=True, default=lambda self: fields.Date.context_today(self).year)
    period_number = fields.Integer(
        string="Quarter / Month",
        required=True,
        default=1,
        help="1-4 for a quarter, 1-12 for a month; 1 for a year.",
    )
    date_from = fields.Date(string="Period Start", compute="_compute_dates", store=True, index=True)
    date_to = fields.Date(string="Period End", compute="_compute_dates", store=True)

    @api.depends("period_type", "year", "period_number")
    def _compute_dates(self):
        for record in self:
            if record.year and periods.is_valid(record.period_type, record.period_number):
                record.date_from, record.date_to = periods.bounds(record.period_type, record.year, record.period_number)
            else:
                record.date_from = record.date_to = False

    @api.constrains("period_type", "period_number", "year")
    def _check_period(self):
        ranges = {
            "annual": self.env._("1 for a year"),
            "quarterly": self.env._("1 to 4 for a quarter"),
            "monthly": self.env._("1 to 12 for a month"),
        }
        field = self._fields["period_type"]
        hint = ", ".join(ranges[value] for value in field.get_values(self.env) if value in ranges)
        labels = dict(field._description_selection(self.env))
        for record in self:
            if not periods.is_valid(record.period_type, record.period_number):
                raise ValidationError(
                    self.env._(
                        "%(number)s is not a period of this type (%(type)s): use %(ranges)s.",
                        number=record.period_number,
                        type=labels.get(record.period_type, record.period_type),
                        ranges=hint,
                    )
                )
            if not 1900 < record.year < 10000:
                raise ValidationError(self.env._("Enter the year with four digits, such as 2026."))

    def _period_label(self):
        """``2026``, ``2026 Q2`` or ``2026-05``; empty without a year."""
        self.ensure_one()
        if not self.year:
            return ""
        if self.period_type == "quarterly":
            return f"{self.year} Q{self.period_number}"
        if self.period_type == "monthly":
            return f"{self.year}-{self.period_number:02d}"
        return str(self.year)
