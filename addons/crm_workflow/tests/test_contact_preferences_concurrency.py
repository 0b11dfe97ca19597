import threading
import time
from uuid import uuid4

from odoo import SUPERUSER_ID, Command, api
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from .common import run_in_transaction

# How long the first user keeps their transaction open once the second one has started.
HOLD_SECONDS = 1.0


@tagged("post_install", "-at_install")
class TestContactPreferencesConcurrency(BaseCase):
    """Two users refusing the same channel of a contact at the same moment, in two Odoo
    workers (two cursors, two threads, committed data): the contact's log records one
    opt-out. The second write waits on the first, is retried as Odoo's workers retry a
    request, then finds the channel already refused: no change, nothing to log."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        run = uuid4().hex[:8]  # committed data: names of this run only
        with cls.registry.cursor() as cr:
            env = cls._env(cr, SUPERUSER_ID)
            groups = env.ref("base.group_user") | env.ref("base.group_partner_manager")
            Users = env["res.users"].with_context(no_reset_password=True)
            cls.user_ids = [
                Users.create(
                    {
                        "name": f"Prefs {name}",
                        "login": f"crm_prefs_{name}_{run}",
                        "groups_id": [Command.set(groups.ids)],
                    }
                ).id
                for name in ("a", "b")
            ]
            cls.partner_id = (
                env["res.partner"].create({"name": f"Prefs contact {run}", "email": f"{run}@example.com"}).id
            )
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = cls._env(cr, SUPERUSER_ID)
            env["res.partner"].browse(cls.partner_id).unlink()  # its log goes with it
            env["res.users"].browse(cls.user_ids).write({"active": False})

    @classmethod
    def _env(cls, cr, user_id):
        # the transaction is given its registry: looking it up by name would wait for the
        # lock the test runner holds while post-install tests run
        cr.transaction = Transaction(cls.registry)
        return api.Environment(cr, user_id, {})

    def _worker(self, user_id, errors, hold=None):
        def body(env):
            env["res.partner"].browse(self.partner_id).write({"crm_allow_email": False})
            env.cr.flush()  # the update waits on the other's here, inside the retried body
            if hold is not None:
                hold.wait(10)
                time.sleep(HOLD_SECONDS)

        def run():
            try:
                run_in_transaction(self.registry, user_id, body)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        return threading.Thread(target=run)

    def test_two_users_refusing_the_same_channel_log_one_opt_out(self):
        started = threading.Event()
        errors = []
        first = self._worker(self.user_ids[0], errors, hold=started)
        second = self._worker(self.user_ids[1], errors)
        # the second worker's first try fails on the first one's change: PostgreSQL reports it
        with mute_logger("odoo.sql_db"):
            first.start()
            time.sleep(0.3)
            started.set()
            second.start()
            first.join(30)
            second.join(30)
        self.assertEqual(errors, [])
        with self.registry.cursor() as cr:
            log = self._env(cr, SUPERUSER_ID)["crm.contact.optout"].search([("partner_id", "=", self.partner_id)])
            self.assertEqual(log.mapped(lambda row: (row.channel, row.kind)), [("email", "opt_out")])
            self.assertIn(log.user_id.id, self.user_ids)
