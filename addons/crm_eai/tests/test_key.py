import base64

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import mute_logger

from ..lib import envelope
from ..lib.envelope import EnvelopeError

OPERATOR = "crm_eai.group_crm_eai_user"
ADMINISTRATOR = "crm_eai.group_crm_eai_manager"
BATCH = b'<batch xmlns="urn:crm-suite:eai:batch:1"/>'


class CrmEaiKeyCase(TransactionCase):
    """A head-office MIS with its exchange key and a PDM, a branch system in another
    company, an operator and an administrator of the head office, and the MIS's own key
    pair (the peer)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_2 = cls.env["res.company"].create({"name": "Key Branch"})
        cls.operator = cls._create_user("eai_key_operator", OPERATOR)
        cls.administrator = cls._create_user("eai_key_administrator", ADMINISTRATOR)
        Backend = cls.env["crm.eai.backend"]
        cls.backend = Backend.create({"name": "Head office MIS", "kind": "mis", "peer_code": "hq-mis"})
        cls.backend_pdm = Backend.create({"name": "Drawing vault", "kind": "pdm"})
        cls.backend_branch = Backend.create({"name": "Branch MIS", "kind": "mis", "company_id": cls.company_2.id})
        cls.peer_private_pem, cls.peer_public_pem = envelope.generate_signing_key()
        cls.Key = cls.env["crm.eai.key"].with_user(cls.administrator)
        cls.key = cls.Key.create({"backend_id": cls.backend.id, "peer_public_key": cls.peer_public_pem.decode()})

    @classmethod
    def _create_user(cls, login, groups):
        return new_test_user(
            cls.env, login=login, groups=groups, company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)]
        )

    def _peer_seal(self, key, plaintext=BATCH):
        """A file the MIS seals for us with ``key`` (its copy of the shared key, its own private key)."""
        return envelope.seal(
            plaintext,
            sender="hq-mis",
            recipient=self.backend.code,
            key_id=key.name,
            aes_key=base64.b64decode(key.sudo().aes_key),
            signing_key=envelope.load_private(self.peer_private_pem),
        )

    def _open_as(self, user, data):
        self.env.invalidate_all()  # as in a new request: the secrets are not in the cache
        Key = self.env["crm.eai.key"].with_user(user)
        return envelope.open_envelope(
            data,
            recipient=self.backend.code,
            keyring=Key._crm_eai_keyring(self.backend.with_user(user)),
            seen=lambda _message_id: False,
        )

    def _active_keys(self, backend=None):
        return self.env["crm.eai.key"].search(
            [("backend_id", "=", (backend or self.backend).id), ("state", "=", "active")]
        )


class TestCrmEaiKeyMaterial(CrmEaiKeyCase):
    def test_create_generates_the_secrets(self):
        key = self.key
        self.assertRegex(key.name, r"^KEY-[0-9A-F]{8}$")
        self.assertEqual(key.state, "active")
        self.assertEqual(key.company_id, self.company)
        self.assertEqual(len(envelope.decode_aes_key(key.aes_key)), 32)
        private_key = envelope.load_private(key.signing_key)
        self.assertEqual(key.public_key, envelope.public_pem_of(private_key).decode())
        self.assertEqual(key.fingerprint, envelope.fingerprint(key.public_key))
        self.assertEqual(key.peer_fingerprint, envelope.fingerprint(self.peer_public_pem))
        other = self.Key.create({"backend_id": self.backend_pdm.id})
        self.assertNotEqual(other.aes_key, key.aes_key)
        self.assertNotEqual(other.signing_key, key.signing_key)
        self.assertNotEqual(other.name, key.name)
        self.assertFalse(other.peer_fingerprint)

    def test_secrets_given_by_the_peer_are_kept(self):
        aes_key = envelope.encode_aes_key(envelope.generate_aes_key())
        private_pem, public_pem = envelope.generate_signing_key()
        key = self.Key.create(
            {
                "name": "MIS-2026.1",
                "backend_id": self.backend_pdm.id,
                "aes_key": aes_key,
                "signing_key": private_pem.decode(),
            }
        )
        self.assertEqual((key.name, key.aes_key, key.signing_key), ("MIS-2026.1", aes_key, private_pem.decode()))
        self.assertEqual(key.public_key, public_pem.decode())

    def test_bad_material_is_refused(self):
        short = base64.b64encode(b"x" * 16).decode()
        for values in (
            {"aes_key": "not base64 at all"},
            {"aes_key": short},
            {"signing_key": "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n"},
            {"signing_key": self.peer_public_pem.decode()},
            {"peer_public_key": "garbage"},
            {"peer_public_key": self.peer_private_pem.decode()},  # the private half, by mistake
            {"name": "KEY 1"},
        ):
            with self.subTest(values=list(values)), self.assertRaises(ValidationError):
                self.Key.create({"backend_id": self.backend_pdm.id, **values})
        with self.assertRaises(ValidationError):
            self.key.peer_public_key = "garbage"

    def test_key_id_is_unique_per_system(self):
        self.Key.create({"name": "SHARED-1", "backend_id": self.backend_pdm.id})
        self.key.action_revoke()
        # the same id on another system is another key
        self.Key.create({"name": "SHARED-1", "backend_id": self.backend.id}).action_revoke()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.Key.create({"name": "SHARED-1", "backend_id": self.backend.id})

    def test_identity_and_secrets_never_change(self):
        for values in (
            {"name": "KEY-RENAMED"},
            {"backend_id": self.backend_pdm.id},
            {"aes_key": envelope.encode_aes_key(envelope.generate_aes_key())},
            {"signing_key": envelope.generate_signing_key()[0].decode()},
        ):
            with self.subTest(values=list(values)), self.assertRaises(ValidationError):
                self.key.write(values)
        # the peer's public key is pasted (or replaced) after the creation
        _private_pem, public_pem = envelope.generate_signing_key()
        self.key.peer_public_key = public_pem.decode()
        self.assertEqual(self.key.peer_fingerprint, envelope.fingerprint(public_pem))


class TestCrmEaiKeyAccess(CrmEaiKeyCase):
    def test_operator_reads_the_public_half_only(self):
        key = self.key.with_user(self.operator)
        key.invalidate_recordset()
        self.assertEqual(
            key.read(["name", "state", "public_key", "fingerprint", "peer_fingerprint"])[0]["public_key"],
            self.key.public_key,
        )
        for secret in ("aes_key", "signing_key", "peer_public_key"):
            with self.subTest(field=secret), self.assertRaises(AccessError):
                key.read([secret])
        with self.assertRaises(AccessError):
            self.assertTrue(key.aes_key)
        # nor does a whole-record read hand them out
        self.assertNotIn("aes_key", key.read()[0])

    def test_operator_cannot_create_rotate_or_revoke(self):
        key = self.key.with_user(self.operator)
        with self.assertRaises(AccessError):
            key.action_rotate()
        with self.assertRaises(AccessError):
            key.action_revoke()
        with self.assertRaises(AccessError):
            self.env["crm.eai.key"].with_user(self.operator).create({"backend_id": self.backend_pdm.id})
        self.assertEqual(self.key.state, "active")

    def test_state_is_not_written_by_hand(self):
        for values in (
            {"state": "revoked"},
            {"state": "retired"},
            {"date_retired": "2026-01-01 00:00:00"},
            {"fingerprint": "0000:0000:0000:0000"},
            {"public_key": self.peer_public_pem.decode()},
        ):
            with self.subTest(values=list(values)), self.assertRaises(AccessError):
                self.key.write(values)
        with self.assertRaises(AccessError):
            self.Key.create({"backend_id": self.backend_pdm.id, "state": "retired"})
        # nor through the context
        key = self.Key.with_context(default_state="retired").create({"backend_id": self.backend_pdm.id})
        self.assertEqual(key.state, "active")
        self.assertEqual(self.key.state, "active")

    def test_keys_of_another_company_are_not_used(self):
        branch_key = self.env["crm.eai.key"].create({"backend_id": self.backend_branch.id})
        Key = self.env["crm.eai.key"].with_user(self.operator)
        with self.assertRaises(AccessError):
            Key._crm_eai_keyring(self.backend_branch.with_user(self.operator))
        with self.assertRaises(AccessError):
            Key._crm_eai_sealing_key(self.backend_branch.with_user(self.operator))
        with self.assertRaises(AccessError):
            branch_key.with_user(self.administrator).action_rotate()
        with self.assertRaises(AccessError):
            self.Key.create({"backend_id": self.backend_branch.id, "state": "active"})


class TestCrmEaiKeyRotation(CrmEaiKeyCase):
    def test_one_active_key_per_system(self):
        with self.assertRaises(ValidationError):
            self.Key.create({"backend_id": self.backend.id})
        with self.assertRaises(ValidationError):
            self.Key.create([{"backend_id": self.backend_pdm.id}, {"backend_id": self.backend_pdm.id}])
        self.assertEqual(self._active_keys(), self.key)
        self.assertFalse(self._active_keys(self.backend_pdm))

    def test_database_keeps_one_active_key_per_system(self):
        retired = self.key
        retired.action_rotate()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE crm_eai_key SET state = 'active' WHERE id = %s", [retired.id])

    def test_rotation_leaves_one_active_key(self):
        old = self.key
        action = old.action_rotate()
        new = self.env["crm.eai.key"].browse(action["res_id"])
        self.assertEqual((action["res_model"], action["view_mode"]), ("crm.eai.key", "form"))
        self.assertEqual(self._active_keys(), new)
        self.assertEqual(old.state, "retired")
        self.assertTrue(old.date_retired)
        self.assertNotEqual(new.name, old.name)
        self.assertNotEqual(new.aes_key, old.aes_key)
        self.assertNotEqual(new.fingerprint, old.fingerprint)
        self.assertEqual(new.peer_public_key, old.peer_public_key)
        self.assertEqual(new.backend_id, self.backend)
        with self.assertRaises(UserError):
            old.action_rotate()
        self.assertEqual(self.env["crm.eai.key"].search_count([("backend_id", "=", self.backend.id)]), 2)

    def test_retired_key_still_opens_its_files_and_revoked_one_does_not(self):
        old = self.key
        sealed_before = self._peer_seal(old)
        old.action_rotate()
        new = self._active_keys()
        # an operator's import opens the file sealed with the retired key, and the new one's
        self.assertEqual(self._open_as(self.operator, sealed_before).plaintext, BATCH)
        self.assertEqual(self._open_as(self.operator, self._peer_seal(new)).header.key_id, new.name)
        old.action_revoke()
        self.assertEqual(old.state, "revoked")
        with self.assertRaises(EnvelopeError) as caught:
            self._open_as(self.operator, sealed_before)
        self.assertEqual(caught.exception.reason, "unknown_key")
        self.assertNotIn(old.sudo().aes_key, str(caught.exception))

    def test_key_of_another_system_does_not_open(self):
        other = self.Key.create({"backend_id": self.backend_pdm.id, "peer_public_key": self.peer_public_pem.decode()})
        with self.assertRaises(EnvelopeError) as caught:
            self._open_as(self.operator, self._peer_seal(other))
        self.assertEqual(caught.exception.reason, "unknown_key")

    def test_key_without_the_peers_public_key_says_so(self):
        self.key.action_revoke()
        key = self.Key.create({"backend_id": self.backend.id})
        with self.assertRaises(EnvelopeError) as caught:
            self._open_as(self.operator, self._peer_seal(key))
        self.assertEqual(caught.exception.reason, "unknown_key")
        self.assertIn("public key of the peer", str(caught.exception))


class TestCrmEaiKeySealing(CrmEaiKeyCase):
    def test_operator_seals_with_the_active_key_and_the_peer_opens(self):
        self.env.invalidate_all()
        Key = self.env["crm.eai.key"].with_user(self.operator)
        data = Key._crm_eai_seal(self.backend.with_user(self.operator), BATCH)
        key = self.key.sudo()
        opened = envelope.open_envelope(
            data,
            recipient="hq-mis",
            keyring={key.name: (base64.b64decode(key.aes_key), envelope.load_public(key.public_key))}.get,
            seen=lambda _message_id: False,
        )
        self.assertEqual(opened.plaintext, BATCH)
        self.assertEqual((opened.header.sender, opened.header.key_id), (self.backend.code, self.key.name))
        material = Key._crm_eai_sealing_key(self.backend.with_user(self.operator))
        self.assertEqual(set(material), {"key_id", "aes_key", "signing_key"})

    def test_rotation_moves_sealing_to_the_new_key(self):
        new = self.env["crm.eai.key"].browse(self.key.action_rotate()["res_id"])
        self.assertEqual(self.env["crm.eai.key"]._crm_eai_sealing_key(self.backend)["key_id"], new.name)

    def test_system_without_an_active_key_cannot_seal(self):
        self.key.action_revoke()
        with self.assertRaisesRegex(UserError, "no active exchange key"):
            self.env["crm.eai.key"].with_user(self.operator)._crm_eai_sealing_key(self.backend.with_user(self.operator))

    def test_system_without_code_cannot_seal(self):
        self.backend.peer_code = False
        with self.assertRaises(UserError):
            self.env["crm.eai.key"]._crm_eai_seal(self.backend, BATCH)
