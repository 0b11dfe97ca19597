"""Who responded: the keys a responder is recognised by, the public form's cleaning, and
the choices of the follow-up rules, in plain Python (no database).

The ORM layer (``crm.campaign.response``) computes the keys of each response with these
functions, searches customers and open leads with them in one query each, and locks them
so that two responses of one responder arriving at the same moment make one lead.
"""

import re
import unicodedata

EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
# characters a phone number may hold besides digits
PHONE_RE = re.compile(r"^\+?[\d\s().\-/]*$")
MIN_PHONE_DIGITS = 6
MAX_PHONE_DIGITS = 20
# how many last digits of a number the database is searched with
PHONE_SUFFIX_DIGITS = 8

# Legal forms dropped from company names before comparing them ("ACME Ltd." is "acme"),
# compared once the name is folded and split in words.
LEGAL_FORMS = frozenset(
    {
        "ag",
        "bv",
        "co",
        "company",
        "corp",
        "corporation",
        "gmbh",
        "inc",
        "incorporated",
        "kg",
        "limited",
        "llc",
        "llp",
        "ltd",
        "nv",
        "oy",
        "plc",
        "pty",
        "sa",
        "sarl",
        "sas",
        "spa",
        "srl",
    }
)
# Chinese legal forms, removed where they end the name
CJK_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
# what people type in a company field when they have none
NO_COMPANY = frozenset({"", "na", "n a", "none", "no", "private", "self", "self employed", "individual", "test"})

NAME_MAX_LENGTH = 100
COMPANY_MAX_LENGTH = 120
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 40
MESSAGE_MAX_LENGTH = 2000
FORM_FIELDS = ("name", "email", "phone", "company", "message")


def normalize_email(email):
    """The address of ``email`` in lower case ("Ann <Ann@X.com>" -> "ann@x.com"), or
    ``None`` when it is no address."""
    if not email:
        return None
    text = str(email).strip()
    match = re.search(r"<([^<>]+)>", text)
    if match:
        text = match.group(1).strip()
    text = text.lower()
    return text if len(text) <= EMAIL_MAX_LENGTH and EMAIL_RE.match(text) else None


def phone_digits(phone):
    """The digits of ``phone`` with a leading "+" kept ("+86 (21) 555-0100" ->
    "+86215550100"; "0086..." -> "+86..."), or ``None`` when it is too short to be a
    number one could call."""
    if not phone:
        return None
    text = str(phone).strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        prefix = "+"
    elif digits.startswith("00"):
        prefix, digits = "+", digits[2:]
    else:
        prefix = ""
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    return prefix + digits


def phone_key(phone, country_phone_code=None):
    """``phone`` as an international number "+<country code><number>", the way people
    write it compared: "+32 470 12 34 56", "0032 470 123456" and, in Belgium (32),
    "0470/12.34.56" give "+32470123456". A national number loses its trunk zero; without
    a country it stays as digits. ``None`` when it is no number.

    Plain digits rather than ``phonenumbers`` (which Odoo uses when it is installed):
    the same key whether it is or not, for the responder and for the stored numbers.
    """
    digits = phone_digits(phone)
    if not digits or digits.startswith("+"):
        return digits
    if country_phone_code:
        return f"+{country_phone_code}{digits.lstrip('0')}"
    return digits


def phone_suffix(key):
    """The last digits of a phone key, what the database is searched with (the stored
    numbers are written in every way, the end of the number is the same)."""
    return key[-PHONE_SUFFIX_DIGITS:]


def normalize_company(name):
    """The company name reduced to what tells companies apart: case, accents,
    punctuation and legal forms removed ("ACME Ltd." and "Acme" give "acme"); ``None``
    for no company ("n/a", "private"...)."""
    if not name:
        return None
    text = unicodedata.normalize("NFKD", str(name)).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    for suffix in CJK_LEGAL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    words = re.sub(r"[^\w]+", " ", text).split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    core = " ".join(words)
    if core in NO_COMPANY or len(core.replace(" ", "")) < 2:
        return None
    return core


def responder_keys(email=None, phone=None, company=None, country_phone_code=None):
    """The keys a responder is recognised by, strongest first: ``[("email", ...),
    ("phone", ...), ("company", ...)]`` for those they gave; a national phone number is
    read in the country of ``country_phone_code``."""
    keys = []
    for kind, value in (
        ("email", normalize_email(email)),
        ("phone", phone_key(phone, country_phone_code)),
        ("company", normalize_company(company)),
    ):
        if value:
            keys.append((kind, value))
    return keys


def group_responders(keys_list):
    """Responders of one batch that are the same person or company: the index of each
    one's group (the first index of the group), two responders sharing any key being in
    the same group, also through a third ("a@x" with phone 1, phone 1 with "b@x").

    ``keys_list`` holds one list of keys per responder; one without keys is alone.
    """
    parent = list(range(len(keys_list)))

    def root(index):
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    first_with_key = {}
    for index, keys in enumerate(keys_list):
        for key in keys:
            other = first_with_key.setdefault(key, index)
            if other != index:
                a, b = root(index), root(other)
                parent[max(a, b)] = min(a, b)
    return [root(index) for index in range(len(keys_list))]


def best_match(keys, found):
    """The record found for the strongest of ``keys``: ``found`` maps each key to the
    record holding it (or is missing it); ``None`` when none is found."""
    for key in keys:
        if key in found:
            return found[key]
    return None


def pick_assignee(assign_to, owner_id=None, campaign_user_id=None, team_leader_id=None, fallback_id=None):
    """Who follows a response up: by ``assign_to`` the salesperson of the lead or customer
    (``owner``), the campaign's responsible (``campaign``) or a sales team's leader
    (``team``); the rule's fallback user when that one is unknown; ``None`` for nobody."""
    chosen = {"owner": owner_id, "campaign": campaign_user_id, "team": team_leader_id}.get(assign_to)
    return chosen or fallback_id or None


def rule_matches(rule_kinds, rule_campaign_id, kind, campaign_id):
    """Whether a follow-up rule reacting to ``rule_kinds`` (and only to the campaign
    ``rule_campaign_id`` when it names one) applies to a response."""
    return kind in rule_kinds and (not rule_campaign_id or rule_campaign_id == campaign_id)


def clean_form(values):
    """The public form's values checked: ``(cleaned, errors)``, ``errors`` mapping a
    field to an error code. Only the known fields are read, as stripped text; a name and
    an email or a phone are required."""
    cleaned = {}
    for field in FORM_FIELDS:
        value = values.get(field)
        cleaned[field] = value.strip() if isinstance(value, str) else ""
    errors = {}
    limits = {
        "name": NAME_MAX_LENGTH,
        "email": EMAIL_MAX_LENGTH,
        "phone": PHONE_MAX_LENGTH,
        "company": COMPANY_MAX_LENGTH,
        "message": MESSAGE_MAX_LENGTH,
    }
    for field, limit in limits.items():
        if len(cleaned[field]) > limit:
            errors[field] = "too_long"
    if not cleaned["name"]:
        errors.setdefault("name", "required")
    if cleaned["email"] and "email" not in errors:
        email = normalize_email(cleaned["email"])
        if email:
            cleaned["email"] = email
        else:
            errors["email"] = "invalid"
    if (
        cleaned["phone"]
        and "phone" not in errors
        and (not PHONE_RE.match(cleaned["phone"]) or not phone_digits(cleaned["phone"]))
    ):
        errors["phone"] = "invalid"
    if not cleaned["email"] and not cleaned["phone"]:
        errors.setdefault("email", "contact_required")
    return cleaned, errors


def learning_line(date, kind_label, campaign, interest):
    """One line of what marketing learned of a customer, as sales and service read it:
    "2025-03-02 Click (Spring fair): pricing page"."""
    line = f"{date} {kind_label}"
    if campaign:
        line += f" ({campaign})"
    if interest:
        line += f": {' '.join(interest.split())}"
    return line


def positive_int(value, default):
    """A configuration parameter's text as a positive integer, else ``default``."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return default
    return number if number > 0 else default
