from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged, warmup

from odoo.addons.crm_workflow.tests.common import call_kw

from .common import CrmSfaCommon


class HandoverCase(CrmSfaCommon):
    """The portfolio of the participant, who leaves; the colleague takes over.

    Two customers of the participant, two open opportunities and one won, a quotation
    on the first opportunity and a confirmed order, activities of the participant on
    the opportunity and the customer, and one of the colleague on the opportunity.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create({"name": "Acme", "is_company": True, "user_id": cls.participant.id})
        cls.acme_buyer = Partner.create({"name": "Acme Buyer", "parent_id": cls.acme.id, "user_id": cls.participant.id})
        cls.globex = Partner.create({"name": "Globex", "is_company": True, "user_id": cls.participant.id})
        Lead = cls.env["crm.lead"]
        values = {"type": "opportunity", "user_id": cls.participant.id, "team_id": False}
        cls.deal_acme = Lead.create(dict(values, name="Acme deal", partner_id=cls.acme_buyer.id))
        cls.deal_globex = Lead.create(dict(values, name="Globex deal", partner_id=cls.globex.id))
        cls.deal_won = Lead.create(dict(values, name="Won deal", partner_id=cls.globex.id))
        cls.deal_won.action_set_won()
        Order = cls.env["sale.order"]
        line = [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})]
        cls.quote_acme = Order.create(
            {
                "partner_id": cls.acme.id,
                "user_id": cls.participant.id,
                "opportunity_id": cls.deal_acme.id,
                "order_line": line,
            }
        )
        cls.order_globex = Order.create(
            {"partner_id": cls.globex.id, "user_id": cls.participant.id, "order_line": line}
        )
        cls.order_globex.action_confirm()
        cls.activity_deal = cls.deal_acme.activity_schedule("mail.mail_activity_data_call", user_id=cls.participant.id)
        cls.activity_colleague = cls.deal_acme.activity_schedule(
            "mail.mail_activity_data_todo", user_id=cls.colleague.id
        )
        cls.activity_customer = cls.acme.activity_schedule("mail.mail_activity_data_todo", user_id=cls.participant.id)
        # the fixture's own opportunity and quotation of the participant are part of the portfolio
        cls.portfolio_leads = cls.deal_acme | cls.deal_globex | cls.leads["participant"]
        cls.portfolio_orders = cls.quote_acme | cls.orders["participant"]

    def _handover(self, user=None, **values):
        user = user or self.manager
        context = values.pop("context", {})
        values = {"scope": "portfolio", "from_user_id": self.participant.id, "reason": "Leaves the company", **values}
        wizard = self.env["crm.handover"].with_user(user).with_context(**context).create(values)
        return wizard.action_handover()

    def _state(self):
        """Who owns what, and how many logs: to compare before and after a refused handover."""
        records = (
            self.all_leads | self.deal_acme | self.deal_globex | self.deal_won,
            self.acme | self.acme_buyer | self.globex,
            self.all_orders | self.quote_acme | self.order_globex,
            self.activity_deal | self.activity_colleague | self.activity_customer,
        )
        self.env.invalidate_all()
        owners = tuple(tuple(rec.user_id.id for rec in group) for group in records)
        return owners, self.env["crm.handover.log"].search_count([])

    def assertNothingMoved(self, before):
        self.assertEqual(self._state(), before, "a refused handover must move nothing")


class TestHandover(HandoverCase):
    def test_manager_hands_over_whole_portfolio(self):
        action = self._handover(to_user_id=self.colleague.id)
        self.assertEqual(self.portfolio_leads.user_id, self.colleague)
        self.assertEqual(self.deal_won.user_id, self.participant, "won deals stay with who won them")
        self.assertEqual((self.acme | self.acme_buyer | self.globex).user_id, self.colleague)
        self.assertEqual(self.portfolio_orders.user_id, self.colleague)
        self.assertEqual(self.order_globex.user_id, self.participant, "confirmed orders stay with who sold them")
        self.assertEqual((self.activity_deal | self.activity_customer).user_id, self.colleague)
        self.assertEqual(self.activity_colleague.user_id, self.colleague)
        log = self.env["crm.handover.log"].browse(action["res_id"])
        self.assertRecordValues(
            log,
            [
                {
                    "user_id": self.manager.id,
                    "from_user_id": self.participant.id,
                    "to_user_id": self.colleague.id,
                    "reason": "Leaves the company",
                    "scope": "portfolio",
                    "lead_count": 3,
                    "partner_count": 3,
                    "order_count": 2,
                    "activity_count": 2,
                }
            ],
        )
        self.assertEqual(log.lead_ids, self.portfolio_leads)
        self.assertEqual(log.partner_ids, self.acme | self.acme_buyer | self.globex)
        self.assertEqual(log.order_ids, self.portfolio_orders)

    def test_log_lists_the_records_moved(self):
        action = self._handover(to_user_id=self.colleague.id)
        log = self.env["crm.handover.log"].with_user(self.manager).browse(action["res_id"])
        moved = {(line.kind, line.name, line.activity_on or False) for line in log.line_ids}
        self.assertEqual(
            moved,
            {
                ("lead", "Acme deal", False),
                ("lead", "Globex deal", False),
                ("lead", "Opportunity of participant", False),
                ("partner", "Acme", False),
                ("partner", "Acme, Acme Buyer", False),
                ("partner", "Globex", False),
                ("order", self.quote_acme.name, False),
                ("order", self.orders["participant"].name, False),
                ("activity", "Call", "Acme deal"),
                ("activity", "To-Do", "Acme"),
            },
        )
        self.assertEqual(
            {(line.name, line.date_deadline) for line in log.line_ids if line.kind == "activity"},
            {("Call", self.activity_deal.date_deadline), ("To-Do", self.activity_customer.date_deadline)},
        )
        lead_lines = log.line_ids.filtered(lambda line: line.res_model == "crm.lead")
        self.assertEqual({line.record_ref.id for line in lead_lines}, set(self.portfolio_leads.ids))
        # the log still names what moved once it is renamed, done or deleted
        self.deal_globex.name = "Globex renewal"
        self.activity_deal.action_feedback(feedback="Called")
        self.env.invalidate_all()
        self.assertIn(("activity", "Call", "Acme deal"), {(li.kind, li.name, li.activity_on) for li in log.line_ids})
        self.assertIn("Globex deal", log.line_ids.mapped("name"))

    def test_log_lines_are_the_system_s(self):
        action = self._handover(to_user_id=self.colleague.id)
        log = self.env["crm.handover.log"].browse(action["res_id"])
        line = log.line_ids[:1]
        with self.assertRaises(AccessError):
            call_kw(self.manager, "crm.handover.log.line", "write", line.ids, {"name": "Nothing"})
        with self.assertRaises(AccessError):
            call_kw(
                self.manager,
                "crm.handover.log.line",
                "create",
                {"log_id": log.id, "kind": "lead", "res_model": "crm.lead", "res_id": 1, "name": "Forged"},
            )
        with self.assertRaises(AccessError):
            call_kw(self.manager, "crm.handover.log", "write", log.ids, {"line_ids": [Command.clear()]})
        with self.assertRaises(AccessError):
            call_kw(self.participant, "crm.handover.log.line", "read", line.ids, ["name"])
        [values] = call_kw(self.manager, "crm.handover.log.line", "read", line.ids, ["name"])
        self.assertEqual(values["name"], line.name)
        self.assertVisible(self.executive, log.line_ids, log.line_ids)

    def test_new_owner_is_told_once(self):
        domain = [("partner_ids", "in", self.colleague.partner_id.ids), ("message_type", "=", "user_notification")]
        before = self.env["mail.message"].search(domain)
        self._handover(to_user_id=self.colleague.id)
        messages = self.env["mail.message"].search(domain) - before
        self.assertEqual(len(messages), 1, "one message for the handover, none per record")
        self.assertIn("Leaves the company", messages.body)

    def test_manager_hands_over_one_opportunity_from_its_form(self):
        context = {"active_model": "crm.lead", "active_id": self.deal_acme.id, "active_ids": [self.deal_acme.id]}
        wizard_form = Form(self.env["crm.handover"].with_user(self.manager).with_context(**context))
        self.assertEqual(wizard_form.scope, "selection")
        self.assertEqual(wizard_form.from_user_id, self.participant)
        wizard_form.to_user_id = self.colleague
        wizard_form.reason = "Colleague knows Acme"
        self.assertEqual(wizard_form.lead_count, 1)
        self.assertEqual(wizard_form.order_count, 1)
        wizard_form.save().action_handover()
        for record in self.deal_acme, self.quote_acme, self.activity_deal:
            self.assertEqual(record.user_id, self.colleague)
        self.assertEqual(self.acme_buyer.user_id, self.colleague, "the opportunity's contact moves with it")
        self.assertEqual(self.acme.user_id, self.colleague, "and so does its company")
        self.assertEqual(self.deal_globex.user_id, self.participant)
        self.assertEqual(self.globex.user_id, self.participant)
        self.assertEqual(self.activity_customer.user_id, self.colleague, "activities on the moved customer")

    def test_manager_hands_over_selection_from_list(self):
        selection = self.deal_acme | self.deal_globex
        context = {"active_model": "crm.lead", "active_ids": selection.ids}
        self._handover(
            context=context, scope="selection", lead_ids=[Command.set(selection.ids)], to_user_id=self.sub_user.id
        )
        self.assertEqual(selection.user_id, self.sub_user)
        self.assertEqual(self.leads["participant"].user_id, self.participant)
        self.assertEqual(self.orders["participant"].user_id, self.participant)

    def test_portfolio_from_user_and_employee_forms(self):
        Handover = self.env["crm.handover"].with_user(self.manager)
        from_user = Handover.with_context(active_model="res.users", active_id=self.participant.id).default_get(
            ["scope", "from_user_id"]
        )
        self.assertEqual(from_user, {"scope": "portfolio", "from_user_id": self.participant.id})
        from_employee = Handover.with_context(
            active_model="hr.employee.public", active_id=self.employee_participant.id
        ).default_get(["scope", "from_user_id"])
        self.assertEqual(from_employee, {"scope": "portfolio", "from_user_id": self.participant.id})

    def test_archived_salesperson_portfolio(self):
        self.participant.action_archive()
        self._handover(to_user_id=self.colleague.id)
        self.assertEqual(self.portfolio_leads.user_id, self.colleague)

    def test_executive_hands_over_other_department(self):
        self._handover(user=self.executive, from_user_id=self.other_user.id, to_user_id=self.colleague.id)
        self.assertEqual(self.leads["other_user"].user_id, self.colleague)
        self.assertEqual(self.orders["other_user"].user_id, self.colleague)


class TestHandoverRefused(HandoverCase):
    def assertRefused(self, message, user=None, **values):
        before = self._state()
        with self.assertRaisesRegex(UserError, message):
            self._handover(user=user, **values)
        self.assertNothingMoved(before)

    def test_to_archived_user(self):
        self.sub_user.action_archive()
        self.assertRefused("archived", to_user_id=self.sub_user.id)

    def test_to_portal_user(self):
        self.assertRefused("portal user", to_user_id=self.portal.id)

    def test_to_same_user(self):
        self.assertRefused("themselves", to_user_id=self.participant.id)

    def test_without_reason(self):
        self.assertRefused("Say why", to_user_id=self.colleague.id, reason="  ")

    def test_to_user_without_sales_access(self):
        clerk = self._new_user("suite_clerk", "base.group_user", self.company)
        self.assertRefused("no access to Sales", to_user_id=clerk.id)

    def test_to_user_of_another_company(self):
        self.assertRefused("may not work in", to_user_id=self.company2_user.id)

    def test_selection_of_several_salespeople(self):
        selection = self.deal_acme | self.leads["colleague"]
        self.assertRefused(
            "Hand over one salesperson's opportunities at a time",
            scope="selection",
            lead_ids=[Command.set(selection.ids)],
            to_user_id=self.sub_user.id,
        )

    def test_manager_of_other_department(self):
        self.assertRefused("not in your department", from_user_id=self.other_user.id, to_user_id=self.colleague.id)

    def test_nothing_to_hand_over(self):
        newcomer = self._new_user("suite_newcomer", "sales_team.group_sale_salesman", self.company)
        self._new_employee(newcomer, self.dept_sales)
        self.assertRefused("nothing open to hand over", from_user_id=newcomer.id, to_user_id=self.colleague.id)

    def test_salesperson_cannot_hand_over(self):
        before = self._state()
        with self.assertRaises(AccessError):
            self._handover(user=self.participant, to_user_id=self.colleague.id)
        wizard = self.env["crm.handover"].create(
            {
                "scope": "portfolio",
                "from_user_id": self.participant.id,
                "to_user_id": self.colleague.id,
                "reason": "Leaves",
            }
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.participant).action_handover()
        self.assertNothingMoved(before)

    def test_portal_cannot_hand_over(self):
        with self.assertRaises(AccessError):
            self._handover(user=self.portal, to_user_id=self.colleague.id)


class TestHandoverLogAccess(HandoverCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        wizard = (
            cls.env["crm.handover"]
            .with_user(cls.manager)
            .create(
                {
                    "scope": "portfolio",
                    "from_user_id": cls.participant.id,
                    "to_user_id": cls.colleague.id,
                    "reason": "Parental leave",
                }
            )
        )
        cls.log = cls.env["crm.handover.log"].browse(wizard.action_handover()["res_id"])
        cls.log_other = cls.env["crm.handover.log"].create(
            {
                "user_id": cls.executive.id,
                "from_user_id": cls.other_user.id,
                "to_user_id": cls.executive.id,
                "reason": "Reorganisation",
                "scope": "portfolio",
            }
        )
        cls.logs = cls.log | cls.log_other

    def test_manager_reads_department_handovers(self):
        self.assertVisible(self.manager, self.logs, self.log)

    def test_manager_cannot_change_or_delete_log(self):
        with self.assertRaises(AccessError):
            self.log.with_user(self.manager).write({"reason": "Other"})
        with self.assertRaises(AccessError):
            self.log.with_user(self.manager).unlink()

    def test_executive_reads_all_handovers(self):
        self.assertVisible(self.executive, self.logs, self.logs)

    def test_executive_reads_no_handover_of_inactive_company(self):
        self.assertVisible(self.executive, self.logs, self.logs.browse(), allowed_company_ids=[self.company_2.id])

    def test_salesperson_cannot_read_handovers(self):
        with self.assertRaises(AccessError):
            self.log.with_user(self.participant).read(["reason"])
        with self.assertRaises(AccessError):
            self.log.with_user(self.colleague).read(["reason"])

    def test_second_company_salesperson_cannot_read_handovers(self):
        with self.assertRaises(AccessError):
            self.env["crm.handover.log"].with_user(self.company2_user).search([])

    def test_portal_cannot_read_handovers(self):
        with self.assertRaises(AccessError):
            self.env["crm.handover.log"].with_user(self.portal).search([])


@tagged("is_query_count", "crm_sfa_perf")
class TestHandoverPerformance(CrmSfaCommon):
    """A portfolio of 50 opportunities, 50 customers, 50 quotations and 50 activities moves in bounded queries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        customers = cls.env["res.partner"].create(
            [{"name": f"Customer {index}", "user_id": cls.sub_user.id} for index in range(50)]
        )
        cls.portfolio = cls.env["crm.lead"].create(
            [
                {"name": f"Deal {index}", "type": "opportunity", "partner_id": customer.id, "user_id": cls.sub_user.id}
                for index, customer in enumerate(customers)
            ]
        )
        cls.env["sale.order"].create(
            [
                {
                    "partner_id": lead.partner_id.id,
                    "opportunity_id": lead.id,
                    "user_id": cls.sub_user.id,
                    "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
                }
                for lead in cls.portfolio
            ]
        )
        cls.portfolio.activity_schedule("mail.mail_activity_data_call", user_id=cls.sub_user.id)

    @warmup
    def test_handover_of_50_lead_portfolio(self):
        wizard = (
            self.env["crm.handover"]
            .with_user(self.manager)
            .create(
                {
                    "scope": "portfolio",
                    "from_user_id": self.sub_user.id,
                    "to_user_id": self.colleague.id,
                    "reason": "Leaves",
                }
            )
        )
        self.env.invalidate_all()
        # 246 measured; 150 of them are mail.activity.write following up each activity's
        # record for its new owner, one at a time (Odoo's own loop)
        with self.assertQueryCount(260):
            action = wizard.action_handover()
        log = self.env["crm.handover.log"].browse(action["res_id"])
        self.assertEqual(log.lead_count, 51)  # the 50 and the fixture's opportunity of the sub_user
        self.assertEqual(log.activity_count, 50)
