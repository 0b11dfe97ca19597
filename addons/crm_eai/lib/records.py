"""The exchange contract's records, to and from plain Python.

A record is ``{"key": str, "modified": datetime | None, "fields": {name: value}}``:
``modified`` is naive UTC, as Odoo keeps datetimes; a value is a string, or a list of
strings when the name repeats in the record. An empty ``field`` element reads as ``""``,
and ``None`` is written as an empty element. Lists keep their order.

This is the only translation between that shape and the contract, both ways: zeep's
values for SOAP, the ``batch`` element for files. Times are written in UTC and read with
zeep's own ``xs:dateTime`` type, so SOAP and files agree on every form the schema allows.
"""

import json
from datetime import datetime, timezone

from lxml import etree
from zeep import xsd
from zeep.helpers import serialize_object

from . import xmlsafe

_NS = f"{{{xmlsafe.NAMESPACE}}}"
_DATETIME = xsd.DateTime()


def _naive_utc(value):
    """``value`` (aware, or naive meaning UTC) as naive UTC; ``None`` stays ``None``."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _aware_utc(value):
    """``value`` (naive meaning UTC, or aware) as aware UTC; ``None`` stays ``None``."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _add_field(fields, name, text):
    """Add one occurrence of ``name``: a second occurrence turns the value into a list."""
    if name not in fields:
        fields[name] = text
    elif isinstance(fields[name], list):
        fields[name].append(text)
    else:
        fields[name] = [fields[name], text]


def _field_items(record):
    """``(name, text)`` for each field element of ``record``, in order."""
    for name, value in (record.get("fields") or {}).items():
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is None:
                yield name, ""
            elif isinstance(item, str):
                yield name, item
            else:
                raise TypeError(
                    f"Field {name!r} of record {record.get('key')!r} must be text, not {type(item).__name__}."
                )


def _from_zeep_record(item):
    fields = {}
    for field in item.get("field") or ():
        _add_field(fields, field["name"], field["_value_1"] or "")
    return {"key": item["key"], "modified": _naive_utc(item.get("modified")), "fields": fields}


def from_zeep(obj):
    """The records in ``obj`` as a list of record dicts.

    ``obj`` is what zeep (or :meth:`.soap.SoapClient.call`) returns: a ListRecords
    answer, a ``Records`` value, one ``Record`` (GetRecord's answer), a list of them,
    or ``None`` (no record).
    """
    data = serialize_object(obj, dict)
    if isinstance(data, dict) and "records" in data:
        data = data["records"]
    if isinstance(data, dict) and "record" in data:
        data = data["record"]
    if isinstance(data, dict):
        data = [data]
    return [_from_zeep_record(item) for item in data or ()]


def to_zeep_records(records):
    """The ``records`` parameter of PushRecords for a list of record dicts."""
    return {
        "record": [
            {
                "key": record["key"],
                "modified": _aware_utc(record.get("modified")),
                "field": [{"name": name, "_value_1": text} for name, text in _field_items(record)],
            }
            for record in records
        ]
    }


def batch_xml(entity, records, created):
    """A ``batch`` document (UTF-8 bytes) of ``records`` of ``entity``, made at ``created``.

    Raises :class:`.xmlsafe.InvalidXmlError` when the records break the schema (an empty
    key, a field name that is not a name, more fields than allowed...).
    """
    root = etree.Element(
        f"{_NS}batch",
        entity=entity,
        created=_DATETIME.xmlvalue(_aware_utc(created)),
        nsmap={None: xmlsafe.NAMESPACE},
    )
    for record in records:
        element = etree.SubElement(root, f"{_NS}record")
        etree.SubElement(element, f"{_NS}key").text = record["key"]
        if record.get("modified"):
            etree.SubElement(element, f"{_NS}modified").text = _DATETIME.xmlvalue(_aware_utc(record["modified"]))
        for name, text in _field_items(record):
            etree.SubElement(element, f"{_NS}field", name=name).text = text
    xmlsafe.validate(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def from_element(element):
    """The record dict of a contract ``record`` element (already validated)."""
    fields = {}
    for field in element.iterchildren(f"{_NS}field"):
        _add_field(fields, field.get("name"), field.text or "")
    modified = element.findtext(f"{_NS}modified")
    return {
        "key": element.findtext(f"{_NS}key"),
        "modified": _naive_utc(_DATETIME.pythonvalue(modified)) if modified else None,
        "fields": fields,
    }


def parse_batch(data, *, max_bytes=xmlsafe.MAX_BYTES):
    """``(entity, created, records)`` of a ``batch`` document, parsed safely and validated.

    Raises :class:`.xmlsafe.UnsafeXmlError` or :class:`.xmlsafe.InvalidXmlError`.
    """
    root = xmlsafe.parse(data, max_bytes=max_bytes)
    if root.tag != f"{_NS}batch":
        raise xmlsafe.InvalidXmlError(f"The document is a {etree.QName(root).localname!r} element, not a batch.")
    xmlsafe.validate(root)
    records = [from_element(element) for element in root.iterchildren(f"{_NS}record")]
    return root.get("entity"), _naive_utc(_DATETIME.pythonvalue(root.get("created"))), records


def dumps(records):
    """The records as JSON bytes, as the exchange log keeps them (times in ISO 8601)."""
    return json.dumps(
        [
            {
                "key": record["key"],
                "modified": record["modified"].isoformat() if record.get("modified") else None,
                "fields": record["fields"],
            }
            for record in records
        ],
        ensure_ascii=False,
    ).encode()


def loads(data):
    """The records of :func:`dumps`."""
    return [
        {**record, "modified": record.get("modified") and datetime.fromisoformat(record["modified"])}
        for record in json.loads(data or b"[]")
    ]
