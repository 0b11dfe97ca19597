from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL

#: Key of the advisory lock that keeps one compaction at a time.
COMPACTION_LOCK = 7_117_001
#: The table of running totals, the triggers that append to it and their functions.
#: An open item without a due date has the day ``infinity``: it never falls due.
DDL = """
CREATE TABLE IF NOT EXISTS crm_dss_ledger (
    id bigserial PRIMARY KEY,
    kind varchar NOT NULL,
    company_id integer NOT NULL,
    account_id integer NOT NULL,
    user_id integer NOT NULL,
    day date NOT NULL,
    balance numeric NOT NULL DEFAULT 0,
    residual numeric NOT NULL DEFAULT 0,
    residual_due numeric NOT NULL DEFAULT 0,
    open_count integer NOT NULL DEFAULT 0,
    compacted boolean NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS crm_dss_ledger_key_index ON crm_dss_ledger (kind, company_id, account_id, user_id, day);
CREATE INDEX IF NOT EXISTS crm_dss_ledger_pending_index ON crm_dss_ledger (id) WHERE NOT compacted;

CREATE OR REPLACE FUNCTION crm_dss_ledger_track_line() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    salesperson integer;
    balance_moved boolean := TG_OP <> 'UPDATE'
        OR (OLD.parent_state, OLD.company_id, OLD.account_id, OLD.move_id, OLD.date, OLD.balance)
           IS DISTINCT FROM (NEW.parent_state, NEW.company_id, NEW.account_id, NEW.move_id, NEW.date, NEW.balance);
    open_moved boolean := TG_OP <> 'UPDATE'
        OR (OLD.parent_state, OLD.company_id, OLD.account_id, OLD.move_id, OLD.date_maturity,
            OLD.amount_residual, OLD.reconciled IS TRUE)
           IS DISTINCT FROM (NEW.parent_state, NEW.company_id, NEW.account_id, NEW.move_id, NEW.date_maturity,
                             NEW.amount_residual, NEW.reconciled IS TRUE);
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.parent_state = 'posted' AND (balance_moved OR open_moved) THEN
        SELECT COALESCE(invoice_user_id, 0) INTO salesperson FROM account_move WHERE id = OLD.move_id;
        IF balance_moved THEN
            INSERT INTO crm_dss_ledger (kind, company_id, account_id, user_id, day, balance)
            VALUES ('balance', OLD.company_id, OLD.account_id, COALESCE(salesperson, 0), OLD.date, -OLD.balance);
        END IF;
        IF open_moved AND OLD.reconciled IS NOT TRUE THEN
            INSERT INTO crm_dss_ledger (kind, company_id, account_id, user_id, day, residual, residual_due, open_count)
            VALUES ('open', OLD.company_id, OLD.account_id, COALESCE(salesperson, 0),
                    COALESCE(OLD.date_maturity, 'infinity'), -OLD.amount_residual,
                    -GREATEST(OLD.amount_residual, 0), -1);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.parent_state = 'posted' AND (balance_moved OR open_moved) THEN
        SELECT COALESCE(invoice_user_id, 0) INTO salesperson FROM account_move WHERE id = NEW.move_id;
        IF balance_moved THEN
            INSERT INTO crm_dss_ledger (kind, company_id, account_id, user_id, day, balance)
            VALUES ('balance', NEW.company_id, NEW.account_id, COALESCE(salesperson, 0), NEW.date, NEW.balance);
        END IF;
        IF open_moved AND NEW.reconciled IS NOT TRUE THEN
            INSERT INTO crm_dss_ledger (kind, company_id, account_id, user_id, day, residual, residual_due, open_count)
            VALUES ('open', NEW.company_id, NEW.account_id, COALESCE(salesperson, 0),
                    COALESCE(NEW.date_maturity, 'infinity'), NEW.amount_residual,
                    GREATEST(NEW.amount_residual, 0), 1);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION crm_dss_ledger_track_salesperson() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO crm_dss_ledger (kind, company_id, account_id, user_id, day, balance, residual, residual_due, open_count)
    SELECT 'balance', line.company_id, line.account_id, side.user_id, line.date, side.sign * line.balance, 0, 0, 0
      FROM account_move_line line,
           (VALUES (COALESCE(OLD.invoice_user_id, 0), -1), (COALESCE(NEW.invoice_user_id, 0), 1)) side(user_id, sign)
     WHERE line.move_id = NEW.id AND line.parent_state = 'posted'
    UNION ALL
    SELECT 'open', line.company_id, line.account_id, side.user_id, COALESCE(line.date_maturity, 'infinity'),
           0, side.sign * line.amount_residual, side.sign * GREATEST(line.amount_residual, 0), side.sign
      FROM account_move_line line,
           (VALUES (COALESCE(OLD.invoice_user_id, 0), -1), (COALESCE(NEW.invoice_user_id, 0), 1)) side(user_id, sign)
     WHERE line.move_id = NEW.id AND line.parent_state = 'posted' AND line.reconciled IS NOT TRUE;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS crm_dss_ledger_line_trigger ON account_move_line;
CREATE TRIGGER crm_dss_ledger_line_trigger
    AFTER INSERT OR DELETE
       OR UPDATE OF parent_state, company_id, account_id, move_id, date, date_maturity, balance, amount_residual,
                    reconciled
    ON account_move_line FOR EACH ROW EXECUTE FUNCTION crm_dss_ledger_track_line();
DROP TRIGGER IF EXISTS crm_dss_ledger_move_trigger ON account_move;
CREATE TRIGGER crm_dss_ledger_move_trigger
    AFTER UPDATE OF invoice_user_id ON account_move FOR EACH ROW
    WHEN (OLD.invoice_user_id IS DISTINCT FROM NEW.invoice_user_id)
    EXECUTE FUNCTION crm_dss_ledger_track_salesperson();
"""

#: The totals of the posted journal items as they stand, one row per key.
REBUILD = """
INSERT INTO crm_dss_ledger (kind, company_id, account_id, user_id, day, balance, residual, residual_due, open_count,
                     compacted)
SELECT 'balance', line.company_id, line.account_id, COALESCE(move.invoice_user_id, 0), line.date,
       SUM(line.balance), 0, 0, 0, TRUE
  FROM account_move_line line
  JOIN account_move move ON move.id = line.move_id
 WHERE line.parent_state = 'posted'
 GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT 'open', line.company_id, line.account_id, COALESCE(move.invoice_user_id, 0),
       COALESCE(line.date_maturity, 'infinity'), 0, SUM(line.amount_residual),
       SUM(GREATEST(line.amount_residual, 0)), COUNT(*), TRUE
  FROM account_move_line line
  JOIN account_move move ON move.id = line.move_id
 WHERE line.parent_state = 'posted' AND line.reconciled IS NOT TRUE
 GROUP BY 1, 2, 3, 4, 5
"""

#: Fold the pending rows of each key they touch, with its compacted row, into one row
#: (none when it sums to nothing). Rows committed meanwhile stay pending for next time.
COMPACT = """
WITH touched AS (
    SELECT DISTINCT kind, company_id, account_id, user_id, day FROM crm_dss_ledger WHERE NOT compacted
), folded AS (
    DELETE FROM crm_dss_ledger ledger
     USING touched
     WHERE (ledger.kind, ledger.company_id, ledger.account_id, ledger.user_id, ledger.day)
         = (touched.kind, touched.company_id, touched.account_id, touched.user_id, touched.day)
 RETURNING ledger.kind, ledger.company_id, ledger.account_id, ledger.user_id, ledger.day,
           ledger.balance, ledger.residual, ledger.residual_due, ledger.open_count
)
INSERT INTO crm_dss_ledger (kind, company_id, account_id, user_id, day, balance, residual, residual_due, open_count,
                     compacted)
SELECT kind, company_id, account_id, user_id, day,
       SUM(balance), SUM(residual), SUM(residual_due), SUM(open_count), TRUE
  FROM folded
 GROUP BY 1, 2, 3, 4, 5
HAVING SUM(balance) <> 0 OR SUM(residual) <> 0 OR SUM(residual_due) <> 0 OR SUM(open_count) <> 0
"""

#: The columns the open receivables are grouped by, per ``group_by``.
GROUP_KEYS = {
    "company": SQL("ledger.company_id"),
    "user": SQL("ledger.user_id"),
    "company_user": SQL("ledger.company_id, ledger.user_id"),
}

UNINSTALL = """
DROP TRIGGER IF EXISTS crm_dss_ledger_line_trigger ON account_move_line;
DROP TRIGGER IF EXISTS crm_dss_ledger_move_trigger ON account_move;
DROP FUNCTION IF EXISTS crm_dss_ledger_track_line();
DROP FUNCTION IF EXISTS crm_dss_ledger_track_salesperson();
DROP TABLE IF EXISTS crm_dss_ledger;
"""


class CrmDssLedger(models.AbstractModel):
    """Running totals of the posted journal items, kept by PostgreSQL triggers.

    The executive dashboard reads income, expenses and open receivables of whole
    companies; summing the journal items at each request grows with the ledger. The
    table ``crm_dss_ledger`` holds the same sums per company, account, salesperson
    (the invoice's) and day: ``balance`` rows per accounting date, ``open`` rows
    (residual, residual of the lines owed to us, open line count) per due date.
    Triggers on ``account_move_line`` and on the salesperson of ``account_move``
    append a signed row for every change, whatever makes it (the ORM, a
    reconciliation, an import in SQL): writers only insert, so two workers posting at
    once never wait on each other. A cron folds those rows per key
    (:meth:`_cron_compact`); a reader sums both, so figures are exact at any time.

    The table is not an ORM model: no user reads it but the dashboard's superuser
    SQL, and it is created here and dropped by the add-on's uninstall hook.
    """

    _name = "crm.dss.ledger"
    _description = "Decision Support Ledger Totals"

    def init(self):
        cr = self.env.cr
        cr.execute("SELECT to_regclass(%s)", ["crm_dss_ledger"])
        created = cr.fetchone()[0] is None
        cr.execute(DDL)
        if created:
            # the journal items of an instance installing the add-on, in one pass
            cr.execute(REBUILD)

    @api.model
    def _cron_compact(self):
        """Fold the rows the triggers appended since the last run; skipped while another run holds the lock."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [COMPACTION_LOCK])
        if self.env.cr.fetchone()[0]:
            self.env.cr.execute(COMPACT)

    def _crm_dss_flush(self):
        """Push the journal items the ORM still holds to the database, so the triggers see them."""
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "amount_residual",
                "balance",
                "company_id",
                "date",
                "date_maturity",
                "move_id",
                "parent_state",
                "reconciled",
            ]
        )
        self.env["account.move"].flush_model(["invoice_user_id"])
        self.env["account.account"].flush_model(["account_type"])

    def _crm_dss_open_receivables(self, company_ids, user_ids, today, buckets, group_by="company"):
        """Rows ``(*key, outstanding, overdue, *buckets, count)`` of the open receivables.

        ``key`` is the company (``group_by="company"``), the salesperson (``"user"``, 0
        for none) or both (``"company_user"``, two columns); ``user_ids`` ``None`` is
        every salesperson; ``buckets`` are ``(first, last)`` days overdue,
        ``last`` ``None`` for no end. Overdue follows the suite's rule on each line:
        due before ``today`` and owed to us (``residual_due``).
        """
        self._crm_dss_flush()
        bucket_sums = []
        for first_day, last_day in buckets:
            condition = SQL("ledger.day < %s AND ledger.day <= %s", today, today - timedelta(days=first_day))
            if last_day is not None:
                condition = SQL("%s AND ledger.day >= %s", condition, today - timedelta(days=last_day))
            bucket_sums.append(SQL("COALESCE(SUM(ledger.residual_due) FILTER (WHERE %s), 0)", condition))
        self.env.cr.execute(
            SQL(
                """
                SELECT %(key)s,
                       COALESCE(SUM(ledger.residual), 0),
                       COALESCE(SUM(ledger.residual_due) FILTER (WHERE ledger.day < %(today)s), 0),
                       %(buckets)s,
                       COALESCE(SUM(ledger.open_count), 0)
                  FROM crm_dss_ledger ledger
                  JOIN account_account account ON account.id = ledger.account_id
                 WHERE ledger.kind = 'open'
                   AND account.account_type = 'asset_receivable'
                   AND ledger.company_id IN %(companies)s
                   %(users)s
              GROUP BY %(key)s
                HAVING SUM(ledger.open_count) <> 0 OR SUM(ledger.residual) <> 0
                """,
                key=GROUP_KEYS[group_by],
                today=today,
                buckets=SQL(", ").join(bucket_sums),
                companies=tuple(company_ids),
                users=self._crm_dss_users(user_ids),
            )
        )
        return self.env.cr.fetchall()

    def _crm_dss_monthly_balances(self, company_ids, user_ids, account_types, window, period):
        """Rows ``(company, month, account type, balance, balance within period)`` of the posted items.

        ``window`` and ``period`` are ``(first day, last day)``; the months are those of
        ``window``, the period's balance is summed over the days of ``period`` within it.
        """
        self._crm_dss_flush()
        self.env.cr.execute(
            SQL(
                """
                SELECT ledger.company_id, date_trunc('month', ledger.day)::date, account.account_type,
                       SUM(ledger.balance),
                       COALESCE(SUM(ledger.balance) FILTER (WHERE ledger.day BETWEEN %(start)s AND %(end)s), 0)
                  FROM crm_dss_ledger ledger
                  JOIN account_account account ON account.id = ledger.account_id
                 WHERE ledger.kind = 'balance'
                   AND ledger.day BETWEEN %(window_start)s AND %(window_end)s
                   AND ledger.company_id IN %(companies)s
                   AND account.account_type IN %(types)s
                   %(users)s
              GROUP BY 1, 2, 3
                """,
                start=period[0],
                end=period[1],
                window_start=window[0],
                window_end=window[1],
                companies=tuple(company_ids),
                types=tuple(account_types),
                users=self._crm_dss_users(user_ids),
            )
        )
        return self.env.cr.fetchall()

    @staticmethod
    def _crm_dss_users(user_ids):
        if user_ids is None:
            return SQL()
        return SQL("AND ledger.user_id IN %s", tuple(user_ids) or (-1,))
