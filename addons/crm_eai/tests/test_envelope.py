import base64
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from odoo.tests import BaseCase

from ..lib import envelope, xmlsafe
from ..lib.envelope import EnvelopeError

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
KEY_ID = "KEY-0A1B2C3D"
BATCH = '<batch xmlns="urn:crm-suite:eai:batch:1"><record key="C-1">Société Générale 上海</record></batch>'.encode()
NS = {"e": envelope.NAMESPACE}


class EnvelopeCase(BaseCase):
    """The head office (HQ) sends to the MIS: one shared AES key, HQ's Ed25519 key pair."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.aes_key = envelope.generate_aes_key()
        cls.private_pem, cls.public_pem = envelope.generate_signing_key()
        cls.signing_key = envelope.load_private(cls.private_pem)
        cls.public_key = envelope.load_public(cls.public_pem)
        cls.other_private_pem, cls.other_public_pem = envelope.generate_signing_key()

    def setUp(self):
        super().setUp()
        # what the MIS accepts, by key id; the message ids it has already received
        self.keys = {KEY_ID: (self.aes_key, self.public_key)}
        self.seen_ids = set()
        self.keyring_calls = []

    def _seal(self, plaintext=BATCH, **values):
        values = {
            "sender": "HQ",
            "recipient": "MIS",
            "key_id": KEY_ID,
            "aes_key": self.aes_key,
            "signing_key": self.signing_key,
            "created": NOW,
            **values,
        }
        return envelope.seal(plaintext, **values)

    def _keyring(self, key_id):
        self.keyring_calls.append(key_id)
        return self.keys.get(key_id)

    def _open(self, data, **values):
        values = {
            "recipient": "MIS",
            "keyring": self._keyring,
            "seen": self.seen_ids.__contains__,
            "now": NOW + timedelta(minutes=3),
            **values,
        }
        return envelope.open_envelope(data, **values)

    def _assertRefused(self, reason, data, **values):
        with self.assertRaises(EnvelopeError) as caught:
            self._open(data, **values)
        self.assertEqual(caught.exception.reason, reason, str(caught.exception))
        self._assertNoSecret(str(caught.exception))
        return caught.exception

    def _assertNoSecret(self, message):
        for secret in (
            base64.b64encode(self.aes_key).decode(),
            self.aes_key.hex(),
            repr(self.aes_key),
            self.private_pem.decode(),
            self.private_pem.decode().splitlines()[1],
        ):
            self.assertNotIn(secret, message)

    @staticmethod
    def _rewrite(data, change):
        """``data`` with ``change(root)`` applied to its XML."""
        root = xmlsafe.parse(data)
        change(root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    @staticmethod
    def _part(root, name):
        return root.find(f"e:{name}", NS)


class TestEnvelopeRoundTrip(EnvelopeCase):
    def test_sealed_batch_opens_with_its_header(self):
        data = self._seal(message_id="ab" * 16)
        opened = self._open(data)
        self.assertEqual(opened.plaintext, BATCH)
        header = opened.header
        self.assertEqual(
            (header.version, header.sender, header.recipient, header.key_id, header.message_id, header.created),
            ("1", "HQ", "MIS", KEY_ID, "ab" * 16, NOW),
        )
        self.assertEqual(self.keyring_calls, [KEY_ID])

    def test_envelope_is_small_xml_that_hides_the_batch(self):
        data = self._seal()
        root = xmlsafe.parse(data)
        self.assertEqual(root.tag, f"{{{envelope.NAMESPACE}}}envelope")
        self.assertEqual(
            dict(root.attrib),
            {
                "version": "1",
                "sender": "HQ",
                "recipient": "MIS",
                "key-id": KEY_ID,
                "message-id": root.get("message-id"),
                "created": "2026-03-02T09:30:00+00:00",
            },
        )
        self.assertEqual(len(base64.b64decode(self._part(root, "nonce").text)), 12)
        self.assertNotIn(b"record", data)
        self.assertNotIn("Société".encode(), data)

    def test_each_envelope_has_its_own_message_id_and_nonce(self):
        first, second = (xmlsafe.parse(self._seal()) for _index in range(2))
        self.assertNotEqual(first.get("message-id"), second.get("message-id"))
        self.assertRegex(first.get("message-id"), r"^[0-9a-f]{32}$")
        self.assertNotEqual(self._part(first, "nonce").text, self._part(second, "nonce").text)

    def test_empty_and_binary_payloads_round_trip(self):
        for plaintext in (b"", bytes(range(256)) * 10):
            with self.subTest(size=len(plaintext)):
                self.assertEqual(self._open(self._seal(plaintext)).plaintext, plaintext)

    def test_creation_time_is_stored_in_utc(self):
        paris = timezone(timedelta(hours=1))
        data = self._seal(created=datetime(2026, 3, 2, 10, 31, 15, tzinfo=paris))
        self.assertEqual(xmlsafe.parse(data).get("created"), "2026-03-02T09:31:15+00:00")
        self.assertEqual(self._open(data).header.created, NOW + timedelta(minutes=1, seconds=15))

    def test_header_values_that_cannot_be_sealed(self):
        for values in (
            {"created": datetime(2026, 3, 2, 9, 30)},  # naive
            {"aes_key": self.aes_key[:16]},  # AES-128 is not the contract
            {"sender": ""},
            {"recipient": "MIS\n"},
            {"key_id": "KEY 1"},
            {"message_id": "not-a-uuid"},
        ):
            with self.subTest(values=values), self.assertRaises(ValueError):
                self._seal(**values)
        with self.assertRaises(TypeError):
            self._seal(BATCH.decode())
        with self.assertRaises(TypeError):
            self._seal(signing_key=self.private_pem)


class TestEnvelopeTampering(EnvelopeCase):
    def test_altered_ciphertext_is_tampered(self):
        def flip(root):
            part = self._part(root, "ciphertext")
            ciphertext = bytearray(base64.b64decode(part.text))
            ciphertext[len(ciphertext) // 2] ^= 0x01
            part.text = base64.b64encode(bytes(ciphertext)).decode()

        self._assertRefused("tampered", self._rewrite(self._seal(), flip))

    def test_truncated_ciphertext_is_tampered(self):
        def truncate(root):
            part = self._part(root, "ciphertext")
            part.text = base64.b64encode(base64.b64decode(part.text)[:-1]).decode()

        self._assertRefused("tampered", self._rewrite(self._seal(), truncate))

    def test_altered_header_attribute_is_tampered(self):
        # the keys are also known under a second id, so that a changed key-id reaches the decryption
        self.keys["KEY-SPARE"] = self.keys[KEY_ID]
        for attribute, value in (
            ("sender", "Intruder"),
            ("key-id", "KEY-SPARE"),
            ("created", "2026-03-02T09:30:01+00:00"),
            ("message-id", "cd" * 16),
        ):
            with self.subTest(attribute=attribute):
                data = self._rewrite(self._seal(), lambda root, a=attribute, v=value: root.set(a, v))
                self._assertRefused("tampered", data)

    def test_nonce_of_another_envelope_is_tampered(self):
        other_nonce = self._part(xmlsafe.parse(self._seal()), "nonce").text

        def swap(root):
            self._part(root, "nonce").text = other_nonce

        self._assertRefused("tampered", self._rewrite(self._seal(), swap))

    def test_ciphertext_moved_under_another_header_is_tampered(self):
        first = xmlsafe.parse(self._seal())

        def move(root):
            self._part(root, "nonce").text = self._part(first, "nonce").text
            self._part(root, "ciphertext").text = self._part(first, "ciphertext").text

        self._assertRefused("tampered", self._rewrite(self._seal(), move))

    def test_other_aes_key_under_the_same_id_is_tampered(self):
        data = self._seal(aes_key=envelope.generate_aes_key())
        self._assertRefused("tampered", data)

    def test_signed_by_another_key_is_a_bad_signature(self):
        # whoever holds the shared AES key but not HQ's private key
        data = self._seal(signing_key=envelope.load_private(self.other_private_pem))
        error = self._assertRefused("bad_signature", data)
        self.assertIn(envelope.fingerprint(self.public_pem), str(error))

    def test_peer_key_of_another_sender_is_a_bad_signature(self):
        self.keys[KEY_ID] = (self.aes_key, envelope.load_public(self.other_public_pem))
        self._assertRefused("bad_signature", self._seal())


class TestEnvelopeReplayAndAge(EnvelopeCase):
    def test_message_seen_before_is_replayed(self):
        data = self._seal()
        opened = self._open(data)
        self.seen_ids.add(opened.header.message_id)
        error = self._assertRefused("replayed", data)
        self.assertIn(opened.header.message_id, str(error))

    def test_seen_is_asked_with_the_message_id(self):
        asked = []
        self._open(self._seal(message_id="ef" * 16), seen=lambda message_id: asked.append(message_id) or False)
        self.assertEqual(asked, ["ef" * 16])

    def test_older_than_the_replay_window_is_expired(self):
        data = self._seal()
        self.assertTrue(self._open(data, now=NOW + timedelta(hours=24)).plaintext)
        self._assertRefused("expired", data, now=NOW + timedelta(hours=24, seconds=1))
        self._assertRefused("expired", data, now=NOW + timedelta(hours=2), max_age=timedelta(hours=1))

    def test_dated_in_the_future_beyond_the_clock_skew_is_refused(self):
        data = self._seal()
        self.assertTrue(self._open(data, now=NOW - timedelta(minutes=5)).plaintext)
        self._assertRefused("future", data, now=NOW - timedelta(minutes=5, seconds=1))

    def test_current_time_must_be_aware(self):
        with self.assertRaises(ValueError):
            self._open(self._seal(), now=datetime(2026, 3, 2, 9, 30))


class TestEnvelopeAddressing(EnvelopeCase):
    def test_unknown_key_id(self):
        error = self._assertRefused("unknown_key", self._seal(key_id="KEY-FFFFFFFF"))
        self.assertIn("KEY-FFFFFFFF", str(error))

    def test_key_the_keyring_no_longer_accepts(self):
        data = self._seal()
        del self.keys[KEY_ID]  # revoked on the receiving side
        self._assertRefused("unknown_key", data)

    def test_keyring_may_explain_its_refusal(self):
        def keyring(key_id):
            raise EnvelopeError("unknown_key", f"Key {key_id} has no public key of the peer.")

        error = self._assertRefused("unknown_key", self._seal(), keyring=keyring)
        self.assertIn("no public key of the peer", str(error))

    def test_addressed_to_someone_else(self):
        error = self._assertRefused("wrong_recipient", self._seal(recipient="PDM"))
        self.assertIn("PDM", str(error))
        self.assertEqual(self.keyring_calls, [], "no key is looked up for a file that is not ours")


class TestEnvelopeUnsafeAndMalformed(EnvelopeCase):
    def _with_doctype(self, doctype, body="&lol9;"):
        root = xmlsafe.parse(self._seal())
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
            f'<envelope xmlns="{envelope.NAMESPACE}" '
            + " ".join(f'{name}="{value}"' for name, value in root.attrib.items())
            + f"><nonce>{self._part(root, 'nonce').text}</nonce>"
            f"<ciphertext>{self._part(root, 'ciphertext').text}{body}</ciphertext></envelope>"
        ).encode()

    def test_entity_bomb_is_unsafe(self):
        entities = ['<!ENTITY lol0 "lol">'] + [
            f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
        ]
        data = self._with_doctype(f"<!DOCTYPE envelope [{''.join(entities)}]>")
        self._assertRefused("unsafe", data)
        self.assertEqual(self.keyring_calls, [])

    def test_external_entity_is_unsafe(self):
        data = self._with_doctype('<!DOCTYPE envelope [<!ENTITY lol9 SYSTEM "file:///etc/passwd">]>')
        self._assertRefused("unsafe", data)

    def test_plain_doctype_is_unsafe(self):
        self._assertRefused("unsafe", self._with_doctype("<!DOCTYPE envelope>", body=""))

    def test_doctype_in_another_encoding_is_unsafe(self):
        data = self._with_doctype("<!DOCTYPE envelope>", body="")
        self._assertRefused("unsafe", data.decode().replace("UTF-8", "UTF-16").encode("utf-16"))

    def test_larger_than_accepted(self):
        data = self._seal(b"x" * 5000)
        self.assertTrue(self._open(data, max_bytes=len(data)).plaintext)
        self._assertRefused("too_large", data, max_bytes=len(data) - 1)

    def test_default_size_limit_holds_the_largest_batch(self):
        self.assertGreater(envelope.DEFAULT_MAX_BYTES, xmlsafe.MAX_BYTES * 4 / 3)

    def test_malformed_envelopes(self):
        def attribute(name, value):
            return lambda root: root.set(name, value)

        def drop(name):
            return lambda root: root.attrib.pop(name)

        def text(part, value):
            return lambda root: setattr(self._part(root, part), "text", value)

        def extra_child(root):
            etree.SubElement(root, f"{{{envelope.NAMESPACE}}}signature").text = "AAAA"

        def rename(root):
            root.tag = "{urn:other}envelope"

        for label, change in (
            ("version 2", attribute("version", "2")),
            ("no sender", drop("sender")),
            ("unknown attribute", attribute("priority", "high")),
            ("created without zone", attribute("created", "2026-03-02T09:30:00")),
            ("created in Z spelling", attribute("created", "2026-03-02T09:30:00Z")),
            ("created not a date", attribute("created", "yesterday")),
            ("message id not uuid hex", attribute("message-id", "1234")),
            ("key id with a space", attribute("key-id", "KEY 1")),
            ("nonce not base64", text("nonce", "!!!")),
            ("short nonce", text("nonce", base64.b64encode(b"123").decode())),
            ("short ciphertext", text("ciphertext", base64.b64encode(b"x" * 40).decode())),
            ("extra element", extra_child),
            ("other namespace", rename),
        ):
            with self.subTest(label):
                self._assertRefused("malformed", self._rewrite(self._seal(), change))
        for data in (b"", b"not xml", b"<envelope", "é".encode("latin-1")):
            with self.subTest(data=data):
                self._assertRefused("malformed", data)
        self.assertEqual(self.keyring_calls, [], "no key is looked up for a malformed envelope")

    def test_no_refusal_reveals_key_material(self):
        # _assertRefused checks every message; this gathers one of each reason on the same keys
        reasons = set()
        spare = envelope.generate_aes_key()
        for data, values in (
            (self._seal(aes_key=spare), {}),
            (self._seal(signing_key=envelope.load_private(self.other_private_pem)), {}),
            (self._seal(key_id="KEY-NONE"), {}),
            (self._seal(), {"now": NOW + timedelta(days=2)}),
            (self._seal(), {"now": NOW - timedelta(hours=1)}),
            (self._seal(), {"seen": lambda _message_id: True}),
            (self._seal(), {"recipient": "PDM"}),
            (self._seal(), {"max_bytes": 10}),
            (b"<x/>", {}),
            (self._with_doctype("<!DOCTYPE envelope>", body=""), {}),
        ):
            with self.assertRaises(EnvelopeError) as caught:
                self._open(data, **values)
            self._assertNoSecret(str(caught.exception))
            for secret in (base64.b64encode(spare).decode(), spare.hex()):
                self.assertNotIn(secret, str(caught.exception))
            reasons.add(caught.exception.reason)
        self.assertEqual(len(reasons), 10)


class TestEnvelopeKeys(EnvelopeCase):
    def test_generated_keys(self):
        self.assertEqual(len(self.aes_key), 32)
        self.assertNotEqual(envelope.generate_aes_key(), self.aes_key)
        self.assertTrue(self.private_pem.startswith(b"-----BEGIN PRIVATE KEY-----"))
        self.assertTrue(self.public_pem.startswith(b"-----BEGIN PUBLIC KEY-----"))
        self.assertEqual(envelope.public_pem_of(self.private_pem), self.public_pem)

    def test_aes_key_text(self):
        text = envelope.encode_aes_key(self.aes_key)
        self.assertEqual(envelope.decode_aes_key(text), self.aes_key)
        self.assertEqual(envelope.decode_aes_key(f" {text}\n".encode()), self.aes_key)
        for bad in ("not base64!", base64.b64encode(b"x" * 16).decode(), ""):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                envelope.decode_aes_key(bad)

    def test_fingerprint_is_short_and_ignores_pem_line_endings(self):
        fingerprint = envelope.fingerprint(self.public_pem)
        self.assertRegex(fingerprint, r"^[0-9a-f]{4}(:[0-9a-f]{4}){3}$")
        self.assertEqual(envelope.fingerprint(self.public_pem.decode().replace("\n", "\r\n")), fingerprint)
        self.assertEqual(envelope.fingerprint(self.public_key), fingerprint)
        self.assertNotEqual(envelope.fingerprint(self.other_public_pem), fingerprint)

    def test_keys_that_do_not_load(self):
        ec_key = ec.generate_private_key(ec.SECP256R1())
        ec_private = ec_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        ec_public = ec_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        for pem in ("", "garbage", self.public_pem, ec_private, self.private_pem[:60]):
            with self.subTest(pem=pem), self.assertRaises(ValueError):
                envelope.load_private(pem)
        for pem in ("", "garbage", self.private_pem, ec_public):
            with self.subTest(pem=pem), self.assertRaises(ValueError):
                envelope.load_public(pem)

    def test_key_ids(self):
        for key_id in ("KEY-0A1B2C3D", "mis.2026:1", "k"):
            self.assertTrue(envelope.is_valid_key_id(key_id), key_id)
        for key_id in ("", "KEY 1", "-KEY", "K" * 65, "KEY/1", None):
            self.assertFalse(envelope.is_valid_key_id(key_id), key_id)
