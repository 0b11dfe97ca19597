"""Converters between the exchange contract's text values and Odoo field values.

Values travel as text (the contract's ``<field name="x">text</field>``). Each converter
is a pair of plain functions: ``to_odoo(text) -> value`` and ``to_text(value) -> text``.
An empty text means "no value" (False in Odoo). Relational converters (``ref``) need the
database and live in the mapper; here they pass the text through.
"""

from datetime import date, datetime

TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f"}


class ConversionError(ValueError):
    """A value the converter cannot read; the message names the value and the type."""


def _text(value):
    return value.strip()


def _integer(value):
    try:
        return int(value.strip())
    except ValueError:
        raise ConversionError(f"{value!r} is not a whole number") from None


def _float(value):
    try:
        return float(value.strip().replace(",", ""))
    except ValueError:
        raise ConversionError(f"{value!r} is not a number") from None


def _boolean(value):
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ConversionError(f"{value!r} is not yes/no (true/false, 1/0)")


def _date(value):
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ConversionError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _datetime(value):
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConversionError(f"{value!r} is not a date and time (ISO 8601)") from None
    if parsed.tzinfo:
        parsed = (parsed - parsed.utcoffset()).replace(tzinfo=None)
    return parsed


def _number_text(value):
    return repr(value) if isinstance(value, float) else str(value)


def _date_text(value):
    return value.isoformat()


def _datetime_text(value):
    return value.replace(microsecond=0).isoformat() + "Z"


CONVERTERS = {
    "text": (_text, str),
    "integer": (_integer, _number_text),
    "float": (_float, _number_text),
    "boolean": (_boolean, lambda value: "true" if value else "false"),
    "date": (_date, _date_text),
    "datetime": (_datetime, _datetime_text),
    "ref": (_text, str),
}


def to_odoo(converter, text):
    """The Odoo value of ``text`` (False when empty); ConversionError when unreadable."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return False
    if isinstance(text, list):
        return [to_odoo(converter, item) for item in text]
    return CONVERTERS[converter][0](text)


def to_text(converter, value):
    """The contract's text for an Odoo ``value`` ('' for no value)."""
    if value is False or value is None:
        return "" if converter != "boolean" else "false"
    return CONVERTERS[converter][1](value)
