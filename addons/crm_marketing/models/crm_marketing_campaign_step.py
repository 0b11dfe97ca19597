from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import roi

STEP_ACTIVITY_TYPE = "crm_marketing.mail_activity_type_campaign_step"

#: what the people who run a step may change on it without the right to change the campaign's plan
EXECUTION_FIELDS = frozenset({"state", "analysis_notes", "rating"})


class CrmMarketingCampaignStep(models.Model):
    """One step of a campaign's plan: a task, an event, a mailing or an SMS.

    A step assigned to someone is a task in their Odoo activities: the step keeps one
    activity of the type *Campaign Step* for its assignee, with its deadline, through the
    ``mail.activity.mixin`` API (scheduled, moved, marked done or removed with the step).
    Marking that activity done in the activity widget marks the step done, through the
    message Odoo posts on the step when an activity is done.

    An event (trade show, seminar, advertisement, promotion) carries its post-event
    analysis: planned against actual attendance (the attendance responses recorded for
    the step), the leads made from them, what it cost (its cost lines), notes and a rating.
    """

    _name = "crm.marketing.campaign.step"
    _description = "Campaign Step"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "campaign_id, sequence, date_deadline, id"

    name = fields.Char(required=True, tracking=True)
    campaign_id = fields.Many2one("crm.marketing.campaign", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="campaign_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [("task", "Task"), ("event", "Event"), ("mailing", "Mailing"), ("sms", "SMS")],
        required=True,
        default="task",
    )
    event_type = fields.Selection(
        [
            ("trade_show", "Trade Show"),
            ("seminar", "Seminar"),
            ("advertisement", "Advertisement"),
            ("promotion", "Promotion"),
        ],
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False)]",
        help="Who carries the step out: the step is in their activities with its deadline.",
    )
    date_deadline = fields.Date(string="Deadline", tracking=True)
    state = fields.Selection(
        [("todo", "To Do"), ("done", "Done"), ("cancel", "Cancelled")],
        string="Status",
        required=True,
        default="todo",
        tracking=True,
    )
    description = fields.Text()
    mailing_id = fields.Many2one(
        "mailing.mailing",
        index="btree_not_null",
        ondelete="set null",
        help="The mailing (email or SMS) that carries out the step: sent from the Email Marketing screens.",
    )
    cost_line_ids = fields.One2many("crm.marketing.cost.line", "step_id", string="Costs")
    attendance_planned = fields.Integer(string="Planned Attendance")
    attendance_actual = fields.Integer(
        string="Actual Attendance",
        compute="_compute_analysis",
        help="The attendances (campaign responses) recorded for the event.",
    )
    attendance_rate = fields.Float(string="Attendance (%)", compute="_compute_analysis")
    lead_count = fields.Integer(
        string="Leads", compute="_compute_analysis", help="The leads made from the responses recorded for the event."
    )
    event_cost = fields.Monetary(
        string="Cost", compute="_compute_analysis", help="Actual amount of the cost lines of the event."
    )
    cost_per_lead = fields.Monetary(compute="_compute_analysis")
    analysis_notes = fields.Html(string="Post-Event Analysis")
    rating = fields.Selection(
        [("0", "Not rated"), ("1", "Poor"), ("2", "Good"), ("3", "Excellent")],
        default="0",
        help="How the event went, in the eyes of those who ran it.",
    )

    @api.depends("attendance_planned", "cost_line_ids.actual_amount")
    def _compute_analysis(self):
        # sudo: the analysis counts every response of the event, also those assigned to
        # other salespeople, and every cost of it; only counts and sums leave here
        responses = {
            step: (attended, leads)
            for step, attended, leads in self.env["crm.campaign.response"]
            .sudo()
            ._read_group(
                [("step_id", "in", self.ids), ("kind", "=", "attendance")],
                ["step_id"],
                ["__count", "lead_id:count_distinct"],
            )
        }
        costs = dict(
            self.env["crm.marketing.cost.line"]
            .sudo()
            ._read_group([("step_id", "in", self.ids)], ["step_id"], ["actual_amount:sum"])
        )
        for step in self:
            attended, lead_count = responses.get(step, (0, 0))
            cost = costs.get(step, 0.0)
            step.attendance_actual = attended
            step.attendance_rate = roi.share_percent(attended, step.attendance_planned)
            step.lead_count = lead_count
            step.event_cost = cost
            step.cost_per_lead = roi.cost_per(cost, lead_count)

    @api.model_create_multi
    def create(self, vals_list):
        steps = super().create(vals_list)
        steps._sync_activity()
        return steps

    def write(self, vals):
        if not self.env.su and set(vals) - EXECUTION_FIELDS:
            # who runs a step reports on it; changing the plan is for those who may change the campaign
            self.campaign_id.check_access("write")
        result = super().write(vals)
        if {"user_id", "date_deadline", "state", "name"} & set(vals) and not self.env.context.get(
            "crm_marketing_activity_done"
        ):
            self._sync_activity()
        return result

    def _message_post_after_hook(self, message, msg_values):
        """The assignee marked the step's activity done: the step is done."""
        activity_type = self.env.ref(STEP_ACTIVITY_TYPE, raise_if_not_found=False)
        if activity_type and msg_values.get("mail_activity_type_id") == activity_type.id:
            self.filtered(lambda step: step.state == "todo").with_context(crm_marketing_activity_done=True).write(
                {"state": "done"}
            )
        return super()._message_post_after_hook(message, msg_values)

    def _sync_activity(self):
        """Keep one *Campaign Step* activity per open, assigned step: for its assignee, by its
        deadline; done with the step, removed when the step is cancelled or unassigned.

        Reads the activities of all the steps at once and creates the missing ones in one go.
        """
        activity_type = self.env.ref(STEP_ACTIVITY_TYPE)
        Activity = self.env["mail.activity"]
        activities = {
            activity.res_id: activity
            for activity in Activity.search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        }
        model_id = self.env["ir.model"]._get_id(self._name)
        to_create, to_done, to_remove = [], Activity, Activity
        for step in self:
            activity = activities.get(step.id, Activity)
            if step.state == "todo" and step.user_id:
                deadline = step.date_deadline or fields.Date.context_today(step)
                values = {"user_id": step.user_id.id, "date_deadline": deadline, "summary": step.name}
                if not activity:
                    to_create.append(
                        dict(values, res_model_id=model_id, res_id=step.id, activity_type_id=activity_type.id)
                    )
                elif (activity.user_id, activity.date_deadline, activity.summary) != (
                    step.user_id,
                    deadline,
                    step.name,
                ):
                    activity.write(values)
            elif step.state == "done":
                to_done |= activity
            else:
                to_remove |= activity
        if to_create:
            Activity.create(to_create)
        if to_done:
            to_done.with_context(crm_marketing_activity_done=True).action_feedback()
        to_remove.unlink()

    def action_done(self):
        self.write({"state": "done"})

    def action_cancel(self):
        self.write({"state": "cancel"})

    def action_reset(self):
        self.write({"state": "todo"})

    def action_prepare_mailing(self):
        """A draft mailing of the campaign for this mailing or SMS step, opened to write and send it.

        The mailing goes to contacts (``res.partner``) of the campaign's target segment where
        the mailing knows segments; the Email Marketing screen sends it, with the contact
        preferences it applies.
        """
        self.ensure_one()
        if self.kind not in ("mailing", "sms"):
            raise UserError(
                self.env._("Only a mailing or SMS step prepares a mailing: set its kind to Mailing or SMS.")
            )
        if not self.mailing_id:
            self.campaign_id.check_access("write")
            Mailing = self.env["mailing.mailing"]
            values = {
                "subject": self.name,
                "mailing_type": "sms" if self.kind == "sms" else "mail",
                "campaign_id": self.campaign_id.campaign_id.id,
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            }
            if "crm_segment_id" in Mailing._fields and self.campaign_id.segment_id:
                values["crm_segment_id"] = self.campaign_id.segment_id.id
            self.mailing_id = Mailing.create(values)
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.mailing",
            "res_id": self.mailing_id.id,
            "views": [(False, "form")],
            "context": {"default_mailing_type": self.mailing_id.mailing_type},
        }
