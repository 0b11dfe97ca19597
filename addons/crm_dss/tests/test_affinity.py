from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from ..lib import affinity
from .common_affinity import CrmDssAffinityCommon


@tagged("post_install", "-at_install")
class TestAffinityMining(CrmDssAffinityCommon):
    """The miner's figures against the fixtures' orders, and the reference library."""

    def test_pairs_support_confidence_lift(self):
        pairs = self._pairs()
        self.assertEqual(
            pairs,
            {
                (self.pen, self.ink): (2, 0.25, 0.6667, 1.7778),
                (self.ink, self.pen): (2, 0.25, 0.6667, 1.7778),
                (self.pen, self.paper): (2, 0.25, 0.6667, 2.6667),
                (self.paper, self.pen): (2, 0.25, 1.0, 2.6667),
                (self.ink, self.paper): (1, 0.125, 0.3333, 1.3333),
                (self.paper, self.ink): (1, 0.125, 0.5, 1.3333),
            },
        )

    def test_sql_agrees_with_library(self):
        orders = self.env["sale.order"].search([("state", "=", "sale"), ("company_id", "=", self.company.id)])
        expected = affinity.mine_pairs([order.order_line.product_id.ids for order in orders])
        pairs = self.Affinity.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(pairs), len(expected))
        for pair in pairs:
            figures = expected[pair.product_id.id, pair.other_product_id.id]
            self.assertEqual(pair.order_count, figures["orders"])
            self.assertAlmostEqual(pair.support, figures["support"])
            self.assertAlmostEqual(pair.confidence, figures["confidence"])
            self.assertAlmostEqual(pair.lift, figures["lift"])

    def test_branch_pairs_are_its_own(self):
        self.assertEqual(
            self._pairs(self.company_2),
            {(self.pen, self.ink): (1, 0.5, 1.0, 2.0), (self.ink, self.pen): (1, 0.5, 1.0, 2.0)},
        )

    def test_min_support_and_top(self):
        self.env["ir.config_parameter"].set_param("crm_dss.affinity_min_support", "0.2")
        self.env["ir.config_parameter"].set_param("crm_dss.affinity_top", "1")
        self.Affinity._crm_dss_mine(self.company.ids)
        self.assertEqual(
            set(self._pairs()),
            {(self.pen, self.paper), (self.ink, self.pen), (self.paper, self.pen)},
        )
        # the branch is untouched by the mining of headquarters
        self.assertEqual(len(self._pairs(self.company_2)), 2)

    def test_bad_parameters_fall_back_to_defaults(self):
        self.env["ir.config_parameter"].set_param("crm_dss.affinity_min_support", "a lot")
        self.assertEqual(self.Affinity._crm_dss_parameters(), (0.01, 10))

    def test_mining_again_replaces_the_pairs(self):
        before = self.Affinity.search([("company_id", "=", self.company.id)])
        self._order_of(self.sales_b, [self.ink, self.paper], confirm=True)
        self.Affinity._crm_dss_mine(self.company.ids)
        after = self.Affinity.search([("company_id", "=", self.company.id)])
        self.assertFalse(before.exists())
        # 9 orders now, ink and paper together in 2 of them
        self.assertEqual(self._pairs()[self.ink, self.paper], (2, 0.2222, 0.5, 1.5))
        self.assertEqual(len(after), 6)

    def test_cron_mines_every_company(self):
        self.Affinity.search([]).sudo().unlink()
        self.Affinity._cron_crm_dss_mine()
        self.assertEqual(len(self._pairs()), 6)
        self.assertEqual(len(self._pairs(self.company_2)), 2)


@tagged("post_install", "-at_install")
class TestAffinitySuggestions(CrmDssAffinityCommon):
    """What salespeople are offered on the customer and on the quotation."""

    def test_customer_also_bought(self):
        # Contoso bought pen and paper (o3, of sales_a): pen's buyers also buy ink
        partner = self.customer_c.with_user(self.sales_a)
        self.assertEqual(partner.crm_dss_also_bought_ids.other_product_id, self.ink)
        self.assertEqual(partner.crm_dss_also_bought_ids.product_id, self.pen)

    def test_salesperson_sees_suggestions_from_their_own_orders_only(self):
        # sales_b sold nothing to Contoso: nothing they may read, nothing suggested
        self.assertFalse(self.customer_c.with_user(self.sales_b).crm_dss_also_bought_ids)

    def test_customer_who_bought_everything_gets_no_suggestion(self):
        self.assertFalse(self.customer.with_user(self.sales_a).crm_dss_also_bought_ids)

    def test_quotation_suggestions_best_first(self):
        quotation = self._order_of(self.sales_a, [self.pen], partner=self.customer_c).with_user(self.sales_a)
        self.assertEqual(quotation.crm_dss_suggestion_ids.other_product_id.ids, [self.paper.id, self.ink.id])

    def test_add_suggested_product(self):
        quotation = self._order_of(self.sales_a, [self.pen], partner=self.customer_c).with_user(self.sales_a)
        suggestion = quotation.crm_dss_suggestion_ids[:1]
        suggestion.with_context(crm_dss_order_id=quotation.id).action_crm_dss_add_to_order()
        self.assertEqual(quotation.order_line.product_id, self.pen | self.paper)
        self.assertEqual(quotation.order_line.filtered(lambda line: line.product_id == self.paper).price_unit, 1.0)
        self.assertEqual(quotation.crm_dss_suggestion_ids.other_product_id, self.ink)

    def test_add_to_confirmed_order_is_refused(self):
        with self.assertRaisesRegex(UserError, "quotations only"):
            self.o3.with_user(self.sales_a).action_crm_dss_add_suggested_product(self.ink.id)
        self.assertEqual(len(self.o3.order_line), 2)

    def test_add_product_not_for_sale_is_refused(self):
        quotation = self._order_of(self.sales_a, [self.pen]).with_user(self.sales_a)
        self.ink.sale_ok = False
        with self.assertRaisesRegex(UserError, "can sell"):
            quotation.action_crm_dss_add_suggested_product(self.ink.id)
        with self.assertRaisesRegex(UserError, "can sell"):
            quotation.action_crm_dss_add_suggested_product(0)
        with self.assertRaisesRegex(UserError, "can sell"):
            quotation.action_crm_dss_add_suggested_product("1")
        self.assertEqual(quotation.order_line.product_id, self.pen)

    def test_add_product_of_another_company_is_refused(self):
        quotation = self._order_of(self.sales_a, [self.pen]).with_user(self.sales_a)
        branch_only = self.env["product.product"].create(
            {"name": "Branch Only", "sale_ok": True, "company_id": self.company_2.id}
        )
        with self.assertRaisesRegex(UserError, "can sell"):
            quotation.action_crm_dss_add_suggested_product(branch_only.id)
        self.assertEqual(quotation.order_line.product_id, self.pen)

    def test_add_to_another_salespersons_quotation_is_refused(self):
        quotation = self._order_of(self.sales_a, [self.pen])
        with self.assertRaises(AccessError):
            quotation.with_user(self.sales_b).action_crm_dss_add_suggested_product(self.ink.id)
        self.assertEqual(quotation.order_line.product_id, self.pen)

    def test_add_without_the_quotation_is_refused(self):
        pair = self.Affinity.search([("company_id", "=", self.company.id)], limit=1).with_user(self.sales_a)
        with self.assertRaises(AccessError):
            pair.action_crm_dss_add_to_order()


@tagged("post_install", "-at_install")
class TestAffinityAccess(CrmDssAffinityCommon):
    """Who reads the pairs, who recomputes them; nobody writes them by hand."""

    def test_salesperson_reads_pairs_of_their_company(self):
        pairs = self.Affinity.with_user(self.sales_a).search([])
        self.assertEqual(pairs.company_id, self.company)
        self.assertEqual(len(pairs), 6)

    def test_branch_salesperson_reads_only_branch_pairs(self):
        pairs = self.Affinity.with_user(self.sales_branch).search([])
        self.assertEqual(pairs.company_id, self.company_2)
        hq_pair = self.Affinity.search([("company_id", "=", self.company.id)], limit=1)
        with self.assertRaises(AccessError):
            hq_pair.with_user(self.sales_branch).read(["lift"])

    def test_branch_salesperson_gets_no_suggestion_from_headquarters(self):
        quotation = self._order_of(self.sales_branch, [self.paper], company=self.company_2)
        self.assertFalse(quotation.with_user(self.sales_branch).crm_dss_suggestion_ids)

    def test_portal_reads_nothing(self):
        with self.assertRaises(AccessError):
            self.Affinity.with_user(self.portal_user).search([])

    def test_salesperson_cannot_write_create_or_delete(self):
        pair = self.Affinity.search([("company_id", "=", self.company.id)], limit=1)
        with self.assertRaises(AccessError):
            pair.with_user(self.sales_a).write({"lift": 99.0})
        with self.assertRaises(AccessError):
            pair.with_user(self.sales_a).unlink()
        with self.assertRaises(AccessError):
            self.Affinity.with_user(self.sales_manager).create(
                {"company_id": self.company.id, "product_id": self.pen.id, "other_product_id": self.ink.id}
            )
        self.assertNotEqual(pair.lift, 99.0)

    def test_salesperson_cannot_recompute(self):
        with self.assertRaises(AccessError):
            self.Affinity.with_user(self.sales_a).action_recompute()

    def test_sales_manager_recomputes_their_company(self):
        self.Affinity.search([]).sudo().unlink()
        self.Affinity.with_user(self.sales_manager).action_recompute()
        self.assertEqual(len(self._pairs()), 6)
        self.assertFalse(self._pairs(self.company_2))

    def test_public_methods_are_the_buttons(self):
        mine = ("crm.dss.product.affinity", "crm.dss.analysis", "sale.order", "res.partner")
        found = {pair for pair in public_methods(self.env, "crm_dss") if pair[0] in mine}
        self.assertEqual(
            found,
            {
                ("crm.dss.product.affinity", "action_recompute"),
                ("crm.dss.product.affinity", "action_crm_dss_add_to_order"),
                ("crm.dss.analysis", "get_analysis"),
                ("sale.order", "action_crm_dss_add_suggested_product"),
            },
        )

    def test_call_kw_attacks_as_salesperson(self):
        pair = self.Affinity.search([("company_id", "=", self.company.id)], limit=1)
        with self.assertRaises(AccessError):
            call_kw(self.sales_a, "crm.dss.product.affinity", "action_recompute", [])
        with self.assertRaises(AccessError):
            call_kw(self.sales_a, "crm.dss.product.affinity", "write", pair.ids, {"support": 1.0})
        with self.assertRaises(AccessError):
            call_kw(self.sales_a, "crm.dss.product.affinity", "_crm_dss_mine", self.company.ids)
        with self.assertRaises(AccessError):
            call_kw(self.sales_a, "crm.dss.product.affinity", "_cron_crm_dss_mine")
        # another salesperson's quotation through the suggestion button
        quotation = self._order_of(self.sales_b, [self.pen])
        with self.assertRaises(AccessError):
            call_kw(
                self.sales_a,
                "crm.dss.product.affinity",
                "action_crm_dss_add_to_order",
                pair.ids,
                context={"crm_dss_order_id": quotation.id},
            )
        with self.assertRaises(AccessError):
            call_kw(self.sales_a, "sale.order", "action_crm_dss_add_suggested_product", quotation.ids, self.ink.id)
        self.assertEqual(quotation.order_line.product_id, self.pen)

    def test_call_kw_attacks_as_portal(self):
        pair = self.Affinity.search([("company_id", "=", self.company.id)], limit=1)
        for method, args in (
            ("action_recompute", [[]]),
            ("action_crm_dss_add_to_order", [pair.ids]),
            ("read", [pair.ids, ["lift"]]),
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.portal_user, "crm.dss.product.affinity", method, *args)
        with self.assertRaises(AccessError):
            call_kw(self.portal_user, "sale.order", "action_crm_dss_add_suggested_product", self.o1.ids, self.ink.id)
        with self.assertRaises(AccessError):
            call_kw(self.portal_user, "res.partner", "read", self.customer.ids, ["crm_dss_also_bought_ids"])

    def test_system_fields_refused_even_with_rights(self):
        # a user with write access (none exists by default) would still be stopped by the mixin
        pair = self.Affinity.search([("company_id", "=", self.company.id)], limit=1)
        with self.assertRaises(AccessError):
            pair.with_user(self.sales_manager)._crm_check_system_fields({"lift"})
