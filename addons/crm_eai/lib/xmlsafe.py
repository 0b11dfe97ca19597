"""Hardened XML parsing for what other systems send us, and the exchange schema.

Nothing received is trusted. A document with a DOCTYPE is refused before its body is
read, so no DTD, no entity declaration and no external reference is ever processed;
entities are never expanded, nothing is loaded from the network, comments and
processing instructions are dropped and libxml2 keeps its limits on depth and text
size (no ``huge_tree``). zeep parses SOAP responses under the same rules
(:func:`zeep_settings`).
"""

import threading
from pathlib import Path

from lxml import etree
from zeep import Settings

NAMESPACE = "urn:crm-suite:eai:exchange:1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "schema" / "crm_exchange.xsd"
# A batch holds at most 100,000 records (the schema's limit): well under 100 MiB.
MAX_BYTES = 100 * 1024 * 1024

_local = threading.local()


class XmlError(ValueError):
    """XML we cannot accept; the message says why."""


class UnsafeXmlError(XmlError):
    """A document that could attack its reader: a DOCTYPE, a DTD, entities, or too large."""


class InvalidXmlError(XmlError):
    """A document that is not well-formed XML or does not follow the exchange schema."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


class _DoctypeFound(Exception):
    pass


class _PrologEnd(Exception):
    pass


class _PrologTarget:
    """Parser target that stops at the root element, and at a DOCTYPE before it."""

    def doctype(self, name, public_id, system_url):
        raise _DoctypeFound(name)

    def start(self, tag, attrib):
        raise _PrologEnd

    def close(self):
        return None


def _parser(target=None):
    return etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _syntax_error(exc):
    return InvalidXmlError(f"The document is not well-formed XML (line {exc.lineno}: {exc.msg}).", line=exc.lineno)


def _check_prolog(data):
    """Read up to the root element: an entity bomb must be refused, not fail while expanding."""
    try:
        etree.fromstring(data, _parser(_PrologTarget()))  # noqa: S320 - the hardened parser
    except _PrologEnd:
        return
    except _DoctypeFound:
        raise UnsafeXmlError("The XML document has a DOCTYPE: DTDs and entity declarations are refused.") from None
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None


def parse(data, *, max_bytes=MAX_BYTES):
    """The root element of ``data`` (bytes), parsed without trusting it.

    Raises :class:`UnsafeXmlError` for a document longer than ``max_bytes`` or with a
    DOCTYPE, and :class:`InvalidXmlError` for one that is not well-formed.
    """
    if not isinstance(data, bytes):
        raise TypeError(f"XML must be given as bytes, not {type(data).__name__}.")
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"The XML document is {len(data)} bytes long, more than the {max_bytes} bytes accepted.")
    _check_prolog(data)
    try:
        return etree.fromstring(data, _parser())  # noqa: S320 - the hardened parser
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None


def schema():
    """The exchange schema (crm_exchange.xsd), loaded once per thread.

    One per thread because a validator keeps the errors of its last run.
    """
    if not hasattr(_local, "schema"):
        _local.schema = etree.XMLSchema(parse(SCHEMA_PATH.read_bytes()))
    return _local.schema


def validate(element):
    """Raise :class:`InvalidXmlError` naming the first error if ``element`` breaks the schema."""
    validator = schema()
    if not validator.validate(element):
        error = validator.error_log[0]
        raise InvalidXmlError(
            f"The XML does not follow the exchange schema (line {error.line}: {error.message}).", line=error.line
        )


def zeep_settings():
    """zeep settings that parse responses strictly and refuse DTDs, entities and external references."""
    return Settings(
        strict=True,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
        xml_huge_tree=False,
    )
