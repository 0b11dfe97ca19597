import threading
import time
from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_workflow.tests.common import run_in_transaction

HOLD_SECONDS = 1.0
MAX_TRIES = 5
STEP_TYPE = "crm_marketing.mail_activity_type_campaign_step"


@tagged("post_install", "-at_install")
class TestCampaignStepConcurrency(BaseCase):
    """The assignee ticks the step's activity while the planner moves the step's deadline:
    two real transactions (two cursors, two threads) on committed data, retried on
    serialization failures as Odoo's workers retry. The planner's change waits for the
    assignee's and runs again on the step as it is then: the step ends done, with no
    activity left behind and one 'done' in its history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.assignee_id = env.ref("base.user_admin").id
            campaign = env["crm.marketing.campaign"].create({"title": f"Concurrent campaign {uuid4().hex[:8]}"})
            step = env["crm.marketing.campaign.step"].create(
                {
                    "campaign_id": campaign.id,
                    "name": "Concurrent step",
                    "user_id": cls.assignee_id,
                    "date_deadline": "2026-05-01",
                }
            )
            cls.campaign_id, cls.utm_id, cls.step_id = campaign.id, campaign.campaign_id.id, step.id
            cls.activity_id = step.activity_ids.id
            cls.type_id = env.ref(STEP_TYPE).id
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.marketing.campaign"].browse(cls.campaign_id).exists().unlink()
            env["utm.campaign"].browse(cls.utm_id).exists().unlink()

    def _worker(self, user_id, action, errors, attempts, hold=None):
        def body(env):
            action(env)
            env.flush_all()
            if hold is not None and not hold.is_set():
                hold.wait(10)
                time.sleep(HOLD_SECONDS)

        def run():
            try:
                run_in_transaction(self.registry, user_id, body, tries=MAX_TRIES, on_attempt=attempts.append)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        return threading.Thread(target=run)

    def test_activity_done_while_the_deadline_moves(self):
        def tick(env):
            env["mail.activity"].browse(self.activity_id).action_feedback(feedback="Booth booked")

        def move(env):
            env["crm.marketing.campaign.step"].browse(self.step_id).date_deadline = "2026-05-15"

        started = threading.Event()
        errors_tick, errors_move, attempts_tick, attempts_move = [], [], [], []
        assignee = self._worker(self.assignee_id, tick, errors_tick, attempts_tick, hold=started)
        planner = self._worker(SUPERUSER_ID, move, errors_move, attempts_move)
        with mute_logger("odoo.sql_db"):
            assignee.start()
            time.sleep(0.3)
            started.set()
            planner.start()
            assignee.join(30)
            planner.join(30)
        self.assertEqual((errors_tick, errors_move), ([], []))
        # a real race: the planner waited for the assignee's step row and ran again on it
        self.assertEqual((len(attempts_tick), len(attempts_move) > 1), (1, True))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            step = env["crm.marketing.campaign.step"].browse(self.step_id)
            self.assertEqual((step.state, str(step.date_deadline)), ("done", "2026-05-15"))
            self.assertFalse(
                env["mail.activity"].search([("res_model", "=", step._name), ("res_id", "=", step.id)]),
                "no activity left for a step that is done",
            )
            done = step.message_ids.filtered(lambda message: message.mail_activity_type_id.id == self.type_id)
            self.assertEqual(len(done), 1)
