from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import create_index, format_list

from ..lib import assignment, forecast, qualification

FORECAST_CATEGORIES = [("pipeline", "Pipeline"), ("best_case", "Best Case"), ("commit", "Commit")]

# The leads an order's confirmation is marking won (sale.order._crm_sfa_win_opportunities),
# while that automatic move runs: the stage gates do not hold them. Server-side state that
# no caller can set, unlike a context key.
_UNGATED_LEAD_IDS = ContextVar("crm_sfa_ungated_lead_ids", default=frozenset())


@contextmanager
def skipping_stage_gates(leads):
    """While the ``with`` block runs, the stage gates let ``leads`` enter any stage."""
    token = _UNGATED_LEAD_IDS.set(_UNGATED_LEAD_IDS.get() | frozenset(leads.ids))
    try:
        yield
    finally:
        _UNGATED_LEAD_IDS.reset(token)


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "crm.workflow.mixin", "crm.system.fields.mixin"]
    # the score is counted from the criteria met; the stage whose tasks were given, by the tasks
    _crm_system_fields = ("crm_qualification_score", "crm_stage_tasks_stage_id")

    crm_competitor_ids = fields.Many2many(
        "res.partner",
        "crm_lead_competitor_rel",
        "lead_id",
        "partner_id",
        string="Competitors",
        domain="[('crm_is_competitor', '=', True)]",
        help="The competitors also bidding for this deal.",
    )
    crm_market_intel_count = fields.Integer(
        string="Market Intelligence",
        compute="_compute_crm_market_intel_count",
        groups="crm_sfa.group_crm_sfa_manager",
    )

    def _crm_market_intel_domain(self):
        """The intelligence about these deals or their competitors."""
        return [
            "|",
            ("opportunity_ids", "in", self.ids),
            ("competitor_ids", "in", self.crm_competitor_ids.ids),
        ]

    def _compute_crm_market_intel_count(self):
        intel = self.env["crm.market.intel"].search(self._crm_market_intel_domain())
        for lead in self:
            lead.crm_market_intel_count = len(
                intel.filtered(
                    lambda item, lead=lead: lead in item.opportunity_ids
                    or item.competitor_ids & lead.crm_competitor_ids
                )
            )

    def action_view_crm_market_intel(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_sfa.crm_market_intel_action")
        action["domain"] = self._crm_market_intel_domain()
        action["context"] = {
            "default_opportunity_ids": [self.id],
            "default_competitor_ids": self.crm_competitor_ids.ids,
        }
        return action

    # Forecast and funnel (capabilities 5 and 6)

    crm_forecast_category = fields.Selection(
        FORECAST_CATEGORIES,
        string="Forecast Category",
        compute="_compute_crm_forecast_category",
        store=True,
        readonly=False,
        help="How sure the salesperson is of this deal: Commit (will close in the period), Best Case "
        "(could close), Pipeline (early). Follows the probability until the salesperson sets it.",
    )
    crm_forecast_category_manual = fields.Boolean(
        string="Forecast Category Set by Hand",
        copy=False,
        help="The salesperson chose the category: probability changes no longer move it.",
    )
    crm_stage_history_ids = fields.One2many("crm.lead.stage.history", "lead_id", string="Stage History")

    def _auto_init(self):
        result = super()._auto_init()
        # the forecast report: open opportunities by expected closing, per salesperson, team, company
        create_index(
            self.env.cr,
            "crm_lead_crm_sfa_open_index",
            self._table,
            ["date_deadline", "company_id", "user_id", "team_id"],
            where="active AND type = 'opportunity' AND COALESCE(probability, 0) < 100",
        )
        # win rates and the performance report: leads closed per period
        create_index(
            self.env.cr,
            "crm_lead_crm_sfa_closed_index",
            self._table,
            ["date_closed", "company_id", "user_id"],
            where="date_closed IS NOT NULL",
        )
        return result

    @api.depends("probability")
    def _compute_crm_forecast_category(self):
        for lead in self:
            if not (lead.crm_forecast_category_manual and lead.crm_forecast_category):
                lead.crm_forecast_category = forecast.category_from_probability(lead.probability)

    # Qualification, stage gates, stage tasks and territory assignment (capabilities 2 and 3)

    crm_qualification_criterion_ids = fields.Many2many(
        "crm.qualification.criterion",
        "crm_lead_qualification_criterion_rel",
        "lead_id",
        "criterion_id",
        string="Criteria Met",
        domain="['|', ('team_id', '=', False), ('team_id', '=', team_id)]",
        help="The qualification criteria of the lead's team that the salesperson has confirmed.",
    )
    crm_qualification_score = fields.Float(
        string="Qualification",
        compute="_compute_crm_qualification_score",
        store=True,
        aggregator="avg",
        digits=(5, 2),
        help="Weighted share, from 0 to 100, of the team's qualification criteria the lead meets.",
    )
    crm_interest_category_ids = fields.Many2many(
        "product.category",
        "crm_lead_interest_category_rel",
        "lead_id",
        "category_id",
        string="Product Interests",
        help="The product categories the customer asks about: the automatic assignment gives the lead "
        "to a salesperson who covers them.",
    )
    crm_stage_tasks_stage_id = fields.Many2one(
        "crm.stage",
        string="Stage Tasks Given For",
        readonly=True,
        copy=False,
        help="The stage whose tasks the salesperson received since the lead entered it (technical).",
    )

    @api.depends("team_id", "crm_qualification_criterion_ids")
    def _compute_crm_qualification_score(self):
        # sudo: the score counts every criterion of the team, whichever companies are active
        criteria = (
            self.env["crm.qualification.criterion"]
            .sudo()
            .search([("team_id", "in", [False, *self.team_id._origin.ids])])
        )
        weights = defaultdict(dict)  # team id (False: every team) -> {criterion id: weight}
        for criterion in criteria:
            weights[criterion.team_id.id][criterion.id] = criterion.weight
        for lead in self:
            team_id = lead.team_id._origin.id
            team_weights = {**weights[False], **weights[team_id]} if team_id else weights[False]
            # _origin: in the form, before saving, the lead may be a new record
            met = set(lead.crm_qualification_criterion_ids._origin.ids)
            lead.crm_qualification_score = qualification.score(team_weights, met)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("crm_forecast_category"):
                vals["crm_forecast_category_manual"] = True
        leads = super().create(vals_list)
        # sudo: the stage history is kept by the system; users only read it
        self.env["crm.lead.stage.history"].sudo()._record_entries(leads.sudo())
        leads.filtered("user_id")._crm_give_stage_tasks(entering=leads)
        return leads

    def write(self, vals):
        if "crm_forecast_category" in vals:
            vals = dict(vals, crm_forecast_category_manual=bool(vals["crm_forecast_category"]))
        if "stage_id" not in vals and "active" not in vals and not vals.get("user_id"):
            return super().write(vals)
        before = {lead.id: (lead.stage_id, lead.active) for lead in self}
        moving = entering = gaining = self.browse()
        if vals.get("stage_id"):
            entering = self.filtered(lambda lead: lead.stage_id.id != vals["stage_id"])
            # a lead that had no stage yet is being filed, not moved: no gate holds it
            moving = entering.filtered("stage_id")
        if vals.get("user_id"):
            gaining = self.filtered(lambda lead: not lead.user_id)
        result = super().write(vals)
        # a lead moved when it changed stage, or came back from lost (a new entry)
        moved = self.filtered(
            lambda lead: lead.active and (lead.stage_id != before[lead.id][0] or not before[lead.id][1])
        )
        lost = self.filtered(lambda lead: not lead.active and before[lead.id][1])
        if moved or lost:
            # sudo: the stage history is kept by the system; users only read it
            History = self.env["crm.lead.stage.history"].sudo()
            History._record_lost(lost.sudo())
            History._record_entries(moved.sudo())
        # after the write, so that values given with the move count; raising undoes it all
        moving._crm_check_stage_gates()
        (entering | gaining)._crm_give_stage_tasks(entering=entering)
        return result

    # Stage gates

    def _crm_check_stage_gates(self):
        """Raise if one of these leads lacks what the gates of its (new) stage ask for.

        The leads a confirmed order is marking won pass (:func:`skipping_stage_gates`).
        """
        ungated = _UNGATED_LEAD_IDS.get()
        problems = self.filtered(lambda lead: lead.id not in ungated)._crm_stage_gate_problems()
        if problems:
            raise ValidationError("\n".join(problems.values()))

    def _crm_stage_gate_problems(self):
        """{lead: the sentence telling what to do} for the leads lacking what the gates of their stage ask for."""
        problems = {}
        gated = self.filtered(lambda lead: lead.stage_id.id in self.env["crm.stage.gate"]._stage_ids())
        if not gated:
            return problems
        # sudo: a gate holds whoever moves the lead, whatever configuration they may read
        gates = self.env["crm.stage.gate"].sudo().search([("stage_id", "in", gated.stage_id.ids)])
        for lead in gated:
            lead_gates = gates._for_lead(lead)
            if not lead_gates:
                continue
            # a field removed since the gate was set up no longer holds anyone
            required = lead_gates.field_ids.filtered(lambda field: field.name in self._fields)
            # sudo: whether a field is filled in counts, whatever fields the mover may read
            sudo_lead = lead.sudo()
            missing_fields, missing_criteria = qualification.missing(
                required.mapped("name"),
                {field.name: sudo_lead[field.name] for field in required},
                lead_gates.criterion_ids.ids,
                set(sudo_lead.crm_qualification_criterion_ids.ids),
            )
            if missing_fields or missing_criteria:
                labels = {field.name: field.field_description for field in required}
                names = {criterion.id: criterion.name for criterion in lead_gates.criterion_ids}
                problems[lead] = lead._crm_gate_message(
                    [labels[name] for name in missing_fields], [names[key] for key in missing_criteria]
                )
        return problems

    def _crm_gate_message(self, field_labels, criterion_names):
        """The sentence telling what to do before this lead may enter its stage."""
        self.ensure_one()
        values = {
            "lead": self.display_name,
            "stage": self.stage_id.name,
            "fields": format_list(self.env, field_labels),
            "criteria": format_list(self.env, criterion_names),
        }
        if field_labels and criterion_names:
            return self.env._(
                "Fill in %(fields)s and confirm %(criteria)s before moving %(lead)s to %(stage)s.", **values
            )
        if field_labels:
            return self.env._("Fill in %(fields)s before moving %(lead)s to %(stage)s.", **values)
        return self.env._("Confirm %(criteria)s before moving %(lead)s to %(stage)s.", **values)

    # Orders

    def _update_revenues_from_so(self, order):
        # sale_crm raises the opportunity's expected revenue to the order's on confirmation,
        # with the confirming user's rights: a confirmation must not fail because the user
        # may not change the opportunity (another salesperson's, a customer on the portal).
        mine = self._filtered_access("write")
        result = super(CrmLead, mine)._update_revenues_from_so(order)
        if self - mine:
            # sudo: the confirmed order's amount, on opportunities the confirming user may not change
            super(CrmLead, (self - mine).sudo())._update_revenues_from_so(order)
        return result

    # Stage tasks

    def _crm_give_stage_tasks(self, entering):
        """Give the salespeople of these leads the tasks of the stage each lead is in, once per entry.

        ``entering`` are the leads that just entered their stage: a new entry, so new
        tasks. The others just received a salesperson: they get the tasks of their stage
        unless someone already received them since the lead entered it.
        """
        concerned = self.filtered(lambda lead: lead.stage_id.id in self.env["crm.stage.task"]._stage_ids())
        if not concerned:
            return
        # sudo: the team's sales process gives the tasks, whatever configuration the user may read
        tasks = self.env["crm.stage.task"].sudo().search([("stage_id", "in", concerned.stage_id.ids)])
        today = fields.Date.context_today(self)
        activities, given, pending = [], defaultdict(list), []
        for lead in concerned:
            entry = lead in entering
            if not lead.user_id:
                if entry and lead.crm_stage_tasks_stage_id:
                    pending.append(lead.id)  # nobody received the tasks of this entry yet
                continue
            if not entry and lead.crm_stage_tasks_stage_id == lead.stage_id:
                continue
            lead_tasks = tasks._for_lead(lead)
            if lead_tasks:
                activities += [task._activity_values(lead, today) for task in lead_tasks]
                given[lead.stage_id.id].append(lead.id)
        if activities:
            self.env["mail.activity"].create(activities)
        # sudo: which stage's tasks were given is a system field, set here for the leads the
        # user is creating or changing
        for stage_id, lead_ids in given.items():
            self.browse(lead_ids).sudo().write({"crm_stage_tasks_stage_id": stage_id})
        if pending:
            self.browse(pending).sudo().write({"crm_stage_tasks_stage_id": False})

    # Assignment by territory (see crm.team)

    def _crm_assignment_leads(self):
        """These leads as :class:`lib.assignment.Lead`, in their order."""
        return [
            assignment.Lead(
                id=lead.id,
                team_id=lead.team_id.id or None,
                country_id=lead.country_id.id or None,
                state_id=lead.state_id.id or None,
                zip=lead.zip or None,
                interests=frozenset(
                    [("tag", tag_id) for tag_id in lead.tag_ids.ids]
                    + [("category", category_id) for category_id in lead.crm_interest_category_ids.ids]
                ),
            )
            for lead in self
        ]

    def _crm_with_duplicates(self):
        """Those of these leads whose email another open lead has: Odoo's allocation merges them."""
        emails = {email for email in self.mapped("email_normalized") if email}
        if not emails:
            return self.browse()
        groups = self.with_context(active_test=False)._read_group(
            [
                ("email_normalized", "in", list(emails)),
                ("active", "=", True),
                "|",
                ("stage_id", "=", False),
                ("stage_id.is_won", "=", False),
            ],
            ["email_normalized"],
            ["__count"],
        )
        shared = {email for email, count in groups if count > 1}
        return self.filtered(lambda lead: lead.email_normalized in shared)

    def _crm_assign_salesperson(self, user, team):
        """Give these leads to ``user`` in ``team`` as Odoo's assignment does with
        ``convert_opportunity`` (open leads become opportunities), through its hooks
        ``_convert_opportunity_data`` and ``_handle_salesmen_assignment``, but with one write
        per set of equal conversion values instead of one per lead, and a note in each
        chatter instead of one tracking message each."""
        if not self:
            return
        leads = self.with_context(mail_auto_subscribe_no_notify=True, mail_notrack=True)
        by_values = defaultdict(list)
        for lead in leads:
            # Odoo's convert_opportunity skips these, and assigns them all the same
            if lead.active and lead.probability != 100:
                # the customer stays the lead's own, as Odoo's assignment passes it
                values = lead._convert_opportunity_data(lead.partner_id, team.id)
                by_values[tuple(sorted(values.items()))].append(lead.id)
        for values, lead_ids in by_values.items():
            leads.browse(lead_ids).write(dict(values))
        leads._handle_salesmen_assignment(user_ids=user.ids, team_id=team.id)
        body = Markup("<p>%s</p>") % self.env._(
            "Assigned to %(user)s (%(team)s) by the automatic lead assignment.", user=user.name, team=team.name
        )
        leads._message_log_batch(bodies=dict.fromkeys(leads.ids, body))
