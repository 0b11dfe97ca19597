from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.crm_dss.report.crm_dss_decision_report_xlsx import CrmDssDecisionReportXlsx
from odoo.addons.crm_workflow.tests.common import race


def small_board(report, board, company_ids, department_id, date_from, date_to):
    scope = report.env["crm.dss.scope"]._dss_scope(company_ids)
    return {
        "title": "Executive Dashboard",
        "company_ids": list(scope.company_ids),
        "date_from": date_from,
        "date_to": date_to,
        "sections": [{"key": "k", "title": "Figures", "kpis": [{"key": "n", "label": "N", "value": 1}]}],
    }


@tagged("post_install", "-at_install")
class TestDecisionReportConcurrency(BaseCase):
    """Two crons (two workers, two transactions) build the same template's report at the
    same moment: one run, one workbook, one mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            admin = env.ref("base.user_admin")
            template = env["crm.dss.report.template"].create(
                {
                    "name": "Race Report",
                    "period": "weekly",
                    "company_id": env.ref("base.main_company").id,
                    "company_ids": [fields.Command.set(env.ref("base.main_company").ids)],
                    "recipient_user_ids": [fields.Command.set(admin.ids)],
                    "user_id": admin.id,
                    "include_receivable_lines": False,
                }
            )
            cls.template_id = template.id
            cls.today = fields.Date.context_today(template)
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            runs = env["crm.dss.report.run"].search([("template_id", "=", cls.template_id)])
            env["mail.mail"].search([("model", "=", runs._name), ("res_id", "in", runs.ids)]).unlink()
            env["ir.attachment"].search([("res_model", "=", runs._name), ("res_id", "in", runs.ids)]).unlink()
            env["crm.dss.report.template"].browse(cls.template_id).unlink()

    def _cron(self, env):
        env["crm.dss.report.template"].browse(self.template_id)._generate_due(self.today)
        env.flush_all()

    def test_two_crons_build_one_run(self):
        with patch.object(CrmDssDecisionReportXlsx, "_dss_board", small_board):
            (errors_one, __), (errors_two, __) = race(self.registry, self._cron, self._cron)
        self.assertEqual(errors_one + errors_two, [])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            runs = env["crm.dss.report.run"].search([("template_id", "=", self.template_id)])
            self.assertEqual(len(runs), 1, "one run of the period, not two")
            self.assertEqual(runs.state, "done")
            self.assertEqual(
                env["ir.attachment"].search_count([("res_model", "=", runs._name), ("res_id", "=", runs.id)]), 1
            )
            self.assertEqual(env["mail.mail"].search_count([("model", "=", runs._name), ("res_id", "=", runs.id)]), 1)
