from odoo import Command
from odoo.tests import tagged

from .common_segment import CrmSegmentCommon

N = 100


@tagged("post_install", "-at_install", "is_query_count", "crm_marketing_perf")
class TestSegmentPerformance(CrmSegmentCommon):
    """Query ceilings of the batch paths, with tracking on as in production."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.many = cls.env["res.partner"].create([{"name": f"Member {i}", "city": "Paris"} for i in range(N)])
        Segment = cls.env["crm.segment"]
        cls.lists = Segment.create(
            [
                {
                    "name": f"List {i}",
                    "kind": "static",
                    "user_id": cls.participant.id,
                    "partner_ids": [Command.set(cls.many.ids)],
                }
                for i in range(5)
            ]
        )
        cls.conditions = Segment.create(
            [{"name": f"Dynamic {i}", "domain": f"[('name', 'ilike', 'Member {i}')]"} for i in range(3)]
        )

    def setUp(self):
        super().setUp()
        self.env = self.env(user=self.participant, context={"tracking_disable": False, "mail_create_nolog": False})

    def test_member_count(self):
        segments = (self.lists | self.conditions).with_env(self.env)
        segments.invalidate_recordset()
        with self.assertQueryCount(16):
            counts = segments.mapped("member_count")
        self.assertEqual(counts[:5], [N] * 5)

    def test_member_count_of_static_lists_is_one_query(self):
        def cost(lists):
            lists = lists.with_env(self.env)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            lists.mapped("member_count")
            return self.env.cr.sql_log_count - before

        self.lists[:1].with_env(self.env).mapped("member_count")  # the rules and caches of the user
        self.assertEqual(cost(self.lists[:1]), cost(self.lists))

    def test_add_members(self):
        segment = self.env["crm.segment"].create({"name": "Batch", "kind": "static"})
        partners = self.many.with_env(self.env)
        with self.assertQueryCount(7):
            segment._crm_segment_add_partners(partners)
        self.assertEqual(segment.member_count, N)

    def _import(self, size):
        rows = [["Name", "Email", "Phone"]] + [
            [f"Prospect {size} {i}", f"p{size}.{i}@example.cn", f"1390000{size:02d}{i:02d}"] for i in range(size)
        ]
        wizard = self.new_import(self.participant, rows, segment_id=self.lists[0].id).with_env(self.env)
        wizard.flush_recordset()
        return wizard

    def test_import_queries_do_not_grow_with_rows(self):
        counts = {}
        for size in (10, 50):
            wizard = self._import(size)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            wizard.action_preview()
            wizard.action_import()
            self.env.flush_all()
            counts[size] = self.env.cr.sql_log_count - before
            self.assertEqual(wizard.new_count, size)
        # creating partners costs a few queries per batch, not per row
        self.assertLessEqual(counts[50] - counts[10], 10, counts)

    def test_import_ceiling(self):
        wizard = self._import(N)
        self.env.invalidate_all()
        with self.assertQueryCount(160):
            wizard.action_preview()
            wizard.action_import()
            self.env.flush_all()
