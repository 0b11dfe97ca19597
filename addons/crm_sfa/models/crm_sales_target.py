from collections import defaultdict
from datetime import date, datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, create_index

from ..lib import periods, targets

PERIOD_TYPES = [("annual", "Annual"), ("quarterly", "Quarterly"), ("monthly", "Monthly")]
LEVELS = [("company", "Branch"), ("team", "Sales Team"), ("user", "Salesperson")]
MEASURES = [("order", "Confirmed Orders"), ("invoice", "Invoiced"), ("payment", "Paid")]


class CrmSalesTarget(models.Model):
    """A sales target of a branch, a sales team or a salesperson for a year, quarter or month.

    The achieved amount is read in batch for all the targets at once (one grouped query
    per measure) and stored, so that the kanban, pivot and graph views read it like any
    column; the hourly cron and the *Refresh* button bring it up to date.
    """

    _name = "crm.sales.target"
    _description = "Sales Target"
    _inherit = ["crm.sfa.period.mixin", "crm.system.fields.mixin"]
    _order = "date_from desc, level, id desc"
    _check_company_auto = True
    _crm_system_fields = ("date_from", "date_to", "achieved_amount", "completion_rate", "achievement_date")

    name = fields.Char(compute="_compute_name", store=True, readonly=False, required=True, precompute=True)
    active = fields.Boolean(default=True)
    period_type = fields.Selection(PERIOD_TYPES, string="Period", required=True, default="monthly")
    # year, period_number, date_from, date_to, their compute and check: crm.sfa.period.mixin
    level = fields.Selection(LEVELS, required=True, default="user")
    company_id = fields.Many2one(
        "res.company", string="Branch", required=True, index=True, default=lambda self: self.env.company
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", index="btree_not_null", check_company=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index="btree_not_null",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    measure = fields.Selection(
        MEASURES,
        required=True,
        default="order",
        help="Confirmed orders: untaxed amount of confirmed sales orders by order date. "
        "Invoiced: untaxed amount of posted customer invoices and credit notes by invoice date. "
        "Paid: customer payments reconciled with those invoices by payment date (untaxed share).",
    )
    amount = fields.Monetary(string="Target", required=True, currency_field="currency_id")
    achieved_amount = fields.Monetary(
        string="Achieved",
        compute="_compute_achievement",
        store=True,
        currency_field="currency_id",
        help="Refreshed every hour and by the Refresh button, in the branch's currency.",
    )
    completion_rate = fields.Float(
        string="Completion (%)", compute="_compute_achievement", store=True, aggregator="avg"
    )
    achievement_date = fields.Datetime(string="Achievement Updated On", compute="_compute_achievement", store=True)

    _sql_constraints = [
        ("amount_positive", "CHECK (amount >= 0)", "A target amount cannot be negative."),
    ]

    def init(self):
        # the forecast report joins targets on their subject and dates
        create_index(
            self.env.cr,
            "crm_sales_target_level_dates_index",
            self._table,
            ["level", "company_id", "date_from", "date_to"],
            where="active",
        )

    @api.depends("period_type", "year", "period_number", "level", "company_id", "team_id", "user_id", "measure")
    def _compute_name(self):
        labels = dict(MEASURES)
        for target in self:
            subject = target._subject()
            target.name = " - ".join(
                part for part in (target._period_label(), labels.get(target.measure), subject.display_name) if part
            )

    @api.depends("measure", "amount", "level", "company_id", "team_id", "user_id", "date_from", "date_to")
    def _compute_achievement(self):
        # The figures are read as superuser (_achieved_amounts), so only for saved targets,
        # which the record rules let the user create and read. A new target (a form being
        # filled in, or onchange called over RPC) may name any subject and branch: it shows
        # nothing until it is saved.
        saved = self.filtered(lambda target: isinstance(target.id, int))
        achieved = saved._achieved_amounts()
        now = fields.Datetime.now()
        for target in self:
            target.achieved_amount = achieved.get(target.id, 0.0)
            target.completion_rate = targets.completion_rate(target.achieved_amount, target.amount)
            target.achievement_date = now if isinstance(target.id, int) else False

    @api.constrains("level", "team_id", "user_id")
    def _check_subject(self):
        for target in self:
            if target.level == "team" and not target.team_id:
                raise ValidationError(self.env._("Choose the sales team of the team target %s.", target.name))
            if target.level == "user" and not target.user_id:
                raise ValidationError(self.env._("Choose the salesperson of the target %s.", target.name))

    @api.constrains("level", "company_id", "team_id", "user_id", "period_type", "date_from", "date_to", "active")
    def _check_overlap(self):
        """One target per subject and period: a second one for overlapping dates is refused.

        An annual target and its quarterly or monthly split may coexist: only targets of
        the same period type are compared.
        """
        active = self.filtered(lambda t: t.active and t.date_from)
        if not active:
            return
        # sudo: the other target may be one the user cannot read (another department's);
        # only its name is shown.
        candidates = self.sudo().search(
            [
                ("id", "not in", active.ids),
                ("level", "in", active.mapped("level")),
                ("company_id", "in", active.company_id.ids),
                ("period_type", "in", active.mapped("period_type")),
                ("date_from", "<=", max(active.mapped("date_to"))),
                ("date_to", ">=", min(active.mapped("date_from"))),
            ]
        )
        by_subject = defaultdict(list)
        for other in candidates | active.sudo():
            by_subject[other._subject_key(), other.period_type].append(other)
        for target in active:
            for other in by_subject[target._subject_key(), target.period_type]:
                if other.id != target.id and periods.overlaps(
                    (target.date_from, target.date_to), (other.date_from, other.date_to)
                ):
                    raise ValidationError(
                        self.env._(
                            "The target %(target)s overlaps %(other)s, which covers the same %(level)s from %(start)s "
                            "to %(end)s. Change the period of one of them, or archive the other target.",
                            target=target.name,
                            other=other.name,
                            level=dict(LEVELS)[target.level].lower(),
                            start=other.date_from,
                            end=other.date_to,
                        )
                    )

    @api.onchange("level")
    def _onchange_level(self):
        if self.level != "team":
            self.team_id = False
        if self.level != "user":
            self.user_id = False

    @api.onchange("user_id")
    def _onchange_user_id(self):
        if self.user_id and self.company_id not in self.user_id.company_ids:
            self.company_id = self.user_id.company_id

    def action_refresh_achievement(self):
        """Read the achieved amounts again (the button of the form, list and kanban views):
        of the given targets, or of all the active targets the user may read."""
        # the figures are computed as superuser: only for targets the user may read
        self.check_access("read")
        targets_ = self or self.search([("active", "=", True)])
        targets_._refresh_achievement()
        return True

    @api.model
    def _cron_refresh_achievement(self):
        """Hourly: refresh the targets whose period is running or ended less than a month ago."""
        today = fields.Date.context_today(self)
        self.search(
            [("date_to", ">=", periods.add_months(today, -1)), ("date_from", "<=", today)]
        )._refresh_achievement()

    # business methods

    def _refresh_achievement(self):
        self.env.add_to_compute(self._fields["achieved_amount"], self)
        self._recompute_recordset(["achieved_amount", "completion_rate", "achievement_date"])

    def _subject(self):
        self.ensure_one()
        return {"company": self.company_id, "team": self.team_id, "user": self.user_id}.get(self.level)

    def _subject_key(self):
        self.ensure_one()
        return (self.level, self.company_id.id, self._subject().id)

    def _achieved_amounts(self):
        """``{target id: achieved amount in the target's currency}`` for all of ``self`` at once."""
        valid = self.filtered(lambda t: t.date_from and t.company_id and t._subject())
        if not valid:
            return {}
        # the companies of each branch target are the branch and its sub-companies
        tree = self.env["res.company"].sudo().search([("id", "child_of", valid.company_id.ids)])
        trees = {
            company: frozenset(c.id for c in tree if c.parent_path.startswith(company.sudo().parent_path))
            for company in valid.company_id
        }
        result = {}
        for (measure, currency), group in valid.grouped(lambda t: (t.measure, t.currency_id)).items():
            companies = frozenset().union(*(trees[company] for company in group.company_id))
            date_from, date_to = min(group.mapped("date_from")), max(group.mapped("date_to"))
            rows = getattr(self, f"_achievement_rows_{measure}")(companies, date_from, date_to, currency)
            specs = [
                targets.TargetSpec(
                    key=target.id,
                    level=target.level,
                    subject_id=target._subject().id,
                    company_ids=trees[target.company_id],
                    date_from=target.date_from,
                    date_to=target.date_to,
                )
                for target in group
            ]
            result.update(targets.achieved_amounts(specs, rows))
        return result

    def _achievement_rows_order(self, company_ids, date_from, date_to, currency):
        """Untaxed confirmed orders per company, team, salesperson and month, in ``currency``.

        Read from ``sale.report``, which converts every company's orders into the
        currency of the first active company.
        """
        companies = self.env["res.company"].browse(sorted(company_ids))
        first = companies.filtered(lambda c: c.currency_id == currency)[:1] or self.env.company
        # sudo: a target counts every order of its subject, including those the user
        # reading the target may not open; the target's own rules decide who reads it.
        Report = (
            self.env["sale.report"]
            .sudo()
            .with_context(allowed_company_ids=[first.id, *(companies - first).ids], tz="UTC")
        )
        groups = Report._read_group(
            [
                ("state", "in", Report._get_done_states()),
                ("company_id", "in", companies.ids),
                ("date", ">=", fields.Datetime.to_datetime(date_from)),
                ("date", "<", fields.Datetime.to_datetime(periods.add_months(date_to, 1))),
            ],
            ["company_id", "team_id", "user_id", "date:month"],
            ["price_subtotal:sum"],
        )
        converted = first.currency_id != currency
        return [
            (
                company.id,
                team.id,
                user.id,
                _as_date(month),
                first.currency_id._convert(amount, currency, first, month) if converted else amount,
            )
            for company, team, user, month, amount in groups
        ]

    def _achievement_rows_invoice(self, company_ids, date_from, date_to, currency):
        """Untaxed posted customer invoices minus credit notes, per company, team, salesperson and month."""
        # sudo: as for orders, the target counts every invoice of its subject.
        groups = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("company_id", "in", sorted(company_ids)),
                    ("invoice_date", ">=", date_from),
                    ("invoice_date", "<=", date_to),
                ],
                ["company_id", "team_id", "invoice_user_id", "invoice_date:month"],
                ["amount_untaxed_signed:sum"],
            )
        )
        return [
            (
                company.id,
                team.id,
                user.id,
                _as_date(month),
                _convert(company.currency_id, amount, currency, company, month),
            )
            for company, team, user, month, amount in groups
        ]

    def _achievement_rows_payment(self, company_ids, date_from, date_to, currency):
        """Customer payments reconciled with posted invoices, by payment date, untaxed share.

        A payment counts when its journal entry (a payment or a bank statement line, both
        of type *entry*) is reconciled with an invoice's receivable; credit notes set
        against an invoice are not payments. The untaxed share is the reconciled amount
        times untaxed / total of the invoice, so that the three measures compare.
        """
        rows = self.env.execute_query(
            SQL(
                """
                SELECT inv.company_id, inv.team_id, inv.invoice_user_id,
                       date_trunc('month', apr.max_date)::date AS month,
                       SUM(apr.amount * inv.amount_untaxed_signed / NULLIF(inv.amount_total_signed, 0))
                  FROM account_partial_reconcile apr
                  JOIN account_move_line inv_line ON inv_line.id = apr.debit_move_id
                  JOIN account_move inv ON inv.id = inv_line.move_id
                  JOIN account_move_line pay_line ON pay_line.id = apr.credit_move_id
                  JOIN account_move pay ON pay.id = pay_line.move_id
                 WHERE inv.move_type = 'out_invoice'
                   AND inv.state = 'posted'
                   AND pay.move_type = 'entry'
                   AND inv.company_id IN %s
                   AND apr.max_date BETWEEN %s AND %s
                 GROUP BY 1, 2, 3, 4
                """,
                tuple(company_ids),
                date_from,
                date_to,
            )
        )
        companies = self.env["res.company"].browse({row[0] for row in rows})
        currencies = {company.id: company for company in companies}
        return [
            (
                company_id,
                team_id,
                user_id,
                month,
                _convert(currencies[company_id].currency_id, amount or 0.0, currency, currencies[company_id], month),
            )
            for company_id, team_id, user_id, month, amount in rows
        ]


def _as_date(value):
    return value.date() if isinstance(value, datetime) else value


def _convert(from_currency, amount, to_currency, company, day):
    if from_currency == to_currency or not amount:
        return amount
    return from_currency._convert(amount, to_currency, company, day if isinstance(day, date) else fields.Date.today())
