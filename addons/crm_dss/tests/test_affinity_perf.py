from uuid import uuid4

from odoo import SUPERUSER_ID, Command, api
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.crm_workflow.tests.common import race

from .common_affinity import CrmDssAffinityCommon


@tagged("post_install", "-at_install", "crm_dss_perf")
class TestAffinityQueries(CrmDssAffinityCommon):
    """Suggestions for many quotations and customers in a fixed number of queries."""

    def test_suggestions_of_50_quotations(self):
        quotations = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer_c.id,
                    "user_id": self.sales_a.id,
                    "order_line": [
                        Command.create({"product_id": self.pen.id}),
                        Command.create({"product_id": self.ink.id}),
                    ],
                }
                for _index in range(50)
            ]
        )
        quotations = quotations.with_user(self.sales_a)
        self.env.invalidate_all()
        with self.assertQueryCount(23):
            for quotation in quotations:
                self.assertEqual(quotation.crm_dss_suggestion_ids.other_product_id, self.paper)

    def test_suggestions_of_50_customers(self):
        partners = self.env["res.partner"].create([{"name": f"Buyer {index}"} for index in range(50)])
        self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": self.sales_a.id,
                    "order_line": [Command.create({"product_id": self.pen.id})],
                }
                for partner in partners
            ]
        ).action_confirm()
        partners = partners.with_user(self.sales_a)
        self.env.invalidate_all()
        with self.assertQueryCount(22):
            for partner in partners:
                self.assertEqual(len(partner.crm_dss_also_bought_ids), 2)


@tagged("post_install", "-at_install")
class TestAffinityRace(BaseCase):
    """Two minings of one company at the same moment (the weekly cron and a sales
    manager's "Recompute") leave one set of pairs: the advisory lock lets the second wait."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = cls._env(cr)
            tag = uuid4().hex[:8]
            company = env["res.company"].create({"name": f"Affinity Race {tag}"})
            env = env(context={"allowed_company_ids": company.ids})
            products = env["product.product"].create(
                [{"name": f"Race {tag} {index}", "sale_ok": True} for index in range(3)]
            )
            partner = env["res.partner"].create({"name": f"Race {tag}"})
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "order_line": [Command.create({"product_id": product.id}) for product in basket],
                    }
                    for basket in (products[:2], products, products[1:])
                ]
            )
            orders.action_confirm()
            cls.company_id, cls.order_ids, cls.product_ids, cls.partner_id = (
                company.id,
                orders.ids,
                products.ids,
                partner.id,
            )
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _env(cls, cr):
        cr.transaction = Transaction(cls.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = cls._env(cr)
            env["crm.dss.product.affinity"].search([("company_id", "=", cls.company_id)]).unlink()
            orders = env["sale.order"].browse(cls.order_ids)
            orders._action_cancel()
            orders.unlink()
            env["product.product"].browse(cls.product_ids).product_tmpl_id.unlink()
            env["res.partner"].browse(cls.partner_id).unlink()
            env["res.company"].browse(cls.company_id).active = False

    def test_two_minings_at_once_leave_one_set_of_pairs(self):
        def mine(env):
            env["crm.dss.product.affinity"]._crm_dss_mine([self.company_id])

        (errors_one, __), (errors_two, __) = race(self.registry, mine, mine)
        self.assertEqual((errors_one, errors_two), ([], []), (errors_one, errors_two))
        with self.registry.cursor() as cr:
            pairs = self._env(cr)["crm.dss.product.affinity"].search([("company_id", "=", self.company_id)])
            # 0+1 and 1+2 in two orders, 0+2 in one: six directed pairs, each once
            self.assertEqual(len(pairs), 6)
            self.assertEqual(sorted(pairs.mapped("order_count")), [1, 1, 2, 2, 2, 2])
