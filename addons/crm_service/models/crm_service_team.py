import json
from collections import defaultdict

import pytz

from odoo import api, fields, models

from ..lib import dashboard


class CrmServiceTeam(models.Model):
    """A service team: the agents who share a queue of cases.

    Agents see their team's cases; routing rules send new cases to a team, which gives
    each to one of its members by its assignment method.
    """

    _name = "crm.service.team"
    _description = "Service Team"
    _inherit = ["mail.thread", "crm.system.fields.mixin"]
    _order = "sequence, id"

    _crm_system_fields = ("last_assigned_user_id",)

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    leader_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        tracking=True,
    )
    member_ids = fields.Many2many(
        "res.users",
        "crm_service_team_member_rel",
        "team_id",
        "user_id",
        string="Agents",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    assignment = fields.Selection(
        [
            ("round_robin", "Round Robin"),
            ("least_loaded", "Least Loaded"),
            ("manual", "By Hand"),
        ],
        required=True,
        default="round_robin",
        tracking=True,
        help="How a new case routed to the team gets its agent: in turn, to the agent with the fewest "
        "open cases, or left to the team leader. Agents on leave today are skipped.",
    )
    last_assigned_user_id = fields.Many2one(
        "res.users", string="Last Assigned", readonly=True, help="Where the round robin continues."
    )

    # Dashboard (Service Overview): counted over the cases the user may read -----------
    open_case_count = fields.Integer(string="Open Cases", compute="_compute_case_counts")
    unassigned_case_count = fields.Integer(string="Unassigned Cases", compute="_compute_case_counts")
    sla_warning_case_count = fields.Integer(string="SLA Warnings", compute="_compute_case_counts")
    sla_breached_case_count = fields.Integer(string="SLA Breaches", compute="_compute_case_counts")
    opened_today_case_count = fields.Integer(string="Opened Today", compute="_compute_case_counts")
    solved_case_count = fields.Integer(string="Solved in 7 Days", compute="_compute_case_counts")
    rating_avg_month = fields.Float(
        string="Average Rating (30 Days)",
        compute="_compute_case_averages",
        help="Average of the last rating of the team's cases rated in the last 30 days (1 to 5).",
    )
    response_hours_avg_month = fields.Float(
        string="Average Response Time (30 Days)",
        compute="_compute_case_averages",
        help="Calendar hours from the opening to the first response, for the cases opened in the last 30 days.",
    )
    dashboard_graph_data = fields.Text(
        compute="_compute_dashboard_graph_data", help="Cases opened each day of the last week."
    )

    @api.depends_context("uid", "allowed_company_ids", "tz")
    def _compute_case_counts(self):
        """One grouped query per counter for all the teams, as the user: the record rules
        decide which cases count, as they decide which the buttons' lists show."""
        domains = dashboard.counter_domains(fields.Datetime.now(), self._crm_service_tz())
        Case = self.env["crm.service.case"]
        for counter, domain in domains.items():
            counts = dict(Case._read_group(self._crm_service_case_domain(domain), ["team_id"], ["__count"]))
            field = dashboard.COUNTER_FIELDS[counter]
            for team in self:
                team[field] = counts.get(team._origin, 0)

    @api.depends_context("uid", "allowed_company_ids", "tz")
    def _compute_case_averages(self):
        """The ratings of the last 30 days from the cases, the response times from the
        service analysis (its figures, its rules): one grouped query each for all the teams."""
        now, tz = fields.Datetime.now(), self._crm_service_tz()
        ratings = dict(
            self.env["crm.service.case"]._read_group(
                self._crm_service_case_domain(dashboard.rated_domain(now, tz)), ["team_id"], ["rating_last_value:avg"]
            )
        )
        responses = dict(
            self.env["crm.service.report.case"]._read_group(
                self._crm_service_case_domain(dashboard.responded_domain(now, tz)), ["team_id"], ["response_hours:avg"]
            )
        )
        for team in self:
            team.rating_avg_month = ratings.get(team._origin, 0.0)
            team.response_hours_avg_month = responses.get(team._origin, 0.0)

    @api.depends_context("uid", "allowed_company_ids", "tz", "lang")
    def _compute_dashboard_graph_data(self):
        """Cases opened per day of the user's time zone over the last week, for all the teams at once."""
        now, tz = fields.Datetime.now(), self._crm_service_tz()
        rows = (
            self.env["crm.service.case"]
            .with_context(tz=tz)
            ._read_group(
                self._crm_service_case_domain(
                    [("date_open", ">=", dashboard.day_start(now, tz, dashboard.WEEK_DAYS - 1))]
                ),
                ["team_id", "date_open:day"],
                ["__count"],
            )
        )
        by_team = defaultdict(dict)
        for team, day, count in rows:
            by_team[team.id][day.date()] = count
        days = dashboard.week_days(dashboard.local_today(now, tz), self.env.lang)
        key = self.env._("Opened cases")
        for team in self:
            team.dashboard_graph_data = json.dumps(dashboard.week_graph(by_team[team._origin.id], days, key))

    def _crm_service_tz(self):
        """The time zone of the dashboard's days: the client's, else the user's, else UTC."""
        tz = self.env.context.get("tz") or self.env.user.tz
        return tz if tz in pytz.all_timezones_set else "UTC"

    def _crm_service_case_domain(self, domain):
        """``domain`` on the cases (or the analysis rows) of these teams."""
        return [("team_id", "in", self._origin.ids), *domain]

    def action_view_open_cases(self):
        self.ensure_one()
        return self._crm_service_case_action("open", self.env._("Open Cases"))

    def action_view_unassigned_cases(self):
        self.ensure_one()
        return self._crm_service_case_action("unassigned", self.env._("Unassigned Cases"))

    def action_view_sla_warning_cases(self):
        self.ensure_one()
        return self._crm_service_case_action("sla_warning", self.env._("SLA Warnings"))

    def action_view_sla_breached_cases(self):
        self.ensure_one()
        return self._crm_service_case_action("sla_breached", self.env._("SLA Breaches"))

    def action_view_opened_today_cases(self):
        self.ensure_one()
        return self._crm_service_case_action("opened_today", self.env._("Opened Today"))

    def action_view_solved_cases(self):
        self.ensure_one()
        return self._crm_service_case_action("solved", self.env._("Solved in 7 Days"))

    def action_view_rated_cases(self):
        self.ensure_one()
        return self._crm_service_case_action("rated", self.env._("Rated in 30 Days"))

    def action_view_response_analysis(self):
        """The service analysis of the cases the average response time reads, by agent."""
        self.ensure_one()
        now, tz = fields.Datetime.now(), self._crm_service_tz()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_service.crm_service_report_case_action")
        name = self.env._("%(team)s: Response Times", team=self.display_name)
        action.update(
            name=name,
            display_name=name,
            domain=[("team_id", "=", self.id), *dashboard.responded_domain(now, tz)],
            context={
                "pivot_row_groupby": ["user_id"],
                "pivot_measures": ["response_hours", "nbr"],
                "graph_groupbys": ["user_id"],
                "graph_measure": "response_hours",
            },
            views=sorted(action["views"], key=lambda view: view[1] != "pivot"),
        )
        return action

    def _crm_service_case_action(self, counter, title):
        """The cases behind one of the dashboard's counters, in a list first."""
        now, tz = fields.Datetime.now(), self._crm_service_tz()
        domains = dashboard.counter_domains(now, tz) | {"rated": dashboard.rated_domain(now, tz)}
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_service.crm_service_case_action")
        name = self.env._("%(team)s: %(cases)s", team=self.display_name, cases=title)
        action.update(
            name=name,
            display_name=name,
            domain=[("team_id", "=", self.id), *domains[counter]],
            context={"default_team_id": self.id},
            views=sorted(action["views"], key=lambda view: view[1] != "list"),
        )
        return action
