from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..lib import public_forms

KINDS = [("status", "Status Lookup"), ("callback", "Call-back Request")]
# how long a client's row is kept after their last attempt, for a manager to see an attack
RETENTION = timedelta(days=7)


class CrmServiceStatusLookup(models.Model):
    """The attempts of one client address on one public service page (the status lookup,
    the call-back form) within the current window: the rate limit counts them.

    Written by the system only (users have no access; managers read it to see an
    attack). The address is kept as a keyed hash (HMAC with the database secret): enough
    to count a visitor's attempts, not to tell who they are.

    One row per client and page rather than one per attempt, so that the limit holds
    when a client sends many requests at once: each attempt inserts-or-locks the client's
    row before it counts, and under Odoo's repeatable-read transactions a second attempt
    that overlaps a first one fails with a serialization error once the first commits;
    Odoo retries that request, which then counts the first. A row per attempt could not
    be made exact: two overlapping transactions would each count without the other.

    The window is fixed: it opens at the client's first attempt and lasts the configured
    minutes; at most ``limit`` attempts pass in it, the others are refused (and counted)
    until a new window opens. The scheduled vacuum forgets clients idle for a week.
    """

    _name = "crm.service.status.lookup"
    _description = "Public Service Page Attempts"
    _log_access = False
    _order = "date desc, id desc"
    _rec_name = "ip_hash"

    kind = fields.Selection(KINDS, string="Page", required=True, readonly=True)
    ip_hash = fields.Char(string="Client", required=True, readonly=True, help="A keyed hash of the client's address.")
    window_start = fields.Datetime(string="Window Opened", required=True, readonly=True)
    date = fields.Datetime(string="Last Attempt", required=True, readonly=True, index=True)
    attempt_count = fields.Integer(
        string="Attempts", readonly=True, help="Attempts let through in the current window, successful or not."
    )
    refused_count = fields.Integer(
        string="Refused", readonly=True, help="Attempts refused in the current window: the limit was reached."
    )
    success = fields.Boolean(
        readonly=True,
        help="The last attempt let through succeeded: the lookup found a case, or the call-back request "
        "was registered.",
    )

    _sql_constraints = [
        ("client_unique", "UNIQUE(kind, ip_hash)", "A client has one row per page."),
    ]

    @api.model
    def _crm_service_hash(self, client_ip):
        # sudo: the database secret keys the hash
        return tools.hmac(self.env(su=True), "crm_service.status_lookup", client_ip or "")

    @api.model
    def _crm_service_limits(self):
        """``(attempts allowed, window)`` from the configuration (``crm_service.status_lookup_limit``,
        ``crm_service.status_lookup_window`` in minutes), the defaults where it says nothing usable."""
        # sudo: the limits are read for visitors, who may not read the configuration
        params = self.env["ir.config_parameter"].sudo()
        limit = public_forms.positive_int(
            params.get_param("crm_service.status_lookup_limit"), public_forms.DEFAULT_LIMIT
        )
        minutes = public_forms.positive_int(
            params.get_param("crm_service.status_lookup_window"), public_forms.DEFAULT_WINDOW_MINUTES
        )
        return limit, timedelta(minutes=minutes)

    @api.model
    def _crm_service_register(self, kind, client_ip):
        """Count an attempt of ``client_ip`` on the page ``kind``: ``(client's row,
        refused)``. The caller does nothing else for a refused attempt, and marks a
        successful one with :meth:`_crm_service_succeeded`.

        The row is created if missing and locked before it is read (see the class: an
        overlapping attempt of the same client fails and is retried by Odoo).
        """
        ip_hash = self._crm_service_hash(client_ip)
        now = fields.Datetime.now()
        table = SQL.identifier(self._table)
        # the ORM cannot insert-if-missing: a plain create would fail on the unique
        # constraint when the client's first two attempts overlap, instead of being retried
        self.env.cr.execute(
            SQL(
                """INSERT INTO %s (kind, ip_hash, window_start, date, attempt_count, refused_count, success)
                   VALUES (%s, %s, %s, %s, 0, 0, FALSE)
                   ON CONFLICT (kind, ip_hash) DO NOTHING""",
                table,
                kind,
                ip_hash,
                now,
                now,
            )
        )
        self.env.cr.execute(SQL("SELECT id FROM %s WHERE kind = %s AND ip_hash = %s FOR UPDATE", table, kind, ip_hash))
        # sudo: the rows are the system's; visitors and customers have no access to them
        client = self.sudo().browse(self.env.cr.fetchone()[0])
        limit, window = self._crm_service_limits()
        window_start, attempts, refused, allowed = public_forms.count_attempt(
            client.window_start, client.attempt_count, client.refused_count, now, limit, window
        )
        values = {"window_start": window_start, "attempt_count": attempts, "refused_count": refused, "date": now}
        if allowed:
            values["success"] = False
        client.write(values)
        return client, not allowed

    def _crm_service_succeeded(self):
        self.sudo().write({"success": True})

    @api.model
    def _crm_service_retry_minutes(self):
        """After how many minutes at most a refused client may try again (the window)."""
        return int(self._crm_service_limits()[1].total_seconds() // 60)

    @api.model
    def _cron_vacuum(self):
        """Forget the clients idle for a week (or the window, if longer), in one statement:
        a page under attack may have seen many."""
        keep = max(RETENTION, self._crm_service_limits()[1])
        self.env.cr.execute(
            SQL("DELETE FROM %s WHERE date < %s", SQL.identifier(self._table), fields.Datetime.now() - keep)
        )
        return self.env.cr.rowcount
