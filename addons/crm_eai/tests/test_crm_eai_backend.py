from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from .common import CrmEaiCommon
from .peer import Peer


class CrmEaiBackendCase(CrmEaiCommon):
    def _create_backend(self, **values):
        return (
            self.env["crm.eai.backend"]
            .with_user(self.administrator)
            .create({"name": "Quality system", "protocol": "soap", **values})
        )

    def _backends_named(self, name):
        return self.env["crm.eai.backend"].with_context(active_test=False).search([("name", "=", name)])


class TestCrmEaiBackendChecks(CrmEaiBackendCase):
    """The checks on an external system's addresses, folders and limits, as its administrator."""

    # SOAP addresses ------------------------------------------------------------

    def test_soap_system_accepts_web_addresses(self):
        for url in ("https://qms.example.com/ws?wsdl", "http://10.0.0.5:8080/ws"):
            with self.subTest(url=url):
                backend = self._create_backend(name=f"QMS {url}", wsdl_url=url, endpoint=url)
                self.assertRecordValues(backend, [{"wsdl_url": url, "endpoint": url}])

    def test_soap_system_without_address_is_allowed(self):
        """A WSDL file may be uploaded instead; the connection says what is missing."""
        backend = self._create_backend()
        self.assertFalse(backend.wsdl_url)
        with self.assertRaises(UserError) as caught:
            backend.with_user(self.operator).action_test_connection()
        self.assertIn("has no WSDL", str(caught.exception))

    def test_soap_system_with_bad_address_is_not_created(self):
        for url in (
            "qms.example.com/ws?wsdl",
            "ftp://qms.example.com/ws",
            "https://",
            "/srv/exchange",
            "file:///etc/passwd",
        ):
            for field_name in ("wsdl_url", "endpoint"):
                with self.subTest(url=url, field=field_name):
                    with self.assertRaises(ValidationError):
                        self._create_backend(**{field_name: url})
                    self.assertFalse(self._backends_named("Quality system"))

    def test_bad_address_on_soap_system_is_not_written(self):
        Backend = self.backend_mis.with_user(self.administrator)
        for values in ({"wsdl_url": "mis.example.com"}, {"endpoint": "gopher://mis.example.com"}):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                Backend.write(values)
        self.assertRecordValues(
            self.backend_mis, [{"wsdl_url": "https://mis.example.com/service?wsdl", "endpoint": False}]
        )

    # drop folders ----------------------------------------------------------------

    def test_folder_system_accepts_absolute_folders(self):
        backend = self._create_backend(
            protocol="folder", folder_in="/srv/exchange/qms/in", folder_out="/srv/exchange/qms/out"
        )
        self.assertRecordValues(backend, [{"folder_in": "/srv/exchange/qms/in", "folder_out": "/srv/exchange/qms/out"}])

    def test_folder_system_refuses_relative_folders(self):
        for folder in ("srv/exchange", "in", "../../etc", "./out"):
            for field_name in ("folder_in", "folder_out"):
                with self.subTest(folder=folder, field=field_name):
                    with self.assertRaises(ValidationError) as caught:
                        self._create_backend(protocol="folder", **{field_name: folder})
                    self.assertIn("must be an absolute path", str(caught.exception))
                    self.assertFalse(self._backends_named("Quality system"))

    def test_switching_to_folder_checks_the_folders(self):
        """A SOAP system keeps no folder check; becoming a folder system brings it."""
        backend = self._create_backend(folder_in="relative/in")
        with self.assertRaises(ValidationError):
            backend.write({"protocol": "folder"})
        self.assertEqual(backend.protocol, "soap")
        backend.write({"protocol": "folder", "folder_in": "/srv/exchange/qms/in"})
        self.assertEqual(backend.protocol, "folder")

    def test_switching_folder_system_to_soap_checks_the_addresses(self):
        backend = self.backend_pdm.with_user(self.administrator)
        with self.assertRaises(ValidationError):
            backend.write({"protocol": "soap", "wsdl_url": "pdm.example.com"})
        self.assertEqual(self.backend_pdm.protocol, "folder")
        backend.write({"protocol": "soap", "wsdl_url": "https://pdm.example.com/ws?wsdl"})
        self.assertEqual(self.backend_pdm.protocol, "soap")

    # limits ------------------------------------------------------------------------

    @mute_logger("odoo.sql_db")
    def test_limits_out_of_range_are_refused(self):
        for field_name, value in (
            ("timeout", 0),
            ("timeout", -5),
            ("timeout", 601),
            ("batch_size", 0),
            ("batch_size", 10001),
            ("max_attempts", 0),
            ("retry_delay", 0),
        ):
            with self.subTest(field=field_name, value=value):
                with self.assertRaises(IntegrityError), self.env.cr.savepoint():
                    self._create_backend(wsdl_url="https://qms.example.com/ws", **{field_name: value})
                    self.env.flush_all()
                self.assertFalse(self._backends_named("Quality system"))

    def test_limits_at_their_bounds_are_accepted(self):
        backend = self._create_backend(timeout=1, batch_size=1, max_attempts=1, retry_delay=1)
        self.env.flush_all()
        backend.write({"timeout": 600, "batch_size": 10000})
        self.env.flush_all()
        self.assertRecordValues(backend, [{"timeout": 600, "batch_size": 10000, "max_attempts": 1, "retry_delay": 1}])

    def test_defaults(self):
        backend = self._create_backend()
        self.assertRecordValues(
            backend,
            [
                {
                    "kind": "mis",
                    "auth": "none",
                    "timeout": 30,
                    "batch_size": 100,
                    "max_attempts": 8,
                    "retry_delay": 60,
                    "verify_tls": True,
                    "inbound_enabled": False,
                    "company_id": self.company.id,
                    "user_id": self.administrator.id,
                }
            ],
        )
        self.assertRegex(backend.code, r"^odoo-[0-9a-f]{8}$")

    # codes and channels --------------------------------------------------------------

    @mute_logger("odoo.sql_db")
    def test_two_systems_cannot_share_our_code(self):
        with self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self._create_backend(code=self.backend_mis.code)
            self.env.flush_all()
        self.assertNotEqual(self.backend_mis.code, self.backend_pdm.code)

    def test_each_system_has_its_own_job_channel(self):
        parent = self.env.ref("crm_eai.crm_eai_job_channel")
        backend = self._create_backend()
        for record in self.backends | backend:
            with self.subTest(backend=record.name):
                self.assertEqual(record.channel_id.parent_id, parent)
                self.assertEqual(record.channel_id.complete_name, f"root.crm_eai.backend_{record.id}")
        self.assertEqual(len((self.backends | backend).channel_id), 4)

    def test_copy_gets_a_code_and_channel_of_its_own_without_secrets(self):
        copy = self.backend_mis.with_user(self.administrator).copy()
        self.assertNotEqual(copy.code, self.backend_mis.code)
        self.assertNotEqual(copy.channel_id, self.backend_mis.channel_id)
        self.assertTrue(copy.channel_id)
        self.assertRecordValues(copy, [{"password": False, "inbound_username": False, "inbound_password": False}])


class TestCrmEaiBackendDashboard(CrmEaiBackendCase):
    """The dashboard card of a system counts its messages, for the operators of its company."""

    def test_card_counts_backlog_failing_given_up_and_records_of_the_day(self):
        self._create_exchange(self.backend_mis, "pending-1")
        self._create_exchange(self.backend_mis, "sent-1", state="sent")
        self.exchange_done.sudo().write({"record_count": 40, "date_done": fields.Datetime.now()})
        old = self._create_exchange(self.backend_mis, "done-old", state="done", record_count=7)
        old.sudo().date_done = fields.Datetime.now() - timedelta(days=2)
        backend = self.backend_mis.with_user(self.operator)
        self.assertRecordValues(
            backend,
            [
                {
                    "exchange_backlog": 2,
                    "exchange_failed": 1,
                    "exchange_dead": 1,
                    "exchange_done_24h": 40,
                    "last_sync": self.exchange_done.date_done,
                    "health": "error",
                }
            ],
        )

    def test_health_follows_the_worst_message(self):
        backend = self.backend_mis.with_user(self.operator)
        self.assertEqual(backend.health, "error")
        self.exchange_dead.sudo().state = "done"
        backend.invalidate_recordset()
        self.assertEqual(backend.health, "warning")
        self.exchange_failed.sudo().state = "done"
        backend.invalidate_recordset()
        self.assertEqual(backend.health, "ok")
        self.assertRecordValues(self.backend_pdm.with_user(self.operator), [{"health": "ok", "exchange_backlog": 0}])

    def test_card_opens_the_log_filtered_on_its_messages(self):
        action = self.backend_mis.with_user(self.operator).with_context(crm_eai_state="dead").action_open_exchanges()
        self.assertEqual(action["res_model"], "crm.eai.exchange")
        self.assertEqual(action["context"], {"search_default_dead": 1})
        found = (
            self.env["crm.eai.exchange"].with_user(self.operator).search(action["domain"] + [("state", "=", "dead")])
        )
        self.assertEqual(found, self.exchange_dead)


class TestCrmEaiBackendActions(CrmEaiBackendCase):
    """The buttons of a system's form."""

    def test_standard_flows_of_an_mis(self):
        backend = self._create_backend(kind="mis")
        backend.action_create_standard_flows()
        mappings = backend.mapping_ids
        names = set(mappings.mapped("name"))
        self.assertIn("Customers and credit limits from MIS", names)
        self.assertIn("Confirmed orders to MIS", names)
        orders = mappings.filtered(lambda m: m.model_name == "sale.order")
        self.assertRecordValues(
            orders, [{"direction": "push", "entity": "order", "domain": "[('state', '=', 'sale')]"}]
        )
        self.assertEqual(orders.line_ids.filtered("is_key").mapped("field_path"), ["name"])
        customers = mappings.filtered(lambda m: m.model_name == "res.partner")
        self.assertRecordValues(customers, [{"direction": "pull", "domain": "[]"}])
        self.assertEqual(
            customers.line_ids.filtered(lambda line: line.converter == "ref").mapped("ref_field"), ["code"]
        )
        # a flow of an add-on not installed here (service cases) is left out
        if "crm.service.case" not in self.env:
            self.assertNotIn("Case statuses to MIS", names)

    def test_standard_flows_of_a_pdm(self):
        self.backend_pdm.with_user(self.administrator).action_create_standard_flows()
        mapping = self.backend_pdm.mapping_ids
        self.assertRecordValues(
            mapping, [{"name": "Products from PDM", "direction": "pull", "model_name": "product.template"}]
        )
        self.assertIn("attributes", mapping.line_ids.mapped("converter"))

    def test_standard_flows_leave_an_entity_already_mapped(self):
        """The MIS's customers are already pulled by a mapping of their own: not twice."""
        self.backend_mis.with_user(self.administrator).action_create_standard_flows()
        customers = self.backend_mis.mapping_ids.filtered(lambda m: m.direction == "pull" and m.entity == "customer")
        self.assertEqual(customers, self.mapping)
        self.assertIn("Confirmed orders to MIS", self.backend_mis.mapping_ids.mapped("name"))

    def test_standard_flows_are_created_once(self):
        backend = self.backend_mis.with_user(self.administrator)
        backend.action_create_standard_flows()
        mappings = self.backend_mis.mapping_ids
        backend.action_create_standard_flows()
        self.assertEqual(self.backend_mis.mapping_ids, mappings)

    def test_operator_creates_no_standard_flows(self):
        with self.assertRaises(AccessError):
            self.backend_mis.with_user(self.operator).action_create_standard_flows()
        self.assertEqual(self.backend_mis.mapping_ids, self.mapping)

    def test_operator_tests_the_connection_with_a_real_service(self):
        with Peer() as peer:
            self.backend_mis.write({"wsdl_url": peer.wsdl_url, "auth": "none", "timeout": 5})
            action = self.backend_mis.with_user(self.operator).action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("version 1.0", action["params"]["message"])

    def test_connection_failure_is_a_message_the_operator_can_act_on(self):
        with Peer() as peer:
            self.backend_mis.write({"wsdl_url": peer.wsdl_url, "auth": "none", "timeout": 5})
            peer.inject("http500", "Ping")
            with self.assertRaises(UserError) as caught:
                self.backend_mis.with_user(self.operator).action_test_connection()
        self.assertIn("Head office ERP did not answer", str(caught.exception))

    def test_open_mappings_of_a_system(self):
        action = self.backend_mis.with_user(self.operator).action_open_mappings()
        self.assertEqual(action["domain"], [("backend_id", "=", self.backend_mis.id)])
        self.assertEqual(self.env["crm.eai.mapping"].with_user(self.operator).search(action["domain"]), self.mapping)
