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
    """The partner's marketing side: its classification, target lists, what campaigns
    learned of it, and the mailings it refused.

    The classification is that of the current company, read from ``crm.marketing.rfm.score``.

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

    # Target lists: the other side of ``crm.segment.partner_ids`` ----------------------
    # It makes membership a plain domain (``[("crm_segment_ids", "in", ids)]``) that the
    # web client can send back, which a list of 100,000 ids could not be.
    crm_segment_ids = fields.Many2many(
        "crm.segment",
        "crm_segment_partner_rel",
        "partner_id",
        "segment_id",
        string="Target Lists",
        groups="crm_marketing.group_crm_marketing_user",
    )

    # Campaign responses: what marketing learned of the customer ----------------------
    # The customer's campaign responses (those the salesperson may see) and, for every
    # internal user (sales and service), the summary of all of them: the responses of
    # the customer's commercial entity and its contacts, in the companies the user works in.

    crm_response_ids = fields.One2many(
        "crm.campaign.response", "partner_id", string="Campaign Responses", readonly=True, groups=SALES_GROUP
    )
    crm_response_count = fields.Integer(
        string="Campaign Responses Count", compute="_compute_crm_learnings", groups="base.group_user"
    )
    crm_learning_summary = fields.Text(
        string="Marketing Learnings", compute="_compute_crm_learnings", groups="base.group_user"
    )
    # indexed: converting responders to leads looks customers up by email and phone
    email_normalized = fields.Char(index="btree_not_null")
    phone_sanitized = fields.Char(index="btree_not_null")

    @api.depends_context("allowed_company_ids")
    @api.depends("commercial_partner_id")
    def _compute_crm_learnings(self):
        commercial = self._origin.commercial_partner_id
        learnings = (
            self.env["crm.campaign.response"]._crm_learnings(
                [("partner_id", "child_of", commercial.ids)],
                lambda response: response.partner_id.commercial_partner_id.id,
            )
            if commercial
            else {}
        )
        for partner in self:
            key = partner._origin.commercial_partner_id.id
            partner.crm_learning_summary, partner.crm_response_count = learnings.get(key, (False, 0))

    # Contact preferences: what mailings to partners skip ------------------------------
    # mass_mailing asks the target model for its opt-outs (``mailing.mailing._get_opt_out_list``
    # and ``_get_opt_out_list_sms``): the partners of the mailing who refused the channel
    # (``crm_allow_email`` / ``crm_allow_sms``) are sent nothing, and their traces are
    # cancelled as *Opted Out*. Odoo's blacklists are Odoo's to apply (*Blacklisted*).

    def _mailing_get_opt_out_list(self, mailing):
        """The addresses of the mailing's partners who refused email: not mailed, whoever
        else of the mailing holds the same address (a refusal wins)."""
        parent = getattr(super(), "_mailing_get_opt_out_list", None)
        opt_out = set(parent(mailing)) if parent else set()
        refusing = self.search_fetch(
            [*mailing._get_recipients_domain(), ("crm_allow_email", "=", False)], ["email_normalized"]
        )
        return opt_out | ({email for email in refusing.mapped("email_normalized") if email})

    def _mailing_get_opt_out_list_sms(self, mailing):
        """The mailing's partners who refused SMS (their ids)."""
        parent = getattr(super(), "_mailing_get_opt_out_list_sms", None)
        opt_out = list(parent(mailing)) if parent else []
        return opt_out + self.search([*mailing._get_recipients_domain(), ("crm_allow_sms", "=", False)]).ids
