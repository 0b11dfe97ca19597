"""Phone numbers as the call centre and the status page compare them.

A customer gives their number in many shapes (``+86 138 0013 8000``, ``0138-0013-8000``,
``13800138000``): the same number is the same last digits, whatever the prefix.
"""

KEY_DIGITS = 8
MIN_DIGITS = 6


def lookup_key(number):
    """The last :data:`KEY_DIGITS` digits of ``number``, or ``""`` when it has fewer than
    :data:`MIN_DIGITS` digits (not a number one can look a case up by)."""
    digits = "".join(char for char in str(number or "") if char.isdigit())
    if len(digits) < MIN_DIGITS:
        return ""
    return digits[-KEY_DIGITS:]
