import base64
import itertools
import logging
import os
from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

import requests
import zeep
from requests.auth import HTTPBasicAuth
from zeep.exceptions import Fault
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..controllers import soap as service
from ..lib import envelope, xmlsafe
from ..lib import records as contract

NS = xmlsafe.NAMESPACE
SOAP_ENV = service.SOAP_ENV
# the levels are given as numbers: Odoo names 25 "INFO" too, and assertLogs would take that one
LOGGER = "odoo.addons.crm_eai.controllers.soap"
CUSTOMERS = [
    {
        "key": "C-001",
        "modified": datetime(2026, 3, 2, 9, 0),
        "fields": {"code": "C-001", "name": "Acme Shanghai", "credit_limit": "1500.5"},
    },
    {
        "key": "C-002",
        "modified": datetime(2026, 3, 2, 9, 5),
        "fields": {"code": "C-002", "name": "Beta Trading", "credit_limit": "200"},
    },
]
GAMMA = "<tns:record><tns:key>C-009</tns:key><tns:field name='name'>Gamma</tns:field></tns:record>"


def _soap(operation, header=""):
    """A SOAP 1.1 request of ``operation`` (XML text in the contract's namespace)."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:tns="{NS}">'
        f"<soap:Header>{header}</soap:Header><soap:Body>{operation}</soap:Body></soap:Envelope>"
    ).encode()


def _push(key="push-1", record=GAMMA):
    return _soap(
        f"<tns:PushRecords><tns:entity>customer</tns:entity><tns:idempotencyKey>{key}</tns:idempotencyKey>"
        f"<tns:records>{record}</tns:records></tns:PushRecords>"
    )


def _fault(response):
    """``(faultcode, faultstring)`` of a SOAP fault answer."""
    root = xmlsafe.parse(response.content)
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    return fault.findtext("faultcode"), fault.findtext("faultstring")


@tagged("post_install", "-at_install")
class TestInboundSoap(HttpCase):
    """A system pushes to Odoo through the inbound SOAP service, with a real SOAP client (zeep)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a password unique to this run, looked for in the logs and the stored messages
        cls.username = "mis-head-office"
        cls.password = f"pw-{os.urandom(12).hex()}"
        cls.backend = cls.env["crm.eai.backend"].create(
            {
                "name": "Head office MIS",
                "kind": "mis",
                "protocol": "soap",
                "inbound_enabled": True,
                "inbound_username": cls.username,
                "inbound_password": cls.password,
                "company_id": cls.env.company.id,
            }
        )
        cls.mapping = cls.env["crm.eai.mapping"].create(
            {
                "name": "Customers from MIS",
                "backend_id": cls.backend.id,
                "direction": "pull",
                "entity": "customer",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "line_ids": [
                    Command.create({"sequence": 1, "external_field": "code", "field_path": "ref", "is_key": True}),
                    Command.create({"sequence": 2, "external_field": "name", "field_path": "name"}),
                    Command.create(
                        {
                            "sequence": 3,
                            "external_field": "credit_limit",
                            "field_path": "credit_limit",
                            "converter": "float",
                        }
                    ),
                ],
            }
        )

    def setUp(self):
        super().setUp()
        self.url = f"{self.base_url()}/crm_eai/soap/{self.backend.id}"

    # helpers ---------------------------------------------------------------

    def _client(self, method="basic", username=None, password=None):
        """A zeep client of the published WSDL, sending the credentials by ``method``."""
        username = self.username if username is None else username
        password = self.password if password is None else password
        session = requests.Session()
        if method == "basic":
            session.auth = HTTPBasicAuth(username, password)
        return zeep.Client(
            f"{self.url}?wsdl",
            transport=Transport(session=session, timeout=30, operation_timeout=30),
            wsse=UsernameToken(username, password) if method == "wsse" else None,
            settings=xmlsafe.zeep_settings(),
        )

    def _post(self, body, auth=True, **headers):
        return requests.post(
            self.url,
            data=body,
            headers={"Content-Type": "text/xml; charset=utf-8", **headers},
            auth=(self.username, self.password) if auth is True else auth or None,
            timeout=60,
        )

    def _exchanges(self):
        return self.env["crm.eai.exchange"].search([("backend_id", "=", self.backend.id)])

    @contextmanager
    def _jobs(self):
        """Trap the jobs the requests queue, then run them on the test's cursor."""
        with trap_jobs() as trap:
            yield trap
            for job in trap.enqueued_jobs:
                # queued by a request whose cursor is closed since: run in the test's transaction
                job.recordset = job.recordset.with_env(job.env(cr=self.env.cr))
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()

    def _assert_refused(self, response, status, code, *words):
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("text/xml"))
        faultcode, faultstring = _fault(response)
        self.assertEqual(faultcode, f"soap:{code}")
        for word in words:
            self.assertIn(word.lower(), faultstring.lower())
        self.assertFalse(self._exchanges(), "a refused request stores nothing")
        return faultstring

    # the WSDL ----------------------------------------------------------------

    def test_wsdl_published_with_its_address(self):
        for url in (f"{self.url}?wsdl", self.url):
            response = requests.get(url, timeout=30)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.headers["Content-Type"].startswith("text/xml"))
            wsdl = xmlsafe.parse(response.content)
            locations = [a.get("location") for a in wsdl.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")]
            self.assertEqual(locations, [self.url])
        client = self._client()
        self.assertEqual(client.service._binding_options["address"], self.url)

    def test_wsdl_and_service_only_for_a_backend_taking_pushes(self):
        disabled = self.backend.copy({"name": "No pushes", "code": "no-pushes", "inbound_enabled": False})
        archived = self.backend.copy({"name": "Archived", "code": "archived", "active": False})
        unknown = (
            self.env["crm.eai.backend"].with_context(active_test=False).search([], order="id desc", limit=1).id + 1000
        )
        for backend_id in (disabled.id, archived.id, unknown):
            url = f"{self.base_url()}/crm_eai/soap/{backend_id}"
            self.assertEqual(requests.get(f"{url}?wsdl", timeout=30).status_code, 404)
            response = requests.post(url, data=_soap("<tns:Ping/>"), auth=(self.username, self.password), timeout=30)
            self.assertEqual(response.status_code, 404)

    # calls -----------------------------------------------------------------

    def test_ping(self):
        self.assertEqual(self._client("basic").service.Ping(), service.SERVICE_VERSION)
        self.assertEqual(self._client("wsse").service.Ping(), service.SERVICE_VERSION)

    def test_push_records_with_basic_auth(self):
        client = self._client("basic")
        with self.assertLogs(LOGGER, level=logging.INFO) as logs, self._jobs():
            answer = client.service.PushRecords(
                entity="customer", idempotencyKey="mis-batch-1", records=contract.to_zeep_records(CUSTOMERS)
            )
            exchange = self._exchanges()
            # stored before the answer, imported by the job
            self.assertRecordValues(
                exchange,
                [
                    {
                        "kind": "receive",
                        "direction": "in",
                        "state": "pending",
                        "record_count": 2,
                        "mapping_id": self.mapping.id,
                    }
                ],
            )
        self.assertEqual(answer.accepted, 2)
        self.assertEqual(answer.receipt, exchange.name)
        self.assertEqual(exchange.state, "done")
        partners = self.env["res.partner"].search([("ref", "in", ["C-001", "C-002"])], order="ref")
        self.assertRecordValues(
            partners,
            [{"name": "Acme Shanghai", "credit_limit": 1500.5}, {"name": "Beta Trading", "credit_limit": 200.0}],
        )
        bindings = self.env["crm.eai.binding"].search(
            [("backend_id", "=", self.backend.id), ("model", "=", "res.partner")], order="external_key"
        )
        self.assertEqual(bindings.mapped("external_key"), ["C-001", "C-002"])
        self.assertEqual(bindings.mapped("res_id"), partners.ids)
        self.assertEqual(bindings[0].external_modified, datetime(2026, 3, 2, 9, 0))
        self.assertNotIn(self.password.encode(), exchange._crm_eai_payload())
        self.assertNotIn(self.password, "\n".join(logs.output))

    def test_push_records_with_ws_security(self):
        client = self._client("wsse")
        with self._jobs():
            answer = client.service.PushRecords(
                entity="customer", idempotencyKey="mis-batch-2", records=contract.to_zeep_records(CUSTOMERS[:1])
            )
        self.assertEqual(answer.accepted, 1)
        self.assertEqual(answer.receipt, self._exchanges().name)
        partner = self.env["res.partner"].search([("ref", "=", "C-001")])
        self.assertEqual(partner.credit_limit, 1500.5)
        self.assertNotIn(self.password.encode(), self._exchanges()._crm_eai_payload())

    def test_push_delivered_twice_changes_data_once(self):
        client = self._client("basic")
        records = contract.to_zeep_records(CUSTOMERS)
        with self._jobs():
            first = client.service.PushRecords(entity="customer", idempotencyKey="mis-batch-3", records=records)
        with self._jobs() as trap:
            again = client.service.PushRecords(entity="customer", idempotencyKey="mis-batch-3", records=records)
            trap.assert_jobs_count(0)
        self.assertEqual((again.accepted, again.receipt), (first.accepted, first.receipt))
        self.assertEqual(len(self._exchanges()), 1)
        self.assertEqual(self.env["res.partner"].search_count([("ref", "=", "C-001")]), 1)
        self.assertEqual(self.env["crm.eai.binding"].search_count([("backend_id", "=", self.backend.id)]), 2)

    def test_push_batch_stores_a_sealed_file(self):
        private_pem, _public_pem = envelope.generate_signing_key()
        sealed = envelope.seal(
            b"<batch/>",
            sender="MIS",
            recipient=self.backend.code,
            key_id="MIS-1",
            aes_key=envelope.generate_aes_key(),
            signing_key=envelope.load_private(private_pem),
        )
        message_id = xmlsafe.parse(sealed).get("message-id")
        client = self._client("wsse")
        with trap_jobs() as trap:
            answer = client.service.PushBatch(envelope=sealed)
            again = client.service.PushBatch(envelope=sealed)
            trap.assert_jobs_count(1)  # verified, decrypted and imported by the job (tested with the files)
        exchange = self._exchanges()
        self.assertRecordValues(
            exchange, [{"kind": "file", "direction": "in", "idempotency_key": message_id, "state": "pending"}]
        )
        self.assertEqual(exchange._crm_eai_payload(), sealed)
        self.assertEqual((answer.accepted, answer.receipt), (0, exchange.name))
        self.assertEqual(again.receipt, exchange.name)

    # refusals ------------------------------------------------------------------

    def test_wrong_or_missing_credentials(self):
        with self.assertLogs(LOGGER, level=logging.WARNING) as logs:
            answers = [
                self._post(_push(), auth=(self.username, "not-the-password")),
                self._post(_push(), auth=("someone-else", self.password)),
                self._post(_push(), auth=False),
                self._post(
                    _push().replace(
                        b"<soap:Header>",
                        (
                            f'<soap:Header><wsse:Security xmlns:wsse="{service.WSSE}"><wsse:UsernameToken>'
                            f"<wsse:Username>{self.username}</wsse:Username><wsse:Password>{self.password}x"
                            "</wsse:Password></wsse:UsernameToken></wsse:Security>"
                        ).encode(),
                    ),
                    auth=False,
                ),
            ]
        reasons = {self._assert_refused(answer, 401, "Client", "authentication failed") for answer in answers}
        self.assertEqual(len(reasons), 1, "the same answer whether the user or the password is wrong")
        for answer in answers:
            self.assertNotIn(self.password, answer.text)
            self.assertNotIn("not-the-password", answer.text)
        self.assertEqual(len(logs.records), 4)
        self.assertNotIn(self.password, "\n".join(logs.output))
        self.assertNotIn("not-the-password", "\n".join(logs.output))
        with self.assertRaises(Fault) as caught, self.assertLogs(LOGGER, level=logging.WARNING):
            self._client("wsse", password="wrong").service.Ping()
        self.assertIn("authentication failed", caught.exception.message)

    def test_external_entity_refused_unread(self):
        body = (
            '<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:tns="{NS}"><soap:Body><tns:PushRecords>'
            "<tns:entity>customer</tns:entity><tns:idempotencyKey>&xxe;</tns:idempotencyKey>"
            "<tns:records/></tns:PushRecords></soap:Body></soap:Envelope>"
        ).encode()
        with self.assertLogs(LOGGER, level=logging.WARNING):
            response = self._post(body)
        self._assert_refused(response, 500, "Client", "DOCTYPE")
        self.assertNotIn("root:", response.text)

    def test_entity_bomb_refused_unread(self):
        names = ["lol", *(f"lol{n}" for n in range(1, 10))]
        entities = '<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY {name} "{f"&{previous};" * 10}">' for previous, name in itertools.pairwise(names)
        )
        body = (
            f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><soap:Envelope xmlns:soap="{SOAP_ENV}" '
            f'xmlns:tns="{NS}"><soap:Body><tns:Ping>&lol9;</tns:Ping></soap:Body></soap:Envelope>'
        ).encode()
        with self.assertLogs(LOGGER, level=logging.WARNING):
            response = self._post(body)
        self._assert_refused(response, 500, "Client", "DOCTYPE")
        self.assertNotIn("lollol", response.text)

    def test_invalid_against_the_schema(self):
        reason = self._assert_refused(
            self._post(_push(record="<tns:record><tns:field name='name'>No key</tns:field></tns:record>")),
            500,
            "Client",
            "schema",
        )
        self.assertIn("key", reason)
        self._assert_refused(self._post(b"<not-xml"), 500, "Client", "well-formed")
        self._assert_refused(self._post(b"<Envelope/>"), 500, "Client", "SOAP 1.1")

    def test_unknown_operation_or_entity(self):
        self._assert_refused(
            self._post(_soap("<tns:GetRecord><tns:entity>customer</tns:entity><tns:key>C-1</tns:key></tns:GetRecord>")),
            500,
            "Client",
            "unknown operation",
        )
        self._assert_refused(self._post(_soap("<Ping/>")), 500, "Client", "unknown operation")
        self._assert_refused(
            self._post(_push().replace(b">customer<", b">supplier<")), 500, "Client", "no mapping", "supplier"
        )

    def test_too_large(self):
        padding = b" " * (service.MAX_BODY + 1)
        response = self._post(_soap("<tns:Ping/>") + padding)
        self._assert_refused(response, 500, "Client", "too large")

    def test_unexpected_error_is_a_server_fault(self):
        Exchange = type(self.env["crm.eai.exchange"])
        with (
            patch.object(Exchange, "_crm_eai_receive", side_effect=RuntimeError("detail for the log")),
            self.assertLogs(LOGGER, level=logging.ERROR) as logs,
        ):
            response = self._post(_push())
        reason = self._assert_refused(response, 500, "Server", "try again later")
        self.assertNotIn("detail for the log", reason)
        self.assertIn("detail for the log", "\n".join(logs.output))
        self.assertNotIn(self.password, "\n".join(logs.output))

    def test_envelope_in_push_batch_must_be_an_envelope(self):
        bogus = base64.b64encode(b"<batch/>").decode()
        self._assert_refused(
            self._post(_soap(f"<tns:PushBatch><tns:envelope>{bogus}</tns:envelope></tns:PushBatch>")),
            500,
            "Client",
            "not an envelope",
        )
