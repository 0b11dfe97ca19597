import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, config

from ..lib import health

_logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024


class CrmDssHealthCheck(models.Model):
    """One health check of the operations centre: a figure of the suite measured by
    ``_measure_<code>`` and compared with the thresholds an administrator sets.

    The checks are data records (one per code); the cron refreshes them all and tells the
    administrators (activity and mail) when a check crosses into warning or critical.
    Only administrators read them: the figures describe the whole database.
    """

    _name = "crm.dss.health.check"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.system.fields.mixin"]
    _description = "Health Check"
    _order = "sequence, id"
    _crm_system_fields = ("code", "last_value", "state", "last_checked", "detail")

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, readonly=True, help="Which measure the check runs.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    unit = fields.Char(translate=True)
    parameter = fields.Integer(
        help="Grace of the measure where it has one: minutes a cron may be late, seconds a query may run."
    )
    warning_threshold = fields.Float(required=True, default=1.0, tracking=True)
    critical_threshold = fields.Float(required=True, default=10.0, tracking=True)
    last_value = fields.Float(readonly=True)
    state = fields.Selection(
        [("ok", "OK"), ("warning", "Warning"), ("critical", "Critical"), ("unknown", "Unknown")],
        required=True,
        default="unknown",
        readonly=True,
        tracking=True,
    )
    last_checked = fields.Datetime(readonly=True)
    detail = fields.Text(readonly=True, help="What the last measure found (the late crons, the failing jobs...).")

    _sql_constraints = [("code_unique", "unique(code)", "Each measure has one health check.")]

    @api.constrains("warning_threshold", "critical_threshold", "parameter")
    def _check_thresholds(self):
        for check in self:
            error = health.threshold_error(check.warning_threshold, check.critical_threshold)
            if error == "negative" or check.parameter < 0:
                raise ValidationError(
                    self.env._("The thresholds of %s cannot be negative: enter 0 or more.", check.name)
                )
            if error == "order":
                raise ValidationError(
                    self.env._(
                        "The warning threshold of %s must be below its critical threshold: lower the warning "
                        "or raise the critical one.",
                        check.name,
                    )
                )

    def _check_administrator(self):
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators may run the health checks of the operations centre."))

    def action_check_now(self):
        """Measure the checks now (the button of the operations centre; called on no record
        from the header of the kanban and list views, it measures them all)."""
        self._check_administrator()
        checks = self or self.search([])
        checks.check_access("write")
        checks._run_checks()
        return True

    @api.model
    def _cron_check(self):
        # sudo: the cron's user measures every check (private method, not callable over RPC)
        self.sudo().search([])._run_checks()

    def _run_checks(self):
        """Measure each check, store its figure and state, tell the administrators of the
        checks that crossed into a worse state."""
        now = fields.Datetime.now()
        crossed = self.browse()
        for check in self:
            measure = getattr(self, f"_measure_{check.code}", None)
            try:
                value, detail = measure(check) if measure else (None, self.env._("No such measure: %s", check.code))
            except Exception as error:  # a broken measure must not stop the others
                _logger.exception("Health check %s failed", check.code)
                value, detail = None, str(error)
            state = health.threshold_state(value, check.warning_threshold, check.critical_threshold)
            if health.crossed(check.state, state):
                crossed |= check
            # sudo: the figures are system fields, set after the caller's check above
            check.sudo().write(
                {"last_value": value or 0.0, "state": state, "last_checked": now, "detail": detail or False}
            )
        if crossed:
            crossed._notify_administrators()
        return crossed

    def _notify_administrators(self):
        """An activity for each administrator and one mail to them all, per crossed check."""
        admins = (
            self.env["res.users"]
            .sudo()  # sudo: the administrators are notified whoever runs the check
            .search([("groups_id", "in", self.env.ref("base.group_system").id), ("share", "=", False)])
        )
        if not admins:
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for check in self.sudo():  # sudo: the cron may run as a user that does not follow the checks
            summary = self.env._("%(check)s is %(state)s", check=check.name, state=check.state)
            for admin in admins:
                check.activity_schedule(
                    activity_type_id=activity_type.id, summary=summary, note=check.detail or "", user_id=admin.id
                )
            check.message_post(
                body=self.env._(
                    "%(check)s crossed into %(state)s: %(value)s %(unit)s (warning at %(warning)s, critical at "
                    "%(critical)s). %(detail)s",
                    check=check.name,
                    state=check.state,
                    value=check.last_value,
                    unit=check.unit or "",
                    warning=check.warning_threshold,
                    critical=check.critical_threshold,
                    detail=check.detail or "",
                ),
                subject=summary,
                partner_ids=admins.partner_id.ids,
                message_type="notification",
                subtype_xmlid="mail.mt_comment",
            )

    # Measures: ``(value, detail)``, ``value`` None when the figure cannot be measured.

    def _measure_cron_lag(self, check):
        late = (
            self.env["ir.cron"]
            .sudo()
            .search(  # sudo: crons are read for the figure only
                [("active", "=", True), ("nextcall", "<", fields.Datetime.now() - timedelta(minutes=check.parameter))]
            )
        )
        return len(late), ", ".join(late.mapped("cron_name")[:20])

    def _measure_cron_failures(self, check):
        failing = self.env["ir.cron"].sudo().search([("active", "=", True), ("failure_count", ">", 0)])
        return len(failing), ", ".join(
            f"{cron.cron_name} ({cron.failure_count} since {cron.first_failure_date})" for cron in failing[:20]
        )

    def _count_by_state(self, model, states):
        if model not in self.env:
            return None, self.env._("%s is not installed.", model)
        groups = self.env[model].sudo()._read_group([("state", "in", states)], ["state"], ["__count"])
        counts = dict(groups)
        return sum(counts.values()), ", ".join(f"{state}: {count}" for state, count in sorted(counts.items()))

    def _measure_job_backlog(self, check):
        return self._count_by_state("queue.job", ["pending", "enqueued"])

    def _measure_job_failures(self, check):
        return self._count_by_state("queue.job", ["failed"])

    def _measure_eai_backlog(self, check):
        return self._count_by_state("crm.eai.exchange", ["pending"])

    def _measure_eai_failures(self, check):
        return self._count_by_state("crm.eai.exchange", ["failed", "dead"])

    def _measure_mail_queue(self, check):
        return self._count_by_state("mail.mail", ["outgoing"])

    def _measure_mail_failures(self, check):
        return self._count_by_state("mail.mail", ["exception"])

    def _measure_database_size(self, check):
        self.env.cr.execute(SQL("SELECT pg_database_size(current_database())"))
        size = self.env.cr.fetchone()[0]
        return round(size / MEGABYTE, 1), ""

    def _measure_long_queries(self, check):
        self.env.cr.execute(
            SQL(
                """SELECT pid, now() - query_start, left(query, 80)
                     FROM pg_stat_activity
                    WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
                      AND query_start < now() - make_interval(secs => %s)
                    ORDER BY query_start""",
                check.parameter,
            )
        )
        rows = self.env.cr.fetchall()
        return len(rows), "\n".join(f"{pid} ({duration}): {query}" for pid, duration, query in rows[:10])

    def _measure_log_errors(self, check):
        since = fields.Datetime.now() - timedelta(hours=24)
        count = (
            self.env["ir.logging"]
            .sudo()
            .search_count([("level", "in", ("ERROR", "CRITICAL")), ("create_date", ">=", since)])
        )
        detail = self.env._("%s in the database log of the last 24 hours", count)
        logfile = config.get("logfile")
        if logfile:
            in_file = health.count_log_errors(logfile)
            if in_file is None:
                detail += self.env._("; the log file %s cannot be read", logfile)
            else:
                count += in_file
                detail += self.env._("; %s in the last megabyte of the log file", in_file)
        return count, detail
