from datetime import date

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.crm_workflow.tests.common import race

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestRfmConcurrency(BaseCase):
    """The nightly cron and a manager's *Recompute Now* on the same company at the same
    moment: two real transactions (two cursors, two threads) on committed data, each
    retried on serialization failures as Odoo's workers and cron runner retry. Both end
    well and the classification is the one of the data, counted once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            cls.company_id = company.id
            cls.partner_id = env["res.partner"].create({"name": "Concurrent RFM customer", "is_company": True}).id
            journal = env["account.journal"].search([], limit=1)
            # an invoice in SQL: only the columns the classification reads (no chart needed)
            cr.execute(
                """
                INSERT INTO account_move (journal_id, currency_id, company_id, state, move_type, auto_post,
                                          partner_id, commercial_partner_id, date, invoice_date,
                                          amount_untaxed_signed)
                VALUES (%s, %s, %s, 'posted', 'out_invoice', 'no', %s, %s, '2026-06-20', '2026-06-20', 1234)
                RETURNING id
                """,
                [journal.id or None, company.currency_id.id, company.id, cls.partner_id, cls.partner_id],
            )
            cls.move_id = cr.fetchone()[0]
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            cr.execute("DELETE FROM crm_marketing_rfm_score WHERE partner_id = %s", [cls.partner_id])
            cr.execute("DELETE FROM account_move WHERE id = %s", [cls.move_id])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [cls.partner_id])

    def _recompute(self, env):
        env["crm.marketing.rfm.score"]._crm_recompute(env["res.company"].browse(self.company_id), TODAY)
        env.flush_all()

    def test_cron_and_button_at_the_same_time(self):
        (errors_cron, attempts_cron), (errors_button, attempts_button) = race(
            self.registry, self._recompute, self._recompute
        )
        self.assertEqual((errors_cron, errors_button), ([], []))
        # a real race: the button waited for the cron's rows and ran again on them
        self.assertEqual((len(attempts_cron), len(attempts_button) > 1), (1, True))
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT frequency, monetary, rfm_class FROM crm_marketing_rfm_score WHERE partner_id = %s",
                [self.partner_id],
            )
            self.assertEqual(cr.fetchall(), [(1, 1234, "new")])
