from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.crm_workflow.tests.common import race


@tagged("post_install", "-at_install")
class TestForecastConcurrency(BaseCase):
    """The nightly cron and a manager's *Recompute* on the same company at the same
    moment: two real transactions on committed data, each retried on serialization
    failures as Odoo's workers retry. Both end well and every month is stored once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env["res.company"].create({"name": "Concurrent Forecast Company"})
            cls.company_id = company.id
            cls.partner_id = env["res.partner"].create({"name": "Concurrent forecast customer"}).id
            day = fields.Date.today().replace(day=1) - relativedelta(months=2)
            journal = env["account.journal"].search([], limit=1)  # any: the forecast does not read it
            # an invoice in SQL: only the columns the forecast reads (no chart needed)
            cr.execute(
                """
                INSERT INTO account_move (journal_id, currency_id, company_id, state, move_type, auto_post,
                                          partner_id, commercial_partner_id, date, invoice_date,
                                          amount_untaxed_signed)
                VALUES (%s, %s, %s, 'posted', 'out_invoice', 'no', %s, %s, %s, %s, 1234)
                RETURNING id
                """,
                [journal.id, company.currency_id.id, company.id, cls.partner_id, cls.partner_id, day, day],
            )
            cls.move_id = cr.fetchone()[0]
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            cr.execute("DELETE FROM crm_marketing_forecast WHERE company_id = %s", [cls.company_id])
            cr.execute("DELETE FROM account_move WHERE id = %s", [cls.move_id])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [cls.partner_id])
            cr.execute("DELETE FROM res_company WHERE id = %s", [cls.company_id])

    def _recompute(self, env):
        env["crm.marketing.forecast"]._crm_recompute(env["res.company"].browse(self.company_id))
        env.flush_all()

    def test_cron_and_button_at_the_same_time(self):
        (errors_cron, attempts_cron), (errors_button, attempts_button) = race(
            self.registry, self._recompute, self._recompute
        )
        self.assertEqual((errors_cron, errors_button), ([], []))
        # a real race: the button met the cron's rows and ran again on them
        self.assertEqual((len(attempts_cron), len(attempts_button) > 1), (1, True))
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT kind, COUNT(*), COUNT(DISTINCT date) FROM crm_marketing_forecast
                    WHERE company_id = %s GROUP BY kind ORDER BY kind""",
                [self.company_id],
            )
            self.assertEqual(cr.fetchall(), [("actual", 2, 2), ("forecast", 6, 6)])
