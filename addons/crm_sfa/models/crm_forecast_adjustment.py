from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

PERIOD_TYPES = [("monthly", "Month"), ("quarterly", "Quarter")]
# given when the adjustment is recorded, then kept (the system fields are refused by the mixin)
FROZEN_FIELDS = ("period_type", "year", "period_number", "company_id", "team_id", "user_id")


class CrmForecastAdjustment(models.Model):
    """A manager's correction of the forecast of a salesperson or a team for a month or quarter.

    The original forecast (the weighted pipeline when the adjustment was made) is
    kept beside the adjusted amount and never changes; the opportunities are not
    touched. The forecast report adds the difference to the live weighted pipeline.
    """

    _name = "crm.forecast.adjustment"
    _description = "Forecast Adjustment"
    _inherit = ["crm.sfa.period.mixin", "crm.system.fields.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True
    _crm_system_fields = (
        "name",
        "date_from",
        "date_to",
        "original_amount",
        "difference_amount",
        "adjusted_by_id",
    )

    name = fields.Char(compute="_compute_name", store=True)
    # no annual adjustment; year, date_from, date_to, their compute and check: crm.sfa.period.mixin
    period_type = fields.Selection(PERIOD_TYPES, string="Period", required=True, default="monthly")
    period_number = fields.Integer(
        default=lambda self: fields.Date.context_today(self).month,
        help="1-4 for a quarter, 1-12 for a month.",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    team_id = fields.Many2one("crm.team", string="Sales Team", index="btree_not_null", check_company=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index="btree_not_null",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    original_amount = fields.Monetary(
        string="Original Forecast",
        compute="_compute_original_amount",
        store=True,
        currency_field="currency_id",
        help="The weighted pipeline (expected revenue times probability) of the open opportunities "
        "expected to close in the period, when the adjustment was made. It never changes afterwards.",
    )
    adjusted_amount = fields.Monetary(string="Adjusted Forecast", required=True, currency_field="currency_id")
    difference_amount = fields.Monetary(
        string="Adjustment", compute="_compute_difference_amount", store=True, currency_field="currency_id"
    )
    reason = fields.Text(required=True)
    adjusted_by_id = fields.Many2one(
        "res.users", required=True, readonly=True, copy=False, default=lambda self: self.env.user
    )
    adjusted_on = fields.Datetime(string="Adjusted On", related="create_date")

    @api.depends("period_type", "year", "period_number", "user_id", "team_id")
    def _compute_name(self):
        for adjustment in self:
            period = adjustment._period_label()
            subject = adjustment.user_id or adjustment.team_id
            adjustment.name = f"{period} - {subject.display_name}" if subject else period

    @api.depends("date_from", "date_to", "company_id", "team_id", "user_id")
    def _compute_original_amount(self):
        saved = self.filtered(lambda adjustment: isinstance(adjustment.id, int))
        # sudo: the original of a saved adjustment is the forecast of its whole subject,
        # including opportunities the manager's rules hide (a team's members of other
        # departments); the record rules decided who may record and read the adjustment.
        originals = saved.sudo()._weighted_pipeline()
        # A new adjustment (a form being filled in, or onchange called over RPC) may name
        # any subject and company: its preview counts what the user may read, no more
        # (sudo(False): stored fields are computed as superuser, the user's rights are wanted).
        previews = (self - saved).sudo(False)._weighted_pipeline()
        for adjustment in self:
            pipeline = originals if isinstance(adjustment.id, int) else previews
            adjustment.original_amount = pipeline.get(adjustment._subject_key(), 0.0)

    @api.depends("original_amount", "adjusted_amount")
    def _compute_difference_amount(self):
        for adjustment in self:
            adjustment.difference_amount = adjustment.adjusted_amount - adjustment.original_amount

    @api.constrains("user_id", "team_id")
    def _check_subject(self):
        for adjustment in self:
            if not (adjustment.user_id or adjustment.team_id):
                raise ValidationError(self.env._("Choose the salesperson or the sales team whose forecast you adjust."))

    def write(self, vals):
        frozen = sorted(set(vals) & set(FROZEN_FIELDS))
        if frozen:
            raise UserError(
                self.env._(
                    "The original forecast, its period and its salesperson or team are kept as they were "
                    "(%s): record a new adjustment instead.",
                    ", ".join(self._fields[name].string for name in frozen),
                )
            )
        return super().write(vals)

    def _subject_key(self):
        self.ensure_one()
        return (self.date_from, self.date_to, self.company_id.id, self.user_id.id, self.team_id.id)

    def _weighted_pipeline(self):
        """``{subject key: weighted open pipeline}`` for the adjustments of ``self``, one query per
        period, with the rights of ``self``'s environment."""
        result = {}
        valid = self.filtered(lambda a: a.date_from and a.company_id and (a.user_id or a.team_id))
        for (date_from, date_to), group in valid.grouped(lambda a: (a.date_from, a.date_to)).items():
            groups = self.env["crm.lead"]._read_group(
                [
                    ("type", "=", "opportunity"),
                    "|",
                    ("probability", "=", False),
                    ("probability", "<", 100),
                    ("company_id", "in", group.company_id.ids),
                    ("date_deadline", ">=", date_from),
                    ("date_deadline", "<=", date_to),
                    "|",
                    ("user_id", "in", group.user_id.ids),
                    ("team_id", "in", group.team_id.ids),
                ],
                ["company_id", "user_id", "team_id"],
                ["prorated_revenue:sum"],
            )
            for adjustment in group:
                result[adjustment._subject_key()] = sum(
                    amount
                    for company, user, team, amount in groups
                    if company == adjustment.company_id
                    and (user == adjustment.user_id if adjustment.user_id else True)
                    and (team == adjustment.team_id if adjustment.team_id else True)
                )
        return result
