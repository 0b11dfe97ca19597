import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..lib import routing
from .crm_service_case import PRIORITIES

_logger = logging.getLogger(__name__)

# the check box of the rule's form for each priority of a case
PRIORITY_FIELDS = {"0": "priority_normal", "1": "priority_high", "2": "priority_urgent"}


class CrmServiceRoutingRule(models.Model):
    """Which team (and agent) a new case goes to, and which process starts on it.

    When a case is created without a team, the first active rule of its company (by
    sequence) whose conditions it meets gives it the rule's team, and the agent the team's
    assignment picks (or the rule's own agent when they can take it); the process the rule
    names, if any, starts on it. A case no rule matches stays as it was logged. The move is
    in the case's transfer history with the rule's name as the reason.

    The decision is :mod:`..lib.routing`; this model reads the cases, the rules and the
    agents in batch, locks the teams it assigns for (two workers routing at the same moment
    must not both give the next case to the same agent) and writes once per rule and agent.
    """

    _name = "crm.service.routing.rule"
    _description = "Service Routing Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)

    # Conditions: empty means any
    type_ids = fields.Many2many(
        "crm.service.case.type",
        string="Case Types",
        check_company=True,
        help="Cases of one of these types. Empty: any type.",
    )
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        check_company=True,
        help="Cases about one of these products (the product of the case's asset). Empty: any product.",
    )
    product_category_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="Cases about a product of one of these categories or their sub-categories. Empty: any category.",
    )
    country_ids = fields.Many2many(
        "res.country",
        string="Countries",
        help="Customers in one of these countries, or in one of the states below. Empty (with no state): anywhere.",
    )
    state_ids = fields.Many2many(
        "res.country.state",
        string="States",
        help="Customers in one of these states, or in one of the countries above.",
    )
    priorities = fields.Char(
        help="The priorities of the cases the rule takes, comma-separated keys (0 normal, 1 high, 2 urgent). "
        "Empty: any priority.",
    )
    priority_normal = fields.Boolean(
        string="Normal", compute="_compute_priority_flags", inverse="_inverse_priority_flags", readonly=False
    )
    priority_high = fields.Boolean(
        string="High", compute="_compute_priority_flags", inverse="_inverse_priority_flags", readonly=False
    )
    priority_urgent = fields.Boolean(
        string="Urgent", compute="_compute_priority_flags", inverse="_inverse_priority_flags", readonly=False
    )

    # Where the cases go
    team_id = fields.Many2one("crm.service.team", required=True, check_company=True, ondelete="restrict")
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Gets the cases while they can take them (active, not on leave); otherwise the team's assignment "
        "chooses the agent.",
    )
    process_id = fields.Many2one(
        "crm.workflow.process",
        ondelete="restrict",
        domain="[('model', '=', 'crm.service.case'), ('state', 'in', ('draft', 'active')), "
        "('company_id', 'in', [company_id, False])]",
        help="Starts on the routed cases: the active version of this process when the case is routed.",
    )

    @api.depends("priorities")
    def _compute_priority_flags(self):
        for rule in self:
            keys = routing.parse_priorities(rule.priorities)
            for key, name in PRIORITY_FIELDS.items():
                rule[name] = key in keys

    def _inverse_priority_flags(self):
        for rule in self:
            rule.priorities = routing.format_priorities(
                {key for key, name in PRIORITY_FIELDS.items() if rule[name]}, [key for key, _label in PRIORITIES]
            )

    @api.constrains("priorities")
    def _check_priorities(self):
        known = [key for key, _label in PRIORITIES]
        for rule in self:
            try:
                routing.format_priorities(routing.parse_priorities(rule.priorities), known)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s names unknown priorities (%(keys)s): use 0 (normal), 1 (high) or 2 (urgent).",
                        rule=rule.name,
                        keys=str(error),
                    )
                ) from error

    @api.constrains("user_id", "company_id")
    def _check_user_id(self):
        for rule in self.filtered("user_id"):
            # sudo: the agent's companies are compared whatever the editor may read of the user
            user = rule.user_id.sudo()
            if user.share or rule.company_id not in user.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot receive the cases of rule %(rule)s: choose an internal user of %(company)s.",
                        user=user.name,
                        rule=rule.name,
                        company=rule.company_id.name,
                    )
                )

    @api.constrains("process_id", "company_id")
    def _check_process_id(self):
        for rule in self.filtered("process_id"):
            # sudo: the process is checked whatever processes the editor may read
            process = rule.process_id.sudo()
            if process.model != "crm.service.case":
                raise ValidationError(
                    self.env._(
                        "The process %(process)s runs on %(model)s: rule %(rule)s can only start a process on cases.",
                        process=process.display_name,
                        model=process.model_id.name,
                        rule=rule.name,
                    )
                )
            if process.company_id and process.company_id != rule.company_id:
                raise ValidationError(
                    self.env._(
                        "The process %(process)s belongs to %(company)s: choose a process of the rule's company "
                        "or a shared one.",
                        process=process.display_name,
                        company=process.company_id.name,
                    )
                )

    # Routing -------------------------------------------------------------------------

    @api.model
    def _crm_service_route(self, cases):
        """Route ``cases`` (new, without a team) by the first rule each matches: team and
        agent in one write per rule and agent, the transfer log saying which rule, then the
        rules' processes. Returns ``cases``."""
        if not cases:
            return cases
        # sudo: routing is the system's; whoever logs the case (an agent, the portal, the mail
        # gateway) may not read the rules, the teams' members or their leaves
        cases_su = cases.sudo()
        rules = self.sudo().search([("company_id", "in", cases_su.company_id.ids)])
        if not rules:
            return cases
        plain_rules = rules._crm_service_plain_rules()
        by_id = {rule.id: rule for rule in rules}
        routed = defaultdict(list)
        for case, plain in zip(cases_su, self._crm_service_plain_cases(cases_su), strict=True):
            rule_id = routing.first_rule(plain, plain_rules)
            if rule_id is not None:
                routed[by_id[rule_id]].append(case)
        if not routed:
            return cases
        agents = self._crm_service_pick_agents(
            {case: (rule.team_id, rule.user_id) for rule, group in routed.items() for case in group}
        )
        for rule, group in routed.items():
            by_agent = defaultdict(list)
            for case in group:
                by_agent[agents[case]].append(case.id)
            reason = self.env._("Routing rule: %s", rule.name)
            for agent, case_ids in by_agent.items():
                # the agent follows the case without a mail per case ("You have been assigned"), as
                # Odoo's lead assignment does: the cases wait in their queue
                cases_su.browse(case_ids).with_context(
                    crm_service_transfer_reason=reason, mail_auto_subscribe_no_notify=True
                ).write({"team_id": rule.team_id.id, "user_id": agent.id})
        self._crm_service_start_processes(
            {rule: cases_su.browse([c.id for c in group]) for rule, group in routed.items()}
        )
        return cases

    def _crm_service_plain_rules(self):
        """The rules as :class:`..lib.routing.Rule`, in their order."""
        return [
            routing.Rule(
                id=rule.id,
                company_id=rule.company_id.id,
                type_ids=frozenset(rule.type_ids.ids),
                product_ids=frozenset(rule.product_ids.ids),
                category_ids=frozenset(rule.product_category_ids.ids),
                country_ids=frozenset(rule.country_ids.ids),
                state_ids=frozenset(rule.state_ids.ids),
                priorities=routing.parse_priorities(rule.priorities),
            )
            for rule in self
        ]

    @api.model
    def _crm_service_plain_cases(self, cases):
        """The cases as :class:`..lib.routing.Case`: type, product and its categories, the
        customer's country and state, priority."""
        return [
            routing.Case(
                id=case.id,
                company_id=case.company_id.id,
                type_id=case.type_id.id or None,
                product_id=case.product_id.id or None,
                category_ids=routing.category_path(case.product_id.categ_id.parent_path),
                country_id=case.partner_id.country_id.id or None,
                state_id=case.partner_id.state_id.id or None,
                priority=case.priority or None,
            )
            for case in cases
        ]

    @api.model
    def _crm_service_pick_agents(self, requests):
        """``{case: agent}`` (an empty recordset: nobody) for ``requests``, ``{case: (team,
        preferred agent or empty)}`` in the order the cases should be served.

        Each team's assignment decides (:func:`..lib.routing.assign`). The teams' rows are
        locked first: a second worker routing to the same team waits, then reads where this
        one left the round robin (its transaction is retried if it read it before). The
        last agent each team chose is stored on it, for every method, so that the next
        worker's load counts and pointer are never read from before this batch.
        """
        Users = self.env["res.users"]
        if not requests:
            return {}
        # sudo: the assignment reads the members, their leaves and loads, and moves the team's
        # pointer (a system field), whoever routes or transfers the cases
        Team = self.env["crm.service.team"].sudo()
        teams = Team.browse(sorted({team.id for team, _preferred in requests.values()}))
        self.env.execute_query(
            SQL("SELECT id FROM crm_service_team WHERE id IN %s ORDER BY id FOR UPDATE", tuple(teams.ids))
        )
        teams.invalidate_recordset(["last_assigned_user_id", "member_ids", "assignment"])
        preferred = Users.union(*(user for _team, user in requests.values()))
        now = fields.Datetime.now()
        agents = self._crm_service_agents(
            (teams.member_ids | preferred).sudo(),
            now,
            with_load=routing.LEAST_LOADED in teams.mapped("assignment"),
            being_assigned=[case.id for case in requests],
        )
        by_team = defaultdict(list)
        for case, (team, _user) in requests.items():
            by_team[team.id].append(case)
        result = {}
        for team in teams:
            cases = by_team[team.id]
            decision = routing.assign(
                team.assignment,
                [agents[user.id] for user in team.member_ids],
                [routing.Request(case.company_id.id, agents.get(requests[case][1].id)) for case in cases],
                now,
                team.last_assigned_user_id.id or None,
            )
            for case, agent_id in zip(cases, decision.agents, strict=True):
                result[case] = Users.browse(agent_id) if agent_id else Users
            if decision.last_assigned != (team.last_assigned_user_id.id or None):
                team.last_assigned_user_id = decision.last_assigned
        return result

    @api.model
    def _crm_service_agents(self, users, now, with_load=False, being_assigned=()):
        """``{user id: Agent}``: whether each user is active, their companies, the leaves of
        their employees' resources that cover ``now`` (validated time off: hr_holidays writes
        it there) and, ``with_load``, how many open cases they have besides the cases
        ``being_assigned`` (ids: a new case is its creator's until it is routed)."""
        leaves = defaultdict(list)
        for leave in (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("resource_id.user_id", "in", users.ids),
                    ("time_type", "=", "leave"),
                    ("date_from", "<=", now),
                    ("date_to", ">", now),
                ]
            )
        ):
            leaves[leave.resource_id.user_id.id].append((leave.date_from, leave.date_to))
        loads = {}
        if with_load:
            loads = {
                user.id: count
                for user, count in self.env["crm.service.case"]
                .sudo()
                ._read_group(
                    [
                        ("user_id", "in", users.ids),
                        ("state", "in", routing.OPEN_STATES),
                        ("id", "not in", list(being_assigned)),
                    ],
                    ["user_id"],
                    ["__count"],
                )
            }
        return {
            user.id: routing.Agent(
                id=user.id,
                active=user.active,
                company_ids=frozenset(user.company_ids.ids),
                leaves=tuple(leaves[user.id]),
                open_cases=loads.get(user.id, 0),
            )
            for user in users
        }

    @api.model
    def _crm_service_start_processes(self, routed):
        """Start each rule's process (its active version: a process is versioned) on the
        cases the rule routed, ``{rule: cases}``."""
        with_process = {rule: cases for rule, cases in routed.items() if rule.process_id}
        if not with_process:
            return
        # sudo: the rule starts its process whoever logged the case; the engine runs it as the system
        active = {
            process.code: process
            for process in self.env["crm.workflow.process"]
            .sudo()
            .search(
                [
                    ("code", "in", list({rule.process_id.code for rule in with_process})),
                    ("state", "=", "active"),
                    ("model", "=", "crm.service.case"),
                ]
            )
        }
        to_start = defaultdict(list)
        for rule, cases in with_process.items():
            process = active.get(rule.process_id.code)
            if process:
                to_start[process].extend(cases.ids)
            else:
                _logger.warning(
                    "Routing rule %s (id %s) names process %s, which has no active version: not started on %s",
                    rule.name,
                    rule.id,
                    rule.process_id.code,
                    cases.ids,
                )
        for process, case_ids in to_start.items():
            process._start(self.env["crm.service.case"].browse(case_ids))
