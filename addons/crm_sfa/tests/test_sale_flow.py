from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from odoo.addons.crm_workflow.tests.common import call_kw

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

    def _notes(self, lead):
        """The notes in the opportunity's chatter, newest first."""
        return lead.message_ids.filtered(lambda message: message.subtype_id == self.env.ref("mail.mt_note"))

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

    def test_lost_opportunity_stays_lost_and_its_salesperson_is_asked(self):
        lead = self.leads["participant"]
        order = self._new_quotation(lead, self.participant)
        lead.with_user(self.participant).action_set_lost()
        self.assertFalse(lead.active)
        call_kw(self.participant, "sale.order", "action_confirm", order.ids)
        self.assertEqual(order.state, "sale")
        self.assertFalse(lead.active, "a lost opportunity is not won back behind the salesperson's back")
        self.assertFalse(lead.stage_id.is_won)
        self.assertIn(order.name, self._notes(lead)[:1].body)
        self.assertIn("which is lost", self._notes(lead)[:1].body)
        [activity] = lead.activity_ids
        self.assertEqual(activity.user_id, self.participant)
        self.assertEqual(activity.summary, "Order confirmed for a lost opportunity")

    def test_won_stage_gate_does_not_hold_the_confirmation(self):
        """The gate of the won stage asks for an expected closing date, which the opportunity lacks."""
        lead = self.leads["participant"]
        won_stages = lead._stage_find(domain=[("is_won", "=", True)], limit=None)
        closing = self.env["ir.model.fields"]._get("crm.lead", "date_deadline")
        self.env["crm.stage.gate"].create(
            [{"stage_id": stage.id, "field_ids": [Command.set(closing.ids)]} for stage in won_stages]
        )
        with self.assertRaisesRegex(ValidationError, "Fill in Expected Closing"), self.cr.savepoint():
            lead.with_user(self.participant).action_set_won()
        order = self._new_quotation(lead, self.participant)
        call_kw(self.participant, "sale.order", "action_confirm", order.ids)
        self.assertEqual(order.state, "sale")
        self.assertTrue(lead.stage_id.is_won, "marked won by the order, without the gate")
        note = self._notes(lead)[:1].body
        self.assertIn(f"{order.name} was confirmed by Suite Participant", note)
        self.assertIn("Fill in Expected Closing", note, "the note says what the gate asked for")

    def test_opportunity_the_user_may_not_change_is_won_by_the_system(self):
        """The participant confirms their order of the colleague's opportunity, which they may not change."""
        lead = self.leads["colleague"]
        order = self.orders["participant"]
        order.opportunity_id = lead
        with self.assertRaises(AccessError):
            lead.with_user(self.participant).check_access("write")
        call_kw(self.participant, "sale.order", "action_confirm", order.ids)
        self.assertEqual(order.state, "sale")
        self.assertTrue(lead.stage_id.is_won)
        self.assertEqual(lead.probability, 100)
        self.assertEqual(lead.expected_revenue, order.amount_untaxed, "sale_crm's update of the revenue too")
        note = self._notes(lead)[:1]
        self.assertIn("may not change this opportunity: the system marked it won", note.body)
        self.assertEqual(note.author_id, self.participant.partner_id, "the note names who confirmed")

    def test_confirmation_survives_an_opportunity_that_cannot_be_won(self):
        """Another module's rule refuses to win the opportunity: the order confirms, the salesperson is asked."""
        lead = self.leads["participant"]
        order = self._new_quotation(lead, self.participant)
        Lead = type(self.env["crm.lead"])
        with patch.object(Lead, "action_set_won", side_effect=UserError("Won deals need a signed contract.")):
            call_kw(self.participant, "sale.order", "action_confirm", order.ids)
        self.assertEqual(order.state, "sale")
        self.assertFalse(lead.stage_id.is_won)
        self.assertIn("Won deals need a signed contract.", self._notes(lead)[:1].body)
        self.assertEqual(lead.activity_ids.user_id, self.participant)

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
