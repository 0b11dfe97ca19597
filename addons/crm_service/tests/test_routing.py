import logging
import threading
import time
from datetime import datetime, timedelta
from uuid import uuid4

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.api import Transaction
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods, run_in_transaction

from ..lib import routing
from .common import AGENT, CrmServiceCommon

_logger = logging.getLogger(__name__)

NOW = datetime(2025, 3, 14, 10, 0)
RULE = "crm.service.routing.rule"
TEAM = "crm.service.team"
LOG = "crm.service.case.transfer.log"
TRANSFER = "crm.service.case.transfer"


def agent(agent_id, company_ids=(1,), **values):
    return routing.Agent(id=agent_id, company_ids=frozenset(company_ids), **values)


def requests(count, company_id=1, preferred=None):
    return [routing.Request(company_id, preferred) for _index in range(count)]


class TestRoutingLib(BaseCase):
    """The decisions of lib/routing.py, without a database."""

    def test_round_robin_continues_after_the_last_agent_and_wraps(self):
        team = [agent(3), agent(1), agent(2)]
        decision = routing.assign(routing.ROUND_ROBIN, team, requests(4), NOW, last_assigned=2)
        self.assertEqual(decision.agents, [3, 1, 2, 3])
        self.assertEqual(decision.last_assigned, 3)

    def test_round_robin_starts_with_the_lowest_id_and_survives_a_departed_agent(self):
        team = [agent(4), agent(2), agent(9)]
        self.assertEqual(routing.assign(routing.ROUND_ROBIN, team, requests(2), NOW).agents, [2, 4])
        # the last agent left the team: the next one by id takes over
        self.assertEqual(routing.assign(routing.ROUND_ROBIN, team, requests(2), NOW, last_assigned=5).agents, [9, 2])

    def test_round_robin_skips_agents_on_leave_inactive_or_of_another_company(self):
        team = [
            agent(1),
            agent(2, leaves=((NOW - timedelta(days=1), NOW + timedelta(hours=1)),)),
            agent(3, active=False),
            agent(4, company_ids=(2,)),
            agent(5, leaves=((NOW + timedelta(hours=1), NOW + timedelta(days=1)),)),  # leave not begun
            agent(6, leaves=((NOW - timedelta(days=1), NOW),)),  # leave just over
        ]
        decision = routing.assign(routing.ROUND_ROBIN, team, requests(4), NOW, last_assigned=1)
        self.assertEqual(decision.agents, [5, 6, 1, 5])

    def test_nobody_available_gives_nobody_and_keeps_the_pointer(self):
        team = [agent(1, active=False), agent(2, company_ids=(2,))]
        decision = routing.assign(routing.ROUND_ROBIN, team, requests(2), NOW, last_assigned=1)
        self.assertEqual(decision.agents, [None, None])
        self.assertEqual(decision.last_assigned, 1)

    def test_least_loaded_counts_the_batch_and_breaks_ties_by_id(self):
        team = [agent(3, open_cases=0), agent(1, open_cases=2), agent(2, open_cases=0)]
        decision = routing.assign(routing.LEAST_LOADED, team, requests(5), NOW)
        self.assertEqual(decision.agents, [2, 3, 2, 3, 1])
        self.assertEqual(decision.last_assigned, 1)

    def test_least_loaded_skips_agents_on_leave(self):
        team = [agent(1, open_cases=0, leaves=((NOW, NOW + timedelta(days=2)),)), agent(2, open_cases=7)]
        self.assertEqual(routing.assign(routing.LEAST_LOADED, team, requests(2), NOW).agents, [2, 2])

    def test_manual_gives_nobody(self):
        decision = routing.assign(routing.MANUAL, [agent(1), agent(2)], requests(2), NOW, last_assigned=2)
        self.assertEqual((decision.agents, decision.last_assigned), ([None, None], 2))

    def test_the_rules_agent_takes_the_case_unless_away(self):
        team = [agent(1), agent(2)]
        present, away = agent(7), agent(8, leaves=((NOW, NOW + timedelta(days=1)),))
        decision = routing.assign(
            routing.ROUND_ROBIN,
            team,
            [routing.Request(1, present), routing.Request(1, away), routing.Request(1, None)],
            NOW,
            last_assigned=1,
        )
        # the rule's agent does not move the round robin
        self.assertEqual(decision.agents, [7, 2, 1])

    def test_rule_conditions(self):
        case = routing.Case(
            id=1,
            company_id=1,
            type_id=10,
            product_id=20,
            category_ids=routing.category_path("1/4/9/"),
            country_id=30,
            state_id=31,
            priority="2",
        )
        self.assertTrue(routing.Rule(id=1, company_id=1).matches(case), "an empty rule takes any case")
        self.assertFalse(routing.Rule(id=1, company_id=2).matches(case), "only cases of the rule's company")
        for condition, good, bad in (
            ("type_ids", {10, 11}, {11}),
            ("product_ids", {20}, {21}),
            ("category_ids", {4}, {5}),  # 4 is a parent of the case's category 9
            ("country_ids", {30}, {32}),
            ("state_ids", {31}, {33}),
            ("priorities", {"1", "2"}, {"0"}),
        ):
            with self.subTest(condition=condition):
                self.assertTrue(routing.Rule(id=1, company_id=1, **{condition: frozenset(good)}).matches(case))
                self.assertFalse(routing.Rule(id=1, company_id=1, **{condition: frozenset(bad)}).matches(case))
        # region: the country or the state
        self.assertTrue(
            routing.Rule(id=1, company_id=1, country_ids=frozenset({99}), state_ids=frozenset({31})).matches(case)
        )
        self.assertFalse(routing.Rule(id=1, company_id=1, type_ids=frozenset({10})).matches(routing.Case(2, 1)))

    def test_first_rule_in_order(self):
        case = routing.Case(id=1, company_id=1, priority="2")
        rules = [
            routing.Rule(id=5, company_id=1, priorities=frozenset({"0"})),
            routing.Rule(id=3, company_id=1, priorities=frozenset({"2"})),
            routing.Rule(id=4, company_id=1),
        ]
        self.assertEqual(routing.first_rule(case, rules), 3)
        self.assertIsNone(routing.first_rule(case, rules[:1]))

    def test_priorities_text(self):
        self.assertEqual(routing.parse_priorities(" 2, 0,"), frozenset({"0", "2"}))
        self.assertEqual(routing.parse_priorities(False), frozenset())
        self.assertEqual(routing.format_priorities({"2", "0"}, ["0", "1", "2"]), "0,2")
        self.assertFalse(routing.format_priorities(set(), ["0", "1", "2"]))
        with self.assertRaises(ValueError):
            routing.format_priorities({"9"}, ["0", "1", "2"])


class CrmServiceRoutingCommon(CrmServiceCommon):
    """Teams, types, products and regions, and rules routing to them (HQ and the branch)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.repair = cls.env["crm.service.case.type"].create({"name": "Printer Repair", "kind": "repair"})
        Category = cls.env["product.category"]
        cls.printers = Category.create({"name": "Printers"})
        cls.laser = Category.create({"name": "Laser", "parent_id": cls.printers.id})
        cls.laser_printer = cls.env["product.product"].create({"name": "LaserJet 9", "categ_id": cls.laser.id})
        cls.asset = cls.env["crm.service.asset"].create(
            {"product_id": cls.laser_printer.id, "serial": "LJ9-0001", "partner_id": cls.customer.id}
        )
        cls.china = cls.env.ref("base.cn")
        cls.guangdong = cls.env["res.country.state"].search([("country_id", "=", cls.china.id)], limit=1)
        cls.south_customer = cls.env["res.partner"].create(
            {"name": "Shenzhen Print Shop", "country_id": cls.china.id, "state_id": cls.guangdong.id}
        )
        Team = cls.env[TEAM]
        cls.team_repair = Team.create(
            {
                "name": "Repairs",
                "assignment": "round_robin",
                "member_ids": [Command.set((cls.agent_a | cls.agent_b).ids)],
            }
        )
        cls.team_south = Team.create(
            {
                "name": "South",
                "assignment": "least_loaded",
                "member_ids": [Command.set((cls.agent_a | cls.agent_b).ids)],
            }
        )
        cls.team_desk = Team.create(
            {
                "name": "Desk",
                "assignment": "manual",
                "leader_id": cls.manager.id,
                "member_ids": [Command.set(cls.agent_b.ids)],
            }
        )
        cls.team_company_2 = Team.create(
            {
                "name": "Branch Team",
                "company_id": cls.company_2.id,
                "member_ids": [Command.set(cls.agent_company_2.ids)],
            }
        )
        Rule = cls.env[RULE]
        cls.rule_urgent = Rule.create(
            {"name": "Urgent", "sequence": 1, "priority_urgent": True, "team_id": cls.team_desk.id}
        )
        cls.rule_repair = Rule.create(
            {"name": "Repairs", "sequence": 5, "type_ids": [Command.set(cls.repair.ids)], "team_id": cls.team_repair.id}
        )
        cls.rule_printers = Rule.create(
            {
                "name": "Printers",
                "sequence": 6,
                "product_category_ids": [Command.set(cls.printers.ids)],
                "team_id": cls.team_repair.id,
            }
        )
        cls.rule_south = Rule.create(
            {
                "name": "South China",
                "sequence": 7,
                "state_ids": [Command.set(cls.guangdong.ids)],
                "team_id": cls.team_south.id,
            }
        )
        cls.rule_company_2 = Rule.create(
            {"name": "Branch: everything", "company_id": cls.company_2.id, "team_id": cls.team_company_2.id}
        )
        cls.rules = cls.rule_urgent | cls.rule_repair | cls.rule_printers | cls.rule_south | cls.rule_company_2
        cls.teams = cls.team_repair | cls.team_south | cls.team_desk | cls.team_company_2

    def _log_cases(self, user, count=1, **values):
        """``count`` cases created by ``user`` in one call, read back as the superuser."""
        vals = {"subject": "Printer broken", "partner_id": self.customer.id, **values}
        cases = self.env["crm.service.case"].with_user(user).create([dict(vals) for _index in range(count)])
        return cases.with_env(self.env)

    def assertVisible(self, user, records, expected, **context):
        """Among ``records``, ``user`` finds exactly ``expected``."""
        found = records.with_user(user).with_context(**context).search([("id", "in", records.ids)])
        self.assertEqual(found.sudo(), expected.sudo(), f"{user.login} finds {found.sudo().mapped('display_name')}")

    def _leave(self, user, start=None, end=None):
        """A leave of ``user``'s employee covering now (as validated time off is written)."""
        now = fields.Datetime.now()
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Annual leave",
                "resource_id": user.employee_ids[:1].resource_id.id,
                "date_from": start or now - timedelta(hours=2),
                "date_to": end or now + timedelta(days=2),
                "time_type": "leave",
            }
        )


class TestRouting(CrmServiceRoutingCommon):
    """An agent logs cases: the first matching rule routes them."""

    def test_routed_by_type_round_robin_logged_with_the_rule(self):
        case = self._log_cases(self.agent_a, type_id=self.repair.id)
        self.assertEqual(case.team_id, self.team_repair)
        self.assertEqual(case.user_id, self.agent_a, "the round robin starts with the lowest id")
        self.assertEqual(self.team_repair.last_assigned_user_id, self.agent_a)
        log = case.transfer_log_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.from_team_id, log.to_team_id, log.from_user_id, log.to_user_id, log.author_id, log.reason),
            (self.env[TEAM], self.team_repair, self.agent_a, self.agent_a, self.agent_a, "Routing rule: Repairs"),
        )
        second = self._log_cases(self.agent_a, type_id=self.repair.id)
        self.assertEqual(second.user_id, self.agent_b)
        self.assertEqual(second.transfer_log_ids.to_user_id, self.agent_b)

    def test_routed_by_product_category_of_the_asset(self):
        case = self._log_cases(self.agent_a, asset_id=self.asset.id)
        self.assertEqual(case.product_id, self.laser_printer, "the case's product is the asset's")
        self.assertEqual(case.team_id, self.team_repair)
        self.assertEqual(case.transfer_log_ids.reason, "Routing rule: Printers")

    def test_routed_by_region_least_loaded(self):
        # agent_a has one open case more than agent_b
        self._log_cases(self.agent_a, partner_id=self.south_customer.id, subject="Extra").write({"team_id": False})
        cases = self._log_cases(self.agent_a, count=3, partner_id=self.south_customer.id)
        self.assertEqual(cases.team_id, self.team_south)
        loads = {
            user: self.env["crm.service.case"].search_count(
                [("user_id", "=", user.id), ("state", "in", routing.OPEN_STATES)]
            )
            for user in (self.agent_a, self.agent_b)
        }
        self.assertEqual(loads[self.agent_a], loads[self.agent_b], "least loaded evens the open cases out")

    def test_routed_by_priority_first_rule_wins(self):
        case = self._log_cases(self.agent_a, priority="2", type_id=self.repair.id)
        self.assertEqual(case.team_id, self.team_desk, "Urgent comes before Repairs")
        self.assertFalse(case.user_id, "a team dispatched by hand gets the case unassigned")
        self.assertEqual(case.transfer_log_ids.reason, "Routing rule: Urgent")

    def test_no_rule_matches_the_case_stays(self):
        case = self._log_cases(self.agent_a)
        self.assertFalse(case.team_id)
        self.assertEqual(case.user_id, self.agent_a)
        self.assertFalse(case.transfer_log_ids)

    def test_archived_rule_and_other_company_rule_do_not_route(self):
        self.rule_repair.active = False
        self.rule_company_2.write({"sequence": 0})
        case = self._log_cases(self.agent_a, type_id=self.repair.id)
        self.assertFalse(case.team_id)
        branch = self._log_cases(self.agent_company_2, company_id=self.company_2.id)
        self.assertEqual((branch.team_id, branch.user_id), (self.team_company_2, self.agent_company_2))

    def test_a_case_logged_with_a_team_is_not_routed(self):
        case = self._log_cases(self.agent_a, type_id=self.repair.id, team_id=self.team_desk.id)
        self.assertEqual((case.team_id, case.user_id), (self.team_desk, self.agent_a))

    def test_round_robin_over_a_batch(self):
        cases = self._log_cases(self.agent_a, count=5, type_id=self.repair.id)
        self.assertEqual(
            [case.user_id for case in cases], [self.agent_a, self.agent_b, self.agent_a, self.agent_b, self.agent_a]
        )
        self.assertEqual(self.team_repair.last_assigned_user_id, self.agent_a)
        self.assertEqual(len(cases.transfer_log_ids), 5)
        nxt = self._log_cases(self.agent_b, type_id=self.repair.id)
        self.assertEqual(nxt.user_id, self.agent_b, "the next batch continues the round")

    def test_agent_on_leave_is_skipped(self):
        self._leave(self.agent_a)
        cases = self._log_cases(self.agent_a, count=3, type_id=self.repair.id)
        self.assertEqual(cases.user_id, self.agent_b)
        # an old leave does not count
        self.env["resource.calendar.leaves"].search([("resource_id.user_id", "=", self.agent_a.id)]).unlink()
        self._leave(self.agent_a, start=datetime(2020, 1, 1), end=datetime(2020, 1, 10))
        self.assertEqual(self._log_cases(self.agent_a, type_id=self.repair.id).user_id, self.agent_a)

    def test_inactive_and_other_company_members_are_skipped(self):
        self.team_repair.member_ids = [Command.link(self.agent_company_2.id)]
        self.agent_b.active = False
        cases = self._log_cases(self.agent_a, count=3, type_id=self.repair.id)
        self.assertEqual(cases.user_id, self.agent_a)

    def test_rule_agent_gets_the_cases_unless_on_leave(self):
        self.rule_repair.user_id = self.agent_sub
        self.assertEqual(self._log_cases(self.agent_a, count=2, type_id=self.repair.id).user_id, self.agent_sub)
        self.assertFalse(self.team_repair.last_assigned_user_id, "the rule's agent does not move the round robin")
        self._leave(self.agent_sub)
        self.assertEqual(self._log_cases(self.agent_a, type_id=self.repair.id).user_id, self.agent_a)

    def test_everybody_away_leaves_the_case_unassigned_in_the_team(self):
        self._leave(self.agent_a)
        self._leave(self.agent_b)
        case = self._log_cases(self.agent_a, type_id=self.repair.id)
        self.assertEqual((case.team_id, case.user_id), (self.team_repair, self.env["res.users"]))

    def test_rule_starts_its_process(self):
        process = self._case_process()
        self.rule_repair.process_id = process
        cases = self._log_cases(self.agent_a, count=2, type_id=self.repair.id)
        instances = self.env["crm.workflow.instance"].search(
            [("res_model", "=", "crm.service.case"), ("res_id", "in", cases.ids)]
        )
        self.assertEqual(sorted(instances.mapped("res_id")), sorted(cases.ids))
        self.assertEqual(instances.process_id, process)
        self.assertEqual(set(instances.mapped("state")), {"running"})
        other = self._log_cases(self.agent_a, asset_id=self.asset.id)
        self.assertFalse(
            self.env["crm.workflow.instance"].search_count(
                [("res_model", "=", "crm.service.case"), ("res_id", "=", other.id)]
            ),
            "only the rule that names the process starts it",
        )

    def test_rule_starts_the_active_version_of_its_process(self):
        process = self._case_process()
        self.rule_repair.process_id = process
        process._set_state("archived")
        with self.assertLogs("odoo.addons.crm_service.models.crm_service_routing_rule", "WARNING"):
            case = self._log_cases(self.agent_a, type_id=self.repair.id)
        self.assertEqual(case.team_id, self.team_repair, "the case is routed even if its process cannot start")
        self.assertFalse(
            self.env["crm.workflow.instance"].search([("res_id", "=", case.id), ("res_model", "=", "crm.service.case")])
        )

    def _case_process(self):
        model = self.env["ir.model"]._get_id("crm.service.case")
        process = self.env["crm.workflow.process"].create(
            {
                "name": "Repair visit",
                "code": f"REPAIR-{uuid4().hex[:6]}",
                "model_id": model,
                "activity_ids": [
                    Command.create({"name": "Start", "kind": "start", "sequence": 1}),
                    Command.create(
                        {
                            "name": "Visit",
                            "kind": "human",
                            "sequence": 2,
                            "performer_type": "user",
                            "performer_user_id": self.agent_a.id,
                        }
                    ),
                    Command.create({"name": "End", "kind": "end", "sequence": 3}),
                ],
            }
        )
        by_name = {activity.name: activity.id for activity in process.activity_ids}
        process.transition_ids = [
            Command.create({"source_id": by_name["Start"], "target_id": by_name["Visit"], "sequence": 1}),
            Command.create({"source_id": by_name["Visit"], "target_id": by_name["End"], "sequence": 2}),
        ]
        process.action_activate()
        return process


class TestRoutingRuleConfiguration(CrmServiceRoutingCommon):
    """What a manager may configure on rules."""

    def test_priority_check_boxes_store_the_list(self):
        rule = (
            self.env[RULE]
            .with_user(self.manager)
            .create(
                {
                    "name": "High and urgent",
                    "team_id": self.team_repair.id,
                    "priority_high": True,
                    "priority_urgent": True,
                }
            )
        )
        self.assertEqual(rule.priorities, "1,2")
        rule.priority_high = False
        self.assertEqual(rule.priorities, "2")
        self.assertEqual((rule.priority_normal, rule.priority_high, rule.priority_urgent), (False, False, True))

    def test_bad_configuration_is_refused(self):
        Rule = self.env[RULE].with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "unknown priorities"):
            Rule.create({"name": "Bad", "team_id": self.team_repair.id, "priorities": "2,7"})
        with self.assertRaisesRegex(ValidationError, "cannot receive the cases"):
            Rule.create({"name": "Bad", "team_id": self.team_repair.id, "user_id": self.agent_company_2.id})
        with self.assertRaisesRegex(ValidationError, "cannot receive the cases"):
            Rule.create({"name": "Bad", "team_id": self.team_repair.id, "user_id": self.portal_user.id})
        with self.assertRaises(UserError):  # check_company: a team of another company
            Rule.create({"name": "Bad", "team_id": self.team_company_2.id})
        event_process = self.env["crm.workflow.process"].create(
            {"name": "Event flow", "code": "EVENT-FLOW-ROUTING", "model_id": self.env["ir.model"]._get_id("crm.event")}
        )
        with self.assertRaisesRegex(ValidationError, "can only start a process on cases"):
            self.rule_repair.with_user(self.manager).process_id = event_process


class TestTransferWizard(CrmServiceRoutingCommon):
    """Agents hand their cases over, with a reason."""

    def _wizard(self, user, cases, companies=None, **values):
        context = {"active_model": "crm.service.case", "active_ids": cases.ids}
        if companies:
            context["allowed_company_ids"] = companies.ids
        return self.env[TRANSFER].with_user(user).with_context(**context).create(values)

    def test_agent_transfers_own_case_to_a_colleague(self):
        wizard = self._wizard(self.agent_a, self.case_a, user_id=self.agent_b.id, reason="Speaks Cantonese")
        self.assertEqual(wizard.case_ids, self.case_a.with_user(self.agent_a))
        action = wizard.action_transfer()
        self.assertEqual(self.case_a.user_id, self.agent_b)
        log = self.case_a.transfer_log_ids
        self.assertEqual(
            (log.from_user_id, log.to_user_id, log.reason, log.author_id),
            (self.agent_a, self.agent_b, "Speaks Cantonese", self.agent_a),
        )
        note = self.case_a.message_ids.filtered(lambda message: "Speaks Cantonese" in (message.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("Transferred to", note.body)
        self.assertEqual(note.author_id, self.agent_a.partner_id)
        self.assertTrue(note.is_internal)
        # agent_a no longer sees the case: back to the list rather than to a form they cannot read
        self.assertEqual(action["res_model"], "crm.service.case")

    def test_transfer_to_a_team_lets_the_team_choose(self):
        cases = self.case_a | self.case_unassigned
        self._wizard(self.agent_a, cases, team_id=self.team_repair.id, reason="Hardware fault").action_transfer()
        self.assertEqual(cases.team_id, self.team_repair)
        self.assertEqual(cases.user_id, self.agent_a | self.agent_b, "one case each, in turn")
        self.assertEqual(set(cases.transfer_log_ids.mapped("reason")), {"Hardware fault"})
        self.assertEqual(cases.transfer_log_ids.to_team_id, self.team_repair)

    def test_transfer_to_a_member_of_a_team(self):
        action = self._wizard(
            self.agent_a, self.case_a, team_id=self.team_repair.id, user_id=self.agent_a.id, reason="Mine now"
        ).action_transfer()
        self.assertEqual((self.case_a.team_id, self.case_a.user_id), (self.team_repair, self.agent_a))
        self.assertEqual(action, {"type": "ir.actions.act_window_close"})

    def test_bad_transfers_are_refused_and_change_nothing(self):
        bad = [
            ({"user_id": self.agent_b.id}, "Say why"),
            ({"user_id": self.agent_b.id, "reason": "   "}, "Say why"),
            ({"reason": "Nobody"}, "Choose the team or the agent"),
            ({"team_id": self.team_desk.id, "user_id": self.agent_sub.id, "reason": "Wrong"}, "not a member"),
            ({"user_id": self.agent_company_2.id, "reason": "Branch"}, "does not work for"),
            ({"team_id": self.team_company_2.id, "reason": "Branch"}, "works for Service Branch"),
            ({"user_id": self.portal_user.id, "reason": "Portal"}, "not an active internal user"),
        ]
        for values, message in bad:
            with self.subTest(values=values), self.assertRaisesRegex(UserError, message):
                self._wizard(self.agent_a, self.case_a, **values).action_transfer()
        self.assertEqual((self.case_a.user_id, self.case_a.team_id), (self.agent_a, self.env[TEAM]))
        self.assertFalse(self.case_a.transfer_log_ids)

    def test_cases_of_two_companies_are_refused(self):
        cases = self.case_a | self.case_company_2
        wizard = self._wizard(
            self.executive, cases, companies=self.company | self.company_2, user_id=self.executive.id, reason="Mine"
        )
        with self.assertRaisesRegex(UserError, "several companies"):
            wizard.action_transfer()
        self.assertFalse(cases.transfer_log_ids)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_agent_cannot_transfer_a_colleagues_case(self):
        with self.assertRaises(AccessError):
            self._wizard(self.agent_a, self.case_b, user_id=self.agent_a.id, reason="Taking it").action_transfer()
        self.assertEqual(self.case_b.user_id, self.agent_b)

    def test_manager_transfers_department_cases_from_the_list(self):
        cases = self.case_a | self.case_b
        self._wizard(self.manager, cases, user_id=self.agent_sub.id, reason="Field visit").action_transfer()
        self.assertEqual(cases.user_id, self.agent_sub)
        self.assertEqual(len(cases.transfer_log_ids), 2)
        self.assertEqual(cases.transfer_log_ids.author_id, self.manager)


class TestRoutingAccess(CrmServiceRoutingCommon):
    """Who reads and changes rules, teams, transfer logs and the wizard, by role and company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.case_a.with_context(crm_service_transfer_reason="Setup").write({"team_id": cls.team_repair.id})
        cls.log_a = cls.case_a.transfer_log_ids
        cls.case_company_2.with_context(crm_service_transfer_reason="Setup").write({"team_id": cls.team_company_2.id})
        cls.log_company_2 = cls.case_company_2.transfer_log_ids

    def test_agent_reads_but_does_not_change_rules_teams_and_logs(self):
        agent = self.agent_a
        self.assertVisible(agent, self.rules, self.rules - self.rule_company_2)
        self.assertVisible(agent, self.teams, self.teams - self.team_company_2)
        self.assertVisible(agent, self.log_a | self.log_company_2, self.log_a)
        attempts = [
            lambda: self.rule_repair.with_user(agent).write({"name": "Mine"}),
            lambda: self.env[RULE].with_user(agent).create({"name": "Mine", "team_id": self.team_repair.id}),
            lambda: self.rule_repair.with_user(agent).unlink(),
            lambda: self.team_repair.with_user(agent).write({"assignment": "manual"}),
            lambda: self.team_repair.with_user(agent).write({"member_ids": [Command.link(agent.id)]}),
            lambda: self.env[TEAM].with_user(agent).create({"name": "Mine"}),
            lambda: self.log_a.with_user(agent).write({"reason": "Rewritten"}),
            lambda: self.log_a.with_user(agent).unlink(),
            lambda: self.env[LOG].with_user(agent).create({"case_id": self.case_a.id, "reason": "Forged"}),
        ]
        for attempt in attempts:
            with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_model"):
                attempt()
        self.assertEqual((self.rule_repair.name, self.team_repair.assignment), ("Repairs", "round_robin"))
        self.assertEqual(self.log_a.reason, "Setup")

    def test_manager_manages_rules_and_teams_but_not_the_logs_nor_the_pointer(self):
        manager = self.manager
        team = (
            self.env[TEAM]
            .with_user(manager)
            .create(
                {"name": "Night shift", "member_ids": [Command.set(self.agent_b.ids)], "assignment": "least_loaded"}
            )
        )
        rule = self.env[RULE].with_user(manager).create({"name": "Night", "team_id": team.id, "sequence": 99})
        rule.write({"priority_normal": True})
        team.write({"leader_id": manager.id})
        rule.unlink()
        team.unlink()
        with self.assertRaises(AccessError):
            self.team_repair.with_user(manager).write({"last_assigned_user_id": self.agent_b.id})
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_model"):
            self.log_a.with_user(manager).write({"reason": "Rewritten"})
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_model"):
            self.log_a.with_user(manager).unlink()

    def test_branch_agent_sees_none_of_headquarters(self):
        user = self.agent_company_2
        self.assertVisible(user, self.rules, self.rule_company_2)
        self.assertVisible(user, self.teams, self.team_company_2)
        self.assertVisible(user, self.log_a | self.log_company_2, self.log_company_2)

    def test_executive_sees_all_of_both_companies(self):
        both = {"allowed_company_ids": (self.company | self.company_2).ids}
        self.assertVisible(self.executive, self.rules, self.rules, **both)
        self.assertVisible(self.executive, self.log_a | self.log_company_2, self.log_a | self.log_company_2, **both)

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_employee_and_portal_get_nothing(self):
        for user in (self.employee, self.portal_user):
            for model in (RULE, TEAM, LOG, TRANSFER):
                with self.subTest(user=user.login, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(user).search([])

    def test_public_methods_are_the_transfer_button(self):
        found = {pair for pair in public_methods(self.env, "crm_service") if pair[0] in (RULE, TRANSFER)}
        self.assertEqual(found, {(TRANSFER, "action_transfer")})

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule")
    def test_rpc_attacks_by_the_least_privileged(self):
        case_ids = [self.case_b.id]
        for user in (self.employee, self.portal_user):
            attacks = [
                (TRANSFER, "create", [{"case_ids": [Command.set(case_ids)], "user_id": user.id, "reason": "x"}]),
                (RULE, "create", [{"name": "Mine", "team_id": self.team_repair.id}]),
                (RULE, "write", [self.rule_repair.ids, {"team_id": self.team_desk.id}]),
                (RULE, "_crm_service_route", [case_ids]),
                (RULE, "_crm_service_pick_agents", [{}]),
                (TEAM, "write", [self.team_repair.ids, {"member_ids": [Command.link(user.id)]}]),
                (LOG, "unlink", [self.log_a.ids]),
            ]
            for model, method, args in attacks:
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, model, method, *args)
        # an agent: the wizard on a colleague's case, the private methods, the system pointer
        agent = self.agent_a
        wizard_id = call_kw(
            agent, TRANSFER, "create", {"case_ids": [Command.set(case_ids)], "user_id": agent.id, "reason": "x"}
        )
        # the wizard does not show the agent a case they cannot read: nothing to transfer
        with self.assertRaises(UserError):
            call_kw(agent, TRANSFER, "action_transfer", [wizard_id])
        for model, method, args in [
            (RULE, "_crm_service_route", [case_ids]),
            (RULE, "_crm_service_pick_agents", [{}]),
            (RULE, "_crm_service_start_processes", [{}]),
            (TRANSFER, "_check_transfer", [[wizard_id], case_ids, False, False, "x"]),
            (TEAM, "write", [self.team_repair.ids, {"last_assigned_user_id": agent.id}]),
        ]:
            with self.subTest(user=agent.login, method=method), self.assertRaises(AccessError):
                call_kw(agent, model, method, *args)
        self.assertEqual(self.case_b.user_id, self.agent_b)
        self.assertFalse(self.case_b.transfer_log_ids)
        self.assertFalse(self.team_repair.last_assigned_user_id)


# Ceilings a little above what was measured (warm, crm_service alone, Odoo 18.0, tracking on as
# in production). What routing adds to a create is the same for 1 and for 50 cases; the whole
# create costs more per case for what the creation does per case (each reference is drawn from
# its sequence), not for the routing.
ROUTING_CEILING = 20  # measured 13 for 1 case, 15 for 50 (a second agent: one more write)
CREATE_CEILINGS = {1: 50, 50: 160}  # measured 41 and 141


@tagged("crm_service_perf", "is_query_count")
class TestRoutingPerformance(CrmServiceRoutingCommon):
    """Routing the cases of one create costs the same for 1 or 50 cases, with tracking on."""

    def _create(self, count, routed, warm=True):
        """The queries of an agent's create of ``count`` cases of the repair type, which the
        type rule routes (``routed``) or no rule takes, flushed and tracked as at commit."""
        self.rule_repair.active = routed
        Case = self.env["crm.service.case"].with_env(self.env(user=self.agent_a.id, context={}))
        values = [
            {"subject": f"Request {index}", "partner_id": self.customer.id, "type_id": self.repair.id}
            for index in range(count)
        ]
        self.env.flush_all()
        self.env.invalidate_all()
        if not warm:
            Case.create(values)
            self.env.flush_all()
            self.env.cr.flush()
            return None
        with self.assertQueryCount(CREATE_CEILINGS[count]):
            before = self.cr.sql_log_count
            cases = Case.create(values)
            self.env.flush_all()
            self.env.cr.flush()  # the precommit hooks: tracking, as at commit
            measured = self.cr.sql_log_count - before
        self.assertEqual(bool(cases.with_env(self.env).team_id), routed)
        return measured

    def test_routing_50_cases_in_one_create_costs_what_routing_1_does(self):
        self._create(1, True, warm=False)  # the first creations of the transaction fill caches
        self._create(1, False, warm=False)
        for count in (1, 50):
            with self.subTest(count=count):
                plain, routed = self._create(count, False), self._create(count, True)
                _logger.info(
                    "crm_service_perf create x%s: %s queries, %s with routing (+%s, ceiling %s)",
                    count,
                    plain,
                    routed,
                    routed - plain,
                    ROUTING_CEILING,
                )
                self.assertLessEqual(routed - plain, ROUTING_CEILING)


HOLD_SECONDS = 1.0
MAX_TRIES = 5


@tagged("post_install", "-at_install")
class TestRoutingConcurrency(BaseCase):
    """Two workers log cases routed to the same round-robin team at the same moment: two real
    transactions (two cursors, two threads) on committed data, retried on serialization
    failures as Odoo's workers retry requests. Each agent gets one case."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls._setup(env)
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _setup(cls, env):
        run = uuid4().hex[:8]  # committed data: names of this run only
        Users = env["res.users"].with_context(no_reset_password=True)
        groups = env.ref(AGENT)
        cls.agent_ids = [
            Users.create(
                {
                    "name": f"Routing {name}",
                    "login": f"crm_service_routing_{name}_{run}",
                    "groups_id": [Command.set(groups.ids)],
                }
            ).id
            for name in ("a", "b", "caller_1", "caller_2")
        ]
        cls.team_id = (
            env[TEAM]
            .create(
                {"name": f"Race {run}", "assignment": "round_robin", "member_ids": [Command.set(cls.agent_ids[:2])]}
            )
            .id
        )
        cls.case_type_id = env["crm.service.case.type"].create({"name": f"Race {run}", "kind": "repair"}).id
        cls.rule_id = (
            env[RULE]
            .create({"name": f"Race {run}", "type_ids": [Command.set([cls.case_type_id])], "team_id": cls.team_id})
            .id
        )
        cls.partner_id = env["res.partner"].create({"name": f"Race customer {run}"}).id

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.service.case"].with_context(active_test=False).search(
                [("partner_id", "=", cls.partner_id)]
            ).unlink()
            env[RULE].browse(cls.rule_id).unlink()
            env[TEAM].browse(cls.team_id).unlink()
            env["crm.service.case.type"].browse(cls.case_type_id).unlink()
            env["res.partner"].browse(cls.partner_id).unlink()
            env["res.users"].browse(cls.agent_ids).write({"active": False})

    def _env(self, cr, user_id):
        # the transaction is given its registry: looking it up by name would wait for the
        # lock the test runner holds while post-install tests run
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, user_id, {})

    def _worker(self, user_id, errors, results, hold=None):
        """A thread logging one case as ``user_id`` in a transaction of its own; with ``hold``
        (an event), the transaction stays open until the other worker started."""

        def body(env):
            case = env["crm.service.case"].create(
                {"subject": "Race", "partner_id": self.partner_id, "type_id": self.case_type_id}
            )
            if hold is not None and not hold.is_set():
                env.cr.flush()
                hold.wait(10)
                time.sleep(HOLD_SECONDS)
            return case.id

        def run():
            try:
                results.append(run_in_transaction(self.registry, user_id, body, tries=MAX_TRIES))
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        return threading.Thread(target=run)

    def test_two_workers_give_the_next_cases_to_two_agents(self):
        started = threading.Event()
        errors, results = [], []
        one = self._worker(self.agent_ids[2], errors, results, hold=started)
        two = self._worker(self.agent_ids[3], errors, results)
        # the second worker's first try fails on the first one's lock: PostgreSQL reports it
        with mute_logger("odoo.sql_db"):
            one.start()
            time.sleep(0.3)
            started.set()
            two.start()
            one.join(30)
            two.join(30)
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 2)
        with self.registry.cursor() as cr:
            env = self._env(cr, SUPERUSER_ID)
            cases = env["crm.service.case"].browse(results)
            self.assertEqual(sorted(cases.user_id.ids), sorted(self.agent_ids[:2]), "each agent got one case")
            self.assertEqual(env[TEAM].browse(self.team_id).last_assigned_user_id.id, cases[-1].user_id.id)
            self.assertEqual(len(cases.transfer_log_ids), 2)
