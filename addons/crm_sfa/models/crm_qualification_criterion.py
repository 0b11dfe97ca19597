from odoo import api, fields, models


class CrmQualificationCriterion(models.Model):
    """What a sales team checks before it calls a lead qualified: budget, authority,
    need, timing, or its own questions. The lead's qualification score is the weighted
    share of the criteria its salesperson has confirmed."""

    _name = "crm.qualification.criterion"
    _description = "Qualification Criterion"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        ondelete="cascade",
        help="The team whose leads are qualified on this criterion; empty for every team.",
    )
    weight = fields.Integer(default=1, help="Its share of the qualification score, relative to the other criteria.")
    description = fields.Text(translate=True, help="What the salesperson should have heard before confirming it.")
    company_id = fields.Many2one(related="team_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "weight_positive",
            "CHECK(weight > 0)",
            "A criterion weighs at least 1: archive it rather than give it no weight.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        criteria = super().create(vals_list)
        criteria._rescore_leads(criteria._scored_leads())
        return criteria

    def write(self, vals):
        if not {"team_id", "weight", "active"} & set(vals):
            return super().write(vals)
        leads = self._scored_leads()
        result = super().write(vals)
        self._rescore_leads(leads | self._scored_leads())
        return result

    def unlink(self):
        leads = self._scored_leads()
        result = super().unlink()
        self._rescore_leads(leads)
        return result

    def _scored_leads(self):
        """The leads whose score these criteria count in (every lead for a criterion of every team)."""
        if not self:
            return self.env["crm.lead"]
        # sudo: a configuration change rescores every lead it concerns, not only those
        # the administrator may read in the companies active at the moment
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        if any(not criterion.team_id for criterion in self):
            return Lead.search([])
        return Lead.search([("team_id", "in", self.team_id.ids)])

    def _rescore_leads(self, leads):
        """Have the scores of ``leads`` recomputed, in one batch at the next flush."""
        self.env.add_to_compute(self.env["crm.lead"]._fields["crm_qualification_score"], leads)
