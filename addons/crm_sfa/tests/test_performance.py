from odoo import Command
from odoo.tests import tagged, warmup

from .common import CrmSfaCommon


@tagged("is_query_count", "crm_sfa_perf")
class TestDepartmentPerformance(CrmSfaCommon):
    """The department rule costs the same for a handful of documents or for sixty."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sellers = cls.participant | cls.colleague | cls.sub_user
        cls.many_orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "user_id": sellers[index % 3].id,
                    "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
                }
                for index in range(60)
            ]
        )
        cls.many_leads = cls.env["crm.lead"].create(
            [
                {"name": f"Batch opportunity {index}", "type": "opportunity", "user_id": sellers[index % 3].id}
                for index in range(60)
            ]
        )

    @warmup
    def test_manager_lists_department_orders(self):
        Order = self.env["sale.order"].with_user(self.manager)
        self.env.invalidate_all()
        with self.assertQueryCount(7):
            rows = Order.search_read(
                [("id", "in", self.many_orders.ids)],
                ["name", "partner_id", "user_id", "amount_total", "state", "date_order"],
            )
        self.assertEqual(len(rows), 60)

    @warmup
    def test_manager_lists_department_pipeline(self):
        Lead = self.env["crm.lead"].with_user(self.manager)
        self.env.invalidate_all()
        with self.assertQueryCount(7):
            rows = Lead.search_read(
                [("id", "in", self.many_leads.ids)],
                ["name", "partner_id", "user_id", "expected_revenue", "stage_id", "probability"],
            )
        self.assertEqual(len(rows), 60)
