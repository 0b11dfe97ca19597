"""Reading and checking a file of prospects (CSV or XLSX) before it becomes partners.

The ORM layer (``wizard/crm_segment_import.py``) reads the file's bytes, hands them here,
matches the checked rows with the partners already in the database and writes once.
Everything here is plain Python on plain data, so that the rules (which header means what,
which row is refused and why, which rows are the same person) are tested without a
database and stated in one place.

A row is ``new`` (a partner to create), ``existing`` (the same email or phone as a partner
found by the caller: linked, not created again), ``duplicate`` (the same email or phone as
an earlier row of the file: skipped) or ``rejected`` (the reason says what to fix).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import openpyxl

from odoo.tools.mail import email_normalize

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20000
MAX_LENGTH = 256  # longest text kept in a cell: longer is a mistake in the file, not a name
ENCODINGS = ("utf-8-sig", "gbk")  # utf-8-sig reads plain utf-8 too
DELIMITERS = ",;\t|"

# The header names understood, lower-cased and without spaces, and the column they name.
HEADERS = {
    "name": ("name", "fullname", "contact", "contactname", "姓名", "名字", "联系人"),
    "email": ("email", "e-mail", "mail", "emailaddress", "邮箱", "电子邮件", "邮件"),
    "phone": ("phone", "mobile", "telephone", "tel", "cellphone", "电话", "手机", "手机号", "联系电话"),
    "company": ("company", "companyname", "organization", "organisation", "公司", "公司名称", "单位"),
    "city": ("city", "town", "城市"),
    "country": ("country", "countrycode", "country_code", "国家", "国家代码"),
}
COLUMNS = tuple(HEADERS)
_HEADER_INDEX = {alias: column for column, aliases in HEADERS.items() for alias in aliases}
_PHONE_SEPARATORS = re.compile(r"[\s\-./()]")


# The sentences below are written with ``_`` so that Odoo's export finds them; the ORM
# layer passes ``env._`` as ``_`` to translate them (this file has no environment):
# pylint: disable=prefer-env-translation


def _english(text, *args):
    return text % args if args else text


class ProspectFileError(ValueError):
    """The file cannot be read at all (format, size, header).

    ``code`` and ``arg`` say why; :func:`file_error_message` writes it in the user's words.
    """

    def __init__(self, code, arg=None):
        super().__init__(code, arg)
        self.code, self.arg = code, arg

    def __str__(self):
        return file_error_message(self)


def file_error_message(error, _=_english):
    """The sentence for a :class:`ProspectFileError`; ``_`` translates (``env._``)."""
    messages = {
        "empty": lambda: _("The file is empty."),
        "too_large": lambda: _("The file is larger than %s MB: split it into smaller files.", error.arg),
        "too_many_rows": lambda: _("The file has more than %s rows: split it into smaller files.", error.arg),
        "no_data": lambda: _("The file has no data row under its header."),
        "encoding": lambda: _("The file is neither UTF-8 nor GBK text: save it as CSV UTF-8 or as XLSX."),
        "csv": lambda: _("The CSV file cannot be read (%s).", error.arg),
        "xlsx": lambda: _("The file is not a valid XLSX spreadsheet."),
        "header": lambda: _(
            "The first row must name the columns, with at least a Name or a Company column "
            "(Name/姓名, Email/邮箱, Phone/电话, Company/公司, City/城市, Country)."
        ),
    }
    return messages[error.code]()


def row_reason(row, _=_english):
    """Why ``row`` is not created as a new partner, in the user's words (``_``: ``env._``)."""
    texts = []
    for code, arg in row.problems:
        if code == "name":
            texts.append(_("a name or a company is required"))
        elif code == "country":
            texts.append(_("unknown country code %s", arg))
        elif code == "email":
            texts.append(_("invalid email %s", arg))
        elif code == "phone_country":
            texts.append(_("phone %s has no country code and the row no country", arg))
        elif code == "phone":
            texts.append(_("invalid phone %s", arg))
        elif code == "duplicate":
            texts.append(_("same email or phone as row %s", arg))
        elif code == "existing":
            texts.append(_("already a contact"))
    return "; ".join(texts)


@dataclass
class ProspectRow:
    """One data row of the file: its cells by column, and what the checks made of it."""

    number: int  # the row number in the file, header included, as a spreadsheet shows it
    values: dict
    status: str = "new"
    email: str = ""  # normalised
    phone: str = ""  # E.164, "+" and digits
    country_code: str = ""
    duplicate_of: int = 0  # the row number this one repeats
    partner_id: int = 0  # the existing partner it is linked to
    problems: list = field(default_factory=list)  # (code, value) pairs, see row_reason


def read_rows(data, filename):
    """The rows of a CSV or XLSX file as lists of texts (the header first).

    ``filename`` only tells the format apart; an XLSX is recognised by its content too.
    """
    if not data:
        raise ProspectFileError("empty")
    if len(data) > MAX_BYTES:
        raise ProspectFileError("too_large", MAX_BYTES // (1024 * 1024))
    spreadsheet = (filename or "").lower().endswith(".xlsx") or data[:2] == b"PK"
    rows = _read_xlsx(data) if spreadsheet else _read_csv(data)
    # empty rows are kept, so that the row numbers are the spreadsheet's
    while rows and not any(rows[-1]):
        rows.pop()
    while rows and not any(rows[0]):
        rows.pop(0)  # the header is the first row with text; the numbers follow it
    data_rows = sum(1 for row in rows[1:] if any(row))
    if data_rows > MAX_ROWS:
        raise ProspectFileError("too_many_rows", MAX_ROWS)
    if not data_rows:
        raise ProspectFileError("no_data")
    return rows


def _read_csv(data):
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ProspectFileError("encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","  # one column, or a sample the sniffer cannot decide on
    try:
        return [[_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as error:
        raise ProspectFileError("csv", str(error)) from error


def _read_xlsx(data):
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ProspectFileError("xlsx") from error
    try:
        sheet = workbook.worksheets[0]
        rows, filled = [], 0
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell(cell) for cell in row])
            filled += any(rows[-1])
            if filled > MAX_ROWS + 1:
                break  # enough to tell the file is too long, without reading it all
        return rows
    finally:
        workbook.close()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed in a spreadsheet cell
    return str(value).strip()[:MAX_LENGTH]


class NoCountryError(ValueError):
    """A national phone number on a row without a country."""


def map_headers(header):
    """``{column: index}`` of the columns the header names; raises :class:`ProspectFileError`."""
    mapping = {}
    for index, title in enumerate(header):
        column = _HEADER_INDEX.get(re.sub(r"\s+", "", title or "").lower())
        if column and column not in mapping:
            mapping[column] = index
    if "name" not in mapping and "company" not in mapping:
        raise ProspectFileError("header")
    return mapping


def normalise_phone(number, country_code, phone_codes):
    """The E.164 form of ``number`` (``+8613812345678``), or raise ``ValueError``.

    A number written with ``+`` or ``00`` is international; any other is national, read
    with the calling code of ``country_code`` (``phone_codes``: country code -> calling
    code) after dropping the trunk prefix ``0``.
    """
    digits = _PHONE_SEPARATORS.sub("", number)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    else:
        calling_code = phone_codes.get(country_code)
        if not calling_code:
            raise NoCountryError("a national number needs a country")
        digits = f"{calling_code}{digits.lstrip('0')}"
    if not digits.isdigit():
        raise ValueError("a phone number has digits only")
    if not 8 <= len(digits) <= 15:
        raise ValueError("a phone number has 8 to 15 digits with its country code")
    return f"+{digits}"


def check_rows(rows, default_country, phone_codes):
    """The :class:`ProspectRow` of each data row of ``rows`` (header first), checked.

    ``default_country``: the country code for rows without one; ``phone_codes``: the
    calling code of each known country code (an unknown country code is refused).
    """
    mapping = map_headers(rows[0])
    result = []
    seen = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cells):
            continue
        values = {column: cells[index] if index < len(cells) else "" for column, index in mapping.items()}
        row = ProspectRow(number=number, values=values)
        result.append(row)
        _check_row(row, default_country, phone_codes)
        if row.problems:
            row.status = "rejected"
            continue
        for key in (("email", row.email), ("phone", row.phone)):
            if key[1] and key in seen:
                row.status, row.duplicate_of = "duplicate", seen[key]
                row.problems.append(("duplicate", seen[key]))
                break
        else:
            for key in (("email", row.email), ("phone", row.phone)):
                if key[1]:
                    seen[key] = number
    return result


def _check_row(row, default_country, phone_codes):
    values = row.values
    if not values.get("name") and not values.get("company"):
        row.problems.append(("name", None))
    row.country_code = (values.get("country") or default_country or "").upper()
    if values.get("country") and row.country_code not in phone_codes:
        row.problems.append(("country", values["country"]))
    if values.get("email"):
        row.email = email_normalize(values["email"], strict=True) or ""
        if not row.email:
            row.problems.append(("email", values["email"]))
    if values.get("phone"):
        try:
            row.phone = normalise_phone(values["phone"], row.country_code, phone_codes)
        except NoCountryError:
            row.problems.append(("phone_country", values["phone"]))
        except ValueError:
            row.problems.append(("phone", values["phone"]))


def link_existing(rows, by_email, by_phone):
    """Mark the ``new`` rows whose email or phone is a known partner's as ``existing``.

    ``by_email`` / ``by_phone``: normalised email / E.164 phone -> partner id.
    """
    for row in rows:
        if row.status != "new":
            continue
        partner_id = by_email.get(row.email) if row.email else None
        if not partner_id and row.phone:
            partner_id = by_phone.get(row.phone)
        if partner_id:
            row.status, row.partner_id = "existing", partner_id
            row.problems.append(("existing", partner_id))
    return rows


def report_csv(lines, header):
    """The CSV (UTF-8 with BOM, which spreadsheets open as UTF-8) of the rows not imported.

    ``lines``: (row number, status label, reason, {column: text}) of each such row;
    ``header``: the titles of row number, status and reason, in the user's words.
    """
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([*header, *COLUMNS])
    for number, status, reason, values in lines:
        writer.writerow([number, status, reason, *(_safe(values.get(c, "")) for c in COLUMNS)])
    return output.getvalue().encode("utf-8-sig")


def _safe(text):
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    return f"'{text}" if text and text[0] in "=+-@\t\r" else text
