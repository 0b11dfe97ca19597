from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        """Confirmed orders go to the systems that take them, in the same transaction as
        the confirmation (the message is queued only if the confirmation is kept)."""
        result = super().action_confirm()
        self.env["crm.eai.mapping"]._crm_eai_notify(self.filtered(lambda order: order.state == "sale"))
        return result
