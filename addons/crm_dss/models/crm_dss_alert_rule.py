from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..lib import indicators
from ..lib.scope import EXECUTIVE, Scope


class CrmDssAlertRule(models.Model):
    """An early warning: a threshold on an indicator, watched per company and period.

    The hourly cron (:meth:`_cron_evaluate`) reads each indicator once for every company
    of the rules that watch it, and raises one alert (``crm.dss.alert``) per rule, company
    and period whose value crosses the threshold; a later evaluation of the same period
    leaves that alert as it is. Rules with *Raise an event* also create a ``crm.event``
    per alert, which the workflow rules answer.
    """

    _name = "crm.dss.alert.rule"
    _description = "Early Warning Rule"
    _inherit = ["crm.system.fields.mixin"]
    _order = "sequence, id"
    _crm_system_fields = ("last_evaluated",)

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    indicator = fields.Selection(selection="_selection_indicator", required=True)
    comparison = fields.Selection(
        [
            (indicators.ABOVE, "Above the threshold"),
            (indicators.BELOW, "Below the threshold"),
            (indicators.CHANGE_UP, "Up by more than the threshold (%) on the previous period"),
            (indicators.CHANGE_DOWN, "Down by more than the threshold (%) on the previous period"),
            (indicators.BELOW_AVERAGE, "Below the average of the companies by more than the threshold (%)"),
        ],
        required=True,
        default=indicators.ABOVE,
    )
    threshold = fields.Float(required=True, default=0.0)
    period = fields.Selection(
        [("day", "Day"), ("week", "Week"), ("month", "Month")],
        required=True,
        default="month",
        help="The current period up to today is compared; an alert is raised once per period and company.",
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        help="The companies watched; none: every company.",
    )
    severity = fields.Selection(
        [("info", "Information"), ("warning", "Warning"), ("critical", "Critical")],
        required=True,
        default="warning",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Responsible",
        domain=[("share", "=", False)],
        help="The managers notified of the alerts, who acknowledge them.",
    )
    notify_executives = fields.Boolean(default=True, help="Notify also the executives of the company of each alert.")
    raise_event = fields.Boolean(
        string="Raise an Event",
        help="Create a customer event for each alert, which the workflow rules answer.",
    )
    last_evaluated = fields.Datetime(readonly=True, copy=False)
    alert_ids = fields.One2many("crm.dss.alert", "rule_id", string="Alerts")
    alert_count = fields.Integer(compute="_compute_alert_count")

    @api.model
    def _selection_indicator(self):
        return self.env["crm.dss.indicator"]._dss_indicator_selection()

    def _compute_alert_count(self):
        counts = dict(self.env["crm.dss.alert"]._read_group([("rule_id", "in", self.ids)], ["rule_id"], ["__count"]))
        for rule in self:
            rule.alert_count = counts.get(rule, 0)

    @api.constrains("indicator", "comparison", "threshold")
    def _check_threshold(self):
        messages = {
            "comparison": self.env._("Choose how the value is compared with the threshold."),
            "missing": self.env._("Enter a threshold."),
            "change": self.env._("A change on the previous period is a percentage above 0: enter for example 10."),
            "average": self.env._("A distance below the average is a percentage from 0 to 99: enter for example 20."),
            "percent": self.env._("This indicator is a rate: enter a threshold from 0 to 100 %."),
            "return": self.env._("A return on investment cannot fall below -100 %: enter a threshold of -100 or more."),
            "negative": self.env._("This indicator is a count or an amount: enter a threshold of 0 or more."),
        }
        for rule in self:
            kind = indicators.INDICATORS[rule.indicator].kind
            problem = indicators.threshold_problem(kind, rule.comparison, rule.threshold)
            if problem:
                raise ValidationError(
                    self.env._("Rule %(rule)s: %(problem)s", rule=rule.name, problem=messages[problem])
                )

    @api.constrains("company_ids")
    def _check_companies(self):
        if self.env.su:
            return
        for rule in self:
            if rule.company_ids - self.env.user.company_ids:
                raise AccessError(self.env._("You may only watch the companies you work for."))

    def action_evaluate(self):
        """Evaluate the rules now (the cron does it every hour)."""
        self.check_access("write")
        # sudo: the indicators are read over every document of the rules' companies
        self.sudo()._dss_evaluate()
        return self.env["ir.actions.act_window"]._for_xml_id("crm_dss.crm_dss_alert_action")

    @api.model
    def _cron_evaluate(self):
        """Hourly: evaluate every active rule, a batch of rules at a time."""
        rules = self.search([])
        batch = 200
        for start in range(0, len(rules), batch):
            rules[start : start + batch]._dss_evaluate()
            done = min(start + batch, len(rules))
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(rules) - done)

    def _dss_evaluate(self, today=None):
        """Evaluate the rules (as superuser) and raise the alerts their values cross.

        The rules are locked first: a second evaluation running at the same moment skips
        them (and a unique index keeps one alert per rule, company and period anyway).
        """
        if not self:
            return self.env["crm.dss.alert"]
        self.env.cr.execute(
            SQL(
                "SELECT id FROM crm_dss_alert_rule WHERE id IN %s AND active ORDER BY id FOR UPDATE SKIP LOCKED",
                tuple(self.ids),
            )
        )
        rules = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not rules:
            return self.env["crm.dss.alert"]
        today = today or fields.Date.context_today(self)
        every_company = self.env["res.company"].sudo().search([]).ids
        Indicator = self.env["crm.dss.indicator"]
        available = set(Indicator._dss_available())
        groups = defaultdict(lambda: self.browse())
        for rule in rules:
            if rule.indicator in available:
                groups[rule.indicator, rule.period] |= rule
        candidates = []
        for (code, period), group in groups.items():
            start, end, previous_start, previous_end = indicators.period_bounds(period, today)
            company_ids = {rule: rule.company_ids.ids or every_company for rule in group}
            scope = Scope(EXECUTIVE, tuple(sorted({cid for ids in company_ids.values() for cid in ids})))
            values = Indicator._dss_indicator_values(code, scope, start, end)
            previous = {}
            if any(rule.comparison in indicators.WITH_PREVIOUS for rule in group):
                previous = Indicator._dss_indicator_values(code, scope, previous_start, previous_end)
            for rule in group:
                mean = indicators.average(values.get(company_id) for company_id in company_ids[rule])
                for company_id in company_ids[rule]:
                    value = values.get(company_id)
                    if indicators.crossed(rule.comparison, rule.threshold, value, previous.get(company_id), mean):
                        candidates.append(
                            {
                                "rule_id": rule.id,
                                "company_id": company_id,
                                "value": value,
                                "previous_value": previous.get(company_id, 0.0),
                                "average_value": mean or 0.0,
                                "threshold": rule.threshold,
                                "period_start": start,
                                "period_end": end,
                                "severity": rule.severity,
                            }
                        )
        alerts = self.env["crm.dss.alert"].sudo()._dss_raise(candidates)
        rules.sudo().write({"last_evaluated": fields.Datetime.now()})
        return alerts
