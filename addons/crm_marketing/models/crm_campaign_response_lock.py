from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# how long a key's row is kept after its last use
RETENTION = timedelta(days=7)


class CrmCampaignResponseLock(models.Model):
    """One row per key the intake of responses serialises on: a responder's email, phone
    or company in a company (converting responders to leads), and a client address on
    the public campaign form (counting its submissions).

    Why rows and not advisory locks: Odoo runs requests in repeatable-read transactions
    whose snapshot is taken before the code gets the lock, so after waiting for another
    transaction's advisory lock the code would still not see the lead that one created.
    Upserting a row instead makes the second transaction fail with a serialization error
    as soon as the first commits (the row changed after its snapshot); Odoo retries the
    request, which then sees the first one's lead, or counts its submission.

    Written by the system only, in SQL (an insert-or-update the ORM cannot express); the
    client address is kept as a keyed hash. The vacuum forgets keys idle for a week.
    """

    _name = "crm.campaign.response.lock"
    _description = "Campaign Response Lock"
    _log_access = False
    _rec_name = "key"

    key = fields.Char(required=True, readonly=True)
    date = fields.Datetime(string="Last Used", required=True, readonly=True, index=True)
    window_start = fields.Datetime(string="Window Opened", readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True)

    _sql_constraints = [("key_unique", "UNIQUE(key)", "A key has one row.")]

    @api.model
    def _crm_lock(self, keys):
        """Lock ``keys`` until the end of the transaction (see the class), in a sorted
        order so that two batches cannot wait for each other."""
        keys = sorted(set(keys))
        if not keys:
            return
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO %s (key, date, attempt_count)
                   SELECT key, %s, 0 FROM unnest(%s::varchar[]) AS key ORDER BY key
                   ON CONFLICT (key) DO UPDATE SET date = EXCLUDED.date""",
                SQL.identifier(self._table),
                now,
                keys,
            )
        )

    @api.model
    def _crm_count_attempt(self, key, limit, window):
        """Count an attempt on ``key`` in a fixed window of ``window`` opened at the first
        attempt: whether it is within the ``limit`` (the refused ones are counted too)."""
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO %(table)s AS lock (key, date, window_start, attempt_count)
                   VALUES (%(key)s, %(now)s, %(now)s, 1)
                   ON CONFLICT (key) DO UPDATE SET
                       date = EXCLUDED.date,
                       attempt_count = CASE WHEN lock.window_start IS NULL OR lock.window_start <= %(expired)s
                                            THEN 1 ELSE lock.attempt_count + 1 END,
                       window_start = CASE WHEN lock.window_start IS NULL OR lock.window_start <= %(expired)s
                                           THEN EXCLUDED.window_start ELSE lock.window_start END
                   RETURNING attempt_count""",
                table=SQL.identifier(self._table),
                key=key,
                now=now,
                expired=now - window,
            )
        )
        return self.env.cr.fetchone()[0] <= limit

    @api.model
    def _cron_vacuum(self):
        """Forget the keys idle for a week, in one statement."""
        self.env.cr.execute(
            SQL("DELETE FROM %s WHERE date < %s", SQL.identifier(self._table), fields.Datetime.now() - RETENTION)
        )
        return self.env.cr.rowcount
