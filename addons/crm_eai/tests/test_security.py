"""Access rights and record rules of every model, role by role.

Operators read what the systems of their companies hold and retry messages; administrators
configure the systems, mappings and keys of their companies; the messages and bindings
are written by the integration only; employees without an integration role and portal
users get nothing. Each test runs as the least privileged user who should succeed, and
checks that the next one down is refused.
"""

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import CrmEaiCommon

BACKEND_SECRETS = ("username", "password", "client_cert", "client_key", "inbound_username", "inbound_password")
KEY_SECRETS = ("aes_key", "signing_key", "peer_public_key")


class CrmEaiSecurityCase(CrmEaiCommon):
    def assertNoAccess(self, user, records):
        """``user`` can neither find, read, write, create nor delete any of ``records``' kind."""
        Model = records.with_user(user)
        for operation, call in (
            ("search", lambda: Model.search([])),
            ("read", lambda: Model.read(["display_name"])),
            ("write", lambda: Model.write({})),
            ("create", lambda: Model.create({})),
            ("unlink", lambda: Model.unlink()),
        ):
            with (
                self.subTest(user=user.login, model=records._name, operation=operation),
                self.assertRaises(AccessError),
            ):
                call()
        self.assertTrue(records.exists())


class TestBackendAccess(CrmEaiSecurityCase):
    """Operators read the external systems, administrators configure them, per company."""

    def _new_backend_values(self, **values):
        return {"name": "Quality system", "protocol": "soap", "wsdl_url": "https://qms.example.com/ws?wsdl", **values}

    # operator: read only

    def test_operator_reads_systems_of_their_company(self):
        self.assertEqual(self._search_backends(self.operator), self.company_backends)
        self.assertVisible(self.operator, self.backends, self.company_backends)

    def test_operator_cannot_write_create_or_delete_a_system(self):
        Backend = self.env["crm.eai.backend"].with_user(self.operator)
        with self.assertRaises(AccessError):
            self.backend_mis.with_user(self.operator).write({"timeout": 60})
        with self.assertRaises(AccessError):
            Backend.create(self._new_backend_values())
        with self.assertRaises(AccessError):
            self.backend_pdm.with_user(self.operator).unlink()
        with self.assertRaises(AccessError):
            self.backend_pdm.with_user(self.operator).action_archive()
        self.assertRecordValues(self.company_backends, [{"timeout": 30, "active": True}] * 2)
        self.assertFalse(self._search_backends(self.administrator).filtered(lambda b: b.name == "Quality system"))

    def test_operator_cannot_read_the_secrets(self):
        backend = self.backend_mis.with_user(self.operator)
        self.assertEqual(backend.read(["name", "wsdl_url"])[0]["wsdl_url"], "https://mis.example.com/service?wsdl")
        for field_name in BACKEND_SECRETS:
            with self.subTest(field=field_name):
                with self.assertRaises(AccessError):
                    backend.read([field_name])
                with self.assertRaises(AccessError):
                    backend.search_read([], [field_name])
                if backend._fields[field_name].type != "binary":  # attachments cannot be searched at all
                    with self.assertRaises(AccessError):
                        backend.search([(field_name, "=", "mis-secret")])

    # administrator: full control within their companies

    def test_administrator_reads_the_secrets(self):
        values = self.backend_mis.with_user(self.administrator).read(BACKEND_SECRETS)[0]
        self.assertEqual(
            {name: values[name] for name in BACKEND_SECRETS},
            {
                "username": "crm",
                "password": "mis-secret",
                "client_cert": False,
                "client_key": False,
                "inbound_username": "mis",
                "inbound_password": "inbound-secret",
            },
        )

    def test_administrator_configures_a_system(self):
        backend = self.backend_mis.with_user(self.administrator)
        backend.write(
            {"timeout": 60, "batch_size": 500, "password": "rotated", "endpoint": "https://mis2.example.com/ws"}
        )
        self.assertRecordValues(
            self.backend_mis,
            [{"timeout": 60, "batch_size": 500, "password": "rotated", "endpoint": "https://mis2.example.com/ws"}],
        )

    def test_administrator_creates_system_in_their_company(self):
        backend = self.env["crm.eai.backend"].with_user(self.administrator).create(self._new_backend_values())
        self.assertEqual(backend.company_id, self.company)
        self.assertTrue(
            backend.channel_id, "the system gets its job channel, although its administrator manages no channel"
        )

    def test_administrator_archives_and_deletes_a_system(self):
        self.backend_pdm.with_user(self.administrator).action_archive()
        self.assertFalse(self.backend_pdm.active)
        self.backend_pdm.with_user(self.administrator).unlink()
        self.assertFalse(self.backend_pdm.exists())
        self.assertFalse(self.key.exists(), "its keys go with it")

    def test_administrator_cannot_set_the_job_channel(self):
        other = self.backend_pdm.channel_id
        with self.assertRaises(AccessError):
            self.backend_mis.with_user(self.administrator).write({"channel_id": other.id})
        with self.assertRaises(AccessError):
            self.env["crm.eai.backend"].with_user(self.administrator).create(
                self._new_backend_values(channel_id=other.id)
            )
        self.assertNotEqual(self.backend_mis.channel_id, other)
        self.assertFalse(self.env["crm.eai.backend"].search([("name", "=", "Quality system")]))

    # companies

    def test_administrator_cannot_create_system_in_other_company(self):
        with self.assertRaises(AccessError):
            self.env["crm.eai.backend"].with_user(self.administrator).create(
                self._new_backend_values(company_id=self.company_2.id)
            )
        self.assertFalse(self.env["crm.eai.backend"].search([("name", "=", "Quality system")]))

    def test_administrator_cannot_touch_system_of_other_company(self):
        backend = self.backend_company_2.with_user(self.administrator)
        for operation, call in (
            ("read", lambda: backend.read(["wsdl_url"])),
            ("write", lambda: backend.write({"timeout": 60})),
            ("unlink", lambda: backend.unlink()),
        ):
            with self.subTest(operation=operation), self.assertRaises(AccessError):
                call()
        self.assertRecordValues(self.backend_company_2, [{"timeout": 30}])

    def test_administrator_cannot_move_a_system_to_other_company(self):
        with self.assertRaises(AccessError):
            self.backend_mis.with_user(self.administrator).write({"company_id": self.company_2.id})
        self.assertEqual(self.backend_mis.company_id, self.company)

    def test_second_company_administrator_reads_only_their_company_systems(self):
        self.assertEqual(self._search_backends(self.administrator_2), self.backend_company_2)
        with self.assertRaises(AccessError):
            self.backend_mis.with_user(self.administrator_2).read(["wsdl_url"])

    def test_administrator_of_both_companies_reads_the_systems_of_the_allowed_companies(self):
        both = self.company + self.company_2
        self.assertEqual(self._search_backends(self.administrator_both, both), self.backends)
        self.assertEqual(self._search_backends(self.administrator_both, self.company_2), self.backend_company_2)

    # users without an integration role

    def test_employee_and_portal_user_get_nothing(self):
        for user in (self.employee, self.portal_user):
            self.assertNoAccess(user, self.backend_mis)


class TestMappingAccess(CrmEaiSecurityCase):
    """Mappings and their fields: operators read those of their companies, administrators set them up."""

    def _mapping_values(self, backend, **values):
        return {
            "name": "Products from MIS",
            "backend_id": backend.id,
            "direction": "pull",
            "entity": "product",
            "model_id": self.env["ir.model"]._get("product.template").id,
            "line_ids": [Command.create({"external_field": "code", "field_path": "default_code", "is_key": True})],
            **values,
        }

    def test_operator_reads_the_mappings_and_fields_of_their_companies(self):
        self.assertVisible(self.operator, self.mappings, self.mapping)
        lines = self.mappings.line_ids
        self.assertVisible(self.operator, lines, self.mapping.line_ids)
        self.assertEqual(self.mapping.with_user(self.operator).line_ids.mapped("field_path"), ["ref", "name"])

    def test_operator_cannot_change_a_mapping_or_its_fields(self):
        mapping = self.mapping.with_user(self.operator)
        line = self.mapping.line_ids[1].with_user(self.operator)
        for label, call in (
            ("write mapping", lambda: mapping.write({"entity": "partner"})),
            ("create mapping", lambda: mapping.create(self._mapping_values(self.backend_mis))),
            ("unlink mapping", lambda: mapping.unlink()),
            ("write line", lambda: line.write({"field_path": "email"})),
            (
                "create line",
                lambda: line.create({"mapping_id": self.mapping.id, "external_field": "x", "field_path": "email"}),
            ),
            ("unlink line", lambda: line.unlink()),
            ("lines through the mapping", lambda: mapping.write({"line_ids": [Command.clear()]})),
        ):
            with self.subTest(label), self.assertRaises(AccessError):
                call()
        self.assertRecordValues(self.mapping, [{"entity": "customer"}])
        self.assertEqual(self.mapping.line_ids.mapped("field_path"), ["ref", "name"])

    def test_operator_cannot_start_a_sync(self):
        for method in ("action_sync", "action_full_resync"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(self.mapping.with_user(self.operator), method)()
        self.assertRecordValues(self.mapping, [{"sync_state": "idle", "sync_started": False}])
        self.assertFalse(self.env["crm.eai.exchange"].search([("mapping_id", "=", self.mapping.id)]))

    def test_administrator_sets_up_a_mapping_and_its_fields(self):
        Mapping = self.env["crm.eai.mapping"].with_user(self.administrator)
        mapping = Mapping.create(self._mapping_values(self.backend_mis))
        self.assertEqual(mapping.company_id, self.company)
        mapping.write({"line_ids": [Command.create({"external_field": "name", "field_path": "name"})]})
        line = mapping.line_ids.filtered(lambda line: line.field_path == "name")
        line.write({"source_of_truth": "odoo"})
        self.assertEqual(line.source_of_truth, "odoo")
        line.unlink()
        mapping.write({"interval": 15, "auto_sync": False})
        self.assertRecordValues(mapping, [{"interval": 15, "auto_sync": False}])
        mapping.unlink()
        self.assertFalse(mapping.exists())

    def test_administrator_starts_a_sync(self):
        self.mapping.with_user(self.administrator).action_sync()
        self.assertRecordValues(self.mapping, [{"sync_state": "running"}])
        exchange = self.env["crm.eai.exchange"].search([("mapping_id", "=", self.mapping.id)])
        self.assertRecordValues(exchange, [{"kind": "pull", "direction": "in", "state": "pending"}])

    def test_administrator_cannot_write_the_sync_figures(self):
        mapping = self.mapping.with_user(self.administrator)
        for values in (
            {"watermark": "2020-01-01 00:00:00"},
            {"sync_state": "running"},
            {"sync_started": "2020-01-01 00:00:00"},
            {"sync_finished": "2020-01-01 00:00:00"},
            {"sync_total": 10},
            {"sync_done": 10},
            {"sync_cursor": "abc"},
            {"sync_watermark": "2020-01-01 00:00:00"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                mapping.write(values)
        self.assertRecordValues(
            self.mapping, [{"watermark": False, "sync_state": "idle", "sync_total": 0, "sync_cursor": False}]
        )
        with self.assertRaises(AccessError):
            mapping.create(self._mapping_values(self.backend_mis, watermark="2020-01-01 00:00:00"))
        created = mapping.with_context(default_watermark="2020-01-01 00:00:00", default_sync_state="running").create(
            self._mapping_values(self.backend_mis)
        )
        self.assertRecordValues(created, [{"watermark": False, "sync_state": "idle"}])

    def test_mapping_domain_is_a_literal(self):
        mapping = self.mapping.with_user(self.administrator)
        for domain in ("__import__('os').system('true')", "[('id', '=', 1)] + [1]", "[('name', '=', uid.name)]"):
            with self.subTest(domain=domain), self.assertRaises(ValidationError):
                mapping.write({"domain": domain})
        self.assertEqual(self.mapping.domain, "[]")
        mapping.write({"domain": '[("is_company", "=", True)]'})
        self.assertEqual(self.mapping.domain, "[('is_company', '=', True)]")

    def test_administrator_cannot_set_up_mappings_of_other_company(self):
        Mapping = self.env["crm.eai.mapping"].with_user(self.administrator)
        moved = Mapping.create(self._mapping_values(self.backend_mis, entity="item"))
        moved.write({"line_ids": [Command.create({"external_field": "name", "field_path": "name"})]})
        with self.assertRaises(AccessError):
            Mapping.create(self._mapping_values(self.backend_company_2))
        mapping = self.mapping_company_2.with_user(self.administrator)
        line = self.mapping_company_2.line_ids[1].with_user(self.administrator)
        for label, call in (
            ("read", lambda: mapping.read(["entity"])),
            ("write", lambda: mapping.write({"entity": "partner"})),
            ("unlink", lambda: mapping.unlink()),
            ("sync", lambda: mapping.action_sync()),
            ("read line", lambda: line.read(["field_path"])),
            ("write line", lambda: line.write({"field_path": "email"})),
            (
                "create line",
                lambda: line.create({"mapping_id": mapping.id, "external_field": "x", "field_path": "email"}),
            ),
            ("move a mapping there", lambda: moved.write({"backend_id": self.backend_company_2.id})),
            ("move a field there", lambda: moved.line_ids[1].write({"mapping_id": self.mapping_company_2.id})),
        ):
            with self.subTest(label), self.assertRaises(AccessError):
                call()
        self.assertRecordValues(self.mapping_company_2, [{"entity": "customer", "sync_state": "idle"}])
        self.assertEqual(moved.sudo().backend_id, self.backend_mis)
        self.assertEqual(len(moved.sudo().line_ids), 2)
        self.assertEqual(len(self.mapping_company_2.line_ids), 2)

    def test_second_company_administrator_finds_their_mappings_only(self):
        self.assertVisible(self.administrator_2, self.mappings, self.mapping_company_2)
        self.assertVisible(self.administrator_2, self.mappings.line_ids, self.mapping_company_2.line_ids)
        self.assertVisible(self.administrator_both, self.mappings, self.mappings, self.company + self.company_2)

    def test_employee_and_portal_user_get_nothing(self):
        for user in (self.employee, self.portal_user):
            self.assertNoAccess(user, self.mapping)
            self.assertNoAccess(user, self.mapping.line_ids[0])


class TestBindingAccess(CrmEaiSecurityCase):
    """Bindings are the integration's: read by the operators, deleted by administrators
    (to take a record in anew), written by nobody."""

    def test_operator_reads_the_bindings_of_their_companies(self):
        self.assertVisible(self.operator, self.bindings, self.binding)
        self.assertEqual(self.binding.with_user(self.operator).res_id, self.customer.id)

    def test_nobody_creates_or_writes_a_binding(self):
        for user in (self.operator, self.administrator):
            Binding = self.binding.with_user(user)
            with self.subTest(user=user.login, operation="create"), self.assertRaises(AccessError):
                Binding.create(self._binding_values(self.backend_pdm))
            for values in (
                {"res_id": self.partner_model.id},
                {"external_key": "C-2"},
                {"external_modified": fields.Datetime.now()},
            ):
                with self.subTest(user=user.login, values=values), self.assertRaises(AccessError):
                    Binding.write(values)
        self.assertRecordValues(
            self.binding, [{"res_id": self.customer.id, "external_key": "C-1", "external_modified": False}]
        )
        self.assertFalse(self.env["crm.eai.binding"].search([("backend_id", "=", self.backend_pdm.id)]))

    def test_operator_cannot_delete_a_binding(self):
        with self.assertRaises(AccessError):
            self.binding.with_user(self.operator).unlink()
        self.assertTrue(self.binding.exists())

    def test_administrator_deletes_a_binding_of_their_company_only(self):
        with self.assertRaises(AccessError):
            self.binding_company_2.with_user(self.administrator).unlink()
        self.assertTrue(self.binding_company_2.exists())
        self.binding.with_user(self.administrator).unlink()
        self.assertFalse(self.binding.exists())

    def test_second_company_administrator_finds_their_bindings_only(self):
        self.assertVisible(self.administrator_2, self.bindings, self.binding_company_2)
        self.assertVisible(self.administrator_both, self.bindings, self.bindings, self.company + self.company_2)

    def test_employee_and_portal_user_get_nothing(self):
        for user in (self.employee, self.portal_user):
            self.assertNoAccess(user, self.binding)


class TestExchangeAccess(CrmEaiSecurityCase):
    """The exchange log: read by the operators of its companies, written by the integration
    only; operators retry the failed and given-up messages."""

    def _exchange_values(self, **values):
        return {
            "backend_id": self.backend_mis.id,
            "kind": "push",
            "direction": "out",
            "idempotency_key": "by-hand",
            **values,
        }

    def test_operator_reads_the_log_of_their_companies(self):
        self.assertVisible(self.operator, self.exchanges, self.company_exchanges)
        values = self.exchange_dead.with_user(self.operator).read(["state", "error", "payload_text", "attempts"])[0]
        self.assertEqual(
            {name: values[name] for name in ("state", "error", "attempts")},
            {"state": "dead", "error": "The system refused the batch", "attempts": 8},
        )

    def test_nobody_writes_the_log_by_hand(self):
        for user in (self.operator, self.administrator):
            exchange = self.exchange_dead.with_user(user)
            for values in (
                {"state": "done"},
                {"attempts": 0},
                {"error": False},
                {"next_retry": fields.Datetime.now()},
                {"payload": "eA=="},
                {"receipt": "forged"},
            ):
                with self.subTest(user=user.login, values=values), self.assertRaises(AccessError):
                    exchange.write(values)
            with self.subTest(user=user.login, operation="create"), self.assertRaises(AccessError):
                exchange.create(self._exchange_values())
            with self.subTest(user=user.login, operation="unlink"), self.assertRaises(AccessError):
                exchange.unlink()
        self.assertRecordValues(
            self.exchange_dead,
            [
                {
                    "state": "dead",
                    "attempts": 8,
                    "error": "The system refused the batch",
                    "receipt": False,
                    "payload": False,
                }
            ],
        )
        self.assertFalse(self.env["crm.eai.exchange"].search([("idempotency_key", "=", "by-hand")]))

    def test_operator_retries_a_failed_and_a_given_up_message(self):
        before = fields.Datetime.now()
        (self.exchange_failed | self.exchange_dead).with_user(self.operator).action_retry()
        self.assertRecordValues(
            self.exchange_failed | self.exchange_dead,
            [{"state": "pending", "attempts": 0}, {"state": "pending", "attempts": 0}],
        )
        self.assertGreaterEqual(self.exchange_dead.next_retry, before)
        jobs = self.env["queue.job"].search([("identity_key", "=", f"crm_eai_exchange:{self.exchange_dead.id}")])
        self.assertRecordValues(jobs, [{"channel": f"root.crm_eai.backend_{self.backend_mis.id}", "state": "pending"}])
        self.assertIn(self.exchange_dead.name, self.backend_mis.message_ids[0].body)

    def test_a_done_message_is_not_retried(self):
        with self.assertRaises(UserError):
            self.exchange_done.with_user(self.operator).action_retry()
        self.assertRecordValues(self.exchange_done, [{"state": "done", "attempts": 1}])

    def test_operator_cannot_retry_a_message_of_other_company(self):
        with self.assertRaises(AccessError):
            self.exchange_company_2.with_user(self.operator).action_retry()
        with self.assertRaises(AccessError):
            (self.exchange_failed | self.exchange_company_2).with_user(self.operator).action_retry()
        self.assertRecordValues(self.exchange_company_2 | self.exchange_failed, [{"state": "failed"}] * 2)

    def test_second_company_administrator_finds_their_messages_only(self):
        self.assertVisible(self.administrator_2, self.exchanges, self.exchange_company_2)
        self.assertVisible(self.administrator_both, self.exchanges, self.exchanges, self.company + self.company_2)
        with self.assertRaises(AccessError):
            self.exchange_dead.with_user(self.administrator_2).read(["error"])

    def test_employee_and_portal_user_get_nothing(self):
        for user in (self.employee, self.portal_user):
            self.assertNoAccess(user, self.exchange_dead)
            with self.subTest(user=user.login, operation="retry"), self.assertRaises(AccessError):
                self.exchange_dead.with_user(user).action_retry()
        self.assertEqual(self.exchange_dead.state, "dead")


class TestKeyAccess(CrmEaiSecurityCase):
    """Exchange keys: operators see which key is in use and its public half, administrators
    hold the secrets, create, rotate and revoke keys of their companies."""

    def test_operator_reads_the_keys_but_not_their_secrets(self):
        self.assertVisible(self.operator, self.keys, self.key)
        key = self.key.with_user(self.operator)
        values = key.read(["name", "state", "public_key", "fingerprint", "peer_fingerprint"])[0]
        self.assertEqual(values["state"], "active")
        self.assertIn("BEGIN PUBLIC KEY", values["public_key"])
        for field_name in KEY_SECRETS:
            with self.subTest(field=field_name):
                with self.assertRaises(AccessError):
                    key.read([field_name])
                with self.assertRaises(AccessError):
                    key.search([(field_name, "!=", False)])

    def test_operator_cannot_change_a_key(self):
        key = self.key.with_user(self.operator)
        for label, call in (
            ("create", lambda: key.create({"backend_id": self.backend_mis.id})),
            ("write", lambda: key.write({"peer_public_key": False})),
            ("unlink", lambda: key.unlink()),
            ("rotate", lambda: key.action_rotate()),
            ("revoke", lambda: key.action_revoke()),
        ):
            with self.subTest(label), self.assertRaises(AccessError):
                call()
        self.assertRecordValues(self.key, [{"state": "active", "peer_public_key": self.peer_public_pem.decode()}])
        self.assertFalse(self.env["crm.eai.key"].search([("backend_id", "=", self.backend_mis.id)]))

    def test_administrator_reads_the_secrets_and_sets_up_a_key(self):
        values = self.key.with_user(self.administrator).read(list(KEY_SECRETS))[0]
        self.assertEqual(len(values["aes_key"]), 44)
        self.assertIn("BEGIN PRIVATE KEY", values["signing_key"])
        self.assertEqual(values["peer_public_key"], self.peer_public_pem.decode())
        key = self.env["crm.eai.key"].with_user(self.administrator).create({"backend_id": self.backend_mis.id})
        self.assertEqual(key.company_id, self.company)
        key.write({"peer_public_key": self.peer_public_pem.decode()})
        self.assertTrue(key.peer_fingerprint)

    def test_administrator_rotates_and_revokes_but_does_not_delete_keys(self):
        action = self.key.with_user(self.administrator).action_rotate()
        new_key = self.env["crm.eai.key"].browse(action["res_id"])
        self.assertRecordValues(self.key | new_key, [{"state": "retired"}, {"state": "active"}])
        self.key.with_user(self.administrator).action_revoke()
        self.assertEqual(self.key.state, "revoked")
        with self.assertRaises(AccessError):
            new_key.with_user(self.administrator).unlink()
        self.assertTrue(new_key.exists())

    def test_administrator_cannot_write_what_the_system_sets(self):
        key = self.key.with_user(self.administrator)
        before = {"state": "active", "date_retired": False, "fingerprint": self.key.fingerprint}
        for values in (
            {"state": "retired"},
            {"state": "revoked"},
            {"date_retired": fields.Datetime.now()},
            {"public_key": self.peer_public_pem.decode()},
            {"fingerprint": "forged"},
            {"peer_fingerprint": "forged"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                key.write(values)
        for values in (
            {"name": "KEY-OTHER"},
            {"backend_id": self.backend_mis.id},
            {"aes_key": False},
            {"signing_key": False},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                key.write(values)
        self.assertRecordValues(self.key, [dict(before, backend_id=self.backend_pdm.id)])

    def test_administrator_cannot_touch_keys_of_other_company(self):
        key = self.key_company_2.with_user(self.administrator)
        for label, call in (
            ("read", lambda: key.read(["name"])),
            ("write", lambda: key.write({"peer_public_key": self.peer_public_pem.decode()})),
            ("rotate", lambda: key.action_rotate()),
            ("revoke", lambda: key.action_revoke()),
            ("create", lambda: key.create({"backend_id": self.backend_company_2.id, "state": "retired"})),
        ):
            with self.subTest(label), self.assertRaises(AccessError):
                call()
        self.assertRecordValues(self.key_company_2, [{"state": "active", "peer_public_key": False}])
        self.assertEqual(self.env["crm.eai.key"].search_count([("backend_id", "=", self.backend_company_2.id)]), 1)

    def test_second_company_administrator_finds_their_keys_only(self):
        self.assertVisible(self.administrator_2, self.keys, self.key_company_2)
        self.assertVisible(self.administrator_both, self.keys, self.keys, self.company + self.company_2)

    def test_employee_and_portal_user_get_nothing(self):
        for user in (self.employee, self.portal_user):
            self.assertNoAccess(user, self.key)
