import threading
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.crm_dss.lib.scope import EXECUTIVE, MANAGER, Scope
from odoo.addons.crm_workflow.lib.receivables import AGEING_BUCKETS, ageing_bucket, days_overdue, is_overdue
from odoo.addons.crm_workflow.tests.common import call_kw, run_in_transaction

from .common import CrmDssCommon

INCOME_AND_EXPENSES = ("income", "income_other", "expense", "expense_depreciation", "expense_direct_cost")


def expected_receivables(env, company_ids, today, user_ids=None):
    """The open receivables read from the journal items themselves, by the suite's rule in Python."""
    domain = [
        ("account_id.account_type", "=", "asset_receivable"),
        ("parent_state", "=", "posted"),
        ("reconciled", "=", False),
        ("company_id", "in", list(company_ids)),
    ]
    if user_ids is not None:
        domain.append(("move_id.invoice_user_id", "in", list(user_ids)))
    figures = {}
    for line in env["account.move.line"].sudo().search(domain):
        values = figures.setdefault(
            line.company_id.id,
            {"outstanding": 0.0, "overdue": 0.0, "count": 0, **{key: 0.0 for key, _f, _l in AGEING_BUCKETS}},
        )
        values["outstanding"] += line.amount_residual
        values["count"] += 1
        if is_overdue(line.date_maturity, line.amount_residual, today):
            values["overdue"] += line.amount_residual
            values[ageing_bucket(days_overdue(line.date_maturity, today))] += line.amount_residual
    return figures


def expected_balances(env, company_ids, start, end):
    """``{(company, account type): balance}`` of the posted items dated in ``[start, end]``."""
    groups = (
        env["account.move.line"]
        .sudo()
        ._read_group(
            [
                ("parent_state", "=", "posted"),
                ("company_id", "in", list(company_ids)),
                ("account_id.account_type", "in", list(INCOME_AND_EXPENSES)),
                ("date", ">=", start),
                ("date", "<=", end),
            ],
            ["company_id", "account_id"],
            ["balance:sum"],
        )
    )
    totals = defaultdict(float)
    for company, account, balance in groups:
        totals[company.id, account.account_type] += balance
    return {key: round(value, 2) for key, value in totals.items() if round(value, 2)}


def ledger_balances(env, company_ids, start, end, user_ids=None):
    rows = env["crm.dss.ledger"]._crm_dss_monthly_balances(
        company_ids, user_ids, INCOME_AND_EXPENSES, (start, end), (start, end)
    )
    totals = defaultdict(float)
    for company_id, _month, account_type, _balance, in_period in rows:
        totals[company_id, account_type] += in_period
    return {key: round(value, 2) for key, value in totals.items() if round(value, 2)}


def rounded(figures):
    return {key: {name: round(value, 2) for name, value in values.items()} for key, values in figures.items()}


@tagged("post_install", "-at_install")
class TestLedger(CrmDssCommon):
    """The ledger's running totals equal the journal items through an invoice's life:
    posted, paid in part and in full, reset to draft, handed to another salesperson,
    credited, deleted; before and after the cron folds them."""

    def setUp(self):
        super().setUp()
        self.today = fields.Date.context_today(self.customer)
        self.company_ids = tuple(self.companies.ids)
        self.Ledger = self.env["crm.dss.ledger"]

    def _assert_matches(self, message):
        scope = Scope(level=EXECUTIVE, company_ids=self.company_ids)
        receivables = self.env["account.move.line"]._crm_dss_receivables(scope, today=self.today)
        self.assertEqual(
            rounded(receivables), rounded(expected_receivables(self.env, self.company_ids, self.today)), message
        )
        department = tuple(self.department_salespeople.ids)
        by_department = self.env["account.move.line"]._crm_dss_receivables(
            Scope(
                level=MANAGER, company_ids=self.company_ids, department_ids=(self.department.id,), user_ids=department
            ),
            today=self.today,
        )
        self.assertEqual(
            rounded(by_department),
            rounded(expected_receivables(self.env, self.company_ids, self.today, department)),
            f"{message} (the department's salespeople)",
        )
        start, end = self.today - relativedelta(years=1), self.today + relativedelta(months=1)
        self.assertEqual(
            ledger_balances(self.env, self.company_ids, start, end),
            expected_balances(self.env, self.company_ids, start, end),
            f"{message} (income and expenses)",
        )

    def _pending(self):
        self.env.cr.execute("SELECT COUNT(*) FROM crm_dss_ledger WHERE NOT compacted")
        return self.env.cr.fetchone()[0]

    def test_totals_follow_an_invoice_through_its_life(self):
        self._assert_matches("the fixtures, as installed")
        invoice = self._post_invoice(
            self.sales_a,
            1200.0,
            invoice_date=self.today - timedelta(days=75),
            invoice_date_due=self.today - timedelta(days=45),
        )
        self._assert_matches("a posted invoice 45 days overdue")
        self._register_payment(invoice, 200.0)
        self._assert_matches("paid in part")
        invoice.invoice_user_id = self.sales_other
        self._assert_matches("handed to another salesperson once posted")
        invoice.button_draft()
        self._assert_matches("reset to draft, its payment unreconciled")
        invoice.action_post()
        self._assert_matches("posted again")
        self._register_payment(invoice, invoice.amount_residual)
        self._assert_matches("paid in full")
        refund = self._post_invoice(self.sales_b, 80.0, move_type="out_refund", invoice_date=self.today)
        self._assert_matches("a credit note")
        draft = self._create_invoice(self.sales_a, 40.0, self.company)
        draft.action_post()
        draft.button_draft()
        draft.unlink()
        refund.button_draft()
        self._assert_matches("a draft posted, reset and deleted; the credit note reset")

        self.assertGreater(self._pending(), 0)
        self.env.cr.execute("SELECT COUNT(*) FROM crm_dss_ledger")
        before = self.env.cr.fetchone()[0]
        self.Ledger._cron_compact()
        self.assertEqual(self._pending(), 0, "the cron folds every pending row")
        self.env.cr.execute("SELECT COUNT(*) FROM crm_dss_ledger")
        self.assertLess(self.env.cr.fetchone()[0], before)
        self._assert_matches("folded")
        self.Ledger._cron_compact()
        self._assert_matches("folded twice")

    def test_salesperson_of_a_posted_invoice_moves_its_figures(self):
        invoice = self._post_invoice(self.sales_a, 600.0, invoice_date=self.today, invoice_date_due=self.today)
        Lines = self.env["account.move.line"]
        scope = Scope(level=EXECUTIVE, company_ids=self.company_ids)
        before = Lines._crm_dss_receivables(scope, today=self.today, group_by="user")
        invoice.invoice_user_id = False
        after = Lines._crm_dss_receivables(scope, today=self.today, group_by="user")
        self.assertAlmostEqual(after[self.sales_a.id]["outstanding"], before[self.sales_a.id]["outstanding"] - 600.0)
        self.assertAlmostEqual(after[None]["outstanding"], 600.0, msg="an invoice without salesperson")

    def test_totals_read_in_constant_queries(self):
        scope = Scope(level=EXECUTIVE, company_ids=self.company_ids)
        Lines = self.env["account.move.line"]
        Lines._crm_dss_receivables(scope, today=self.today)
        with self.assertQueryCount(1):
            Lines._crm_dss_receivables(scope, today=self.today)
        with self.assertQueryCount(2):
            self.Ledger._cron_compact()

    def test_the_ledger_has_no_door_over_rpc(self):
        """The table is no ORM model; its methods are private, refused to any caller over RPC."""
        for method in ("_cron_compact", "_crm_dss_open_receivables", "_crm_dss_monthly_balances"):
            with self.assertRaises(AccessError):
                call_kw(self.executive, "crm.dss.ledger", method)


@tagged("post_install", "-at_install")
class TestLedgerConcurrency(BaseCase):
    """Two workers post invoices while the cron folds the ledger, three transactions at
    once: nothing waits on a lock, nothing is lost or counted twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            cls.partner_id = env["res.partner"].create({"name": "Ledger race customer"}).id
            income = (
                env["account.journal"]
                .search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
                .default_account_id
            )
            # a journal each: posting locks the journal's sequence, which would order the workers
            cls.journal_ids = (
                env["account.journal"]
                .create(
                    [
                        {
                            "name": f"Ledger race {index}",
                            "code": f"LRC{index}",
                            "type": "sale",
                            "company_id": company.id,
                            "default_account_id": income.id,
                        }
                        for index in (1, 2)
                    ]
                )
                .ids
            )
            cls.company_id = company.id
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            moves = env["account.move"].search([("partner_id", "=", cls.partner_id)])
            moves.button_draft()
            moves.unlink()
            env["account.journal"].browse(cls.journal_ids).unlink()
            env["res.partner"].browse(cls.partner_id).unlink()

    def _post(self, journal_id, amounts):
        def body(env):
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.partner_id,
                        "journal_id": journal_id,
                        "invoice_date": fields.Date.today(),
                        "invoice_line_ids": [
                            Command.create({"name": "Race", "quantity": 1.0, "price_unit": amount, "tax_ids": []})
                        ],
                    }
                    for amount in amounts
                ]
            )
            moves.action_post()
            env.flush_all()
            self.posted.wait(10)
            # still uncommitted: the cron must fold around these rows, not wait for them
            self.folded_meanwhile.append(self.folded.wait(10))

        run_in_transaction(self.registry, SUPERUSER_ID, body, retry=False)

    def _compact(self):
        def body(env):
            self.posted.wait(10)
            env["crm.dss.ledger"]._cron_compact()

        run_in_transaction(self.registry, SUPERUSER_ID, body, retry=False)
        self.folded.set()

    def _figures(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            today = fields.Date.today()
            ledger = env["account.move.line"]._crm_dss_receivables(
                Scope(level=EXECUTIVE, company_ids=(self.company_id,)), today=today
            )
            return rounded(ledger), rounded(expected_receivables(env, (self.company_id,), today))

    def test_two_workers_post_while_the_cron_folds(self):
        self.posted, self.folded, self.folded_meanwhile = threading.Barrier(3), threading.Event(), []
        threads = [
            threading.Thread(target=self._post, args=(self.journal_ids[0], [100.0, 200.0])),
            threading.Thread(target=self._post, args=(self.journal_ids[1], [300.0])),
            threading.Thread(target=self._compact),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(self.folded_meanwhile, [True, True], "the cron folded while both workers held their rows")
        ledger, expected = self._figures()
        self.assertEqual(ledger, expected)
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["crm.dss.ledger"]._cron_compact()
        ledger, expected = self._figures()
        self.assertEqual(ledger, expected, "folded after the workers committed")
