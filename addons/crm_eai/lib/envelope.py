"""The cryptographic envelope of an exchanged file: signed by its sender, then encrypted for its recipient.

Plain Python, no ORM: the payload is opaque bytes (the batch XML of :mod:`.records`), the keys
are given by the caller (``crm.eai.key`` in the database).

Sealing::

    header    = version, sender, recipient, key-id, message-id (uuid4 hex), created (UTC, ISO 8601)
    signature = Ed25519(sender's private key, canonical(header) + sha256(plaintext))
    nonce     = 12 fresh random bytes
    ciphertext = AES-256-GCM(shared key, nonce, signature + plaintext, associated data = canonical(header))

and the envelope is a small XML document carrying the header as attributes, the nonce and the
ciphertext in base64::

    <envelope xmlns="urn:crm-suite:eai:envelope:1" version="1" sender="..." recipient="..."
              key-id="..." message-id="..." created="..."><nonce>...</nonce><ciphertext>...</ciphertext></envelope>

The header travels in clear text (the receiver needs the key id to find the key) but cannot be
changed: it is the associated data of the encryption, so any change of an attribute makes the
decryption fail, and it is signed with the payload, so whoever holds the shared AES key but not
the sender's private key cannot forge a file either.

Opening checks, in this order, and stops at the first failure with an :class:`EnvelopeError`
whose ``reason`` says what went wrong: size, safe XML (:func:`.xmlsafe.parse`: no DOCTYPE, no
entity, no network), shape, version,
recipient, known key, age (the replay window), message id not seen before, decryption,
signature. The receiver must remember the message ids it accepted for at least
``max_age + CLOCK_SKEW``: past that window a replayed file is refused as expired.
"""

import base64
import binascii
import hashlib
import json
import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree

from . import xmlsafe

NAMESPACE = "urn:crm-suite:eai:envelope:1"
VERSION = "1"
AES_KEY_BYTES = 32
NONCE_BYTES = 12
SIGNATURE_BYTES = 64
TAG_BYTES = 16
CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_MAX_AGE = timedelta(hours=24)
# the largest batch lib/xmlsafe reads, in base64, with its signature and header
DEFAULT_MAX_BYTES = xmlsafe.MAX_BYTES * 4 // 3 + 64 * 1024
MAX_HEADER_VALUE = 200

# the key ids both sides agree on (``crm.eai.key.name``): letters, digits and . _ : -
KEY_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
MESSAGE_ID_RE = re.compile(r"[0-9a-f]{32}")

REASONS = frozenset(
    {
        "malformed",
        "unsafe",
        "unknown_key",
        "wrong_recipient",
        "expired",
        "future",
        "replayed",
        "tampered",
        "bad_signature",
        "too_large",
    }
)

_HEADER_ATTRIBUTES = ("version", "sender", "recipient", "key-id", "message-id", "created")


class EnvelopeError(ValueError):
    """A received envelope was refused; ``reason`` is one of :data:`REASONS`.

    The message names the envelope's header values where they help (key id, message id,
    dates) and never any key material.
    """

    def __init__(self, reason, message):
        assert reason in REASONS, reason
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Header:
    version: str
    sender: str
    recipient: str
    key_id: str
    message_id: str
    created: datetime

    def canonical(self):
        """The bytes that are authenticated (AES-GCM associated data) and signed.

        Deterministic JSON (sorted keys, no spaces) behind the envelope's namespace, so that
        an envelope of another format or version can never be taken for this one.
        """
        fields = {
            "version": self.version,
            "sender": self.sender,
            "recipient": self.recipient,
            "key_id": self.key_id,
            "message_id": self.message_id,
            "created": _format_created(self.created),
        }
        text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return f"{NAMESPACE}\n{text}".encode()


@dataclass(frozen=True)
class Opened:
    header: Header
    plaintext: bytes


# ---------------------------------------------------------------------------------------
# keys


def generate_aes_key() -> bytes:
    """A fresh 256-bit AES key (the secret shared with the peer)."""
    return AESGCM.generate_key(bit_length=AES_KEY_BYTES * 8)


def generate_signing_key() -> tuple[bytes, bytes]:
    """A fresh Ed25519 key pair as ``(private_pem, public_pem)`` (PKCS#8 and SubjectPublicKeyInfo)."""
    private_key = Ed25519PrivateKey.generate()
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private_pem, public_pem_of(private_key)


def public_pem_of(private_key: Ed25519PrivateKey | str | bytes) -> bytes:
    """The public PEM of an Ed25519 private key (loaded, or as PEM)."""
    if not isinstance(private_key, Ed25519PrivateKey):
        private_key = load_private(private_key)
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private(pem: str | bytes) -> Ed25519PrivateKey:
    """The Ed25519 private key of an unencrypted PEM (str or bytes); ``ValueError`` otherwise."""
    try:
        key = serialization.load_pem_private_key(_as_bytes(pem), password=None)
    except (ValueError, TypeError, binascii.Error):
        raise ValueError("This is not an unencrypted private key in PEM format.") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("This private key is not an Ed25519 key.")
    return key


def load_public(pem: str | bytes) -> Ed25519PublicKey:
    """The Ed25519 public key of a PEM (str or bytes); ``ValueError`` otherwise."""
    try:
        key = serialization.load_pem_public_key(_as_bytes(pem))
    except (ValueError, TypeError, binascii.Error):
        raise ValueError("This is not a public key in PEM format.") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("This public key is not an Ed25519 key.")
    return key


def fingerprint(public_pem: str | bytes | Ed25519PublicKey) -> str:
    """A short fingerprint of an Ed25519 public key: the first 16 hex digits of the sha256 of
    its 32 raw bytes, grouped by four (``1a2b:3c4d:5e6f:7a8b``).

    Computed on the raw key, not the PEM text, so both sides read the same fingerprint
    whatever line endings the key was pasted with.
    """
    key = public_pem if isinstance(public_pem, Ed25519PublicKey) else load_public(public_pem)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return ":".join(digest[index : index + 4] for index in range(0, 16, 4))


def decode_aes_key(value: str | bytes) -> bytes:
    """The 32 bytes of a base64 AES key (str or bytes); ``ValueError`` otherwise."""
    try:
        key = base64.b64decode(_as_bytes(value).strip(), validate=True)
    except (ValueError, TypeError, binascii.Error):
        raise ValueError("The AES key is not valid base64.") from None
    if len(key) != AES_KEY_BYTES:
        raise ValueError(f"The AES key must be {AES_KEY_BYTES} bytes (256 bits), not {len(key)}.")
    return key


def encode_aes_key(key: bytes) -> str:
    """The base64 text of an AES key, as it is stored and given to the peer."""
    return base64.b64encode(key).decode("ascii")


def is_valid_key_id(value) -> bool:
    return isinstance(value, str) and KEY_ID_RE.fullmatch(value) is not None


# ---------------------------------------------------------------------------------------
# sealing and opening


def seal(
    plaintext: bytes,
    *,
    sender: str,
    recipient: str,
    key_id: str,
    aes_key: bytes,
    signing_key: Ed25519PrivateKey,
    message_id: str | None = None,
    created: datetime | None = None,
) -> bytes:
    """The envelope (UTF-8 XML bytes) of ``plaintext`` from ``sender`` to ``recipient``.

    ``aes_key`` is the 32-byte key shared with the recipient under ``key_id``, ``signing_key``
    the sender's :class:`Ed25519PrivateKey`. ``message_id`` (32 lowercase hex digits) and
    ``created`` (an aware datetime) default to a fresh uuid4 and the current time.
    Wrong arguments are programming errors: ``TypeError`` / ``ValueError``.
    """
    if not isinstance(plaintext, bytes | bytearray | memoryview):
        raise TypeError("The plaintext to seal must be bytes.")
    if not isinstance(aes_key, bytes) or len(aes_key) != AES_KEY_BYTES:
        raise ValueError(f"The AES key must be {AES_KEY_BYTES} bytes.")
    if not isinstance(signing_key, Ed25519PrivateKey):
        raise TypeError("The signing key must be an Ed25519 private key (see load_private).")
    if created is None:
        created = datetime.now(timezone.utc)
    elif created.tzinfo is None or created.utcoffset() is None:
        raise ValueError("The creation time of an envelope must be an aware datetime.")
    header = Header(
        version=VERSION,
        sender=_check_value("sender", sender),
        recipient=_check_value("recipient", recipient),
        key_id=_check_key_id(key_id),
        message_id=_check_message_id(uuid.uuid4().hex if message_id is None else message_id),
        created=created.astimezone(timezone.utc),
    )
    plaintext = bytes(plaintext)
    aad = header.canonical()
    signature = signing_key.sign(_signed_bytes(aad, plaintext))
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(aes_key).encrypt(nonce, signature + plaintext, aad)

    root = etree.Element(f"{{{NAMESPACE}}}envelope", nsmap={None: NAMESPACE})
    for attribute, value in zip(_HEADER_ATTRIBUTES, _header_values(header), strict=True):
        root.set(attribute, value)
    etree.SubElement(root, f"{{{NAMESPACE}}}nonce").text = base64.b64encode(nonce).decode("ascii")
    etree.SubElement(root, f"{{{NAMESPACE}}}ciphertext").text = base64.b64encode(ciphertext).decode("ascii")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def peek(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Header:
    """The header of an envelope, read without any key: NOT authenticated, good only to
    file the envelope under its message id until :func:`open_envelope` checks it."""
    if len(data) > max_bytes:
        raise EnvelopeError(
            "too_large", f"The envelope is {len(data)} bytes, more than the {max_bytes} bytes accepted."
        )
    return _read(_parse(bytes(data), max_bytes))[0]


def open_envelope(
    data: bytes,
    *,
    recipient: str,
    keyring: Callable[[str], tuple[bytes, Ed25519PublicKey] | None],
    seen: Callable[[str], bool],
    now: datetime | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Opened:
    """The :class:`Opened` header and plaintext of an envelope addressed to ``recipient``.

    ``keyring(key_id)`` gives ``(aes_key, sender's Ed25519PublicKey)`` for a key that is
    accepted, ``None`` for one that is unknown or no longer accepted (it may also raise an
    :class:`EnvelopeError` itself to explain why); ``seen(message_id)`` says whether that
    message was already accepted. Neither is called before the envelope is known to be
    well-formed. Any refusal is an :class:`EnvelopeError`.
    """
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("The current time given to open an envelope must be an aware datetime.")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("The envelope to open must be bytes.")
    data = bytes(data)
    if len(data) > max_bytes:
        raise EnvelopeError(
            "too_large", f"The envelope is {len(data)} bytes, more than the {max_bytes} bytes accepted."
        )

    root = _parse(data, max_bytes)
    header, nonce, ciphertext = _read(root)
    if header.recipient != recipient:
        raise EnvelopeError(
            "wrong_recipient",
            f"The envelope is addressed to {header.recipient!r}, not to {recipient!r}.",
        )
    aes_key, public_key = _keys(header, keyring)
    _check_age(header, now, max_age)
    if seen(header.message_id):
        raise EnvelopeError("replayed", f"Message {header.message_id} was already received: this file is a replay.")

    aad = header.canonical()
    try:
        payload = AESGCM(aes_key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise EnvelopeError(
            "tampered",
            f"The envelope does not decrypt with key {header.key_id!r}: it was altered on the way "
            f"(or sealed with another key under that id).",
        ) from None
    signature, plaintext = payload[:SIGNATURE_BYTES], payload[SIGNATURE_BYTES:]
    try:
        if len(signature) != SIGNATURE_BYTES:
            raise InvalidSignature
        public_key.verify(signature, _signed_bytes(aad, plaintext))
    except InvalidSignature:
        raise EnvelopeError(
            "bad_signature",
            f"The envelope is not signed by {header.sender!r}'s key {fingerprint(public_key)}: "
            f"whoever sealed it holds the shared key but not the sender's private key.",
        ) from None
    return Opened(header=header, plaintext=plaintext)


# ---------------------------------------------------------------------------------------
# helpers


def _keys(header, keyring):
    keys = keyring(header.key_id)
    if keys is None:
        raise EnvelopeError(
            "unknown_key",
            f"The envelope was sealed with key {header.key_id!r}, which is unknown here or no longer accepted.",
        )
    aes_key, public_key = keys
    if not isinstance(aes_key, bytes) or len(aes_key) != AES_KEY_BYTES:
        raise ValueError(f"The keyring gave no {AES_KEY_BYTES}-byte AES key for key {header.key_id!r}.")
    if not isinstance(public_key, Ed25519PublicKey):
        raise TypeError(f"The keyring gave no Ed25519 public key for key {header.key_id!r}.")
    return aes_key, public_key


def _check_age(header, now, max_age):
    created = header.created
    if created > now + CLOCK_SKEW:
        raise EnvelopeError(
            "future",
            f"The envelope is dated {_format_created(created)}, later than now ({_format_created(now)}) "
            f"by more than the {_minutes(CLOCK_SKEW)} minutes of clock difference allowed.",
        )
    if created < now - max_age:
        raise EnvelopeError(
            "expired",
            f"The envelope is dated {_format_created(created)}, older than the {_minutes(max_age)} minutes "
            f"accepted: it may be a replay, ask the sender for a new one.",
        )


def _signed_bytes(aad, plaintext):
    return aad + hashlib.sha256(plaintext).digest()


def _header_values(header):
    return (
        header.version,
        header.sender,
        header.recipient,
        header.key_id,
        header.message_id,
        _format_created(header.created),
    )


def _format_created(value):
    return value.astimezone(timezone.utc).isoformat()


def _minutes(delta):
    return int(delta.total_seconds() // 60)


def _as_bytes(value):
    return value.encode() if isinstance(value, str) else bytes(value)


def _check_value(label, value):
    if not isinstance(value, str) or not value or len(value) > MAX_HEADER_VALUE:
        raise ValueError(f"The {label} of an envelope must be a text of 1 to {MAX_HEADER_VALUE} characters.")
    if value != value.strip() or any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValueError(f"The {label} of an envelope may not hold control characters or surrounding spaces.")
    return value


def _check_key_id(value):
    if not is_valid_key_id(value):
        raise ValueError("A key id is 1 to 64 letters, digits and . _ : - (starting with a letter or digit).")
    return value


def _check_message_id(value):
    if not isinstance(value, str) or not MESSAGE_ID_RE.fullmatch(value):
        raise ValueError("A message id is 32 lowercase hex digits (uuid4().hex).")
    return value


def _parse(data, max_bytes):
    try:
        return xmlsafe.parse(data, max_bytes=max_bytes)
    except xmlsafe.UnsafeXmlError as error:
        raise EnvelopeError("unsafe", f"The envelope was refused unread: {error}") from None
    except xmlsafe.InvalidXmlError as error:
        raise EnvelopeError("malformed", f"The envelope is not an envelope: {error}") from None


def _read(root):
    """The header, nonce and ciphertext of a parsed envelope, or ``malformed``."""
    if root.tag != f"{{{NAMESPACE}}}envelope":
        raise EnvelopeError("malformed", f"The document is not an envelope of {NAMESPACE}.")
    unknown = sorted(set(root.attrib) - set(_HEADER_ATTRIBUTES))
    if unknown:
        raise EnvelopeError("malformed", f"The envelope has unknown attributes: {', '.join(unknown)}.")
    missing = [name for name in _HEADER_ATTRIBUTES if name not in root.attrib]
    if missing:
        raise EnvelopeError("malformed", f"The envelope lacks the attributes {', '.join(missing)}.")
    values = dict(root.attrib)
    if values["version"] != VERSION:
        raise EnvelopeError(
            "malformed", f"The envelope is of version {values['version']!r}; only version {VERSION} is read."
        )
    try:
        header = Header(
            version=values["version"],
            sender=_check_value("sender", values["sender"]),
            recipient=_check_value("recipient", values["recipient"]),
            key_id=_check_key_id(values["key-id"]),
            message_id=_check_message_id(values["message-id"]),
            created=_parse_created(values["created"]),
        )
    except ValueError as error:
        raise EnvelopeError("malformed", f"The envelope header is invalid: {error}") from None

    children = list(root)
    if [child.tag for child in children] != [f"{{{NAMESPACE}}}nonce", f"{{{NAMESPACE}}}ciphertext"]:
        raise EnvelopeError("malformed", "The envelope must hold a nonce then a ciphertext, and nothing else.")
    if (root.text or "").strip() or any((child.tail or "").strip() or len(child) for child in children):
        raise EnvelopeError("malformed", "The envelope holds text or elements outside its nonce and ciphertext.")
    nonce = _b64(children[0].text, "nonce")
    ciphertext = _b64(children[1].text, "ciphertext")
    if len(nonce) != NONCE_BYTES:
        raise EnvelopeError("malformed", f"The nonce is {len(nonce)} bytes, not {NONCE_BYTES}.")
    if len(ciphertext) < SIGNATURE_BYTES + TAG_BYTES:
        raise EnvelopeError("malformed", "The ciphertext is too short to hold a signature.")
    return header, nonce, ciphertext


def _parse_created(value):
    try:
        created = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"created {value!r} is not an ISO 8601 date and time.") from None
    if created.tzinfo is None or _format_created(created) != value:
        # exactly as seal() writes it: one spelling per instant
        raise ValueError(f"created {value!r} is not a UTC time written as YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00.")
    return created


def _b64(text, label):
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (ValueError, binascii.Error):
        raise EnvelopeError("malformed", f"The {label} is not valid base64.") from None
