from odoo.tests import Form

from .common import CrmSfaCommon


class TestSaleFlow(CrmSfaCommon):
    """A salesperson quotes from their opportunity, confirms, and the opportunity is won with its order."""

    def _new_quotation(self, lead, user):
        """What the opportunity's "New Quotation" button does, as ``user`` in the form."""
        action = lead.with_user(user).action_sale_quotations_new()
        order_form = Form(self.env["sale.order"].with_user(user).with_context(**action["context"]))
        with order_form.order_line.new() as line:
            line.product_id = self.product
            line.product_uom_qty = 3
        return order_form.save()

    def test_salesperson_quotes_confirms_and_wins(self):
        lead = self.leads["participant"]
        self.assertFalse(lead.stage_id.is_won)
        order = self._new_quotation(lead, self.participant)
        self.assertEqual(order.opportunity_id, lead)
        self.assertEqual(order.user_id, self.participant)
        self.assertEqual(order.partner_id, self.customer)
        lead_as_seller = lead.with_user(self.participant)
        self.assertEqual(lead_as_seller.quotation_count, 1)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        lead.invalidate_recordset()
        self.assertTrue(lead_as_seller.stage_id.is_won)
        self.assertEqual(lead_as_seller.probability, 100)
        self.assertEqual(lead_as_seller.order_ids, order)
        self.assertEqual(lead_as_seller.sale_order_count, 1)
        self.assertEqual(lead_as_seller.quotation_count, 0)
        self.assertEqual(lead_as_seller.sale_amount_total, order.amount_untaxed)
        action = lead_as_seller.action_view_sale_order()
        self.assertEqual(action["res_id"], order.id)

    def test_second_order_keeps_opportunity_won(self):
        lead = self.leads["participant"]
        first = self._new_quotation(lead, self.participant)
        second = self._new_quotation(lead, self.participant)
        first.action_confirm()
        won_stage = lead.stage_id
        second.action_confirm()
        self.assertEqual(lead.stage_id, won_stage)
        self.assertEqual(lead.with_user(self.participant).sale_order_count, 2)

    def test_order_on_lost_opportunity_wins_it_back(self):
        lead = self.leads["participant"]
        order = self._new_quotation(lead, self.participant)
        lead.with_user(self.participant).action_set_lost()
        self.assertFalse(lead.active)
        order.action_confirm()
        self.assertTrue(lead.active)
        self.assertTrue(lead.stage_id.is_won)

    def test_cancelled_quotation_does_not_win(self):
        lead = self.leads["participant"]
        order = self._new_quotation(lead, self.participant)
        order.with_user(self.participant).action_cancel()
        self.assertFalse(lead.stage_id.is_won)

    def test_order_without_opportunity(self):
        order = self.orders["participant"]
        order.with_user(self.participant).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.opportunity_id)
