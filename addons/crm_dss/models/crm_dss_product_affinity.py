from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..lib import affinity

# first key of the advisory lock that serialises the mining of one company's pairs
AFFINITY_LOCK = 7_121_201
DEFAULT_MIN_SUPPORT = 0.01
DEFAULT_TOP = 10


class CrmDssProductAffinity(models.Model):
    """ "Also bought": how often two products go in the same confirmed order.

    One row per company and directed pair (``product_id`` -> ``other_product_id``),
    mined from the company's confirmed order lines by :meth:`_crm_dss_mine` (weekly cron,
    or "Recompute" by a sales manager), which replaces the company's pairs in one
    statement set. The figures follow ``lib.affinity``: support (share of the orders
    holding both), confidence (share of the product's orders also holding the other),
    lift (confidence over the other's own share).
    """

    _name = "crm.dss.product.affinity"
    _description = "Products Bought Together"
    _inherit = ["crm.system.fields.mixin"]
    _order = "company_id, product_id, confidence desc, lift desc, id"
    _rec_name = "other_product_id"
    _crm_system_fields = (
        "company_id",
        "product_id",
        "other_product_id",
        "order_count",
        "support",
        "confidence",
        "lift",
        "computed_on",
    )

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", required=True, readonly=True, ondelete="cascade")
    other_product_id = fields.Many2one(
        "product.product", string="Also Bought", required=True, readonly=True, ondelete="cascade"
    )
    order_count = fields.Integer(string="Orders with Both", readonly=True)
    support = fields.Float(readonly=True, digits=(16, 4), help="Share of the company's confirmed orders holding both.")
    confidence = fields.Float(
        readonly=True, digits=(16, 4), help="Share of the orders holding the product that also hold the other."
    )
    lift = fields.Float(
        readonly=True, digits=(16, 4), help="Above 1: bought together more often than chance would have it."
    )
    computed_on = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "crm_dss_affinity_pair_unique",
            "UNIQUE(company_id, product_id, other_product_id)",
            "A pair of products is mined once per company.",
        ),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS crm_dss_product_affinity_lookup_index "
                "ON crm_dss_product_affinity (product_id, company_id, confidence DESC)"
            )
        )
        return result

    # Actions ---------------------------------------------------------------------

    def action_recompute(self):
        """Mine again the pairs of the companies the sales manager works in now."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only sales managers may recompute the products bought together."))
        self._crm_dss_mine(self.env.companies.ids)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_crm_dss_add_to_order(self):
        """Add this suggestion's product to the quotation the form shows (context ``crm_dss_order_id``)."""
        self.ensure_one()
        order = self.env["sale.order"].browse(self.env.context.get("crm_dss_order_id")).exists()
        if not order:
            raise AccessError(self.env._("Open the quotation to add a suggested product to it."))
        return order.action_crm_dss_add_suggested_product(self.other_product_id.id)

    # Mining ----------------------------------------------------------------------

    @api.model
    def _cron_crm_dss_mine(self):
        self._crm_dss_mine(self.env["res.company"].sudo().search([]).ids)  # sudo: the cron mines every company

    @api.model
    def _crm_dss_parameters(self):
        """``(min_support, top)`` from ``crm_dss.affinity_min_support`` and ``crm_dss.affinity_top``."""
        get = self.env["ir.config_parameter"].sudo().get_param  # sudo: technical settings of the miner
        try:
            min_support = float(get("crm_dss.affinity_min_support", DEFAULT_MIN_SUPPORT))
            top = int(get("crm_dss.affinity_top", DEFAULT_TOP))
        except ValueError:
            min_support, top = DEFAULT_MIN_SUPPORT, DEFAULT_TOP
        return max(min_support, 0.0), max(top, 1)

    @api.model
    def _crm_dss_mine(self, company_ids):
        """Replace the pairs of ``company_ids`` by those mined from their confirmed orders.

        One set-based statement per company (distinct products per order, self-join per
        order, support threshold, top N per product), after a transaction-scoped
        advisory lock on the company: two runs at the same moment give one result. A run
        whose snapshot predates the other's commit meets its rows (a deleted row, or the
        ``ON CONFLICT`` of the insert) as a serialization failure, which Odoo retries.
        """
        min_support, top = self._crm_dss_parameters()
        self.env.flush_all()
        cr = self.env.cr
        for company_id in sorted(set(company_ids)):
            cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", AFFINITY_LOCK, company_id))
            cr.execute(SQL("DELETE FROM crm_dss_product_affinity WHERE company_id = %s", company_id))
            cr.execute(
                SQL(
                    """
                    WITH baskets AS (
                        SELECT DISTINCT sol.order_id, sol.product_id
                          FROM sale_order_line sol
                          JOIN sale_order so ON so.id = sol.order_id
                         WHERE so.state = 'sale' AND so.company_id = %(company)s
                           AND sol.product_id IS NOT NULL AND sol.display_type IS NULL
                    ), total AS (
                        SELECT COUNT(DISTINCT order_id) AS n FROM baskets
                    ), single AS (
                        SELECT product_id, COUNT(*) AS n FROM baskets GROUP BY product_id
                    ), pairs AS (
                        SELECT a.product_id, b.product_id AS other_id, COUNT(*) AS n
                          FROM baskets a
                          JOIN baskets b ON b.order_id = a.order_id AND b.product_id <> a.product_id
                         GROUP BY a.product_id, b.product_id
                    ), measured AS (
                        SELECT p.product_id, p.other_id, p.n,
                               p.n::float / t.n AS support,
                               p.n::float / sa.n AS confidence,
                               (p.n::float * t.n) / (sa.n::float * sb.n) AS lift
                          FROM pairs p
                         CROSS JOIN total t
                          JOIN single sa ON sa.product_id = p.product_id
                          JOIN single sb ON sb.product_id = p.other_id
                         WHERE p.n::float / t.n >= %(min_support)s
                    ), ranked AS (
                        SELECT m.*, ROW_NUMBER() OVER (
                                   PARTITION BY m.product_id
                                   ORDER BY m.confidence DESC, m.lift DESC, m.n DESC, m.other_id
                               ) AS rank
                          FROM measured m
                    )
                    INSERT INTO crm_dss_product_affinity
                           (company_id, product_id, other_product_id, order_count, support, confidence, lift,
                            computed_on, create_uid, create_date, write_uid, write_date)
                    SELECT %(company)s, product_id, other_id, n, support, confidence, lift,
                           %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM ranked
                     WHERE rank <= %(top)s
                        ON CONFLICT (company_id, product_id, other_product_id) DO UPDATE
                       SET order_count = EXCLUDED.order_count, support = EXCLUDED.support,
                           confidence = EXCLUDED.confidence, lift = EXCLUDED.lift,
                           computed_on = EXCLUDED.computed_on, write_uid = EXCLUDED.write_uid,
                           write_date = EXCLUDED.write_date
                    """,
                    company=company_id,
                    min_support=min_support,
                    top=top,
                    now=fields.Datetime.now(),
                    uid=self.env.uid,
                )
            )
        self.invalidate_model()

    # Suggestions -----------------------------------------------------------------

    @api.model
    def _crm_dss_suggestions(self, bought_by_key, company_by_key, exclude_by_key=None, limit=10):
        """``{key: affinity records}``: the best pair per other product for each key.

        :param bought_by_key: ``{key: set of product ids}`` (a customer's or an order's products)
        :param company_by_key: ``{key: company id or None}`` (None: the current companies)
        :param exclude_by_key: ``{key: product ids}`` never offered (already in the order)

        One search of the pairs for every key together, with the caller's rights
        (multi-company rule); only products that can be sold are offered.
        """
        exclude_by_key = exclude_by_key or {}
        products = set().union(*bought_by_key.values()) if bought_by_key else set()
        if not products:
            return {key: self.browse() for key in bought_by_key}
        pairs = self.search(
            [
                ("product_id", "in", list(products)),
                ("company_id", "in", self.env.companies.ids),
                ("other_product_id.sale_ok", "=", True),
            ]
        )
        by_company = {}
        for pair in pairs:
            by_company.setdefault(pair.company_id.id, []).append(pair)
        result = {}
        for key, bought in bought_by_key.items():
            company = company_by_key.get(key)
            candidates = by_company.get(company, []) if company else [p for ps in by_company.values() for p in ps]
            best = {}
            for pair in candidates:
                best.setdefault((pair.product_id.id, pair.other_product_id.id), pair)
            ranked = affinity.suggest(
                bought,
                [(p.product_id.id, p.other_product_id.id, p.confidence, p.lift) for p in best.values()],
                exclude=exclude_by_key.get(key, ()),
                limit=limit,
            )
            chosen = self.browse()
            for other in ranked:
                options = [p for p in best.values() if p.other_product_id.id == other and p.product_id.id in bought]
                chosen |= max(options, key=lambda p: (p.confidence, p.lift))
            result[key] = chosen
        return result
