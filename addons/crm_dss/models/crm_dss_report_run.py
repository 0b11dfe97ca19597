import base64
import logging
import traceback

from odoo import fields, models
from odoo.tools import SQL

from ..lib.periods import next_period_start

_logger = logging.getLogger(__name__)

EXECUTIVE = "crm_dss.group_crm_dss_executive"


class CrmDssReportRun(models.Model):
    """One decision report built for one template and one period: the log of what was
    built, when and for whom, and the workbook itself.

    At most one run per template and period (SQL constraint): the cron and "Generate now"
    reuse it, and a run that failed is retried by the next cron. Every field is set by the
    system (executives read the log, nobody writes it).
    """

    _name = "crm.dss.report.run"
    _description = "Decision Report Run"
    _inherit = ["crm.system.fields.mixin"]
    _order = "date_from desc, id desc"
    _crm_system_fields = (
        "template_id",
        "company_id",
        "company_ids",
        "date_from",
        "date_to",
        "state",
        "error",
        "attachment_id",
        "generated_on",
        "sent_on",
        "row_count",
        "sheet_count",
        "attempt_count",
        "recipient_partner_ids",
        "skipped_user_ids",
    )

    template_id = fields.Many2one("crm.dss.report.template", required=True, ondelete="cascade", index=True)
    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(related="template_id.company_id", store=True, string="Owner Company")
    company_ids = fields.Many2many(
        "res.company", "crm_dss_report_run_company_rel", "run_id", "company_id", string="Companies"
    )
    period = fields.Selection(related="template_id.period")
    date_from = fields.Date(string="Period Start", required=True)
    date_to = fields.Date(string="Period End", required=True)
    state = fields.Selection(
        [("queued", "Queued"), ("done", "Done"), ("failed", "Failed")], default="queued", required=True, index=True
    )
    error = fields.Text(help="Why the last attempt failed; the next cron tries again.")
    attachment_id = fields.Many2one("ir.attachment", string="Workbook", ondelete="set null")
    generated_on = fields.Datetime()
    sent_on = fields.Datetime()
    row_count = fields.Integer(string="Rows", help="Data rows written in the workbook.")
    sheet_count = fields.Integer(string="Sheets")
    attempt_count = fields.Integer(string="Attempts")
    recipient_partner_ids = fields.Many2many(
        "res.partner", "crm_dss_report_run_partner_rel", "run_id", "partner_id", string="Sent To"
    )
    skipped_user_ids = fields.Many2many(
        "res.users",
        "crm_dss_report_run_skipped_user_rel",
        "run_id",
        "user_id",
        string="Left Out",
        help="Recipients who may not see every company of the report: not mailed.",
    )

    _sql_constraints = [
        ("template_period_unique", "UNIQUE(template_id, date_from, date_to)", "A report is built once per period."),
        ("period_check", "CHECK(date_from <= date_to)", "A report period ends after it starts."),
    ]

    def _compute_name(self):
        for run in self:
            run.name = f"{run.template_id.name} {run.date_from} - {run.date_to}"

    def action_download(self):
        self.ensure_one()
        if not self.attachment_id:
            return False
        return {"type": "ir.actions.act_url", "url": f"/web/content/{self.attachment_id.id}?download=true"}

    # generation

    def _generate(self):
        """Build, store and mail each queued or failed run; a failure marks the run failed
        with its reason, nothing of its attempt kept (savepoint), and the next cron retries.

        Each run is locked first (``SKIP LOCKED``): a run another worker is building now is
        left to it.
        """
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM crm_dss_report_run WHERE id IN %s AND state IN ('queued', 'failed') "
                "FOR NO KEY UPDATE SKIP LOCKED",
                tuple(self.ids),
            )
        )
        free = {row[0] for row in self.env.cr.fetchall()}
        for run in self.sudo().filtered(lambda run: run.id in free):  # sudo: the system writes its log
            try:
                with self.env.cr.savepoint():
                    run._generate_one()
            except Exception as error:  # noqa: BLE001 - any failure is shown on the run and retried
                _logger.warning("Decision report run %s failed", run.id, exc_info=True)
                run.write(
                    {
                        "state": "failed",
                        "attempt_count": run.attempt_count + 1,
                        "error": "".join(traceback.format_exception_only(error)).strip()[-2000:],
                    }
                )

    def _generate_one(self):
        self.ensure_one()
        template = self.template_id
        owner = template.user_id
        Report = self.env["report.crm_dss.decision_report_xlsx"]
        content, rows, sheets = (
            Report.with_user(owner)
            .with_context(allowed_company_ids=self.company_ids.ids)
            ._dss_periodic_xlsx(template, self.company_ids.ids, self.date_from, self.date_to)
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{template.name} {self.date_from} {self.date_to}.xlsx",
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        old = self.attachment_id
        self.write(
            {
                "state": "done",
                "error": False,
                "attachment_id": attachment.id,
                "generated_on": fields.Datetime.now(),
                "row_count": rows,
                "sheet_count": sheets,
                "attempt_count": self.attempt_count + 1,
            }
        )
        old.unlink()
        self._send()
        today = fields.Date.context_today(self)
        template.write({"last_run_id": self.id, "next_run_date": next_period_start(template.period, today)})

    def _recipients(self):
        """(partners to mail, users left out): the template's executives and the users among
        its extra contacts, if they may see every company of the run; its extra contacts
        who are no users (a board member's address) as they are."""
        template = self.template_id
        companies = self.company_ids
        users = template.recipient_user_ids | template.partner_ids.user_ids
        allowed = users.filtered(
            lambda user: user.active and user.has_group(EXECUTIVE) and not (companies - user.company_ids)
        )
        external = template.partner_ids.filtered(lambda partner: not partner.with_context(active_test=False).user_ids)
        return allowed.partner_id | external, users - allowed

    def _send(self):
        partners, skipped = self._recipients()
        values = {"skipped_user_ids": [fields.Command.set(skipped.ids)]}
        if partners:
            mail_template = self.env.ref("crm_dss.crm_dss_report_run_mail_template")
            mail_template.send_mail(
                self.id,
                email_values={
                    "recipient_ids": [fields.Command.set(partners.ids)],
                    "attachment_ids": [fields.Command.link(self.attachment_id.id)],
                },
            )
            values.update(sent_on=fields.Datetime.now(), recipient_partner_ids=[fields.Command.set(partners.ids)])
        self.write(values)
