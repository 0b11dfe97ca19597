from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_dss_also_bought_ids = fields.Many2many(
        "crm.dss.product.affinity",
        string="Also Bought",
        compute="_compute_crm_dss_also_bought_ids",
        groups="sales_team.group_sale_salesman",
        help="Products often bought with what this customer has bought, that they have not bought yet.",
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_crm_dss_also_bought_ids(self):
        """From the confirmed orders the user may read (a salesperson: their own)."""
        commercial = {partner: partner.commercial_partner_id.id for partner in self}
        bought = {key: set() for key in commercial.values()}
        if self.ids:
            groups = self.env["sale.order.line"]._read_group(
                [
                    ("order_partner_id.commercial_partner_id", "in", list(bought)),
                    ("state", "=", "sale"),
                    ("product_id", "!=", False),
                ],
                ["order_partner_id", "product_id"],
            )
            for partner, product in groups:
                bought.setdefault(partner.commercial_partner_id.id, set()).add(product.id)
        suggestions = self.env["crm.dss.product.affinity"]._crm_dss_suggestions(
            bought, dict.fromkeys(bought), exclude_by_key=bought
        )
        for partner in self:
            partner.crm_dss_also_bought_ids = suggestions.get(commercial[partner], self.env["crm.dss.product.affinity"])
