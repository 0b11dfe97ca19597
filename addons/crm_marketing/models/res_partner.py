from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..lib import rfm

SALES_GROUP = "sales_team.group_sale_salesman"
# the partner's classification fields and the score column each shows
CLASSIFICATION_FIELDS = {
    "crm_rfm_recency_days": "recency_days",
    "crm_rfm_frequency": "frequency",
    "crm_rfm_monetary": "monetary",
    "crm_rfm_r": "r_score",
    "crm_rfm_f": "f_score",
    "crm_rfm_m": "m_score",
    "crm_rfm_class": "rfm_class",
    "crm_abc_class": "abc_class",
    "crm_rfm_date": "date",
}


class ResPartner(models.Model):
    """The customer's classification in the current company, read from ``crm.marketing.rfm.score``.

    Contacts show the classification of their commercial entity (the company they work
    for), which is what is classified. The fields are for salespeople and marketers
    (``groups``) and are set by the recompute only: a write is refused.
    """

    _inherit = "res.partner"

    crm_rfm_score_ids = fields.One2many(
        "crm.marketing.rfm.score", "partner_id", string="Classifications", readonly=True, groups=SALES_GROUP
    )
    crm_rfm_currency_id = fields.Many2one(
        "res.currency", string="Classification Currency", compute="_compute_crm_rfm", groups=SALES_GROUP
    )
    crm_rfm_recency_days = fields.Integer(
        string="Days Since Last Purchase", compute="_compute_crm_rfm", groups=SALES_GROUP
    )
    crm_rfm_frequency = fields.Integer(string="Purchases in Period", compute="_compute_crm_rfm", groups=SALES_GROUP)
    crm_rfm_monetary = fields.Monetary(
        string="Revenue in Period",
        compute="_compute_crm_rfm",
        currency_field="crm_rfm_currency_id",
        groups=SALES_GROUP,
    )
    crm_rfm_r = fields.Integer(string="Recency Score", compute="_compute_crm_rfm", groups=SALES_GROUP)
    crm_rfm_f = fields.Integer(string="Frequency Score", compute="_compute_crm_rfm", groups=SALES_GROUP)
    crm_rfm_m = fields.Integer(string="Monetary Score", compute="_compute_crm_rfm", groups=SALES_GROUP)
    crm_rfm_class = fields.Selection(
        rfm.CLASSES,
        string="RFM Class",
        compute="_compute_crm_rfm",
        search="_search_crm_rfm_class",
        groups=SALES_GROUP,
    )
    crm_abc_class = fields.Selection(
        rfm.ABC_CLASSES,
        string="ABC Class",
        compute="_compute_crm_rfm",
        search="_search_crm_abc_class",
        groups=SALES_GROUP,
    )
    crm_rfm_date = fields.Datetime(string="Classified On", compute="_compute_crm_rfm", groups=SALES_GROUP)

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_crm_rfm(self):
        scores = {
            score.partner_id: score
            for score in self.env["crm.marketing.rfm.score"].search(
                [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)]
            )
        }
        for partner in self:
            score = scores.get(partner.commercial_partner_id)
            partner.crm_rfm_currency_id = self.env.company.currency_id
            for fname, column in CLASSIFICATION_FIELDS.items():
                partner[fname] = score[column] if score else False

    def _search_crm_rfm_class(self, operator, value):
        return self._search_crm_classification("rfm_class", operator, value)

    def _search_crm_abc_class(self, operator, value):
        return self._search_crm_classification("abc_class", operator, value)

    def _search_crm_classification(self, column, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(f"unsupported operator {operator!r} on the customer classification")
        positive = operator in ("=", "in")
        values = value if isinstance(value, list | tuple) else [value]
        domain = [("company_id", "=", self.env.company.id), (column, "in", [v for v in values if v])]
        matching = [("commercial_partner_id.crm_rfm_score_ids", "any", domain)]
        if False in values:
            # "not classified": no row of the current company, or one without that class
            matching = [
                "|",
                *matching,
                ("commercial_partner_id.crm_rfm_score_ids", "not any", [*domain[:1], (column, "!=", False)]),
            ]
        return matching if positive else ["!", *matching]

    def write(self, vals):
        if not self.env.su and CLASSIFICATION_FIELDS.keys() & vals.keys():
            raise AccessError(
                self.env._("The customer classification is computed, not set by hand: use Recompute Now.")
            )
        return super().write(vals)
