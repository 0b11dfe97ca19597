"""Conditions that users write (start conditions, transition and event-rule conditions,
assignment domains) and lists of record ids: data, never code.

A condition is read as a Python *literal* (lists, tuples, strings, numbers, booleans,
``None``), with a few names standing for values known only when the condition is used
(``uid``: the user the condition is evaluated for). Nothing is evaluated: an expression,
a call or an attribute is refused with a message naming it. The stored text is the
normalised literal (``format``), which Odoo's own evaluation of domains (automation
rules) reads to the same domain.
"""

import ast

from odoo.osv import expression

# Names a condition may use, and what they stand for when it is evaluated.
NAMES = ("uid",)
MAX_LENGTH = 20000
MAX_IDS = 10000


class Placeholder:
    """A name of ``NAMES`` inside a parsed condition, written back as the bare name."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name

    def __eq__(self, other):
        return isinstance(other, Placeholder) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


class ConditionError(ValueError):
    """The text is not a literal domain (or id list); the message says why, in English
    words the caller wraps in its own translated sentence."""


def parse(text):
    """The normalised domain that ``text`` writes, names kept as :class:`Placeholder`.

    Empty text is the empty domain. Raises :class:`ConditionError`.
    """
    value = _literal(text or "[]")
    if not isinstance(value, list | tuple):
        raise ConditionError(f"a condition is a list of criteria, not {type(value).__name__}")
    domain = []
    for element in value:
        if element in expression.DOMAIN_OPERATORS:
            domain.append(element)
            continue
        if not isinstance(element, list | tuple) or len(element) != 3:
            raise ConditionError(f"{element!r} is not a criterion (field, operator, value)")
        left, operator, right = element
        if element not in (expression.TRUE_LEAF, expression.FALSE_LEAF):
            if not isinstance(left, str) or not left:
                raise ConditionError(f"{left!r} is not a field name")
            if operator not in expression.TERM_OPERATORS:
                raise ConditionError(f"{operator!r} is not an operator")
        domain.append((left, operator, list(right) if isinstance(right, tuple) else right))
    try:
        domain = expression.normalize_domain(domain)
    except (AssertionError, ValueError, IndexError) as error:
        raise ConditionError(f"the criteria and the operators '&', '|', '!' do not match ({error})") from error
    # the empty condition is the empty list, whatever normalize_domain makes of it
    return [] if domain == [expression.TRUE_LEAF] else domain


def evaluate(text, **values):
    """The domain of ``text`` with its names replaced by ``values`` (``uid=...``)."""
    return substitute(parse(text), values)


def substitute(domain, values):
    missing = _names(domain) - set(values)
    if missing:
        raise ConditionError(f"no value for {', '.join(sorted(missing))}")
    return [_substitute(element, values) for element in domain]


def format(domain):
    """The text to store for a parsed domain: its normalised literal."""
    if not domain:
        return "[]"
    return repr([tuple(element) if isinstance(element, list | tuple) else element for element in domain])


def normalise(text):
    """Parse ``text`` and return the text to store; raises :class:`ConditionError`."""
    return format(parse(text))


def parse_ids(text):
    """The record ids of a text such as ``[1, 2, 3]``; raises :class:`ConditionError`."""
    value = _literal(text or "[]")
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple) or not all(
        isinstance(item, int) and not isinstance(item, bool) and item > 0 for item in value
    ):
        raise ConditionError("record ids are a list of positive whole numbers")
    if len(value) > MAX_IDS:
        raise ConditionError(f"at most {MAX_IDS} records at once")
    return list(dict.fromkeys(value))


def _literal(text):
    if not isinstance(text, str):
        raise ConditionError(f"{type(text).__name__} is not a text")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ConditionError(f"not a literal ({error.msg})") from error
    return _value(tree.body)


def _value(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool | type(None)):
        return node.value
    if isinstance(node, ast.List):
        return [_value(element) for element in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_value(element) for element in node.elts)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int | float)
        and not isinstance(node.operand.value, bool)
    ):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, ast.Name) and node.id in NAMES:
        return Placeholder(node.id)
    raise ConditionError(f"{ast.unparse(node)} is not a value (only literals and {', '.join(NAMES)} are allowed)")


def _names(value):
    if isinstance(value, Placeholder):
        return {value.name}
    if isinstance(value, list | tuple):
        return set().union(*(_names(item) for item in value))
    return set()


def _substitute(value, values):
    if isinstance(value, Placeholder):
        return values[value.name]
    if isinstance(value, list):
        return [_substitute(item, values) for item in value]
    if isinstance(value, tuple):
        return tuple(_substitute(item, values) for item in value)
    return value
