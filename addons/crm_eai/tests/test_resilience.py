import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from uuid import uuid4

from psycopg2 import OperationalError, errorcodes

from odoo import SUPERUSER_ID, api
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config, mute_logger

from .engine_common import customer
from .peer import Peer

# The worker of test_worker_killed_mid_batch: an Odoo shell running the sync's pages one
# transaction each, as queue_job's workers do.
WORKER = """
mapping = env["crm.eai.mapping"].browse({mapping_id})
mapping.action_sync()
env.cr.commit()
Exchange = env["crm.eai.exchange"]
while True:
    page = Exchange.search([("mapping_id", "=", mapping.id), ("kind", "=", "pull"), ("state", "=", "pending")], limit=1)
    if not page:
        break
    page._crm_eai_run()
    env.cr.commit()
"""


@tagged("post_install", "-at_install")
class TestResilience(BaseCase):
    """Two workers on one message, and a worker killed in the middle of a sync: real
    transactions on committed data, a real peer, a real second Odoo process."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.peer = Peer().start()
        cls.addClassCleanup(cls.peer.stop)
        cls.registry = Registry(get_db_name())
        cls.run_id = uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = cls._env(cr)
            backend = env["crm.eai.backend"].create(
                {
                    "name": f"Resilience {cls.run_id}",
                    "kind": "mis",
                    "wsdl_url": cls.peer.wsdl_url,
                    "timeout": 20,
                    "batch_size": 50,
                }
            )
            backend.action_create_standard_flows()
            cls.backend_id = backend.id
            cls.customers_id = backend.mapping_ids.filtered(lambda m: m.entity == "customer").id
            cls.orders_id = backend.mapping_ids.filtered(lambda m: m.entity == "order").id
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = cls._env(cr)
            env["res.partner"].with_context(active_test=False).search([("ref", "like", f"K{cls.run_id}%")]).unlink()
            exchanges = env["crm.eai.exchange"].search([("backend_id", "=", cls.backend_id)])
            env["queue.job"].search([("model_name", "=", "crm.eai.exchange")]).filtered(
                lambda job: set(job.records.ids) & set(exchanges.ids)
            ).unlink()
            env["crm.eai.backend"].browse(cls.backend_id).unlink()

    @classmethod
    def _env(cls, cr):
        # the transaction is given its registry: looking it up by name would wait for the
        # lock the test runner holds while post-install tests run
        cr.transaction = Transaction(cls.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def _read(self, function):
        with self.registry.cursor() as cr:
            return function(self._env(cr))

    def test_two_workers_run_the_same_message_once(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            records = [{"key": f"SO-{self.run_id}", "modified": None, "fields": {"number": f"SO-{self.run_id}"}}]
            mapping = env["crm.eai.mapping"].browse(self.orders_id)
            exchange_id = env["crm.eai.exchange"]._crm_eai_create_push(mapping, "sale.order", [], records).id
        self.peer.hold("PushRecords")
        results = {}

        def worker(name):
            with self.registry.cursor() as cr:
                results[name] = self._env(cr)["crm.eai.exchange"].browse(exchange_id)._crm_eai_run()

        first = threading.Thread(target=worker, args=("first",))
        first.start()
        self.assertTrue(self.peer.wait_for("PushRecords", 1, timeout=20), "the first worker is in the call")
        second = threading.Thread(target=worker, args=("second",))
        second.start()
        second.join(20)
        self.assertEqual(results.get("second"), "taken by another worker or already done", "the second does not wait")
        self.peer.release()
        first.join(20)
        self.assertEqual(results.get("first"), "done")
        self.assertEqual(self.peer.push_calls, 1)
        state = self._read(lambda env: env["crm.eai.exchange"].browse(exchange_id).state)
        self.assertEqual(state, "done")

    def test_the_same_push_received_twice_at_once_is_stored_once(self):
        """Two workers take the same push (the system sent it again after a timeout):
        the second waits on the first's row, then is retried and answers its receipt."""
        key = f"twin-{self.run_id}"
        payload = b'[{"key": "T1", "modified": null, "fields": {"code": "T1"}}]'
        created, results, errors = threading.Event(), {}, []

        def receive(name, hold):
            try:
                for attempt in range(5):
                    try:
                        with self.registry.cursor() as cr:
                            env = self._env(cr)
                            backend = env["crm.eai.backend"].browse(self.backend_id)
                            exchange = env["crm.eai.exchange"]._crm_eai_receive(
                                backend, "receive", key, payload, entity="customer", record_count=1
                            )
                            results[name] = exchange.id
                            if hold:
                                env.cr.flush()
                                created.set()
                                time.sleep(1.0)  # the other worker arrives while this one is open
                        return
                    except OperationalError as error:
                        if error.pgcode != errorcodes.SERIALIZATION_FAILURE or attempt == 4:
                            raise
                        results[f"{name}_retries"] = attempt + 1
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        first = threading.Thread(target=receive, args=("first", True))
        second = threading.Thread(target=receive, args=("second", False))
        with mute_logger("odoo.sql_db"):
            first.start()
            self.assertTrue(created.wait(20))
            second.start()
            first.join(30)
            second.join(30)
        self.assertFalse(errors)
        self.assertEqual(results["first"], results["second"], "both answer the same receipt")
        self.assertGreaterEqual(results.get("second_retries", 0), 1, "the second was retried, not refused")
        count = self._read(
            lambda env: env["crm.eai.exchange"].search_count(
                [("backend_id", "=", self.backend_id), ("idempotency_key", "=", key)]
            )
        )
        self.assertEqual(count, 1)

    def test_worker_killed_mid_batch(self):
        start = datetime(2026, 11, 2, 8, 0)
        codes = [f"K{self.run_id}{i:03d}" for i in range(150)]
        self.peer.entities = {
            "customer": [customer(code, f"Killed {i}", start + timedelta(minutes=i)) for i, code in enumerate(codes)]
        }
        self.peer.hold("ListRecords")
        worker = subprocess.Popen(  # noqa: S603 - our own Odoo, our own script
            [
                sys.executable,
                "-m",
                "odoo",
                "shell",
                f"--database={get_db_name()}",
                f"--addons-path={config['addons_path']}",
                f"--data-dir={config['data_dir']}",
                "--no-http",
                "--log-level=warn",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            worker.stdin.write(WORKER.format(mapping_id=self.customers_id).encode())
            worker.stdin.close()
            self.assertTrue(self.peer.wait_for("ListRecords", 1, timeout=120), "the worker asks for the first page")
            self.peer.release()
            self.peer.hold("ListRecords")
            self.assertTrue(self.peer.wait_for("ListRecords", 2, timeout=60), "the worker asks for the second page")
            # the second page is in flight, its transaction open: the worker dies
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(30)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
            self.peer.release()

        def state(env):
            partners = env["res.partner"].with_context(active_test=False).search([("ref", "in", codes)])
            pages = env["crm.eai.exchange"].search(
                [("mapping_id", "=", self.customers_id), ("kind", "=", "pull")], order="id"
            )
            return len(partners), pages.mapped("state")

        self.assertEqual(self._read(state), (50, ["done", "pending"]), "page 1 in, page 2 left as it was")

        # another worker takes the pending page again (the watchdog would queue it)
        for _page in range(3):
            with self.registry.cursor() as cr:
                env = self._env(cr)
                pending = env["crm.eai.exchange"].search(
                    [("mapping_id", "=", self.customers_id), ("kind", "=", "pull"), ("state", "=", "pending")], limit=1
                )
                if pending:
                    pending._crm_eai_run()

        def final(env):
            partners = env["res.partner"].with_context(active_test=False).search([("ref", "in", codes)])
            mapping = env["crm.eai.mapping"].browse(self.customers_id)
            pages = env["crm.eai.exchange"].search(
                [("mapping_id", "=", self.customers_id), ("kind", "=", "pull")], order="id"
            )
            return sorted(partners.mapped("ref")), pages.mapped("state"), mapping.sync_state, mapping.watermark

        refs, pages, sync_state, watermark = self._read(final)
        self.assertEqual(refs, codes, "every customer exactly once")
        self.assertEqual(pages, ["done", "done", "done"])
        self.assertEqual(sync_state, "idle")
        self.assertEqual(watermark, start + timedelta(minutes=149))
