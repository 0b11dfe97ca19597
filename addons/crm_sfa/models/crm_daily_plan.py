from collections import Counter, defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import create_index

from ..lib import reminders

# the activity types of the morning and evening reminders
PLAN_REMINDER = "crm_sfa.mail_activity_type_crm_daily_plan_plan"
REPORT_REMINDER = "crm_sfa.mail_activity_type_crm_daily_plan_report"
# their hours, in each salesperson's own time zone
PLAN_REMINDER_HOUR = 7
REPORT_REMINDER_HOUR = 17


class CrmDailyPlan(models.Model):
    """A salesperson's day: the calls, visits and follow-ups planned in the morning and
    their results reported in the evening. One plan per salesperson and day.

    A plan is its salesperson's own: whoever creates a plan is its owner (the morning
    cron opens the plan of the day of every salesperson who has none), and no one gives
    a plan to someone else, nor moves it afterwards. Managers read and complete the plans
    of their department (the record rules), they do not plan in someone else's name.
    The status moves with the buttons only, and the completion is counted from the lines.
    """

    _name = "crm.daily.plan"
    _description = "Daily Work Plan"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.system.fields.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _crm_system_fields = (
        "name",
        "user_id",
        "department_id",
        "state",
        "line_count",
        "done_count",
        "completion_rate",
        "reported_on",
    )

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env.user,
        tracking=True,
    )
    employee_id = fields.Many2one(
        "hr.employee",
        compute="_compute_employee_id",
        store=True,
        readonly=False,
        index=True,
        check_company=True,
    )
    department_id = fields.Many2one(related="employee_id.department_id", store=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("planned", "Planned"), ("reported", "Reported")],
        string="Status",
        required=True,
        readonly=True,
        copy=False,
        default="draft",
        tracking=True,
    )
    line_ids = fields.One2many("crm.daily.plan.line", "plan_id", string="Lines", copy=True)
    summary = fields.Text(string="Day Summary")
    line_count = fields.Integer(string="Planned", compute="_compute_completion", store=True)
    done_count = fields.Integer(string="Done", compute="_compute_completion", store=True)
    completion_rate = fields.Float(string="Completion (%)", compute="_compute_completion", store=True, aggregator="avg")
    reported_on = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        (
            "user_date_uniq",
            "unique(user_id, date)",
            "A salesperson has one plan per day: open the existing plan of that day instead of creating another.",
        ),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        # managers' dashboards filter by department and period
        create_index(self.env.cr, "crm_daily_plan_department_date_idx", self._table, ["department_id", "date"])
        return result

    @api.depends("user_id", "date")
    def _compute_name(self):
        for plan in self:
            plan.name = f"{plan.user_id.name or ''} - {plan.date or ''}"

    @api.depends("user_id", "company_id")
    def _compute_employee_id(self):
        # not user.employee_ids: it holds only the employees of the active companies
        employees = self.env["hr.employee"].search(
            [("user_id", "in", self.user_id.ids), ("company_id", "in", self.company_id.ids)]
        )
        by_user_company = {(employee.user_id, employee.company_id): employee for employee in employees}
        for plan in self:
            plan.employee_id = by_user_company.get((plan.user_id, plan.company_id), False)

    @api.depends("line_ids.done")
    def _compute_completion(self):
        for plan in self:
            plan.line_count = len(plan.line_ids)
            plan.done_count = len(plan.line_ids.filtered("done"))
            plan.completion_rate = 100.0 * plan.done_count / plan.line_count if plan.line_count else 0.0

    @api.constrains("user_id", "employee_id")
    def _check_employee(self):
        for plan in self:
            if not plan.employee_id or plan.employee_id.user_id != plan.user_id:
                raise ValidationError(
                    self.env._(
                        "%(user)s has no employee record in %(company)s: ask HR to link the user to an employee "
                        "before planning the day.",
                        user=plan.user_id.name,
                        company=plan.company_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        defaults = self.default_get(["user_id", "date"])
        # Outside superuser mode the owner is the creating user (crm.system.fields.mixin
        # refuses any other, below): a forged owner does not learn whether their day is taken.
        owner_id = None if self.env.su else self.env.uid
        self._check_one_plan_per_day(
            [
                (
                    owner_id or vals.get("user_id", defaults.get("user_id")),
                    fields.Date.to_date(vals.get("date", defaults.get("date"))),
                )
                for vals in vals_list
            ]
        )
        return super().create(vals_list)

    def write(self, vals):
        if "user_id" in vals or "date" in vals:
            self._crm_check_system_fields(vals)  # a forged owner is refused before the day is looked up
            self._check_one_plan_per_day(
                [
                    (vals.get("user_id", plan.user_id.id), fields.Date.to_date(vals.get("date", plan.date)))
                    for plan in self
                ]
            )
        return super().write(vals)

    def _check_one_plan_per_day(self, keys):
        """Raise a clear error if the (user id, date) ``keys`` repeat or are taken by plans other than ``self``."""
        taken = [key for key, count in Counter(keys).items() if count > 1]
        if not taken:
            # sudo: the plan that takes the day may be hidden from the current user by the rules
            others = self.sudo().search_fetch(
                [
                    ("user_id", "in", list({user_id for user_id, _date in keys})),
                    ("date", "in", list({date for _user_id, date in keys})),
                    ("id", "not in", self.ids),
                ],
                ["user_id", "date"],
            )
            taken = set(keys) & {(plan.user_id.id, plan.date) for plan in others}
        if taken:
            user_id, date = next(iter(taken))
            raise ValidationError(
                self.env._(
                    "%(user)s already has a plan for %(date)s: open it from My Daily Plans instead of creating "
                    "another.",
                    user=self.env["res.users"].browse(user_id).sudo().name,
                    date=date,
                )
            )

    def action_plan(self):
        """The salesperson has planned the day."""
        self.check_access("write")
        empty = self.filtered(lambda plan: not plan.line_ids)
        if empty:
            raise UserError(
                self.env._(
                    "Add at least one call, visit or follow-up to the plan of %s before marking the day planned.",
                    empty[0].name,
                )
            )
        # sudo: the status is a system field, which this button moves once the checks above passed
        self.filtered(lambda plan: plan.state == "draft").sudo().write({"state": "planned"})
        self._reminders(PLAN_REMINDER).action_done()
        return True

    def action_report(self):
        """The salesperson reports the day: every line that took place needs its result."""
        self.check_access("write")
        empty = self.filtered(lambda plan: not plan.line_ids)
        if empty:
            raise UserError(
                self.env._(
                    "The plan of %s has no line: add the calls, visits and follow-ups of the day before reporting it.",
                    empty[0].name,
                )
            )
        missing = self.line_ids.filtered(lambda line: line.done and not line.result)
        if missing:
            raise UserError(
                self.env._(
                    "Give a result to every line that took place before reporting, or untick Done on those that did "
                    "not: %s",
                    ", ".join(missing.mapped("display_name")),
                )
            )
        # sudo: status and report date are system fields, set by this button after the checks above
        self.sudo().write({"state": "reported", "reported_on": fields.Datetime.now()})
        self._reminders().action_done()
        return True

    def action_reset_to_planned(self):
        """Reopen a reported day to correct its results."""
        self.check_access("write")
        # sudo: status and report date are system fields, which this button resets
        self.filtered(lambda plan: plan.state == "reported").sudo().write({"state": "planned", "reported_on": False})
        return True

    def _reminders(self, *xmlids):
        """The open reminder activities of the plans, of the given types (default: both)."""
        types = self.env["mail.activity.type"].concat(
            *(self.env.ref(xmlid) for xmlid in xmlids or (PLAN_REMINDER, REPORT_REMINDER))
        )
        return self.activity_ids.filtered(lambda activity: activity.activity_type_id in types)

    # reminders
    #
    # The crons run every hour. Each salesperson is reminded at the hour of their own day:
    # in their time zone (their preferences), else their company's (its working hours), else
    # UTC; once per day, for the plan of their own day (lib/reminders.py).

    @api.model
    def _local_days(self, users, hour, now=None):
        """``{local date: users}`` of those of ``users`` whose local time has passed ``hour`` o'clock."""
        now = now or fields.Datetime.now()
        by_day = defaultdict(lambda: self.env["res.users"])
        for user in users:
            local_now = reminders.local_time(now, user.tz or user.company_id.resource_calendar_id.tz)
            if reminders.reminder_due(local_now, hour):
                by_day[local_now.date()] |= user
        return by_day

    @api.model
    def _salespeople_employees(self):
        """One employee per active salesperson: the one of the user's main company first."""
        salespeople = self.env.ref("sales_team.group_sale_salesman").users.filtered(
            lambda user: user.active and not user.share
        )
        employees = self.env["hr.employee"].search(
            [("user_id", "in", salespeople.ids)], order="user_id, company_id, id"
        )
        by_user = {}
        for employee in employees:
            user, chosen = employee.user_id, by_user.get(employee.user_id)
            if not chosen or (chosen.company_id != user.company_id and employee.company_id == user.company_id):
                by_user[user] = employee
        return self.env["hr.employee"].concat(*by_user.values())

    @api.model
    def _working_on(self, employees, day):
        """Those of ``employees`` who work on ``day`` (their working hours; Monday to Friday without)."""
        working = self.env["hr.employee"].browse()
        for calendar, calendar_employees in employees.grouped("resource_calendar_id").items():
            works = calendar._works_on_date(day) if calendar else day.weekday() < 5
            if works:
                working |= calendar_employees
        return working

    @api.model
    def _cron_remind_missing_plans(self):
        """Morning reminder: an empty plan and a "plan your day" activity for each salesperson
        without a plan on their own day, once their local time has passed PLAN_REMINDER_HOUR."""
        employees = self._salespeople_employees()
        employee_of = {employee.user_id: employee for employee in employees}
        for day, users in self._local_days(employees.user_id, PLAN_REMINDER_HOUR).items():
            day_employees = self._working_on(self.env["hr.employee"].concat(*(employee_of[u] for u in users)), day)
            planned_users = (
                self.search_fetch([("date", "=", day), ("user_id", "in", day_employees.user_id.ids)], ["user_id"])
            ).user_id
            day_employees = day_employees.filtered(
                lambda employee, planned=planned_users: employee.user_id not in planned
            )
            if not day_employees:
                continue
            # sudo: the system opens each salesperson's plan of the day (the owner is a system field)
            Plan = self.sudo().with_context(tracking_disable=True)
            plans = Plan.create(
                [
                    {
                        "user_id": employee.user_id.id,
                        "employee_id": employee.id,
                        "company_id": employee.company_id.id,
                        "date": day,
                    }
                    for employee in day_employees
                ]
            )
            plans._schedule_reminders(
                PLAN_REMINDER,
                self.env._("Plan your day: add your calls, visits and follow-ups, then click Plan."),
            )

    @api.model
    def _cron_remind_unreported_plans(self):
        """Evening reminder: a "report your day" activity on the planned plans not reported yet,
        once their salesperson's local time has passed REPORT_REMINDER_HOUR on the plan's day."""
        today = fields.Date.context_today(self)
        # a salesperson's own day is at most a day away from the server's
        candidates = self.search(
            [
                ("date", ">=", today - timedelta(days=1)),
                ("date", "<=", today + timedelta(days=1)),
                ("state", "=", "planned"),
            ]
        )
        due = self._local_days(candidates.user_id, REPORT_REMINDER_HOUR)
        plans = candidates.filtered(lambda plan: plan.user_id in due.get(plan.date, ()))
        report_type = self.env.ref(REPORT_REMINDER)
        reminded = (
            self.env["mail.activity"]
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", plans.ids),
                    ("activity_type_id", "=", report_type.id),
                ],
                ["res_id"],
            )
            .mapped("res_id")
        )
        plans.filtered(lambda plan: plan.id not in reminded)._schedule_reminders(
            REPORT_REMINDER,
            self.env._("Report your day: give the result of each line, then click Report."),
        )

    def _schedule_reminders(self, type_xmlid, summary):
        """One activity per plan for its salesperson, in a constant number of queries."""
        if not self:
            return
        self._subscribe_owners()
        activity_type = self.env.ref(type_xmlid)
        model_id = self.env["ir.model"]._get_id(self._name)
        # No "assigned to you" mail: the reminder shows in the salesperson's activities.
        # The owners follow their plans already (above): no subscription per activity.
        self.env["mail.activity"].with_context(mail_activity_quick_update=True, crm_sfa_owners_subscribed=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": plan.id,
                    "activity_type_id": activity_type.id,
                    "summary": summary,
                    "user_id": plan.user_id.id,
                    "date_deadline": plan.date,
                }
                for plan in self
            ]
        )

    def _subscribe_owners(self):
        """Make each salesperson a follower of their plan, in one batch."""
        # sudo: followers are system records; the crons and the owners' own plans only
        Followers = self.env["mail.followers"].sudo()
        existing = {
            (follower.res_id, follower.partner_id.id)
            for follower in Followers.search_fetch(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id", "partner_id"]
            )
        }
        subtype_ids = self.env["mail.message.subtype"]._default_subtypes(self._name)[0]
        Followers.create(
            [
                {
                    "res_model": self._name,
                    "res_id": plan.id,
                    "partner_id": plan.user_id.partner_id.id,
                    "subtype_ids": [Command.set(subtype_ids)],
                }
                for plan in self
                if (plan.id, plan.user_id.partner_id.id) not in existing
            ]
        )

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        if self.env.context.get("crm_sfa_owners_subscribed"):
            return True
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)
