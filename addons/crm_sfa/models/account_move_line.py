from odoo import api, fields, models

from ..lib import receivables


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model
    def _crm_sfa_open_receivables(self, company, domain=(), by="partner", today=None):
        """The open receivables of ``company``'s group, read in one batch: ``{key: receivables.Receivable}``.

        The suite's one reading of receivables, for the customer overview, the overdue
        alert, the credit check and, later, decision support: the posted, unreconciled
        lines of receivable accounts of the company and its branches (``domain`` narrows
        them), summed per commercial partner (``by="partner"``) or per journal entry
        (``by="move"``) by :func:`..lib.receivables.summarize`, which applies the one
        definition of overdue (:func:`..lib.receivables.is_overdue`: a line past its
        maturity date with a residual, so each instalment of an invoice counts on its
        own). Amounts are residuals in the company currency.

        Read as superuser: a customer's balance covers every salesperson's invoices, which
        the department rules on journal items hide; callers show the figures only for
        partners the user may read (or to crons).
        """
        # sudo: the receivable is a figure of the customer, not a document (see the docstring)
        lines = self.sudo().search_fetch(
            [
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("company_id", "child_of", company.root_id.id),
                *domain,
            ],
            ["partner_id", "move_id", "date_maturity", "amount_residual"],
        )
        if by == "partner":
            rows = ((line.partner_id.commercial_partner_id.id, line) for line in lines)
        elif by == "move":
            rows = ((line.move_id.id, line) for line in lines)
        else:
            raise ValueError(f"receivables are summed by partner or move, not {by!r}")
        return receivables.summarize(
            ((key, line.date_maturity, line.amount_residual) for key, line in rows),
            today or fields.Date.context_today(self),
        )
