from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.crm_workflow.tests.common import race

from .common_segment import CrmSegmentCommon


@tagged("post_install", "-at_install")
class TestSegmentImportConcurrency(BaseCase):
    """Two marketers import the same prospect at the same moment (two workers: two
    cursors, two threads, retried on serialization failures as Odoo's workers retry):
    one contact, in both lists."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.run_id = uuid4().hex[:8]  # committed data: names of this run only
        cls.email = f"racer-{cls.run_id}@example.cn"
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lists = env["crm.segment"].create(
                [{"name": f"Race list {n} {cls.run_id}", "kind": "static"} for n in (1, 2)]
            )
            cls.list_ids = lists.ids
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.partner"].with_context(active_test=False).search([("email", "=ilike", cls.email)]).unlink()
            env["crm.segment"].browse(cls.list_ids).unlink()
            env["crm.campaign.response.lock"].search([("key", "like", f"%{cls.run_id}%")]).unlink()

    def _importer(self, list_id):
        data = CrmSegmentCommon.csv_file([["Name", "Email"], ["Racing Prospect", self.email]])

        def body(env):
            wizard = env["crm.segment.import"].create(
                {"file": data, "filename": "race.csv", "segment_id": list_id, "country_id": env.ref("base.cn").id}
            )
            wizard.action_preview()
            wizard.action_import()
            env.flush_all()

        return body

    def test_same_prospect_imported_at_the_same_moment(self):
        (errors_one, __), (errors_two, attempts_two) = race(
            self.registry, self._importer(self.list_ids[0]), self._importer(self.list_ids[1])
        )
        self.assertEqual(errors_one + errors_two, [])
        self.assertGreater(len(attempts_two), 1, "the second import waited for the first and was retried")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partners = env["res.partner"].search([("email", "=ilike", self.email)])
            self.assertEqual(len(partners), 1, "one contact, not two")
            self.assertEqual(set(partners.crm_segment_ids.ids), set(self.list_ids), "in both lists")
