import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib.periods import PERIOD_KEYS, PERIODS, next_period_start, previous_period

_logger = logging.getLogger(__name__)

EXECUTIVE = "crm_dss.group_crm_dss_executive"
#: A failed run is retried by each daily cron, this many times at most.
MAX_ATTEMPTS = 10


class CrmDssReportTemplate(models.Model):
    """A periodic decision report: which figures, for which companies, to whom, how often.

    The daily cron (:meth:`_cron_generate`) builds, for each template that is due, one
    run (``crm.dss.report.run``) for the last full period: the XLSX workbook of the
    executive dashboard of the template's companies over that period, the satisfaction
    rates and appraisal figures of its branches and departments, mailed with the
    workbook to the recipients. The figures are those the template's owner may see
    (the workbook is built as the owner): a template cannot show more than its author.
    """

    _name = "crm.dss.report.template"
    _description = "Decision Report Template"
    _inherit = ["crm.system.fields.mixin"]
    _order = "name, id"
    _crm_system_fields = ("user_id", "next_run_date", "last_run_id")

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    period = fields.Selection(PERIODS, required=True, default="monthly")
    company_id = fields.Many2one(
        "res.company",
        string="Owner Company",
        required=True,
        default=lambda self: self.env.company,
        help="The company the template belongs to: its executives see it.",
    )
    company_ids = fields.Many2many(
        "res.company",
        "crm_dss_report_template_company_rel",
        "template_id",
        "company_id",
        string="Companies",
        required=True,
        default=lambda self: self.env.company,
        help="HQ and branches whose figures the report shows.",
    )
    section_keys = fields.Char(
        string="Sections",
        help="Keys of the executive dashboard sections to include, separated by commas "
        "(receivables, income...); empty: every section.",
    )
    include_satisfaction = fields.Boolean(string="Satisfaction Rates", default=True)
    include_appraisal = fields.Boolean(string="Appraisal Figures", default=True)
    include_receivable_lines = fields.Boolean(
        string="Receivable Lines",
        default=True,
        help="A detail sheet of every open receivable line of the companies (may be long).",
    )
    recipient_user_ids = fields.Many2many(
        "res.users",
        "crm_dss_report_template_user_rel",
        "template_id",
        "user_id",
        string="Executives",
        domain=lambda self: [("groups_id", "in", self.env.ref(EXECUTIVE).ids)],
        help="Decision-level users who receive the report. Those who may not see every "
        "company of the report are left out of the mail.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "crm_dss_report_template_partner_rel",
        "template_id",
        "partner_id",
        string="Extra Recipients",
        help="Other contacts who receive the report by mail.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        readonly=True,
        help="The report is built with this user's view of the figures.",
    )
    next_run_date = fields.Date(readonly=True, help="The day the cron builds the next report.")
    last_run_id = fields.Many2one("crm.dss.report.run", readonly=True)
    run_ids = fields.One2many("crm.dss.report.run", "template_id")
    run_count = fields.Integer(compute="_compute_run_count")

    def _compute_run_count(self):
        counts = dict(
            self.env["crm.dss.report.run"]._read_group([("template_id", "in", self.ids)], ["template_id"], ["__count"])
        )
        for template in self:
            template.run_count = counts.get(template, 0)

    @api.constrains("period")
    def _check_period(self):
        for template in self:
            if template.period not in PERIOD_KEYS:
                raise ValidationError(
                    self.env._(
                        "The period of the report %(name)s must be weekly, monthly or quarterly, not %(period)s.",
                        name=template.name,
                        period=template.period,
                    )
                )

    @api.constrains("company_id", "company_ids")
    def _check_companies(self):
        for template in self:
            if template.company_id not in template.company_ids:
                raise ValidationError(
                    self.env._("The report %s must include its own company: add it to its companies.", template.name)
                )

    @api.constrains("recipient_user_ids")
    def _check_recipients(self):
        for template in self:
            others = template.recipient_user_ids.filtered(lambda user: not user.has_group(EXECUTIVE))
            if others:
                raise ValidationError(
                    self.env._(
                        "Only executives receive decision reports; remove %s or add them as extra recipients.",
                        ", ".join(others.mapped("name")),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a bad period is refused with a sentence, not with the ORM's selection error
            if "period" in vals and vals["period"] not in PERIOD_KEYS:
                self._raise_bad_period(vals["period"])
        templates = super().create(vals_list)
        templates._check_companies_reach()
        today = fields.Date.context_today(self)
        for template in templates:
            # sudo: the next run date is set by the system, from the period
            template.sudo().next_run_date = next_period_start(template.period, today)
        return templates

    def write(self, vals):
        if "period" in vals and vals["period"] not in PERIOD_KEYS:
            self._raise_bad_period(vals["period"])
        result = super().write(vals)
        if "company_ids" in vals or "company_id" in vals:
            self._check_companies_reach()
        if "period" in vals:
            today = fields.Date.context_today(self)
            for template in self:
                # sudo: the next run date follows the new period
                template.sudo().next_run_date = next_period_start(template.period, today)
        return result

    def _raise_bad_period(self, period):
        raise ValidationError(
            self.env._("A decision report runs weekly, monthly or quarterly, not %s: choose one of these.", period)
        )

    def _check_companies_reach(self):
        """The author may only report on companies they may access (superuser: any)."""
        if self.env.su:
            return
        outside = self.company_ids - self.env.user.company_ids
        if outside:
            raise AccessError(
                self.env._(
                    "You may only report on the companies you work for, not %s.", ", ".join(outside.mapped("name"))
                )
            )

    # actions

    def action_generate_now(self):
        """Build (or retry) the report of the last full period now and open it."""
        self.ensure_one()
        if not self.env.user.has_group(EXECUTIVE):
            raise AccessError(self.env._("Only executives generate decision reports."))
        self.check_access("write")
        date_from, date_to = previous_period(self.period, fields.Date.context_today(self))
        run = self._ensure_run(date_from, date_to)
        if not run:
            raise UserError(
                self.env._("The report of this period is being built by someone else right now: try again shortly.")
            )
        run._generate()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.dss.report.run",
            "res_id": run.id,
            "views": [[False, "form"]],
            "target": "current",
        }

    def action_view_runs(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Report Runs"),
            "res_model": "crm.dss.report.run",
            "views": [[False, "list"], [False, "form"]],
            "domain": [("template_id", "=", self.id)],
            "context": {"create": False},
        }

    # business methods

    def _ensure_run(self, date_from, date_to):
        """The run of this template for the period, created if missing.

        Two crons (or a cron and a "Generate now") at the same moment: the unique
        constraint on (template, period) lets one insert through; the other's insert waits
        for it and fails in its own savepoint, and it leaves the run to the first (None).
        """
        self.ensure_one()
        Run = self.env["crm.dss.report.run"].sudo()  # sudo: runs are created by the system only
        run = Run.search([("template_id", "=", self.id), ("date_from", "=", date_from), ("date_to", "=", date_to)])
        if run:
            return run
        try:
            with self.env.cr.savepoint():
                run = Run.create(
                    {
                        "template_id": self.id,
                        "date_from": date_from,
                        "date_to": date_to,
                        "company_ids": [fields.Command.set(self.company_ids.ids)],
                    }
                )
                run.flush_recordset()
        except psycopg2.IntegrityError:
            _logger.info("Decision report %s for %s..%s is built by another worker", self.id, date_from, date_to)
            return Run
        return run

    @api.model
    def _cron_generate(self):
        """Daily: the runs of the templates that are due, for their last full period,
        and the runs that failed before (retried until they succeed)."""
        today = fields.Date.context_today(self)
        attempted = self.search([("next_run_date", "<=", today)])._generate_due(today)
        Run = self.env["crm.dss.report.run"]
        Run.search(
            [
                ("id", "not in", attempted.ids),
                ("state", "in", ("queued", "failed")),
                ("attempt_count", "<", MAX_ATTEMPTS),
                ("template_id.active", "=", True),
            ]
        )._generate()

    def _generate_due(self, today):
        """Build the run of each template for the last full period before ``today``."""
        runs = self.env["crm.dss.report.run"]
        for template in self:
            runs |= template._ensure_run(*previous_period(template.period, today))
        runs._generate()
        return runs
