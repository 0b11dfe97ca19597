from collections import defaultdict

from odoo import api, fields, models

# The crm.event that a significant alert raises: its type and severity
EVENT_TYPES = {
    "complaint_count": "service_analysis",
    "satisfaction_rate": "service_analysis",
    "sla_breaches": "service_analysis",
    "conversion_rate": "sales_quality",
    "overdue_receivables": "customer_analysis",
    "campaign_roi": "marketing_analysis",
}
EVENT_SEVERITIES = {"info": "low", "warning": "high", "critical": "critical"}


class CrmDssAlert(models.Model):
    """An early warning raised by a rule for one company and one period.

    Made by the rules' evaluation only (:meth:`_dss_raise`), once per rule, company and
    period (a unique index; a later evaluation of the period leaves it as it is). Its
    responsible managers and, if the rule says so, the company's executives are given an
    activity and a mail; a responsible manager or an executive acknowledges it, then
    closes it. Every field but the notes is set by the system.
    """

    _name = "crm.dss.alert"
    _description = "Early Warning"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.system.fields.mixin"]
    _order = "period_start desc, id desc"
    _mail_post_access = "read"
    _crm_system_fields = (
        "rule_id",
        "company_id",
        "indicator",
        "value",
        "previous_value",
        "average_value",
        "threshold",
        "period_start",
        "period_end",
        "severity",
        "state",
        "responsible_ids",
        "acknowledged_by_id",
        "acknowledged_date",
        "closed_by_id",
        "closed_date",
        "event_id",
    )

    name = fields.Char(compute="_compute_name", store=True)
    rule_id = fields.Many2one("crm.dss.alert.rule", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    indicator = fields.Selection(selection="_selection_indicator", readonly=True)
    value = fields.Float(readonly=True, aggregator=None)
    previous_value = fields.Float(string="Previous Period", readonly=True, aggregator=None)
    average_value = fields.Float(string="Average of the Companies", readonly=True, aggregator=None)
    threshold = fields.Float(readonly=True, aggregator=None)
    period_start = fields.Date(required=True, readonly=True, index=True)
    period_end = fields.Date(readonly=True)
    severity = fields.Selection(
        [("info", "Information"), ("warning", "Warning"), ("critical", "Critical")],
        required=True,
        readonly=True,
        default="warning",
        tracking=True,
    )
    state = fields.Selection(
        [("new", "New"), ("acknowledged", "Acknowledged"), ("closed", "Closed")],
        string="Status",
        required=True,
        default="new",
        readonly=True,
        index=True,
        tracking=True,
    )
    responsible_ids = fields.Many2many(
        "res.users",
        "crm_dss_alert_responsible_rel",
        "alert_id",
        "user_id",
        readonly=True,
    )
    acknowledged_by_id = fields.Many2one("res.users", string="Acknowledged by", readonly=True)
    acknowledged_date = fields.Datetime(string="Acknowledged on", readonly=True)
    closed_by_id = fields.Many2one("res.users", string="Closed by", readonly=True)
    closed_date = fields.Datetime(string="Closed on", readonly=True)
    event_id = fields.Many2one("crm.event", readonly=True)
    notes = fields.Text()

    _sql_constraints = [
        (
            "rule_company_period_unique",
            "unique(rule_id, company_id, period_start)",
            "A rule raises one alert per company and period.",
        ),
    ]

    @api.model
    def _selection_indicator(self):
        return self.env["crm.dss.indicator"]._dss_indicator_selection()

    @api.depends("rule_id.name", "company_id.name", "period_start")
    def _compute_name(self):
        for alert in self:
            alert.name = f"{alert.rule_id.name} - {alert.company_id.name} - {alert.period_start or ''}"

    # Actions -------------------------------------------------------------------------

    def action_acknowledge(self):
        """Acknowledge new alerts: by their responsible managers or an executive."""
        self._dss_check_handler()
        alerts = self.filtered(lambda alert: alert.state == "new")
        # sudo: the state and who acknowledged are system fields, set after the check above
        alerts.sudo().write(
            {"state": "acknowledged", "acknowledged_by_id": self.env.uid, "acknowledged_date": fields.Datetime.now()}
        )
        alerts.sudo().activity_ids.filtered(lambda activity: activity.user_id == self.env.user).action_feedback(
            feedback=self.env._("Acknowledged")
        )
        return True

    def action_close(self):
        """Close the alerts (acknowledging those that were not)."""
        self._dss_check_handler()
        now = fields.Datetime.now()
        for alert in self.filtered(lambda alert: alert.state != "closed"):
            values = {"state": "closed", "closed_by_id": self.env.uid, "closed_date": now}
            if not alert.acknowledged_by_id:
                values.update(acknowledged_by_id=self.env.uid, acknowledged_date=now)
            alert.sudo().write(values)  # sudo: system fields, set after the check above
        self.sudo().activity_ids.unlink()  # sudo: the alert is handled: nobody has to act anymore
        return True

    def _dss_check_handler(self):
        """Only those who may write the alerts (their responsible managers, executives) handle them."""
        self.check_access("write")

    # Raising -------------------------------------------------------------------------

    @api.model
    def _dss_raise(self, candidates):
        """Create the alerts of ``candidates`` (dicts of values) not raised yet for their
        rule, company and period; notify them and raise their events. Returns the new alerts."""
        if not candidates:
            return self.browse()
        existing = self.search_fetch(
            [
                ("rule_id", "in", list({vals["rule_id"] for vals in candidates})),
                ("period_start", "in", list({vals["period_start"] for vals in candidates})),
            ],
            ["rule_id", "company_id", "period_start"],
        )
        known = {(alert.rule_id.id, alert.company_id.id, alert.period_start) for alert in existing}
        new = [vals for vals in candidates if (vals["rule_id"], vals["company_id"], vals["period_start"]) not in known]
        if not new:
            return self.browse()
        rules = self.env["crm.dss.alert.rule"].browse({vals["rule_id"] for vals in new})
        responsible = {rule.id: rule.user_ids for rule in rules}
        for vals in new:
            company_users = responsible[vals["rule_id"]].filtered(
                lambda user, c=vals["company_id"]: c in user.company_ids.ids
            )
            vals["responsible_ids"] = [(6, 0, company_users.ids)]
            vals["indicator"] = rules.browse(vals["rule_id"]).indicator
        # the evaluating user (the cron's) does not follow the alerts: the recipients are notified below
        alerts = self.with_context(mail_create_nosubscribe=True).create(new)
        alerts._dss_notify()
        alerts.filtered("rule_id.raise_event")._dss_raise_events()
        return alerts

    def _dss_recipients(self):
        """``{alert: users}``: its responsible managers and, if its rule says so, the
        executives of its company."""
        executives = self.env["res.users"]
        if any(self.rule_id.mapped("notify_executives")):
            executives = self.env["res.users"].search(
                [
                    ("groups_id", "in", self.env.ref("crm_dss.group_crm_dss_executive").ids),
                    ("company_ids", "in", self.company_id.ids),
                    ("share", "=", False),
                    ("id", "!=", self.env.ref("base.user_root").id),
                ]
            )
        by_company = defaultdict(lambda: self.env["res.users"])
        for user in executives:
            for company in user.company_ids:
                by_company[company.id] |= user
        return {
            alert: alert.responsible_ids
            | (by_company[alert.company_id.id] if alert.rule_id.notify_executives else executives.browse())
            for alert in self
        }

    def _dss_notify(self):
        """An activity for each recipient and a mail to them all."""
        recipients = self._dss_recipients()
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        labels = self.env["crm.dss.indicator"]._dss_indicator_labels()
        activities = []
        for alert in self:
            summary = self.env._("Early warning: %s", alert.rule_id.name)
            for user in recipients[alert]:
                activities.append(
                    {
                        "res_model_id": model_id,
                        "res_id": alert.id,
                        "activity_type_id": todo.id,
                        "user_id": user.id,
                        "summary": summary,
                        "date_deadline": fields.Date.context_today(alert),
                    }
                )
        if activities:
            self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(activities)
        for alert in self:
            partners = recipients[alert].partner_id
            if not partners:
                continue
            alert.message_notify(
                partner_ids=partners.ids,
                subject=self.env._("Early warning: %s", alert.name),
                body=self.env._(
                    "%(indicator)s of %(company)s is %(value).2f (threshold %(threshold).2f, previous period "
                    "%(previous).2f) for the period from %(start)s. Acknowledge the alert once you have seen it.",
                    indicator=labels.get(alert.indicator, alert.indicator),
                    company=alert.company_id.name,
                    value=alert.value,
                    threshold=alert.threshold,
                    previous=alert.previous_value,
                    start=alert.period_start,
                ),
                email_layout_xmlid="mail.mail_notification_light",
            )

    def _dss_raise_events(self):
        """A customer event for each alert (grouped by company: the event's company)."""
        labels = self.env["crm.dss.indicator"]._dss_indicator_labels()
        Event = self.env["crm.event"]
        by_company = defaultdict(lambda: self.browse())
        for alert in self:
            by_company[alert.company_id] |= alert
        for company, alerts in by_company.items():
            payloads = [
                {
                    "name": alert.name,
                    "event_type": EVENT_TYPES.get(alert.indicator, "customer_analysis"),
                    "severity": EVENT_SEVERITIES[alert.severity],
                    "user_id": alert.responsible_ids[:1].id or False,
                    "source_ref": f"{alert._name},{alert.id}",
                    "description": self.env._(
                        "%(indicator)s: %(value).2f, threshold %(threshold).2f",
                        indicator=labels.get(alert.indicator, alert.indicator),
                        value=alert.value,
                        threshold=alert.threshold,
                    ),
                }
                for alert in alerts
            ]
            events = Event.with_company(company)._create_from_payload(payloads)
            for alert, event in zip(alerts, events, strict=True):
                alert.event_id = event
