from odoo import http

from odoo.addons.sale.controllers.portal import CustomerPortal

from ..models.sale_order import credit_check_exempt


class CrmSfaCustomerPortal(CustomerPortal):
    @http.route()
    def portal_quote_accept(self, order_id, access_token=None, name=None, signature=None):
        # The customer signs its quotation on the portal: sale checks the access token and
        # the signature, then confirms the order as superuser; the credit check does not
        # hold that confirmation. Only this order, and only while sale handles the signature.
        with credit_check_exempt([order_id]):
            return super().portal_quote_accept(order_id, access_token=access_token, name=name, signature=signature)
