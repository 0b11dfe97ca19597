"""The add-on as its low-privileged users attack it: calling the models over RPC as the
web client does (``/web/dataset/call_kw``, through ``call_kw``), each test as the least
privileged user who could exploit what it covers (an operator, an employee without an
integration role, a portal user; an administrator where the attack needs one), checking
the refusal and that nothing changed.
"""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .common import ADMINISTRATOR, CrmEaiCommon

# The public methods of crm_eai's classes: the ORM overrides (which check access as
# Odoo's own do) and the buttons, each checking the rights of who presses it. A new one
# fails test_public_methods_are_the_buttons_and_orm_overrides until it is reviewed here.
PUBLIC_METHODS = {
    ("crm.eai.backend", "action_create_standard_flows"),
    ("crm.eai.backend", "action_open_exchanges"),
    ("crm.eai.backend", "action_open_mappings"),
    ("crm.eai.backend", "action_test_connection"),
    ("crm.eai.backend", "create"),
    ("crm.eai.backend", "write"),
    ("crm.eai.exchange", "action_retry"),
    ("crm.eai.exchange", "create"),
    ("crm.eai.exchange", "write"),
    ("crm.eai.key", "action_revoke"),
    ("crm.eai.key", "action_rotate"),
    ("crm.eai.key", "create"),
    ("crm.eai.key", "write"),
    ("crm.eai.mapping.line", "write"),
    ("crm.eai.mapping", "action_full_resync"),
    ("crm.eai.mapping", "action_sync"),
    ("crm.eai.mapping", "create"),
    ("crm.eai.mapping", "write"),
    ("sale.order", "action_confirm"),
}

BACKEND_SECRETS = ("username", "password", "client_cert", "client_key", "inbound_username", "inbound_password")
KEY_SECRETS = ("aes_key", "signing_key", "peer_public_key")


class SecurityRpcCommon(CrmEaiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.attackers = (cls.operator, cls.employee, cls.portal_user)
        cls.outsiders = (cls.employee, cls.portal_user)

    def assertUnchanged(self, records, values):
        self.env.invalidate_all()
        self.assertRecordValues(records, [values] * len(records))

    def assertPrivate(self, users, model, methods, *args):
        """Each of ``methods`` exists on ``model`` and is refused to each of ``users`` over RPC."""
        for method in methods:
            self.assertTrue(callable(getattr(self.env[model], method, None)), f"{model} has no method {method}")
            for user in users:
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, model, method, *args)


class TestExchangeRpc(SecurityRpcCommon):
    """The log is written by the integration: not by an RPC, whatever the caller's role."""

    DEAD = {"state": "dead", "attempts": 8, "error": "The system refused the batch", "payload": False, "receipt": False}

    def test_operator_cannot_rewrite_a_message(self):
        for values in (
            {"state": "done"},
            {"state": "pending", "attempts": 0},
            {"payload": "eJwLycgsVgCi4pLE1FQA"},
            {"error": False, "error_kind": False},
            {"receipt": "PR-000001"},
            {"idempotency_key": "done-1"},
            {"backend_id": self.backend_company_2.id},
        ):
            for user in (self.operator, self.administrator):
                with self.subTest(user=user.login, values=values), self.assertRaises(AccessError):
                    call_kw(user, "crm.eai.exchange", "write", self.exchange_dead.ids, values)
        self.assertUnchanged(self.exchange_dead, self.DEAD)

    def test_form_save_cannot_rewrite_a_message(self):
        with self.assertRaises(AccessError):
            call_kw(self.operator, "crm.eai.exchange", "web_save", self.exchange_dead.ids, {"state": "done"}, {})
        self.assertUnchanged(self.exchange_dead, self.DEAD)

    def test_nobody_creates_a_message(self):
        values = {
            "backend_id": self.backend_mis.id,
            "kind": "receive",
            "direction": "in",
            "idempotency_key": "forged",
            "payload": "eJwLycgsVgCi4pLE1FQA",
        }
        for user in (*self.attackers, self.administrator):
            for method, args in (("create", [values]), ("web_save", [[], values, {}])):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.eai.exchange", method, *args, context={"default_state": "done"})
        self.assertFalse(self.env["crm.eai.exchange"].search([("idempotency_key", "=", "forged")]))

    def test_nobody_deletes_a_message(self):
        for user in (*self.attackers, self.administrator):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.eai.exchange", "unlink", self.exchange_dead.ids)
        self.assertTrue(self.exchange_dead.exists())

    def test_outsiders_read_no_message(self):
        for user in self.outsiders:
            for method, args in (
                ("search_read", [[], ["error", "payload_text"]]),
                ("read", [self.exchange_dead.ids, ["error"]]),
                ("web_read", [self.exchange_dead.ids, {"payload_text": {}}]),
                ("read_group", [[], ["record_count:sum"], ["state"]]),
            ):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.eai.exchange", method, *args)

    def test_only_operators_retry_and_only_their_companies_messages(self):
        for user in self.outsiders:
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.eai.exchange", "action_retry", self.exchange_dead.ids)
        with self.assertRaises(AccessError):
            call_kw(self.operator, "crm.eai.exchange", "action_retry", self.exchange_company_2.ids)
        # naming the other company in the context gives no access to it
        with self.assertRaises(AccessError):
            call_kw(
                self.operator,
                "crm.eai.exchange",
                "action_retry",
                self.exchange_company_2.ids,
                context={"allowed_company_ids": [self.company.id, self.company_2.id]},
            )
        self.assertUnchanged(self.exchange_dead, self.DEAD)
        self.assertUnchanged(self.exchange_company_2, {"state": "failed", "attempts": 1})
        call_kw(self.operator, "crm.eai.exchange", "action_retry", self.exchange_dead.ids)
        self.assertUnchanged(self.exchange_dead, {"state": "pending", "attempts": 0})

    def test_operator_cannot_run_or_settle_a_message_itself(self):
        self.assertPrivate(
            (self.operator,),
            "crm.eai.exchange",
            (
                "_crm_eai_run",
                "_crm_eai_lock",
                "_crm_eai_fail",
                "_crm_eai_done",
                "_crm_eai_enqueue",
                "_crm_eai_payload",
                "_crm_eai_process_push",
                "_crm_eai_process_pull",
                "_crm_eai_process_file",
                "_crm_eai_process_receive",
                "_crm_eai_take_in",
            ),
            self.exchange_dead.ids,
        )
        self.assertUnchanged(self.exchange_dead, self.DEAD)

    def test_operator_cannot_queue_or_forge_messages_through_the_engine(self):
        self.assertPrivate(
            self.attackers,
            "crm.eai.exchange",
            (
                "_cron_retry",
                "_cron_poll_folders",
                "_crm_eai_create_unique",
                "_crm_eai_create_pull",
                "_crm_eai_create_push",
                "_crm_eai_receive",
            ),
        )
        self.assertEqual(self.env["crm.eai.exchange"].search([]), self.exchanges)


class TestBackendRpc(SecurityRpcCommon):
    """Secrets stay with the administrators; buttons check who presses them on what."""

    def test_operator_reads_no_secret_whichever_way_it_asks(self):
        self.operator.groups_id += self.env.ref("base.group_allow_export")  # even one who may export
        backend = self.backend_mis.ids
        for field_name in BACKEND_SECRETS:
            calls = [
                ("read", [backend, [field_name]]),
                ("search_read", [[("id", "in", backend)], [field_name]]),
                ("web_read", [backend, {field_name: {}}]),
                ("web_search_read", [[], {field_name: {}}]),
                ("export_data", [backend, [field_name]]),
            ]
            if self.backend_mis._fields[field_name].type != "binary":  # attachments cannot be searched or grouped
                calls += [
                    ("search", [[(field_name, "=", "mis-secret")]]),
                    ("search_count", [[(field_name, "like", "mis")]]),
                    ("read_group", [[], ["name"], [field_name]]),
                    ("search_read", [[], ["name"]], {"order": field_name}),
                ]
            for call in calls:
                method, args, kwargs = (*call, {})[:3]
                with self.subTest(field=field_name, method=method), self.assertRaises(AccessError):
                    call_kw(self.operator, "crm.eai.backend", method, *args, **kwargs)

    def test_operator_cannot_get_the_connection_or_post_as_the_system(self):
        self.assertPrivate(
            self.attackers,
            "crm.eai.backend",
            ("_crm_eai_endpoint", "_crm_eai_cache_prefix", "_crm_eai_ensure_channel", "_crm_eai_poll_folder"),
            self.backend_mis.ids,
        )
        self.assertPrivate(self.attackers, "crm.eai.backend", ("_crm_eai_alert_dead",), self.backend_mis.ids, [])

    def test_outsiders_read_no_system(self):
        for user in self.outsiders:
            for method, args in (
                ("search_read", [[], ["name", "wsdl_url"]]),
                ("read", [self.backend_mis.ids, ["wsdl_url"]]),
                ("name_search", ["Head"]),
            ):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.eai.backend", method, *args)

    def test_operator_creates_no_standard_flows(self):
        with self.assertRaises(AccessError):
            call_kw(self.operator, "crm.eai.backend", "action_create_standard_flows", self.backend_mis.ids)
        self.assertEqual(self.backend_mis.mapping_ids, self.mapping)

    def test_administrator_creates_no_standard_flows_on_other_company_system(self):
        with self.assertRaises(AccessError):
            call_kw(self.administrator, "crm.eai.backend", "action_create_standard_flows", self.backend_company_2.ids)
        self.assertEqual(self.backend_company_2.mapping_ids, self.mapping_company_2)

    def test_connection_test_of_other_company_or_by_outsiders_is_refused(self):
        with self.assertRaises(AccessError):
            call_kw(self.operator, "crm.eai.backend", "action_test_connection", self.backend_company_2.ids)
        for user in self.outsiders:
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.eai.backend", "action_test_connection", self.backend_mis.ids)

    def test_operator_cannot_configure_a_system(self):
        for values in (
            {"wsdl_url": "https://attacker.example.com/?wsdl"},
            {"password": "x"},
            {"folder_out": "/srv/attacker"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.operator, "crm.eai.backend", "write", self.backend_mis.ids, values)
        with self.assertRaises(AccessError):
            call_kw(
                self.operator,
                "crm.eai.backend",
                "create",
                {"name": "Rogue", "wsdl_url": "https://attacker.example.com/"},
            )
        self.assertUnchanged(
            self.backend_mis, {"wsdl_url": "https://mis.example.com/service?wsdl", "password": "mis-secret"}
        )
        self.assertFalse(self.env["crm.eai.backend"].search([("name", "=", "Rogue")]))

    def test_administrator_cannot_set_the_job_channel(self):
        channel = self.backend_mis.channel_id
        with self.assertRaises(AccessError):
            call_kw(
                self.administrator,
                "crm.eai.backend",
                "write",
                self.backend_mis.ids,
                {"channel_id": self.backend_pdm.channel_id.id},
            )
        self.assertUnchanged(self.backend_mis, {"channel_id": channel.id})

    def test_administrator_cannot_hand_a_system_to_other_company(self):
        """Record rules are checked on the record as it was: the company is checked on its own."""
        with self.assertRaises(AccessError):
            call_kw(
                self.administrator, "crm.eai.backend", "write", self.backend_mis.ids, {"company_id": self.company_2.id}
            )
        self.assertUnchanged(self.backend_mis, {"company_id": self.company.id})


class TestMappingRpc(SecurityRpcCommon):
    """Mappings say what the integration writes as superuser: data, set up by administrators."""

    def _values(self, **values):
        return {
            "name": "Rogue flow",
            "backend_id": self.backend_mis.id,
            "direction": "push",
            "entity": "rogue",
            "model_id": self.partner_model.id,
            "line_ids": [Command.create({"external_field": "code", "field_path": "ref", "is_key": True})],
            **values,
        }

    def test_domain_is_data_never_code(self):
        for domain in (
            "__import__('os').system('true')",
            "[('id', '=', 1)] + [1]",
            "[(f.__class__, '=', 1)]",
            "[('id', 'in', [x for x in range(3)])]",
            "lambda: 1",
            "{'a': 1}",
        ):
            with self.subTest(domain=domain):
                with self.assertRaises(ValidationError):
                    call_kw(self.administrator, "crm.eai.mapping", "write", self.mapping.ids, {"domain": domain})
                with self.assertRaises(ValidationError):
                    call_kw(self.administrator, "crm.eai.mapping", "create", self._values(domain=domain))
        self.assertUnchanged(self.mapping, {"domain": "[]"})
        self.assertFalse(self.env["crm.eai.mapping"].search([("name", "=", "Rogue flow")]))

    def test_administrator_cannot_write_the_sync_figures(self):
        before = {
            "watermark": False,
            "sync_state": "idle",
            "sync_cursor": False,
            "sync_done": 0,
            "sync_watermark": False,
        }
        for values in (
            {"watermark": "2099-01-01 00:00:00"},
            {"sync_state": "running"},
            {"sync_cursor": "b2Zmc2V0"},
            {"sync_done": 10, "sync_total": 10},
            {"sync_watermark": "2099-01-01 00:00:00"},
            {"sync_started": "2099-01-01 00:00:00", "sync_finished": "2099-01-01 00:00:00"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.administrator, "crm.eai.mapping", "write", self.mapping.ids, values)
        self.assertUnchanged(self.mapping, before)
        with self.assertRaises(AccessError):
            call_kw(self.administrator, "crm.eai.mapping", "create", self._values(watermark="2099-01-01 00:00:00"))
        mapping_id = call_kw(
            self.administrator,
            "crm.eai.mapping",
            "create",
            self._values(),
            context={"default_watermark": "2099-01-01 00:00:00", "default_sync_state": "running"},
        )
        self.assertUnchanged(self.env["crm.eai.mapping"].browse(mapping_id), {"watermark": False, "sync_state": "idle"})

    def test_operator_cannot_change_a_mapping(self):
        for method, args in (
            ("write", [self.mapping.ids, {"create_missing": False}]),
            (
                "write",
                [self.mapping.ids, {"line_ids": [Command.create({"external_field": "x", "field_path": "email"})]}],
            ),
            ("create", [self._values()]),
            ("unlink", [self.mapping.ids]),
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.operator, "crm.eai.mapping", method, *args)
        for method, args in (
            ("write", [self.mapping.line_ids.ids, {"field_path": "email"}]),
            ("create", [{"mapping_id": self.mapping.id, "external_field": "x", "field_path": "email"}]),
            ("unlink", [self.mapping.line_ids.ids]),
        ):
            with self.subTest(model="line", method=method), self.assertRaises(AccessError):
                call_kw(self.operator, "crm.eai.mapping.line", method, *args)
        self.assertUnchanged(self.mapping, {"create_missing": True})
        self.assertEqual(self.mapping.line_ids.mapped("field_path"), ["ref", "name"])

    def test_syncs_are_started_by_administrators_of_the_company(self):
        for method in ("action_sync", "action_full_resync"):
            for user, mapping in ((self.operator, self.mapping), (self.administrator, self.mapping_company_2)):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.eai.mapping", method, mapping.ids)
            for user in self.outsiders:
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.eai.mapping", method, self.mapping.ids)
        self.assertUnchanged(self.mappings, {"sync_state": "idle", "sync_started": False})
        self.assertFalse(self.env["crm.eai.exchange"].search([("kind", "=", "pull")]))

    def test_nobody_imports_records_or_starts_the_engine_by_hand(self):
        records = [{"key": "C-1", "modified": None, "fields": {"code": "C-1", "name": "Renamed by RPC"}}]
        self.assertPrivate(
            (*self.attackers, self.administrator), "crm.eai.mapping", ("_crm_eai_import",), self.mapping.ids, records
        )
        self.assertPrivate(
            (*self.attackers, self.administrator),
            "crm.eai.mapping",
            (
                "_crm_eai_start_sync",
                "_crm_eai_push_changed",
                "_crm_eai_push_records",
                "_crm_eai_match",
                "_crm_eai_create_batch",
            ),
            self.mapping.ids,
        )
        self.assertPrivate(self.attackers, "crm.eai.mapping", ("_cron_sync", "_crm_eai_notify"))
        self.assertUnchanged(self.customer, {"name": "Bound Customer"})
        self.assertUnchanged(self.mapping, {"sync_state": "idle"})

    def test_administrator_cannot_map_the_technical_models(self):
        """A mapping makes the integration write (and read) its model as superuser: an
        integration administrator must not reach users, groups, rules, parameters or code."""
        for model, lines in (
            ("res.users", [("login", "login"), ("pw", "password")]),
            ("res.groups", [("name", "name"), ("users", "users")]),
            ("ir.config_parameter", [("key", "key"), ("value", "value")]),
            ("ir.actions.server", [("name", "name"), ("code", "code")]),
            ("ir.rule", [("name", "name"), ("domain", "domain_force")]),
        ):
            for direction in ("pull", "push"):
                values = self._values(
                    name=f"Rogue {model}",
                    direction=direction,
                    entity=f"{model}-{direction}",
                    model_id=self.env["ir.model"]._get(model).id,
                    line_ids=[
                        Command.create({"external_field": external, "field_path": path, "is_key": index == 0})
                        for index, (external, path) in enumerate(lines)
                    ],
                )
                with self.subTest(model=model, direction=direction), self.assertRaises(UserError):
                    call_kw(self.administrator, "crm.eai.mapping", "create", values)
        self.assertFalse(self.env["crm.eai.mapping"].search([("name", "=like", "Rogue %")]))

    def test_administrator_cannot_have_the_integration_do_what_they_may_not(self):
        """An integration administrator without sales rights: no flow changing products or
        customers, none reading orders, no field of a group they are not in."""
        integrator = self._create_user("eai_integrator", ADMINISTRATOR)
        product = self.env["ir.model"]._get("product.template")
        order = self.env["ir.model"]._get("sale.order")
        for label, values in (
            (
                "pull products",
                self._values(
                    direction="pull",
                    model_id=product.id,
                    line_ids=[
                        Command.create({"external_field": "code", "field_path": "default_code", "is_key": True}),
                    ],
                ),
            ),
            ("pull customers", self._values(direction="pull")),
            (
                "push orders",
                self._values(
                    model_id=order.id,
                    line_ids=[
                        Command.create({"external_field": "number", "field_path": "name", "is_key": True}),
                    ],
                ),
            ),
        ):
            with self.subTest(label), self.assertRaises(UserError):  # refused, whichever check says it
                call_kw(integrator, "crm.eai.mapping", "create", values)
        # a sales administrator without billing rights pulls no credit limit
        line = Command.create({"external_field": "limit", "field_path": "credit_limit"})
        self.administrator.groups_id -= self.env.ref("account.group_account_invoice")
        with self.assertRaises(ValidationError):
            call_kw(self.administrator, "crm.eai.mapping", "write", self.mapping.ids, {"line_ids": [line]})
        self.assertFalse(self.env["crm.eai.mapping"].search([("name", "=", "Rogue flow")]))
        self.assertEqual(self.mapping.line_ids.mapped("field_path"), ["ref", "name"])

    def test_administrator_cannot_move_a_mapping_to_other_company(self):
        mapping_id = call_kw(self.administrator, "crm.eai.mapping", "create", self._values())
        line = self.env["crm.eai.mapping"].browse(mapping_id).line_ids
        with self.assertRaises(AccessError):
            call_kw(
                self.administrator, "crm.eai.mapping", "write", [mapping_id], {"backend_id": self.backend_company_2.id}
            )
        with self.assertRaises(AccessError):
            call_kw(
                self.administrator,
                "crm.eai.mapping.line",
                "write",
                self.mapping.line_ids[1:].ids,
                {"mapping_id": self.mapping_company_2.id},
            )
        self.assertUnchanged(self.env["crm.eai.mapping"].browse(mapping_id), {"backend_id": self.backend_mis.id})
        self.assertUnchanged(line, {"mapping_id": mapping_id})
        self.assertEqual(len(self.mapping_company_2.line_ids), 2)


class TestKeyRpc(SecurityRpcCommon):
    """Keys: the secrets to administrators, the state to the buttons."""

    def test_operator_reads_no_key_secret(self):
        self.operator.groups_id += self.env.ref("base.group_allow_export")  # even one who may export
        for field_name in KEY_SECRETS:
            for method, args in (
                ("read", [self.key.ids, [field_name]]),
                ("search_read", [[], [field_name]]),
                ("web_read", [self.key.ids, {field_name: {}}]),
                ("search", [[(field_name, "like", "PRIVATE")]]),
                ("read_group", [[], ["name"], [field_name]]),
                ("export_data", [self.key.ids, [field_name]]),
            ):
                with self.subTest(field=field_name, method=method), self.assertRaises(AccessError):
                    call_kw(self.operator, "crm.eai.key", method, *args)

    def test_nobody_gets_the_key_material_by_hand(self):
        self.assertPrivate(
            (*self.attackers, self.administrator),
            "crm.eai.key",
            ("_crm_eai_keyring", "_crm_eai_sealing_key"),
            self.backend_pdm.id,
        )
        self.assertPrivate(
            (*self.attackers, self.administrator), "crm.eai.key", ("_crm_eai_seal",), self.backend_pdm.id, "<batch/>"
        )
        self.assertPrivate((*self.attackers, self.administrator), "crm.eai.key", ("_crm_eai_with_secrets",), {})

    def test_operator_cannot_rotate_revoke_or_edit_a_key(self):
        for method, args in (
            ("action_rotate", [self.key.ids]),
            ("action_revoke", [self.key.ids]),
            ("write", [self.key.ids, {"peer_public_key": False}]),
            ("create", [{"backend_id": self.backend_mis.id}]),
            ("unlink", [self.key.ids]),
        ):
            for user in self.attackers:
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.eai.key", method, *args)
        self.assertUnchanged(self.key, {"state": "active", "peer_public_key": self.peer_public_pem.decode()})
        self.assertFalse(self.env["crm.eai.key"].search([("backend_id", "=", self.backend_mis.id)]))

    def test_administrator_cannot_write_the_state_of_a_key(self):
        for values in (
            {"state": "revoked"},
            {"state": "retired", "date_retired": "2020-01-01 00:00:00"},
            {"fingerprint": "x"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.administrator, "crm.eai.key", "write", self.key.ids, values)
        with self.assertRaises(AccessError):
            call_kw(
                self.administrator, "crm.eai.key", "create", {"backend_id": self.backend_mis.id, "state": "retired"}
            )
        self.assertUnchanged(self.key, {"state": "active", "date_retired": False})

    def test_administrator_cannot_touch_nor_probe_keys_of_other_company(self):
        for method, args in (
            ("action_rotate", [self.key_company_2.ids]),
            ("action_revoke", [self.key_company_2.ids]),
            ("write", [self.key_company_2.ids, {"peer_public_key": self.peer_public_pem.decode()}]),
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.administrator, "crm.eai.key", method, *args)
        # a second active key for the branch's system: refused without naming that system
        with self.assertRaises(AccessError) as caught:
            call_kw(self.administrator, "crm.eai.key", "create", {"backend_id": self.backend_company_2.id})
        self.assertNotIn(self.backend_company_2.name, str(caught.exception))
        self.assertUnchanged(self.key_company_2, {"state": "active", "peer_public_key": False})
        self.assertEqual(self.env["crm.eai.key"].search_count([("backend_id", "=", self.backend_company_2.id)]), 1)


class TestBindingRpc(SecurityRpcCommon):
    """Bindings say which Odoo record a system's record updates: nobody points them elsewhere."""

    def test_nobody_writes_or_creates_a_binding(self):
        other = self.env["res.partner"].create({"name": "Target of a forged binding"})
        for user in (*self.attackers, self.administrator):
            for method, args in (
                ("write", [self.binding.ids, {"res_id": other.id}]),
                ("write", [self.binding.ids, {"external_modified": "2099-01-01 00:00:00"}]),
                ("create", [self._binding_values(self.backend_pdm)]),
            ):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, "crm.eai.binding", method, *args)
        self.assertUnchanged(self.binding, {"res_id": self.customer.id, "external_modified": False})
        self.assertFalse(self.env["crm.eai.binding"].search([("backend_id", "=", self.backend_pdm.id)]))

    def test_nobody_binds_by_hand(self):
        self.assertPrivate(
            (*self.attackers, self.administrator),
            "crm.eai.binding",
            ("_crm_eai_find",),
            self.backend_mis.id,
            "res.partner",
            ["C-1"],
        )
        self.assertPrivate(
            (*self.attackers, self.administrator),
            "crm.eai.binding",
            ("_crm_eai_bind",),
            self.backend_mis.id,
            "res.partner",
            {"C-9": [self.customer.id, None]},
            {},
        )
        self.assertEqual(self.env["crm.eai.binding"].search([]), self.bindings)

    def test_outsiders_read_no_binding(self):
        for user in self.outsiders:
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.eai.binding", "search_read", [], ["external_key", "res_id"])


class TestPrivateMethods(SecurityRpcCommon):
    """What is not a button of the user's role cannot be called over RPC."""

    def test_public_methods_are_the_buttons_and_orm_overrides(self):
        self.maxDiff = None
        found = public_methods(self.env, "crm_eai")
        self.assertEqual(sorted(found), sorted(PUBLIC_METHODS))
