from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_eai.tests.peer import Peer
from odoo.addons.queue_job.tests.common import trap_jobs


@tagged("post_install", "-at_install")
class TestCaseStatusesToMis(TransactionCase):
    """With crm_service installed, an MIS backend's standard flows also send the service
    cases' statuses; the scheduled push sends what changed since the last one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.peer = Peer().start()
        cls.addClassCleanup(cls.peer.stop)
        cls.backend = cls.env["crm.eai.backend"].create(
            {"name": "Group MIS", "kind": "mis", "wsdl_url": cls.peer.wsdl_url, "timeout": 5}
        )
        cls.backend.action_create_standard_flows()
        cls.cases = cls.backend.mapping_ids.filtered(lambda m: m.model_name == "crm.service.case")
        cls.customer = cls.env["res.partner"].create({"name": "Complaining customer", "ref": "C-77"})

    def _push(self):
        with trap_jobs() as trap:
            self.cases.action_sync()
            while trap.enqueued_jobs:
                jobs, trap.enqueued_jobs = list(trap.enqueued_jobs), []
                trap._perform_single_jobs(jobs)

    def test_case_statuses_are_pushed_when_they_change(self):
        self.assertEqual(self.cases.entity, "case")
        case = self.env["crm.service.case"].create({"subject": "Pump leaks", "partner_id": self.customer.id})
        self._push()
        sent = self.peer.received["case"]
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["key"], case.name)
        self.assertEqual(sent[0]["fields"]["customer"], "C-77")
        self.assertEqual(sent[0]["fields"]["status"], case.state)
        self._push()
        self.assertEqual(len(self.peer.received["case"]), 1, "nothing changed: nothing sent")
        # a later change of status goes out with the next push
        case.state = next(value for value, _label in case._fields["state"].selection if value != case.state)
        self._push()
        statuses = [record["fields"]["status"] for record in self.peer.received["case"]]
        self.assertEqual(statuses[-1], case.state)
        self.assertEqual(len(statuses), 2)
