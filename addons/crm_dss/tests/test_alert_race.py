from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.crm_workflow.tests.common import race


@tagged("post_install", "-at_install")
class TestAlertRace(BaseCase):
    """Two evaluations of the same rule at the same moment (two cron workers, or the cron
    and an executive's "Evaluate Now") make one alert: the second skips the rule the first
    holds, and a unique index keeps one alert per rule, company and period anyway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = cls._env(cr)
            # committed data: the rule of this run only; a company without receivables has
            # 0 overdue, which lies below 1
            cls.rule_id = (
                env["crm.dss.alert.rule"]
                .create(
                    {
                        "name": f"Race {uuid4().hex[:8]}",
                        "indicator": "overdue_receivables",
                        "comparison": "below",
                        "threshold": 1.0,
                        "period": "day",
                        "company_ids": [(6, 0, env.ref("base.main_company").ids)],
                        "notify_executives": False,
                    }
                )
                .id
            )
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _env(cls, cr):
        cr.transaction = Transaction(cls.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            cls._env(cr)["crm.dss.alert.rule"].browse(cls.rule_id).unlink()

    def test_two_evaluations_at_once_make_one_alert(self):
        def evaluate(env):
            env["crm.dss.alert.rule"].browse(self.rule_id)._dss_evaluate()

        (errors_one, __), (errors_two, __) = race(self.registry, evaluate, evaluate)
        self.assertEqual((errors_one, errors_two), ([], []))
        with self.registry.cursor() as cr:
            alerts = self._env(cr)["crm.dss.alert"].search([("rule_id", "=", self.rule_id)])
            self.assertEqual(len(alerts), 1)
            self.assertEqual(alerts.value, 0.0)

        # and once the first is done, evaluating again adds nothing
        race(self.registry, evaluate, evaluate, hold_seconds=0.0)
        with self.registry.cursor() as cr:
            self.assertEqual(self._env(cr)["crm.dss.alert"].search_count([("rule_id", "=", self.rule_id)]), 1)
