from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    crm_dss_suggestion_ids = fields.Many2many(
        "crm.dss.product.affinity",
        string="Suggested Products",
        compute="_compute_crm_dss_suggestion_ids",
        groups="sales_team.group_sale_salesman",
        help="Products often bought with those of this order that it does not hold yet.",
    )

    @api.depends("order_line.product_id", "company_id")
    def _compute_crm_dss_suggestion_ids(self):
        keys = {order: order.id or order._origin.id or id(order) for order in self}
        bought = {keys[order]: set(order.order_line.product_id.ids) for order in self}
        suggestions = self.env["crm.dss.product.affinity"]._crm_dss_suggestions(
            bought, {keys[order]: order.company_id.id for order in self}, exclude_by_key=bought
        )
        for order in self:
            order.crm_dss_suggestion_ids = suggestions[keys[order]]

    def action_crm_dss_add_suggested_product(self, product_id):
        """Add ``product_id`` as a new line of this quotation (one unit, its usual price)."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise UserError(
                self.env._("Suggested products are added to quotations only: %s is confirmed or cancelled.", self.name)
            )
        self.check_access("write")
        product = self.env["product.product"].browse(product_id).exists() if isinstance(product_id, int) else None
        if not product or not product.sale_ok or (product.company_id and product.company_id != self.company_id):
            raise UserError(self.env._("Pick a product that %s can sell.", self.company_id.name))
        self.write({"order_line": [Command.create({"product_id": product.id})]})
        return True
