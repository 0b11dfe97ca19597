from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDssOperationsOnSuite(TransactionCase):
    """With crm_eai (and queue_job) installed, the integration and background-job checks of
    the operations centre measure them instead of saying unknown."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(cls.env, login="dss_ops_suite_admin", groups="base.group_user,base.group_system")
        cls.checks = cls.env["crm.dss.health.check"].search([])
        cls.check = {check.code: check for check in cls.checks}
        cls.backend = cls.env["crm.eai.backend"].create(
            {
                "name": "Operations ERP",
                "kind": "mis",
                "protocol": "soap",
                "wsdl_url": "https://mis.example.com/service?wsdl",
                "auth": "basic",
                "username": "crm",
                "password": "secret",
            }
        )

    def _run(self):
        self.checks.with_user(self.admin).action_check_now()

    def _exchange(self, key, state):
        return (
            self.env["crm.eai.exchange"]
            .sudo()
            .create(
                {
                    "backend_id": self.backend.id,
                    "kind": "push",
                    "direction": "out",
                    "idempotency_key": key,
                    "state": state,
                }
            )
        )

    def test_integration_backlog_and_failures(self):
        self._run()
        backlog, failures = self.check["eai_backlog"], self.check["eai_failures"]
        self.assertNotEqual(backlog.state, "unknown")
        before_backlog, before_failures = backlog.last_value, failures.last_value
        self._exchange("ops-1", "pending")
        self._exchange("ops-2", "failed")
        self._exchange("ops-3", "dead")
        self._exchange("ops-4", "done")
        self._run()
        self.assertEqual(backlog.last_value, before_backlog + 1)
        self.assertEqual(failures.last_value, before_failures + 2)
        self.assertIn(failures.state, ("warning", "critical"))

    def test_background_jobs(self):
        self._run()
        Job = self.env["queue.job"].sudo()
        counts = dict(Job._read_group([], ["state"], ["__count"]))
        self.assertNotEqual(self.check["job_backlog"].state, "unknown")
        self.assertEqual(self.check["job_backlog"].last_value, counts.get("pending", 0) + counts.get("enqueued", 0))
        self.assertEqual(self.check["job_failures"].last_value, counts.get("failed", 0))
