from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_workflow.lib.receivables import AGEING_BUCKETS, overdue_condition


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model
    def _crm_dss_receivables(self, scope, today=None, group_by="company", partner_ids=None):
        """Open receivables of ``scope`` in one grouped query, in company currency.

        ``{key: {"outstanding", "overdue", "1_30", "31_60", "61_90", "91_plus", "count"}}``
        with ``key`` the company id (``group_by="company"``), the salesperson's user id
        (``"user"``) or the commercial partner id (``"partner"``). Outstanding is every
        posted, unreconciled receivable line (credit notes and unreconciled payments lower
        it); overdue and the ageing buckets follow the suite's one rule
        (``crm_workflow.lib.receivables``). A department scope counts the invoices of its
        salespeople (``invoice_user_id``); ``partner_ids`` keeps the lines of those
        partners only (a customer's dossier).

        Read in SQL as superuser: the figures cover every document of the scope, whatever
        the reader may open. Companies and salespeople are read from the running totals
        of ``crm.dss.ledger`` (a cost that does not grow with the ledger), a customer's
        lines from the journal items over the partial index on open receivable lines.
        """
        today = today or fields.Date.context_today(self)
        keys = {
            "company": SQL("aml.company_id"),
            "user": SQL("am.invoice_user_id"),
            "partner": SQL("aml.partner_id"),
        }
        if group_by not in keys:
            raise ValueError(f"receivables are grouped by company, user or partner, not {group_by!r}")
        if not scope.company_ids or (scope.user_ids is not None and not scope.user_ids):
            return {}
        names = ["outstanding", "overdue", *(key for key, _first, _last in AGEING_BUCKETS), "count"]
        if group_by != "partner" and partner_ids is None:
            rows = self.env["crm.dss.ledger"]._crm_dss_open_receivables(
                scope.company_ids,
                scope.user_ids,
                today,
                [(first, last) for _key, first, last in AGEING_BUCKETS],
                group_by=group_by,
            )
            # the ledger's salesperson 0 is an invoice without one
            return {row[0] or None: dict(zip(names, row[1:], strict=True)) for row in rows}
        overdue = overdue_condition("aml", today)
        days = SQL("(%s - aml.date_maturity)", today)
        buckets = [
            SQL(
                "COALESCE(SUM(aml.amount_residual) FILTER (WHERE %s AND %s >= %s AND (%s IS NULL OR %s <= %s)), 0)",
                overdue,
                days,
                first,
                last,
                days,
                last,
            )
            for _key, first, last in AGEING_BUCKETS
        ]
        user_filter = (
            SQL("AND am.invoice_user_id IN %s", tuple(scope.user_ids)) if scope.user_ids is not None else SQL()
        )
        if partner_ids is not None:
            if not partner_ids:
                return {}
            user_filter = SQL("%s AND aml.partner_id IN %s", user_filter, tuple(partner_ids))
        # the SQL reads what the ORM may still hold in memory (a payment just reconciled)
        self.flush_model(
            [
                "account_id",
                "amount_residual",
                "company_id",
                "date_maturity",
                "move_id",
                "parent_state",
                "partner_id",
                "reconciled",
            ]
        )
        self.env["account.move"].flush_model(["invoice_user_id"])
        self.env["account.account"].flush_model(["account_type"])
        self.env.cr.execute(
            SQL(
                """
                SELECT %(key)s,
                       COALESCE(SUM(aml.amount_residual), 0),
                       COALESCE(SUM(aml.amount_residual) FILTER (WHERE %(overdue)s), 0),
                       %(buckets)s,
                       COUNT(*)
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND (aml.reconciled IS NULL OR aml.reconciled = false OR aml.reconciled IS NOT true)
                   AND aml.company_id IN %(companies)s
                   %(user_filter)s
              GROUP BY 1
                """,
                key=keys[group_by],
                overdue=overdue,
                buckets=SQL(", ").join(buckets),
                companies=tuple(scope.company_ids),
                user_filter=user_filter,
            )
        )
        return {row[0]: dict(zip(names, row[1:], strict=True)) for row in self.env.cr.fetchall()}
