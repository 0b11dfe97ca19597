"""Receivables rules on plain numbers: what is overdue, days overdue, alerts and the credit block.

Nothing here reads the database: the ORM layer (``account.move.line._crm_sfa_open_receivables``,
then ``res.partner``, ``sale.order``) gathers the open receivable lines and the
customer's figures in the company currency and asks these functions what to do with them.

**Overdue**, for the whole suite, is crm_workflow's :func:`~odoo.addons.crm_workflow.lib.receivables.is_overdue`
(imported here with the other shared rules): a receivable line past its maturity date with
something left to pay.
"""

from dataclasses import dataclass

from odoo.addons.crm_workflow.lib.receivables import (  # noqa: F401 (the shared rules, used through this module)
    Receivable,
    days_overdue,
    is_overdue,
    summarize,
)


def alert_due(overdue_days, alert_days):
    """Whether an invoice overdue for ``overdue_days`` calls for an alert.

    ``alert_days`` is the company's threshold; 0 (or less) switches the alert off.
    An invoice is "overdue more than N days" from day N + 1 on.
    """
    return alert_days > 0 and overdue_days > alert_days


@dataclass(frozen=True)
class CreditDecision:
    """What the credit check says about confirming an order.

    ``exposure`` is what the customer would owe with this order (open receivable +
    confirmed orders not invoiced yet + this order); ``excess`` how far that goes beyond
    the credit limit (0 when within it or no limit).
    """

    exposure: float
    excess: float
    over_credit_limit: bool
    over_overdue_limit: bool

    @property
    def blocked(self):
        return self.over_credit_limit or self.over_overdue_limit


def credit_decision(
    receivable,
    order_amount,
    credit_limit=0.0,
    credit_limit_enabled=False,
    overdue_days=0,
    block_overdue_days=0,
    rounding=0.01,
    uninvoiced=0.0,
):
    """Decide whether an order may be confirmed for a customer.

    :param receivable: what the customer owes now (posted, unpaid; credit notes and
        unreconciled payments lower it)
    :param order_amount: the total of the order to confirm, same currency
    :param credit_limit: the customer's credit limit; 0 means no limit
    :param credit_limit_enabled: the company checks credit limits at all
    :param overdue_days: days overdue of the customer's oldest overdue instalment
    :param block_overdue_days: block beyond this many days overdue; 0 switches it off
    :param rounding: amounts closer than half of it count as equal
    :param uninvoiced: what the customer's confirmed orders still have to invoice
    """
    exposure = (receivable or 0.0) + (uninvoiced or 0.0) + (order_amount or 0.0)
    excess = 0.0
    over_credit_limit = False
    if credit_limit_enabled and credit_limit and credit_limit > 0:
        difference = exposure - credit_limit
        if difference > rounding / 2:
            over_credit_limit = True
            excess = difference
    over_overdue_limit = block_overdue_days > 0 and overdue_days > block_overdue_days
    return CreditDecision(
        exposure=exposure,
        excess=excess,
        over_credit_limit=over_credit_limit,
        over_overdue_limit=over_overdue_limit,
    )
