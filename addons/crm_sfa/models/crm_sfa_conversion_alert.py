from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models

from ..lib import conversion, periods


class CrmSfaConversionAlert(models.Model):
    """A salesperson converting below the configured share of their team's average in a month.

    Made by the weekly cron, at most once per salesperson, team and month (the unique
    constraint makes the "once" hold even if two crons ran together); the manager gets
    an activity and a message on it.
    """

    _name = "crm.sfa.conversion.alert"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.system.fields.mixin"]
    _description = "Conversion Alert"
    _order = "date_from desc, id desc"
    # Managers may write alerts for their chatter and activities; what the cron found is its own.
    _crm_system_fields = (
        "name",
        "user_id",
        "team_id",
        "company_id",
        "manager_id",
        "date_from",
        "entered_count",
        "converted_count",
        "conversion_rate",
        "team_conversion_rate",
        "alert_ratio",
    )

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one("res.users", string="Salesperson", required=True, index=True, ondelete="cascade")
    team_id = fields.Many2one("crm.team", string="Sales Team", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    manager_id = fields.Many2one("res.users", ondelete="set null")
    date_from = fields.Date(string="Month", required=True)
    entered_count = fields.Integer(string="Stage Entries")
    converted_count = fields.Integer(
        string="Converted", help="Stage entries that moved on to a later stage, or entered a won stage."
    )
    conversion_rate = fields.Float(string="Conversion (%)", digits=(16, 1), aggregator="avg")
    team_conversion_rate = fields.Float(string="Team Average (%)", digits=(16, 1), aggregator="avg")
    alert_ratio = fields.Float(string="Alert Below (share of team average)", digits=(16, 2))

    _sql_constraints = [
        (
            "user_team_period_unique",
            "UNIQUE (user_id, team_id, date_from)",
            "A salesperson is alerted once per team and month.",
        ),
    ]

    @api.depends("user_id", "team_id", "date_from")
    def _compute_name(self):
        for alert in self:
            month = alert.date_from.strftime("%Y-%m") if alert.date_from else ""
            alert.name = f"{month} - {alert.user_id.name or ''} ({alert.team_id.name or ''})"

    @api.model
    def _cron_check_conversion(self):
        """Weekly: alert the managers of salespeople converting below their team this month."""
        return self._check_conversion(fields.Date.context_today(self))

    @api.model
    def _check_conversion(self, today):
        """Compare each salesperson's conversion this month with their team's; alert once per month."""
        date_from = today.replace(day=1)
        date_to = periods.add_months(date_from, 1)
        # The funnel report's rows: what converts is defined once (lib.conversion), and the
        # rate compared here is the one the managers read in the funnel.
        # sudo: the cron compares every salesperson, whatever the rules of its user
        Funnel = self.env["crm.sfa.report.funnel"].sudo()
        groups = Funnel._read_group(
            [
                ("date", ">=", fields.Datetime.to_datetime(date_from)),
                ("date", "<", fields.Datetime.to_datetime(date_to)),
                ("team_id", "!=", False),
                ("company_id", "!=", False),
            ],
            ["company_id", "team_id", "user_id"],
            ["entered_count:sum", "converted_count:sum"],
        )
        stats = defaultdict(dict)
        for company, team, user, entered, converted in groups:
            stats[company][team, user] = (entered, converted)
        existing = {
            (alert.user_id, alert.team_id)
            for alert in self.sudo().search(
                [("date_from", "=", date_from), ("company_id", "in", [company.id for company in stats])]
            )
        }
        values = []
        for company, by_subject in stats.items():
            found = conversion.underperformers(
                by_subject,
                ratio=company.crm_sfa_conversion_alert_ratio,
                min_leads=company.crm_sfa_conversion_alert_min_leads,
            )
            for item in found:
                if (item.user, item.team) in existing:
                    continue
                values.append(
                    {
                        "user_id": item.user.id,
                        "team_id": item.team.id,
                        "company_id": company.id,
                        "manager_id": self._manager_of(item.user, item.team, company).id,
                        "date_from": date_from,
                        "entered_count": item.entered,
                        "converted_count": item.converted,
                        "conversion_rate": 100.0 * item.rate,
                        "team_conversion_rate": 100.0 * item.team_rate,
                        "alert_ratio": company.crm_sfa_conversion_alert_ratio,
                    }
                )
        alerts = self.sudo().create(values)
        alerts._notify_manager()
        return alerts

    @api.model
    def _manager_of(self, user, team, company):
        """The salesperson's manager in the company (the suite's one lookup), else the team leader."""
        return user._crm_workflow_manager(company) or (team.user_id - user)

    def _notify_manager(self):
        for alert in self.filtered("manager_id"):
            summary = self.env._("Conversion of %s below the team average", alert.user_id.name)
            note = self.env._(
                "%(user)s converted %(converted)s of %(entered)s stage entries in %(month)s (moved on or won: "
                "%(rate).1f %%), against %(team_rate).1f %% for the team %(team)s. Review the pipeline with them.",
                user=alert.user_id.name,
                converted=alert.converted_count,
                entered=alert.entered_count,
                month=alert.date_from.strftime("%Y-%m"),
                rate=alert.conversion_rate,
                team_rate=alert.team_conversion_rate,
                team=alert.team_id.name,
            )
            alert.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=Markup("<p>%s</p>") % note,
                user_id=alert.manager_id.id,
            )
            alert.message_post(
                body=Markup("<p>%s</p>") % note,
                subject=summary,
                partner_ids=alert.manager_id.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
