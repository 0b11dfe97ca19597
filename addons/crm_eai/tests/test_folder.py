import tempfile
from datetime import datetime, timezone
from pathlib import Path

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..lib import envelope
from ..lib import records as contract
from .engine_common import CrmEaiEngineCase, customer


@tagged("post_install", "-at_install")
class TestSealedFiles(CrmEaiEngineCase):
    """Signed and encrypted XML batches across the firewall: files in a drop folder, or
    the same envelope pushed by SOAP; verified, decrypted, validated, imported once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folders = tempfile.TemporaryDirectory(prefix="crm_eai_folder_")
        cls.addClassCleanup(folders.cleanup)
        cls.folder_in, cls.folder_out = Path(folders.name, "in"), Path(folders.name, "out")
        cls.folder_in.mkdir()
        cls.folder_out.mkdir()
        Backend = cls.env["crm.eai.backend"].with_user(cls.administrator)
        cls.vault = Backend.create(
            {
                "name": "Branch MIS (files)",
                "kind": "mis",
                "protocol": "folder",
                "folder_in": str(cls.folder_in),
                "folder_out": str(cls.folder_out),
                "peer_code": "branch-mis",
            }
        )
        cls.vault.with_user(cls.administrator).action_create_standard_flows()
        system_private, cls.system_public = envelope.generate_signing_key()
        cls.system_signing = envelope.load_private(system_private)
        cls.key = (
            cls.env["crm.eai.key"]
            .with_user(cls.administrator)
            .create({"backend_id": cls.vault.id, "peer_public_key": cls.system_public.decode()})
        )

    def setUp(self):
        super().setUp()
        for folder in (self.folder_in, self.folder_out):
            for path in folder.rglob("*.xml"):
                path.unlink()

    def seal(self, records, key=None, signing=None, entity="customer"):
        """A batch as the system seals it, with the shared key and its own signing key."""
        key = key or self.key
        batch = contract.batch_xml(entity, records, datetime.now(timezone.utc))
        return envelope.seal(
            batch,
            sender="branch-mis",
            recipient=self.vault.code,
            key_id=key.name,
            aes_key=envelope.decode_aes_key(key.aes_key),
            signing_key=signing or self.system_signing,
        )

    def drop(self, data, name="batch"):
        (self.folder_in / f"{name}.xml").write_bytes(data)

    def poll(self):
        with trap_jobs() as trap:
            self.env["crm.eai.exchange"]._cron_poll_folders()
            self.env.cr.postcommit.run()  # the files leave the folder once the transaction is kept
            self.run_jobs(trap)

    def files(self):
        return self.exchanges_of(self.vault, kind="file")

    def exchanges_of(self, backend, **domain):
        return self.env["crm.eai.exchange"].search(
            [("backend_id", "=", backend.id), *[(k, "=", v) for k, v in domain.items()]], order="id"
        )

    def test_dropped_file_is_verified_decrypted_and_imported(self):
        self.drop(
            self.seal(
                [customer("F001", "Filed", datetime(2026, 11, 1)), customer("F002", "Filed 2", datetime(2026, 11, 1))]
            )
        )
        self.poll()
        self.assertRecordValues(self.files(), [{"state": "done", "record_count": 2, "entity": "customer"}])
        self.assertEqual(len(self.partners(["F001", "F002"])), 2)
        self.assertFalse(list(self.folder_in.glob("*.xml")), "the file left the drop folder")
        self.assertTrue((self.folder_in / "processed" / "batch.xml").exists())

    def test_replayed_file_changes_nothing(self):
        data = self.seal([customer("F010", "Once", datetime(2026, 11, 1))])
        self.drop(data)
        self.poll()
        self.drop(data, name="again")
        self.poll()
        self.assertEqual(len(self.files()), 1, "the same message id is filed once")
        self.assertEqual(len(self.partners(["F010"])), 1)

    def test_tampered_file_is_given_up_and_nothing_imported(self):
        data = bytearray(self.seal([customer("F020", "Tampered", datetime(2026, 11, 1))]))
        position = data.index(b"<ciphertext>") + len(b"<ciphertext>") + 10
        data[position] = ord("A") if data[position] != ord("A") else ord("B")
        self.drop(bytes(data))
        self.poll()
        self.assertRecordValues(self.files(), [{"state": "dead", "error_kind": "tampered"}])
        self.assertFalse(self.partners(["F020"]))
        self.assertTrue(self.vault.activity_ids, "the responsible is alerted")

    def test_file_signed_by_someone_else_is_refused(self):
        stranger, _public = envelope.generate_signing_key()
        self.drop(
            self.seal([customer("F030", "Forged", datetime(2026, 11, 1))], signing=envelope.load_private(stranger))
        )
        self.poll()
        self.assertRecordValues(self.files(), [{"state": "dead", "error_kind": "bad_signature"}])
        self.assertFalse(self.partners(["F030"]))

    def test_rotation_keeps_old_files_readable_and_revocation_refuses_them(self):
        old = self.seal([customer("F040", "Old key", datetime(2026, 11, 1))])
        self.key.with_user(self.administrator).action_rotate()
        new_key = self.vault.key_ids.filtered(lambda k: k.state == "active")
        self.assertNotEqual(new_key, self.key)
        self.drop(old, name="old")
        self.drop(self.seal([customer("F041", "New key", datetime(2026, 11, 1))], key=new_key), name="new")
        self.poll()
        self.assertEqual(self.files().mapped("state"), ["done", "done"])
        self.key.with_user(self.administrator).action_revoke()
        self.drop(self.seal([customer("F042", "Revoked", datetime(2026, 11, 1))], key=self.key), name="revoked")
        self.poll()
        self.assertEqual(self.files()[-1].state, "failed", "an unknown key may still be added: retried, then given up")
        self.assertEqual(self.files()[-1].error_kind, "unknown_key")
        self.assertFalse(self.partners(["F042"]))

    def test_batch_that_breaks_the_schema_is_refused(self):
        batch = (
            b'<batch xmlns="urn:crm-suite:eai:exchange:1" entity="customer" created="2026-11-01T00:00:00Z">'
            b"<record/></batch>"
        )
        data = envelope.seal(
            batch,
            sender="branch-mis",
            recipient=self.vault.code,
            key_id=self.key.name,
            aes_key=envelope.decode_aes_key(self.key.aes_key),
            signing_key=self.system_signing,
        )
        self.drop(data)
        self.poll()
        self.assertRecordValues(self.files(), [{"state": "dead", "error_kind": "invalid_xml"}])

    def test_confirmed_order_is_sealed_into_the_outgoing_folder(self):
        partner = self.env["res.partner"].create({"name": "Buyer", "ref": "C9100"})
        product = self.env["product.product"].create({"name": "Valve", "list_price": 10.0})
        order = self.env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})]}
        )
        with trap_jobs() as trap:
            order.action_confirm()
            self.run_jobs(trap)
        message = self.exchanges_of(self.vault, kind="push")
        self.assertEqual(message.state, "sent", "in the folder, not yet taken by the system")
        written = self.folder_out / message.receipt
        opened = envelope.open_envelope(
            written.read_bytes(),
            recipient="branch-mis",
            keyring=lambda key_id: (
                envelope.decode_aes_key(self.key.aes_key),
                envelope.load_public(self.key.public_key),
            ),
            seen=lambda message_id: False,
        )
        entity, _created, records = contract.parse_batch(opened.plaintext)
        self.assertEqual((entity, records[0]["fields"]["number"]), ("order", order.name))
        written.unlink()  # the system takes the file
        self.poll()
        self.assertEqual(message.state, "done")

    def test_envelope_pushed_by_soap_is_filed_like_a_file(self):
        data = self.seal([customer("F050", "By SOAP", datetime(2026, 11, 1))])
        header = envelope.peek(data)
        with trap_jobs() as trap:
            first = self.env["crm.eai.exchange"]._crm_eai_receive(self.vault, "file", header.message_id, data)
            second = self.env["crm.eai.exchange"]._crm_eai_receive(self.vault, "file", header.message_id, data)
            self.run_jobs(trap)
        self.assertEqual(first, second)
        self.assertEqual(first.state, "done")
        self.assertEqual(len(self.partners(["F050"])), 1)

    def test_sealed_batches_by_soap(self):
        mis = self.backend
        mis.with_user(self.administrator).write({"seal_pushes": True, "peer_code": "group-mis"})
        key = (
            self.env["crm.eai.key"]
            .with_user(self.administrator)
            .create({"backend_id": mis.id, "peer_public_key": self.system_public.decode()})
        )
        partner = self.env["res.partner"].create({"name": "Buyer", "ref": "C9200"})
        product = self.env["product.product"].create({"name": "Seal", "list_price": 5.0})
        order = self.env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})]}
        )
        self.peer.inject("http500", "PushBatch")
        with trap_jobs() as trap:
            order.action_confirm()
            self.run_jobs(trap)
        message = self.exchanges_of(mis, kind="push")
        self.assertEqual(message.state, "failed")
        self.make_due(message)
        self.retry_due()
        self.assertEqual(message.state, "done")
        self.assertEqual(len(self.peer.batches), 1)
        opened = envelope.open_envelope(
            self.peer.batches[0],
            recipient="group-mis",
            keyring=lambda key_id: (envelope.decode_aes_key(key.aes_key), envelope.load_public(key.public_key)),
            seen=lambda message_id: False,
        )
        entity, _created, records = contract.parse_batch(opened.plaintext)
        self.assertEqual((entity, records[0]["fields"]["number"]), ("order", order.name))
        self.assertEqual(opened.header.message_id, envelope.peek(self.peer.batches[0]).message_id)
