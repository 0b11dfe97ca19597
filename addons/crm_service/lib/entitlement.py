"""What a case is entitled to, and whether its charge needs a credit check.

Nothing here reads the database: the case gathers its type, contract and asset and asks.
"""

FREE = "free"
WARRANTY = "warranty"
CONTRACT = "contract"
UNCOVERED = "uncovered"


def coverage(paid, day, contract=None, asset=None):
    """How the work on a case is paid for on ``day``.

    :param paid: the case's type is a paid service
    :param contract: ``None``, or ``(date_start, date_end or None, covered product ids)``
        of the customer's active contract (no products: it covers everything)
    :param asset: ``None``, or ``(product id, warranty end date or None)`` of the asset
    :returns: :data:`FREE` (nothing to charge), :data:`WARRANTY` (the asset's warranty
        covers it), :data:`CONTRACT` (the contract covers it) or :data:`UNCOVERED`
        (charged: the customer's credit is checked before the work is scheduled)
    """
    if not paid:
        return FREE
    product = asset[0] if asset else None
    if asset and asset[1] and day <= asset[1]:
        return WARRANTY
    if contract:
        start, end, products = contract
        in_force = start <= day and (end is None or day <= end)
        if in_force and (not products or product in products):
            return CONTRACT
    return UNCOVERED
