import secrets
from collections import defaultdict, namedtuple
from datetime import timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, email_normalize, html2plaintext, plaintext2html

from ..lib import channels, entitlement, sla
from ..lib.knowledge import html_to_text
from ..lib.phone import lookup_key
from .crm_service_case_type import KINDS
from .crm_service_stage import BRIEF_OF_STATE, BRIEF_STATUSES, CASE_STATES

CHANNELS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("portal", "Portal"),
    ("web", "Web Form"),
    ("chat", "Live Chat"),
    ("sms", "SMS"),
    ("walk_in", "Walk-in"),
]
# severity of the complaint event a case records, by the case's priority
EVENT_SEVERITY = {"0": "normal", "1": "high", "2": "critical"}
ACCEPTANCE_DIGITS = 10
# the credit states in which a paid case may be scheduled (moved on from New)
CREDIT_CLEARED = ("not_needed", "passed", "unchecked", "approved")

PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]
SLA_STATUSES = [
    (sla.ON_TRACK, "On Track"),
    (sla.WARNING, "Warning"),
    (sla.BREACHED, "Breached"),
    (sla.MET, "Met"),
]

# A target of the contract and the fields of the case that hold its clock
Target = namedtuple("Target", "name hours warning deadline status done")
TARGETS = (
    Target(
        "response",
        "response_hours",
        "sla_response_warning_date",
        "sla_response_deadline",
        "sla_response_status",
        "date_first_response",
    ),
    Target(
        "resolution",
        "resolution_hours",
        "sla_resolution_warning_date",
        "sla_resolution_deadline",
        "sla_resolution_status",
        "date_closed",
    ),
)
# what the clock's fields are computed from; a write of one of these updates them
SLA_TRIGGERS = {"priority", "contract_id", "partner_id", "company_id", "date_open", "state"}
# how far ahead the calendar is read at first; doubled while a deadline lies beyond
SLA_SPAN = timedelta(days=31)
SLA_MAX_SPAN = timedelta(days=3 * 366)


class CrmServiceCase(models.Model):
    """A customer's request for service, or a complaint.

    Its SLA: the contract (the active one of the customer's commercial entity in the case's
    company, or one chosen by hand) gives, for the case's priority, a response and a
    resolution target in working hours of the contract's calendar. The clock starts at the
    opening, runs while the case is *New* or *In Progress*, and stops while it waits on the
    customer, is solved or cancelled; the working time it was stopped shifts the deadlines.
    The first response is the first time the case leaves *New* for work (Start, Waiting or
    Solved); the resolution is *Solved*. The arithmetic is :mod:`..lib.sla`; the
    scheduled check (:meth:`_cron_sla`) raises the statuses and alerts.
    """

    _name = "crm.service.case"
    _description = "Service Case"
    _inherit = [
        "portal.mixin",
        "rating.mixin",
        "mail.thread.phone",
        "mail.activity.mixin",
        "crm.workflow.mixin",
        "crm.system.fields.mixin",
    ]
    _order = "priority desc, date_open desc, id desc"
    _primary_email = "partner_email"

    _crm_system_fields = (
        "acceptance_number",
        "phone_key",
        "brief_status",
        "event_id",
        "credit_state",
        "date_open",
        "date_closed",
        "date_first_response",
        "sla_response_warning_date",
        "sla_response_deadline",
        "sla_response_status",
        "sla_resolution_warning_date",
        "sla_resolution_deadline",
        "sla_resolution_status",
        "sla_paused_hours",
        "sla_paused_since",
        "sla_next_check",
    )

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default="/")
    subject = fields.Char(required=True, tracking=True)
    acceptance_number = fields.Char(
        compute="_compute_acceptance_number",
        store=True,
        precompute=True,
        readonly=True,
        copy=False,
        index=True,
        help="Given to the customer when the case is received: with their phone number it finds the case "
        "on the status page and at the call centre. Random, so that it tells nothing of other cases.",
    )
    type_id = fields.Many2one(
        "crm.service.case.type",
        string="Case Type",
        index="btree_not_null",
        tracking=True,
        domain="[('company_id', 'in', [company_id, False])]",
    )
    case_type = fields.Selection(
        KINDS,
        string="Type",
        compute="_compute_case_type",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
        index=True,
    )
    channel = fields.Selection(CHANNELS, required=True, default="phone", tracking=True, index=True)
    partner_phone = fields.Char(
        string="Phone",
        compute="_compute_partner_contact",
        store=True,
        readonly=False,
        precompute=True,
        help="The number the customer gave for this case: with the acceptance number it finds the case.",
    )
    partner_email = fields.Char(
        string="Email", compute="_compute_partner_contact", store=True, readonly=False, precompute=True
    )
    phone_key = fields.Char(compute="_compute_phone_key", store=True, precompute=True, index="btree_not_null")
    coverage = fields.Selection(
        [
            (entitlement.FREE, "Free of Charge"),
            (entitlement.WARRANTY, "Under Warranty"),
            (entitlement.CONTRACT, "Covered by Contract"),
            (entitlement.UNCOVERED, "Charged"),
        ],
        compute="_compute_coverage",
        store=True,
        index=True,
        help="How the work is paid for: a paid type of case is covered by the asset's warranty or the "
        "customer's contract, or charged, after a credit check.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    service_amount = fields.Monetary(
        string="Estimated Charge", tracking=True, help="What the customer will be charged if nothing covers the work."
    )
    credit_state = fields.Selection(
        [
            ("not_needed", "Not Needed"),
            ("to_check", "To Check"),
            ("passed", "Passed"),
            ("unchecked", "Not Checked"),
            ("blocked", "Blocked"),
            ("pending", "Waiting for Approval"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        string="Credit Check",
        compute="_compute_credit_state",
        store=True,
        tracking=True,
        groups="base.group_user",
    )
    credit_check_ids = fields.One2many(
        "crm.service.credit.check", "case_id", string="Credit Checks", groups="base.group_user"
    )
    callback_date = fields.Datetime(
        string="Call Back At", copy=False, help="When the customer asked to be called back."
    )
    priority = fields.Selection(PRIORITIES, default="0", tracking=True)
    state = fields.Selection(
        CASE_STATES,
        string="Status",
        required=True,
        default="new",
        copy=False,
        tracking=True,
        index=True,
    )
    stage_id = fields.Many2one(
        "crm.service.stage",
        compute="_compute_stage_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_group_expand_stage_id",
        groups="base.group_user",
    )
    brief_status = fields.Selection(
        BRIEF_STATUSES,
        compute="_compute_brief_status",
        store=True,
        index=True,
        tracking=True,
        help="What the customer and the call centre see: nothing of the internal stage.",
    )
    team_id = fields.Many2one(
        "crm.service.team",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        groups="base.group_user",
    )
    event_id = fields.Many2one(
        "crm.event",
        string="Customer Event",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
        help="The complaint event the case recorded: the suite's complaint flow answers it.",
    )
    transfer_log_ids = fields.One2many(
        "crm.service.case.transfer.log", "case_id", string="Transfers", readonly=True, groups="base.group_user"
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, tracking=True)
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id", string="Customer Entity")
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        default=lambda self: self.env.user if not self.env.user.share else False,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        groups="base.group_user",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    date_open = fields.Datetime(
        string="Opened", required=True, default=fields.Datetime.now, index=True, readonly=True, copy=False
    )
    date_closed = fields.Datetime(string="Closed", readonly=True, copy=False, index="btree_not_null")
    description = fields.Html()
    resolution = fields.Html()

    # SLA ---------------------------------------------------------------------
    contract_id = fields.Many2one(
        "crm.service.contract",
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('partner_id', '=', commercial_partner_id), ('company_id', '=', company_id), "
        "('state', '=', 'active')]",
        help="Chosen from the customer's active contract when the case is opened; another one may be picked.",
    )
    date_first_response = fields.Datetime(
        string="First Response", readonly=True, copy=False, help="When the case first left New for work."
    )
    sla_response_warning_date = fields.Datetime(string="Response Warning", readonly=True, copy=False)
    sla_response_deadline = fields.Datetime(
        string="Response Deadline", readonly=True, copy=False, index="btree_not_null", tracking=True
    )
    sla_response_status = fields.Selection(
        SLA_STATUSES, string="Response SLA", readonly=True, copy=False, index=True, tracking=True
    )
    sla_resolution_warning_date = fields.Datetime(string="Resolution Warning", readonly=True, copy=False)
    sla_resolution_deadline = fields.Datetime(
        string="Resolution Deadline", readonly=True, copy=False, index="btree_not_null", tracking=True
    )
    sla_resolution_status = fields.Selection(
        SLA_STATUSES, string="Resolution SLA", readonly=True, copy=False, index=True, tracking=True
    )
    sla_paused_hours = fields.Float(
        string="Paused (working hours)",
        readonly=True,
        copy=False,
        help="Working time the SLA clock was stopped (waiting on the customer, solved, cancelled): "
        "the deadlines are later by as much.",
    )
    sla_paused_since = fields.Datetime(
        string="Clock Stopped Since", readonly=True, copy=False, help="Set while the SLA clock is stopped."
    )
    asset_id = fields.Many2one(
        "crm.service.asset",
        index="btree_not_null",
        tracking=True,
        domain="[('commercial_partner_id', '=', commercial_partner_id), ('company_id', '=', company_id)]",
        help="The installed product the case is about: its warranty and history are on it.",
    )
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        help="What the case is about: the asset's product, or one given by hand. Routing rules look at it.",
    )
    article_id = fields.Many2one(
        "crm.service.article",
        string="Article that Helped",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        domain="[('state', '=', 'published'), ('company_id', 'in', [company_id, False])]",
    )
    article_suggestion_ids = fields.Many2many(
        "crm.service.article", compute="_compute_article_suggestion_ids", string="Suggested Articles"
    )
    sla_next_check = fields.Datetime(
        string="Next SLA Check",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the scheduled check looks at the case next: the next warning or deadline of an open target.",
    )

    _sql_constraints = [
        ("acceptance_number_unique", "UNIQUE(acceptance_number)", "Two cases cannot have the same acceptance number."),
    ]

    @api.depends("subject", "description", "company_id")
    def _compute_article_suggestion_ids(self):
        Article = self.env["crm.service.article"]
        for case in self:
            case.article_suggestion_ids = Article._crm_service_suggest(
                f"{case.subject or ''} {html_to_text(case.description)}", case.company_id
            )

    @api.depends()
    def _compute_acceptance_number(self):
        cases = self.filtered(lambda case: not case.acceptance_number)
        for case, number in zip(cases, self._crm_service_new_acceptance_numbers(len(cases)), strict=True):
            case.acceptance_number = number

    @api.depends("partner_phone")
    def _compute_phone_key(self):
        for case in self:
            case.phone_key = lookup_key(case.partner_phone) or False

    @api.depends(
        "type_id.paid",
        "date_open",
        "contract_id.date_start",
        "contract_id.date_end",
        "contract_id.product_ids",
        "asset_id.product_id",
        "asset_id.warranty_end",
    )
    def _compute_coverage(self):
        for case in self:
            # sudo: what covers the case is shown to whoever handles it
            contract, asset = case.sudo().contract_id, case.sudo().asset_id
            case.coverage = entitlement.coverage(
                bool(case.type_id.paid),
                (case.date_open or fields.Datetime.now()).date(),
                contract=(contract.date_start, contract.date_end or None, set(contract.product_ids.ids))
                if contract
                else None,
                asset=(asset.product_id.id, asset.warranty_end or None) if asset else None,
            )

    @api.depends("coverage")
    def _compute_credit_state(self):
        for case in self:
            if case.coverage != entitlement.UNCOVERED:
                case.credit_state = "not_needed"
            elif case.credit_state in (False, "not_needed"):
                case.credit_state = "to_check"

    @api.depends("type_id")
    def _compute_case_type(self):
        for case in self:
            case.case_type = case.type_id.kind or case.case_type or "service"

    @api.depends("asset_id")
    def _compute_product_id(self):
        for case in self.filtered("asset_id"):
            case.product_id = case.asset_id.product_id

    @api.depends("partner_id")
    def _compute_partner_contact(self):
        for case in self:
            partner = case.partner_id
            case.partner_phone = partner.mobile or partner.phone or case.partner_phone
            case.partner_email = partner.email or case.partner_email

    @api.depends("state")
    def _compute_stage_id(self):
        cases = self.filtered(lambda case: case.stage_id.state != case.state)
        if not cases:
            return
        stages = self.env["crm.service.stage"]._crm_service_stage_of(set(cases.mapped("state")))
        for case in cases:
            case.stage_id = stages.get(case.state, False)

    @api.depends("state", "stage_id")
    def _compute_brief_status(self):
        for case in self:
            # sudo: the brief status is shown to customers, who may not read the stages
            stage = case.sudo().stage_id
            case.brief_status = stage.brief_status if stage.state == case.state else BRIEF_OF_STATE[case.state]

    def _group_expand_stage_id(self, stages, domain):
        return stages.search([])

    @api.depends("partner_id", "company_id", "date_open")
    def _compute_contract_id(self):
        cases = self.filtered(lambda case: case.partner_id and case.company_id)
        (self - cases).contract_id = False
        if not cases:
            return
        # sudo: a case takes its customer's contract whoever opens it; only the link is kept
        contracts = (
            self.env["crm.service.contract"]
            .sudo()
            .search(
                [
                    ("state", "=", "active"),
                    ("partner_id", "in", cases.commercial_partner_id.ids),
                    ("company_id", "in", cases.company_id.ids),
                ],
                order="date_start desc, id desc",
            )
        )
        by_customer = defaultdict(list)
        for contract in contracts:
            by_customer[contract.partner_id.id, contract.company_id.id].append(contract)
        for case in cases:
            day = (case.date_open or fields.Datetime.now()).date()
            case.contract_id = next(
                (
                    contract
                    for contract in by_customer[case.commercial_partner_id.id, case.company_id.id]
                    if contract.date_start <= day and (not contract.date_end or day <= contract.date_end)
                ),
                False,
            )

    @api.constrains("contract_id", "partner_id", "company_id")
    def _check_contract_id(self):
        for case in self.filtered("contract_id"):
            # sudo: the contract's customer is compared whatever contracts the user may read
            contract = case.contract_id.sudo()
            if contract.company_id != case.company_id:
                raise ValidationError(
                    self.env._(
                        "The contract of case %(case)s is one of %(company)s: pick a contract of the case's company.",
                        case=case.name,
                        company=contract.company_id.name,
                    )
                )
            if contract.partner_id != case.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The contract of case %(case)s is not one of %(customer)s: pick one of their contracts.",
                        case=case.name,
                        customer=case.commercial_partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        stages = self.env["crm.service.stage"].browse(
            {vals["stage_id"] for vals in vals_list if vals.get("stage_id") and not vals.get("state")}
        )
        for vals in vals_list:
            if vals.get("name") in (None, False, "", "/"):
                vals["name"] = self.env["ir.sequence"].next_by_code("crm.service.case") or "/"
            if vals.get("stage_id") and not vals.get("state"):
                vals["state"] = stages.browse(vals["stage_id"]).state
        cases = super().create(vals_list)
        cases._crm_service_route()
        cases.filtered(lambda case: case.credit_state == "to_check")._crm_service_check_credit()
        cases._crm_service_notify_brief_status()
        cases.filtered(lambda case: case.case_type == "complaint")._crm_service_record_complaints()
        # no tracking of the first values: the creation is logged
        cases.with_context(tracking_disable=True)._sla_update(dict.fromkeys(cases.ids), recompute=True)
        return cases

    def write(self, vals):
        if vals.get("stage_id") and "state" not in vals:
            vals = dict(vals, state=self.env["crm.service.stage"].browse(vals["stage_id"]).state)
        if vals.get("state") in ("in_progress", "waiting", "solved"):
            self._crm_service_check_scheduling()
        previous_states = {case.id: case.state for case in self} if "state" in vals else {}
        solving = self.filtered(lambda case: case.state != "solved") if vals.get("state") == "solved" else self.browse()
        transfers = (
            {case: (case.user_id, case.team_id) for case in self} if {"user_id", "team_id"}.intersection(vals) else {}
        )
        briefs = {case: case.brief_status for case in self} if {"state", "stage_id"}.intersection(vals) else {}
        result = super().write(vals)
        if transfers:
            self.env["crm.service.case.transfer.log"]._crm_service_log(transfers)
        if {"type_id", "asset_id", "contract_id", "service_amount"}.intersection(vals):
            self.filtered(lambda case: case.credit_state == "to_check")._crm_service_check_credit()
        if briefs:
            self.filtered(lambda case: case.brief_status != briefs[case])._crm_service_notify_brief_status()
        # the article that helped close a case counts it (again if it is reopened and solved)
        for article, cases in solving.filtered("article_id").grouped("article_id").items():
            article._crm_service_helped(cases)
        if SLA_TRIGGERS.intersection(vals):
            self._sla_update(previous_states, recompute=bool(SLA_TRIGGERS.difference({"state"}).intersection(vals)))
        return result

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/cases/{case.id}"
        return result

    def action_start(self):
        self.write({"state": "in_progress"})

    def action_solve(self):
        self.write({"state": "solved"})

    def action_cancel(self):
        self.write({"state": "cancel"})

    def action_reopen(self):
        self.write({"state": "in_progress"})

    def action_create_article(self):
        """A draft knowledge-base article answering this case with its resolution."""
        self.ensure_one()
        return self.env["crm.service.article"].action_create_from_case(self.id)

    # Intake: acceptance numbers, routing, complaint events --------------------------

    @api.model
    def _crm_service_new_acceptance_numbers(self, count):
        """``count`` acceptance numbers, random (``secrets``) and unused: one cannot be
        guessed from another. The unique index settles a race between two workers."""
        numbers = set()
        while len(numbers) < count:
            wanted = {
                str(secrets.randbelow(9 * 10 ** (ACCEPTANCE_DIGITS - 1)) + 10 ** (ACCEPTANCE_DIGITS - 1))
                for _ in range(count - len(numbers))
            }
            # sudo: a number is unused whoever may read the case that has it
            taken = set(self.sudo().search([("acceptance_number", "in", list(wanted))]).mapped("acceptance_number"))
            numbers |= wanted - taken
        return list(numbers)

    @api.model
    def _crm_service_find_by_acceptance(self, number, phone):
        """The case of ``number`` whose customer's phone is ``phone`` (same digits, any
        prefix), or an empty recordset: a wrong number and a wrong phone look the same."""
        number, key = (number or "").strip().replace(" ", "").replace("-", ""), lookup_key(phone)
        if not number.isdigit() or len(number) != ACCEPTANCE_DIGITS or not key:
            return self.browse()
        # sudo: the lookup is the call centre's and the status page's; callers show only the brief status
        return self.sudo().search([("acceptance_number", "=", number), ("phone_key", "=", key)], limit=1)

    def _crm_service_route(self):
        """Send the new cases without a team to the team and agent of the first routing rule they match."""
        self.env["crm.service.routing.rule"]._crm_service_route(self.filtered(lambda case: not case.team_id))

    def _crm_service_record_complaints(self):
        """A customer event of type complaint per complaint case that has none: the
        suite's complaint flow (crm_workflow's event rules) answers it."""
        # sudo: the event is the system's record of the complaint, whoever logged the case
        cases = self.sudo().filtered(lambda case: not case.event_id)
        if not cases:
            return
        events = (
            self.env["crm.event"]
            .sudo()
            .create(
                [
                    {
                        "name": case.subject,
                        "event_type": "complaint",
                        "severity": EVENT_SEVERITY.get(case.priority, "normal"),
                        "partner_id": case.partner_id.id,
                        "user_id": case.user_id.id or case.team_id.leader_id.id or False,
                        "company_id": case.company_id.id,
                        "source_ref": f"{case._name},{case.id}",
                        "description": case.description,
                    }
                    for case in cases
                ]
            )
        )
        for case, event in zip(cases, events, strict=True):
            case.event_id = event

    # Entitlement and credit ---------------------------------------------------------

    def action_check_credit(self):
        """Check the customer's credit again (after a payment, a new limit, a new charge)."""
        self.ensure_one()
        if self.credit_state in ("not_needed", "approved"):
            raise UserError(
                self.env._("Case %s needs no credit check: nothing is charged or a manager approved it.", self.name)
            )
        self._crm_service_check_credit()

    def action_credit_request_approval(self):
        """Send a case the credit check blocked to the assignee's manager for approval."""
        self.ensure_one()
        if self.credit_state != "blocked":
            raise UserError(self.env._("Only a case the credit check blocked is sent for approval."))
        manager = (self.user_id or self.env.user)._crm_workflow_manager(company=self.company_id)[:1]
        approver = manager or self.team_id.leader_id
        if not approver:
            raise UserError(
                self.env._("Nobody can approve case %s: its assignee has no manager and its team no leader.", self.name)
            )
        self._crm_service_set_credit("pending", self.env._("Sent to %s for approval.", approver.name))
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=approver.id,
            summary=self.env._("Approve the charge despite the credit check"),
            note=self.credit_check_ids[:1].note,
        )

    def action_credit_approve(self):
        self.ensure_one()
        self._crm_service_decide_credit("approved", self.env._("The manager approved the charge."))

    def action_credit_refuse(self):
        self.ensure_one()
        self._crm_service_decide_credit("refused", self.env._("The manager refused the charge."))

    def _crm_service_decide_credit(self, decision, note):
        if not self.env.user.has_group("crm_service.group_crm_service_manager"):
            raise AccessError(
                self.env._("Only a service manager approves or refuses a charge the credit check blocked.")
            )
        if self.credit_state not in ("blocked", "pending"):
            raise UserError(self.env._("Case %s is not waiting for a decision on its credit.", self.name))
        self._crm_service_set_credit(decision, note)
        self.activity_feedback(["mail.mail_activity_data_todo"], feedback=note)

    def _crm_service_set_credit(self, decision, note, figures=None):
        """Log a step of the credit check and store the case's credit state."""
        for case in self:
            self.env["crm.service.credit.check"]._crm_service_log(
                [
                    {
                        "case_id": case.id,
                        "partner_id": case.commercial_partner_id.id,
                        "decision": decision,
                        "note": note,
                        **(figures or {}),
                    }
                ]
            )
            # sudo: the credit state is the system's, moved by the check and the manager's decision
            case.sudo().credit_state = decision

    def _crm_service_check_credit(self):
        """Check the credit of the customers of charged cases, a batch at once per company.

        With crm_sfa installed: its credit check of orders, applied to the charge (open
        receivables with the suite's one overdue rule, confirmed orders not invoiced,
        the credit limit); cases of one customer in the batch are charged together.
        Without it there are no receivables to check: the case passes as *Not Checked*.
        """
        Partner = self.env["res.partner"]
        logs, states = [], {}
        for company, cases in self.grouped("company_id").items():
            if not hasattr(Partner, "_crm_sfa_credit_decisions"):
                for case in cases:
                    states[case] = "unchecked"
                    logs.append(
                        {
                            "case_id": case.id,
                            "partner_id": case.commercial_partner_id.id,
                            "decision": "unchecked",
                            "amount": case.service_amount,
                            "note": self.env._("No accounting installed: the credit is not checked."),
                        }
                    )
                continue
            amounts = defaultdict(float)
            for case in cases:
                amounts[case.commercial_partner_id] += case.service_amount
            # sudo: the check reads receivables and orders, which agents may not read; the
            # decision is logged, its figures for the managers only
            decisions = Partner.sudo()._crm_sfa_credit_decisions(company, dict(amounts))
            for case in cases:
                decision, figures = decisions[case.commercial_partner_id]
                states[case] = "blocked" if decision.blocked else "passed"
                logs.append(
                    {
                        "case_id": case.id,
                        "partner_id": case.commercial_partner_id.id,
                        "decision": states[case],
                        "amount": case.service_amount,
                        "exposure": decision.exposure,
                        "credit_limit": figures["credit_limit"],
                        "overdue_amount": figures["overdue_amount"],
                        "overdue_days": figures["overdue_days"],
                        "note": self._crm_service_credit_note(decision, figures),
                    }
                )
        self.env["crm.service.credit.check"]._crm_service_log(logs)
        for state, cases in self.browse().union(*states).grouped(lambda case: states[case]).items():
            # sudo: the credit state is the system's
            cases.sudo().credit_state = state

    def _crm_service_credit_note(self, decision, figures):
        if decision.over_overdue_limit:
            return self.env._(
                "Blocked: invoices overdue for %(days)s days (the limit is %(limit)s days).",
                days=figures["overdue_days"],
                limit=figures["block_overdue_days"],
            )
        if decision.over_credit_limit:
            return self.env._(
                "Blocked: the customer would owe %(exposure).2f, %(excess).2f over their credit limit.",
                exposure=decision.exposure,
                excess=decision.excess,
            )
        return self.env._("Passed: the customer would owe %(exposure).2f.", exposure=decision.exposure)

    def _crm_service_check_scheduling(self):
        """A charged case is scheduled only once its customer's credit is cleared."""
        # sudo: the credit state decides for whoever moves the case
        waiting = self.filtered(lambda case: case.sudo().credit_state not in CREDIT_CLEARED)
        if waiting:
            raise UserError(
                self.env._(
                    "Case %(cases)s is charged and its customer's credit is not cleared: check the credit "
                    "again or ask a manager for approval before scheduling the work.",
                    cases=", ".join(waiting.mapped("name")),
                )
            )

    # Channels and notifications: mail, SMS, chat ------------------------------------

    @api.model
    @api.private
    def message_new(self, msg_dict, custom_values=None):
        """A case from an incoming email (the ``service`` mail alias, or the gateway's
        fallback model): channel email, the sender as the customer, the subject, the body
        as the description. Odoo's gateway then posts the mail, with its attachments, on
        the case.

        The customer is the partner the gateway found by the sender's address, else a new
        contact named as the mail says; a sender without a usable address still gets a
        contact (named by the From header, or *Unknown sender*), so that no mail is refused
        for it. A mail without a subject is named by the start of its text. The description
        keeps the body, or the start of its text when the body is huge: the message in the
        chatter keeps all of it.

        Errors are not caught: the gateway re-raises them and the fetchmail server keeps the
        mail to fetch it again. Not callable over RPC (Odoo's is): users create cases with
        ``create``, only the gateway turns mails into cases.
        """
        # all or nothing: a mail that fails is fetched again, and must not leave a new contact each time
        with self.env.cr.savepoint():
            partner = self._crm_service_mail_sender(msg_dict)
            body = msg_dict.get("body") or ""
            text = html2plaintext(body) if body else ""
            values = {
                # a reference from the sequence: Odoo's gateway names a record by its subject otherwise
                "name": "/",
                "subject": (msg_dict.get("subject") or "").strip()
                or channels.subject_from_text(text)
                or self.env._("Email from %(sender)s", sender=partner.display_name),
                "description": self._crm_service_description(body, text),
                "channel": "email",
                "partner_id": partner.id,
                # unassigned, for the routing rules: not the gateway's user
                "user_id": False,
                # the alias's defaults win, as Odoo's gateway wants
                **(custom_values or {}),
            }
            case = super().message_new(msg_dict, custom_values=values)
        # the gateway posts the mail as its author: a new contact too, who then follows the case
        msg_dict["author_id"] = partner.id
        return case

    @api.private
    def message_update(self, msg_dict, update_vals=None):
        """A reply by email joins its case (Odoo's gateway posts it there). From the
        customer (anyone but an internal user), it puts a case that waits on them back in
        progress, as an agent would. Not callable over RPC, as :meth:`message_new`."""
        result = super().message_update(msg_dict, update_vals=update_vals)
        author = self.env["res.partner"].browse(msg_dict.get("author_id"))
        if not any(user._is_internal() for user in author.user_ids):
            self._crm_service_customer_replied()
        return result

    @api.model
    def _crm_service_mail_sender(self, msg_dict):
        """The customer of an incoming mail: the partner the gateway found, else a new contact."""
        partner = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if partner:
            return partner
        email_from = (msg_dict.get("email_from") or "").strip()
        Partner = self.env["res.partner"]
        if email_normalize(email_from, strict=False):
            return Partner.browse(Partner.name_create(email_from)[0])
        name = email_from.replace("<>", "").strip().strip('"').strip()
        return Partner.create({"name": name or self.env._("Unknown sender")})

    @api.model
    def _crm_service_description(self, body, text):
        """The description of a case from a message: its HTML body, or the start of its text
        (:data:`..lib.channels.DESCRIPTION_LENGTH` characters) when the body is longer."""
        if len(body) <= channels.DESCRIPTION_LENGTH:
            return body
        kept, cut = channels.truncate(text)
        description = plaintext2html(kept)
        if cut:
            description += plaintext2html(
                self.env._("[The message is longer: the whole of it is in the case's messages.]")
            )
        return description

    def _crm_service_customer_replied(self):
        """The customer answered (an email, an SMS, a chat): the cases that waited on them
        are back in progress."""
        self.filtered(lambda case: case.state == "waiting").write({"state": "in_progress"})

    @api.model
    def _crm_service_from_sms(self, number, body, message_id=False):
        """Store an incoming SMS on a case, and return the case.

        The SMS joins the open case of that number (by its last digits, as the call centre
        compares numbers: :func:`..lib.phone.lookup_key`; the most recently opened one), and
        puts it back in progress if it waited on the customer. Without one, it opens a case
        for the contact who has that number, or for a new contact named by the number. The
        SMS itself is always posted on the case, whole. ``message_id`` is the provider's id
        of the SMS: a provider sending the same SMS again (after a timeout) finds it stored
        and nothing is doubled.

        One SMS of a number is stored at a time (a transaction lock on the number): two SMS
        of a new number arriving together would otherwise open two cases and two contacts.
        The second one raises :class:`..lib.channels.NumberBusy` at once and stores nothing,
        to be tried again once the first is committed. (A second one whose transaction began
        before the first committed, and that asks for the lock just after, may still open
        its own case: two cases at worst, never a lost SMS.)

        Raises :class:`UserError` before storing anything when ``number`` is no phone number.
        Called by the inbound SMS webhook (``controllers/sms.py``), which authenticates the
        provider and runs it as superuser.
        """
        key = lookup_key(number)
        if not key:
            raise UserError(self.env._("The sender %(number)r of the SMS is not a phone number.", number=number))
        number = number.strip()
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", channels.SMS_LOCK_NAMESPACE, int(key)))
        if not self.env.cr.fetchone()[0]:
            raise channels.NumberBusy(number)
        message_id = message_id and f"<sms-{message_id}@crm-service>"
        if message_id:
            stored = self.env["mail.message"].search(
                [("message_id", "=", message_id), ("model", "=", self._name)], limit=1
            )
            if stored:
                return self.browse(stored.res_id)
        case = self.search(
            [("phone_key", "=", key), ("state", "in", channels.OPEN_STATES)],
            order="date_open desc, id desc",
            limit=1,
        )
        if case:
            case._crm_service_customer_replied()
        else:
            partner = self._crm_service_sms_sender(number, key)
            kept, _cut = channels.truncate(body or "")
            case = self.create(
                {
                    "subject": channels.subject_from_text(body) or self.env._("SMS from %(number)s", number=number),
                    "description": plaintext2html(kept) if kept else False,
                    "channel": "sms",
                    "partner_id": partner.id,
                    "partner_phone": number,
                }
            )
        # not a follower by this: the customer wrote by SMS, they are not signing up to emails
        case.with_context(mail_create_nosubscribe=True).message_post(
            body=plaintext2html(body) if body else self.env._("(an empty SMS)"),
            author_id=case.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            message_id=message_id or False,
        )
        return case

    @api.model
    def _crm_service_sms_sender(self, number, key):
        """The contact with the number whose lookup key is ``key`` (the oldest one), or a new
        contact named by the number."""
        Partner = self.env["res.partner"]
        # the digits without leading zeros: Odoo's phone search takes a leading 00 for an
        # international prefix; the exact comparison is the lookup key's, below
        digits = key.lstrip("0")
        partners = Partner.search([("phone_mobile_search", "ilike", digits)], order="id") if digits else Partner
        partner = next((p for p in partners if key in (lookup_key(p.mobile), lookup_key(p.phone))), Partner.browse())
        return partner or Partner.create({"name": number, "mobile": number})

    def _crm_service_notify_brief_status(self):
        """Tell the customers of the cases their case's brief status: just received, or changed.

        One message per case, by one channel (:func:`..lib.channels.notification_channel`):
        the channel the customer prefers (``crm_preferred_channel``) when they may be
        reached by it, else the other one; without a preference for email or SMS, email
        first and SMS when email cannot reach them. Whether a channel reaches them is the
        suite's rule (``res.partner._crm_contactable``: their consent, Odoo's email and
        phone blacklists, an address or a number). A customer reached by neither gets
        nothing, and nothing fails.

        Both are the status's templates (``data/crm_service_mail_data.xml``,
        ``data/crm_service_sms_data.xml``), rendered once for all the cases of a status, in
        each customer's language; a deleted template sends nothing. The email is a comment
        of the hidden subtype *Status Update to the Customer*, from the company: the customer
        sees it in the portal and the followers are not mailed it. A resolved case's email
        asks the customer to rate the service.
        """
        # sudo: the message is the company's to its customer, whoever changed the case (an
        # agent, the mail gateway, the SMS webhook, a cron); the templates show only the case
        cases = self.sudo().filtered(
            lambda case: case.brief_status
            and (case.partner_id.email_normalized or case.partner_id.mobile or case.partner_id.phone)
        )
        if not cases:
            return  # no address nor number: no blacklist to read
        partners = cases.partner_id
        by_email, by_sms = partners._crm_contactable("email"), partners._crm_contactable("sms")
        channel_of = {
            case: channels.notification_channel(
                case.partner_id.crm_preferred_channel, case.partner_id in by_email, case.partner_id in by_sms
            )
            for case in cases
        }
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("crm_service.mt_crm_service_case_status")
        # no follower by this: neither the company (the author) nor whoever changed the case;
        # the mails are queued, as the SMS are: the user's change never waits on the mail server
        cases = cases.with_context(mail_create_nosubscribe=True, mail_notify_force_send=False)
        mailed = False
        for status, group in cases.grouped("brief_status").items():
            by_mail = group.filtered(lambda c: channel_of[c] == channels.EMAIL)
            by_mail._crm_service_mail_status(status, subtype_id)
            mailed = mailed or bool(by_mail)
            group.filtered(lambda c: channel_of[c] == channels.SMS)._crm_service_sms_status(status, subtype_id)
        if mailed:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    def _message_post_after_hook(self, message, msg_vals):
        """A customer's reply on the portal, like one by mail, wakes a case waiting on them."""
        result = super()._message_post_after_hook(message, msg_vals)
        author = message.author_id
        if (
            message.message_type == "comment"
            and author
            and not author.user_ids.filtered(lambda u: not u.share)
            and author.commercial_partner_id == self.commercial_partner_id
        ):
            # sudo: the customer may not write the case; their answer moves it on
            self.sudo().filtered(lambda case: case.state == "waiting").write({"state": "in_progress"})
        return result

    def _rating_get_operator(self):
        """Nobody: the rating page shows the customer no name of who handled the case."""
        return self.env["res.partner"]

    def _crm_service_mail_status(self, status, subtype_id):
        """Mail the customers of the cases (all of brief status ``status``) its template."""
        template = self.env.ref(f"crm_service.crm_service_case_mail_template_{status}", raise_if_not_found=False)
        if not self or not template:
            return
        subjects = template._render_field("subject", self.ids, compute_lang=True)
        bodies = template._render_field("body_html", self.ids, compute_lang=True)
        langs = template._render_lang(self.ids)
        for case in self:
            case.message_post(
                body=bodies[case.id],
                subject=subjects[case.id],
                author_id=case.company_id.partner_id.id,
                email_from=case.company_id.email_formatted or case.company_id.catchall_formatted or None,
                partner_ids=case.partner_id.ids,
                message_type="comment",
                subtype_id=subtype_id,
                email_layout_xmlid="mail.mail_notification_light",
                email_add_signature=False,
                force_email_lang=langs[case.id],
            )

    def _crm_service_sms_status(self, status, subtype_id):
        """Text the customers of the cases (all of brief status ``status``) its SMS template.

        The SMS are queued, and Odoo's SMS cron woken up to send them: the change of the
        cases never waits on the SMS provider, and an SMS is never sent for a change that
        is rolled back."""
        template = self.env.ref(f"crm_service.crm_service_case_sms_template_{status}", raise_if_not_found=False)
        if not self or not template:
            return
        bodies = template._render_field("body", self.ids, compute_lang=True)
        for case in self:
            case._message_sms(
                bodies[case.id],
                subtype_id=subtype_id,
                partner_ids=case.partner_id.ids,
                author_id=case.company_id.partner_id.id,
                put_in_queue=True,
            )
        self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()

    # SLA: the clock ------------------------------------------------------------

    def _sla_update(self, previous_states, recompute=False):
        """Move the SLA clock of the cases after a change: the closing and first response
        dates, the stopped clock, the deadlines of the open targets and the statuses.

        ``previous_states`` maps the ids of the cases whose state was written to their state
        before (``None`` when just created); ``recompute`` asks for new deadlines (priority,
        contract, customer, company or opening changed). Statuses may go down here, never
        up: the scheduled check raises them and alerts, and is woken up when one is due.
        """
        now = fields.Datetime.now()
        # sudo: the clock's fields are the system's; the caller was allowed to write the cases
        cases = self.sudo()
        values, resumed = cases._sla_transitions(previous_states, now)

        def current(case, name):
            return values[case][name] if name in values[case] else case[name]

        # reopened cases have an open resolution target again: its deadline is computed anew
        to_compute = (
            cases if recompute else cases.filtered(lambda c: c in resumed or values[c].get("date_closed") is False)
        )
        lines = cases._sla_lines()
        for (calendar, company), group in (
            to_compute.filtered(lines.get).grouped(lambda c: (c.contract_id.resource_calendar_id, c.company_id)).items()
        ):
            group._sla_plan(calendar, company, lines, resumed, values, current, now)
        for case in to_compute.filtered(lambda c: not lines.get(c)):
            values[case].update({field: False for t in TARGETS for field in (t.warning, t.deadline)})

        due = False
        for case in cases:
            values[case].update(case._sla_statuses(now, current))
            changes = {name: value for name, value in values[case].items() if case[name] != value}
            if changes:
                case.write(changes)
                due = due or bool(case.sla_next_check and case.sla_next_check <= now)
        if due:
            cases.env.ref("crm_service.ir_cron_crm_service_sla")._trigger()

    def _sla_transitions(self, previous_states, now):
        """``({case: values}, {case: clock stopped since})``: what the state changes of the
        cases set (closing, first response, stopped clock) and the clocks that run again."""
        values = {case: {} for case in self}
        resumed = {}
        for case in self.filtered(lambda c: c.id in previous_states and previous_states[c.id] != c.state):
            vals, before, after = values[case], previous_states[case.id], case.state
            if after == "solved" and not (before is None and case.date_closed):
                vals["date_closed"] = now
            elif after in ("new", "in_progress", "waiting") and case.date_closed:
                vals["date_closed"] = False
            if after not in ("new", "cancel") and not case.date_first_response:
                vals["date_first_response"] = now
            if after not in sla.RUNNING_STATES and not case.sla_paused_since:
                vals["sla_paused_since"] = now
            elif after in sla.RUNNING_STATES and case.sla_paused_since:
                resumed[case] = (case.sla_paused_since, 0.0)
                vals["sla_paused_since"] = False
        return values, resumed

    def _sla_plan(self, calendar, company, lines, resumed, values, current, now):
        """The deadlines of the open targets of cases under the same calendar and company,
        and the working time the clocks that run again were stopped, into ``values``.

        The calendar is read once for all, over a month past the latest opening, and again
        over twice the span while some deadline lies beyond (at most three years).
        """
        start = min(self.mapped("date_open"))
        end = max(now, *self.mapped("date_open")) + SLA_SPAN
        pending = self
        while pending and end - start <= SLA_MAX_SPAN:
            intervals = self._sla_intervals(calendar, company, start, end)
            for case in pending:
                paused = case.sla_paused_hours
                if case in resumed:
                    stopped = sla.working_hours_between(resumed[case][0], now, intervals)
                    resumed[case] = (resumed[case][0], stopped)
                    paused += stopped
                    values[case]["sla_paused_hours"] = paused
                values[case].update(case._sla_deadlines(lines[case], paused, intervals, current))
            end += end - start
            pending = pending.filtered(
                lambda c: any(not current(c, t.deadline) and not current(c, t.done) for t in TARGETS)
            )

    @api.model
    def _sla_intervals(self, calendar, company, start, end):
        """The working intervals of ``calendar`` from ``start`` to ``end`` (naive UTC), less
        the public holidays of ``company`` (its time off without resource), as
        :func:`..lib.sla.normalise_intervals` gives them."""
        intervals = calendar._work_intervals_batch(
            pytz.utc.localize(start),
            pytz.utc.localize(end),
            domain=[("time_type", "=", "leave"), ("company_id", "=", company.id)],
        )[False]
        return sla.normalise_intervals(intervals)

    def _sla_lines(self):
        """``{case: contract line of its priority}`` for the cases that have one."""
        targets = {(line.contract_id, line.priority): line for line in self.contract_id.line_ids}
        return {case: targets[key] for case in self if (key := (case.contract_id, case.priority)) in targets}

    def _sla_deadlines(self, line, paused_hours, intervals, current):
        """The warning dates and deadlines of the open targets of the case (the done ones keep theirs)."""
        self.ensure_one()
        values = {}
        for target in TARGETS:
            if current(self, target.done):
                continue
            warning, deadline = sla.deadlines(
                self.date_open, line[target.hours], line.warning_percent, paused_hours, intervals
            )
            values.update({target.warning: warning or False, target.deadline: deadline or False})
        return values

    def _sla_statuses(self, now, current):
        """The statuses the case stores after an edit (:func:`..lib.sla.settle`) and its next check."""
        self.ensure_one()
        paused_since = current(self, "sla_paused_since")
        clock = paused_since or now
        values, checks = {}, []
        for target in TARGETS:
            warning, deadline, done = (
                current(self, name) or None for name in (target.warning, target.deadline, target.done)
            )
            # solved while waiting on the customer: the clock stopped when the wait began
            reached = min(done, paused_since) if done and paused_since else done
            stored = sla.settle(self[target.status] or None, sla.status(clock, warning, deadline, reached), done)
            values[target.status] = stored or False
            if not done:
                checks.append(sla.next_check(stored, warning, deadline, paused=bool(paused_since)))
        checks = [check for check in checks if check]
        values["sla_next_check"] = min(checks) if checks else False
        return values

    # SLA: the scheduled check ----------------------------------------------------

    @api.model
    def _cron_sla(self, batch_size=500):
        """Raise the SLA statuses of the cases whose next warning or deadline has passed and
        alert about them (:meth:`_sla_alert`); a batch per run, the cron comes back at once
        while some remain (Odoo's cron progress).

        Only those cases are read, through the index on ``sla_next_check``; each rise is
        alerted once, since the next check moves to the next level's threshold. Cases a
        user is changing right now are skipped, not waited for: the next run takes them.
        """
        now = fields.Datetime.now()
        # sudo: the check runs for every case of every company
        Case = self.sudo()
        domain = [("sla_next_check", "<=", now)]
        query = Case._search(domain, order="sla_next_check, id", limit=batch_size)
        cases = Case.browse(row[0] for row in self.env.execute_query(SQL("%s FOR UPDATE SKIP LOCKED", query.select())))
        rises = {}
        for case in cases:
            clock = case.sla_paused_since or now
            values, levels, checks = {}, {}, []
            for target in TARGETS:
                warning, deadline, done = (
                    case[name] or None for name in (target.warning, target.deadline, target.done)
                )
                stored = case[target.status] or None
                if done or deadline is None:
                    continue
                level = sla.rise(stored, sla.status(clock, warning, deadline))
                if level:
                    values[target.status] = stored = level
                    levels[target] = level
                checks.append(sla.next_check(stored, warning, deadline, paused=bool(case.sla_paused_since)))
            checks = [check for check in checks if check]
            values["sla_next_check"] = min(checks) if checks else False
            rises[case] = (values, levels)
        cases._sla_alert(rises)
        remaining = Case.search_count(domain) if len(cases) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(cases), remaining=remaining)
        return len(cases)

    def _sla_alert(self, rises):
        """Store the risen statuses and act on them, for a batch of cases at once.

        ``rises`` maps each case to the values to store and ``{target: level}`` of the
        targets that rose. A warning reminds the assignee (an activity) and mails them and
        their manager; a breach also escalates the case to the assignee's manager (the
        suite's lookup, ``res.users._crm_workflow_manager``), who gets the activity. Each
        case gets one note in its chatter saying what happened, with the tracking of its
        statuses and assignee: the ORM's tracking would log one message per case with its
        own queries, so it is off for these writes and the note carries the values.
        """
        cases = self.sudo()
        tracked = cases.fields_get(
            [target.status for target in TARGETS] + ["user_id"],
            attributes=("string", "type", "selection", "currency_field"),
        )
        initial = {case: {name: case[name] for name in tracked} for case in cases}
        for case, (values, _levels) in rises.items():
            case.with_context(tracking_disable=True).write(values)
        alerted = cases.filtered(lambda c: rises[c][1])
        if not alerted:
            return
        managers, escalated = alerted._sla_escalate(rises)
        alerted._sla_log(rises, initial, tracked, managers, escalated)
        alerted._sla_remind(rises)

    def _sla_escalate(self, rises):
        """Give the breached cases to their assignee's manager (active, of the case's company).

        Returns ``({(assignee, company): manager}, {case: manager it was escalated to})``.
        """
        managers = {}
        for case in self:
            key = (case.user_id, case.company_id)
            if key not in managers:
                manager = case.user_id._crm_workflow_manager(company=case.company_id)
                managers[key] = manager.filtered(lambda u, c=case.company_id: u.active and c in u.company_ids)[:1]
        escalated = {}
        for case in self:
            manager = managers[case.user_id, case.company_id]
            if sla.BREACHED in rises[case][1].values() and manager:
                escalated[case] = manager
        by_manager = defaultdict(lambda: self.browse())
        for case, manager in escalated.items():
            by_manager[manager] |= case
        for manager, group in by_manager.items():
            # no tracking by the ORM: the note of _sla_log carries it
            group.with_context(
                tracking_disable=True, crm_service_transfer_reason=self.env._("SLA breached: escalated to the manager")
            ).write({"user_id": manager.id})
        return managers, escalated

    def _sla_log(self, rises, initial, tracked, managers, escalated):
        """One note per case in its chatter, with the tracking of the statuses and the
        assignee (``initial``: the values before), mailed to the former assignee and their
        manager: notes, tracking values, mails and notifications created in one call each."""
        author = self.env.ref("base.partner_root")
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=author.email_formatted)[False]
        message_values, recipients, trackings = [], [], []
        for case in self:
            levels = rises[case][1]
            previous_user = initial[case]["user_id"]
            manager = managers[previous_user, case.company_id]
            partners = (previous_user | manager).partner_id
            lang = (case.user_id or previous_user).lang or self.env.lang
            body = (
                self.env["ir.qweb"]
                .with_context(lang=lang)
                ._render(
                    "crm_service.crm_service_case_sla_alert",
                    {
                        "case": case,
                        "events": [
                            {"target": target.name, "level": level, "deadline": case[target.deadline]}
                            for target, level in levels.items()
                        ],
                        "escalated_to": escalated.get(case),
                        "assignee": previous_user,
                        "breached": sla.BREACHED in levels.values(),
                        "tz": (case.user_id or previous_user).tz or case.contract_id.resource_calendar_id.tz or "UTC",
                    },
                )
            )
            trackings.append(case._mail_track(tracked, initial[case])[1])
            message_values.append(
                {
                    "model": self._name,
                    "res_id": case.id,
                    "author_id": author.id,
                    "email_from": author.email_formatted,
                    "reply_to": reply_to,
                    "message_type": "notification",
                    "subtype_id": note,
                    "is_internal": True,
                    "record_name": case.display_name,
                    "record_alias_domain_id": False,
                    "record_company_id": case.company_id.id,
                    "email_add_signature": False,
                    "subject": self.env._("%(case)s: SLA breached", case=case.display_name)
                    if sla.BREACHED in levels.values()
                    else self.env._("%(case)s: SLA warning", case=case.display_name),
                    "body": body,
                    "partner_ids": partners.ids,
                }
            )
            recipients.append(partners)
        messages = self._message_create(message_values)
        # the tracking values of all the notes at once (mail.message creates them note by note)
        self.env["mail.tracking.value"].sudo().create(
            [
                dict(command[2], mail_message_id=message.id)
                for message, commands in zip(messages, trackings, strict=True)
                for command in commands
            ]
        )
        mails = (
            self.env["mail.mail"]
            .sudo()
            .create(
                [
                    {
                        "mail_message_id": message.id,
                        "body_html": values["body"],
                        "recipient_ids": [Command.set(partners.ids)],
                        "is_notification": True,
                        "auto_delete": True,
                    }
                    for message, values, partners in zip(messages, message_values, recipients, strict=True)
                    if partners
                ]
            )
        )
        mail_of = {mail.mail_message_id: mail for mail in mails}
        self.env["mail.notification"].sudo().create(
            [
                {
                    "author_id": author.id,
                    "mail_message_id": message.id,
                    "mail_mail_id": mail_of[message].id,
                    "res_partner_id": partner.id,
                    "notification_type": "email",
                    "notification_status": "ready",
                    "is_read": True,
                }
                for message, partners in zip(messages, recipients, strict=True)
                for partner in partners
            ]
        )

    def _sla_remind(self, rises):
        """An activity for whoever has the case now, due on the day of the deadline that rose
        highest (in their time zone)."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        labels = {
            ("response", sla.WARNING): self.env._("SLA: respond before the deadline"),
            ("resolution", sla.WARNING): self.env._("SLA: solve before the deadline"),
            ("response", sla.BREACHED): self.env._("SLA breached: respond now"),
            ("resolution", sla.BREACHED): self.env._("SLA breached: solve now"),
        }
        activities = []
        for case in self.filtered("user_id"):
            levels = rises[case][1]
            target, level = max(levels.items(), key=lambda item: (sla.LEVELS.index(item[1]), item[0].name))
            deadline = case[target.deadline]
            tz = pytz.timezone(case.user_id.tz or "UTC")
            activities.append(
                {
                    "res_model_id": model_id,
                    "res_id": case.id,
                    "activity_type_id": todo.id,
                    "summary": labels[target.name, level],
                    "user_id": case.user_id.id,
                    "date_deadline": pytz.utc.localize(deadline).astimezone(tz).date(),
                }
            )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
