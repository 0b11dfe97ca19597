from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import rfm

RFM_SOURCES = [("invoice", "Posted Invoices"), ("order", "Confirmed Orders")]


def _cuts_default(measure):
    return ", ".join(str(cut) for cut in rfm.DEFAULT_CUTS[measure])


class ResCompany(models.Model):
    """How the company classifies its customers (RFM and ABC, see :mod:`..lib.rfm`).

    The cut points are comma-separated texts, checked by :func:`..lib.rfm.parse_cuts`
    on every write, so that the SQL of ``crm.marketing.rfm.score`` always gets four
    increasing numbers.
    """

    _inherit = "res.company"

    crm_rfm_source = fields.Selection(
        RFM_SOURCES,
        string="Classification Source",
        required=True,
        default="invoice",
        help="Posted invoices: customer invoices minus credit notes, by invoice date. "
        "Confirmed orders: confirmed sales orders, by order date.",
    )
    crm_rfm_period_months = fields.Integer(
        string="Classification Period (Months)",
        required=True,
        default=12,
        help="Frequency and monetary value count the purchases of these last months (1 to 120).",
    )
    crm_rfm_recency_cuts = fields.Char(
        string="Recency Cut Points (Days)",
        required=True,
        default=lambda self: _cuts_default("recency"),
        help="Four increasing numbers of days: at most the first gives recency score 5, beyond the last gives 1.",
    )
    crm_rfm_frequency_cuts = fields.Char(
        string="Frequency Cut Points (Purchases)",
        required=True,
        default=lambda self: _cuts_default("frequency"),
        help="Four increasing numbers of purchases: at most the first gives frequency score 1, "
        "beyond the last gives 5.",
    )
    crm_rfm_monetary_cuts = fields.Char(
        string="Monetary Cut Points (Amount)",
        required=True,
        default=lambda self: _cuts_default("monetary"),
        help="Four increasing untaxed amounts in the company currency: at most the first gives "
        "monetary score 1, beyond the last gives 5.",
    )
    crm_abc_a_share = fields.Float(
        string="A Customers Share (%)",
        required=True,
        default=rfm.DEFAULT_ABC_SHARES[0],
        help="A customers are the largest ones that together make this share of the revenue.",
    )
    crm_abc_b_share = fields.Float(
        string="A and B Customers Share (%)",
        required=True,
        default=rfm.DEFAULT_ABC_SHARES[1],
        help="A and B customers together make this share of the revenue; C customers the rest.",
    )
    crm_rfm_date = fields.Datetime(string="Classified On", readonly=True, copy=False)

    @api.constrains("crm_rfm_period_months")
    def _check_crm_rfm_period_months(self):
        for company in self:
            if not 1 <= company.crm_rfm_period_months <= 120:
                raise ValidationError(
                    self.env._(
                        "%(field)s of %(company)s must be between 1 and 120 months.",
                        field=self._fields["crm_rfm_period_months"]._description_string(self.env),
                        company=company.name,
                    )
                )

    @api.constrains("crm_rfm_recency_cuts", "crm_rfm_frequency_cuts", "crm_rfm_monetary_cuts")
    def _check_crm_rfm_cuts(self):
        for company in self:
            for fname in ("crm_rfm_recency_cuts", "crm_rfm_frequency_cuts", "crm_rfm_monetary_cuts"):
                try:
                    rfm.parse_cuts(company[fname])
                except ValueError:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of %(company)s: write four numbers, none negative, each greater than "
                            "the one before, separated by commas (for example 30, 90, 180, 365). Got “%(value)s”.",
                            field=self._fields[fname]._description_string(self.env),
                            company=company.name,
                            value=company[fname] or "",
                        )
                    ) from None

    @api.constrains("crm_abc_a_share", "crm_abc_b_share")
    def _check_crm_abc_shares(self):
        for company in self:
            try:
                rfm.validate_abc_shares(company.crm_abc_a_share, company.crm_abc_b_share)
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "%(a)s and %(b)s of %(company)s: the share of A customers must be above 0 and below "
                        "the share of A and B customers, which is at most 100.",
                        a=self._fields["crm_abc_a_share"]._description_string(self.env),
                        b=self._fields["crm_abc_b_share"]._description_string(self.env),
                        company=company.name,
                    )
                ) from None

    def _crm_rfm_cuts(self):
        """``{measure: cut points}`` of the company, as :func:`..lib.rfm.classify` takes them."""
        self.ensure_one()
        return {measure: rfm.parse_cuts(self[f"crm_rfm_{measure}_cuts"]) for measure in rfm.MEASURES}
