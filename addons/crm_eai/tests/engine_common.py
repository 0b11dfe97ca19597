from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.queue_job.tests.common import trap_jobs

from .peer import Peer

OPERATOR = "crm_eai.group_crm_eai_user"
ADMINISTRATOR = "crm_eai.group_crm_eai_manager"


def customer(code, name, modified, credit_limit="1000", email="", country="CN"):
    return {
        "key": code,
        "modified": modified,
        "fields": {"code": code, "name": name, "credit_limit": credit_limit, "email": email, "country": country},
    }


class CrmEaiEngineCase(TransactionCase):
    """A real SOAP peer on loopback and an MIS backend with its standard flows, set up
    by its administrator; background jobs are trapped and run by the test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.peer = Peer().start()
        cls.addClassCleanup(cls.peer.stop)
        cls.administrator = new_test_user(
            cls.env,
            login="eai_engine_admin",
            groups=f"{ADMINISTRATOR},sales_team.group_sale_manager,account.group_account_invoice",
        )
        cls.operator = new_test_user(cls.env, login="eai_engine_operator", groups=OPERATOR)
        cls.backend = (
            cls.env["crm.eai.backend"]
            .with_user(cls.administrator)
            .create(
                {
                    "name": "Group MIS",
                    "kind": "mis",
                    "wsdl_url": cls.peer.wsdl_url,
                    "timeout": 2,
                    "batch_size": 50,
                    "max_attempts": 3,
                    "retry_delay": 60,
                    "user_id": cls.administrator.id,
                }
            )
        )
        cls.backend.with_user(cls.administrator).action_create_standard_flows()
        mappings = cls.backend.mapping_ids
        cls.customers = mappings.filtered(lambda m: m.entity == "customer")
        cls.orders = mappings.filtered(lambda m: m.entity == "order")
        cls.start = datetime(2026, 11, 1, 8, 0)

    def setUp(self):
        super().setUp()
        self.peer.reset()
        self.peer.entities = {"customer": [], "product": []}

    # helpers ---------------------------------------------------------------

    def run_jobs(self, trap, limit=1000):
        """Perform the trapped jobs, and those they queue, until none is left."""
        done = 0
        while trap.enqueued_jobs and done < limit:
            jobs, trap.enqueued_jobs = list(trap.enqueued_jobs), []
            trap._perform_single_jobs(jobs)
            done += len(jobs)
        return done

    def sync(self, mapping=None, full=False, user=None):
        mapping = (mapping or self.customers).with_user(user or self.administrator)
        with trap_jobs() as trap:
            mapping.action_full_resync() if full else mapping.action_sync()
            self.run_jobs(trap)

    def exchanges(self, **domain):
        return self.env["crm.eai.exchange"].search(
            [("backend_id", "=", self.backend.id), *[(k, "=", v) for k, v in domain.items()]], order="id"
        )

    def partners(self, codes=None):
        domain = [("ref", "in", codes)] if codes else [("ref", "like", "C%")]
        return self.env["res.partner"].with_context(active_test=False).search(domain, order="ref")

    def make_due(self, exchanges):
        exchanges.sudo().write({"next_retry": fields.Datetime.now() - timedelta(seconds=1)})

    def retry_due(self):
        with trap_jobs() as trap:
            self.env["crm.eai.exchange"]._cron_retry()
            self.run_jobs(trap)

    def customers_page(self, count, start=None, prefix="C"):
        start = start or self.start
        return [customer(f"{prefix}{i:04d}", f"Customer {i}", start + timedelta(minutes=i)) for i in range(count)]
