from odoo import models

from .sale_order import credit_check_exempt


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        # The customer paid its quotation online: sale confirms it (as superuser, from the
        # payment's post-processing) and the credit check does not hold that confirmation.
        # Only the quotations of these transactions, and only while sale confirms them.
        with credit_check_exempt(self.sale_order_ids.ids):
            return super()._check_amount_and_confirm_order()
