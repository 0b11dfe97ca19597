"""The add-on as its low-privileged users attack it: calling models over RPC as the web
client does (``/web/dataset/call_kw``, through ``call_kw``), each test as the least
privileged user who could exploit what it covers, checking the refusal and that nothing
changed (issue 7).
"""

from datetime import date, datetime

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .common_forecast import CrmSfaForecastCommon
from .common_receivables import CrmSfaReceivablesCommon

MARCH = date(2026, 3, 1)
DAY = date(2026, 3, 2)

# The public methods of crm_sfa's classes: the ORM and mail overrides (which check access
# as Odoo's own do) and the buttons, each checking the rights of who presses it.
PUBLIC_METHODS = {
    ("crm.credit.override.confirm", "action_confirm"),
    ("crm.daily.plan", "action_plan"),
    ("crm.daily.plan", "action_report"),
    ("crm.daily.plan", "action_reset_to_planned"),
    ("crm.daily.plan", "create"),
    ("crm.daily.plan", "message_subscribe"),
    ("crm.daily.plan", "write"),
    ("crm.daily.plan.line", "write"),
    ("crm.forecast.adjustment", "write"),
    ("crm.handover", "action_handover"),
    ("crm.handover", "default_get"),
    ("crm.lead", "action_view_crm_market_intel"),
    ("crm.lead", "create"),
    ("crm.lead", "write"),
    ("crm.qualification.criterion", "create"),
    ("crm.qualification.criterion", "unlink"),
    ("crm.qualification.criterion", "write"),
    ("crm.sales.target", "action_refresh_achievement"),
    ("crm.stage.gate", "create"),
    ("crm.stage.gate", "unlink"),
    ("crm.stage.gate", "write"),
    ("crm.stage.rule.mixin", "create"),
    ("crm.stage.rule.mixin", "unlink"),
    ("crm.stage.rule.mixin", "write"),
    ("crm.stage.task", "create"),
    ("crm.stage.task", "unlink"),
    ("crm.stage.task", "write"),
    ("res.partner", "action_crm_sfa_view_invoices"),
    ("res.partner", "action_crm_sfa_view_leads"),
    ("res.partner", "action_crm_sfa_view_orders"),
    ("res.partner", "action_crm_sfa_view_overdue_invoices"),
    ("sale.order", "action_confirm"),
    ("sale.order", "action_crm_sfa_confirm_override"),
}


def onchange(user, model, values, names):
    """The values of ``names`` that a new form of ``model`` filled in with ``values`` shows
    ``user`` (the web client's first ``onchange``)."""
    spec = {name: {} for name in [*values, *names]}
    result = call_kw(user, model, "onchange", [], values, [], spec)["value"]
    return {name: result.get(name) for name in names}


class SecurityRpcCommon(CrmSfaForecastCommon):
    """Sales in March 2026 for the colleague (Sales) and in the second company, and a
    target, a daily plan and a conversion alert to attack."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._confirm_order("colleague", date(2026, 3, 10))
        cls._confirm_order("company2_user", date(2026, 3, 10))
        # 10,000 x 50 % weighted in March for the colleague, 8,000 x 50 % for the participant
        march_deal = {"probability": 50, "date_deadline": date(2026, 3, 20)}
        cls._opportunity(cls.colleague, cls.team_sales, expected_revenue=10000, **march_deal)
        cls._opportunity(cls.participant, cls.team_sales, expected_revenue=8000, **march_deal)
        cls._opportunity(cls.company2_user, cls.team_c2, company=cls.company_2, expected_revenue=9000, **march_deal)
        cls.env.flush_all()  # sale.report, an SQL view, reads the orders
        cls.target = cls.env["crm.sales.target"].create(
            {"level": "user", "user_id": cls.colleague.id, "year": 2026, "period_number": 3, "amount": 3200}
        )
        Plan = cls.env["crm.daily.plan"]
        cls.plan = Plan.create(
            {"user_id": cls.participant.id, "date": DAY, "line_ids": [Command.create({"kind": "call"})]}
        )
        cls.plan_colleague = Plan.create(
            {"user_id": cls.colleague.id, "date": DAY, "line_ids": [Command.create({"kind": "visit"})]}
        )
        cls.alert = cls.env["crm.sfa.conversion.alert"].create(
            {
                "user_id": cls.participant.id,
                "team_id": cls.team_sales.id,
                "company_id": cls.company.id,
                "manager_id": cls.manager.id,
                "date_from": MARCH,
                "entered_count": 20,
                "converted_count": 2,
                "conversion_rate": 10.0,
                "team_conversion_rate": 50.0,
                "alert_ratio": 0.5,
            }
        )
        cls.env.flush_all()

    def _target_values(self, **values):
        return {
            "level": "user",
            "company_id": self.company.id,
            "user_id": self.colleague.id,
            "period_type": "monthly",
            "year": 2026,
            "period_number": 3,
            "measure": "order",
            "amount": 1000,
            **values,
        }

    def _adjustment_values(self, **values):
        return {
            "company_id": self.company.id,
            "user_id": self.colleague.id,
            "period_type": "monthly",
            "year": 2026,
            "period_number": 3,
            "adjusted_amount": 1000,
            **values,
        }

    def assertUnchanged(self, records, values):
        self.env.invalidate_all()
        self.assertRecordValues(records, [values])


class TestNoFiguresThroughOnchange(SecurityRpcCommon):
    """Finding 1: a new target or adjustment (onchange) names any subject; figures read as
    superuser are computed for saved records only."""

    ACHIEVEMENT = ("achieved_amount", "completion_rate", "achievement_date")

    def test_saved_target_counts_every_order_of_its_subject(self):
        self.assertEqual(self.target.achieved_amount, 1600)

    def test_portal_gets_no_achievement_of_a_branch(self):
        values = self._target_values(level="company", user_id=False)
        figures = onchange(self.portal, "crm.sales.target", values, self.ACHIEVEMENT)
        self.assertEqual(figures, {"achieved_amount": 0.0, "completion_rate": 0.0, "achievement_date": False})

    def test_salesperson_gets_no_achievement_of_a_colleague(self):
        figures = onchange(self.participant, "crm.sales.target", self._target_values(), self.ACHIEVEMENT)
        self.assertEqual(figures, {"achieved_amount": 0.0, "completion_rate": 0.0, "achievement_date": False})

    def test_salesperson_gets_no_totals_of_another_company(self):
        values = self._target_values(level="company", company_id=self.company_2.id, user_id=False)
        figures = onchange(self.participant, "crm.sales.target", values, self.ACHIEVEMENT)
        self.assertEqual(figures["achieved_amount"], 0.0)

    def test_saved_adjustment_keeps_the_whole_subject(self):
        adjustment_id = call_kw(
            self.manager, "crm.forecast.adjustment", "create", self._adjustment_values(reason="Slips")
        )
        adjustment = self.env["crm.forecast.adjustment"].browse(adjustment_id)
        self.assertEqual(adjustment.original_amount, 5000)

    def test_portal_gets_no_original_forecast(self):
        with self.assertRaises(AccessError):
            onchange(self.portal, "crm.forecast.adjustment", self._adjustment_values(), ["original_amount"])

    def test_salesperson_gets_no_original_forecast_of_a_colleague(self):
        figures = onchange(self.participant, "crm.forecast.adjustment", self._adjustment_values(), ["original_amount"])
        self.assertEqual(figures, {"original_amount": 0.0})

    def test_salesperson_gets_no_original_forecast_of_another_company(self):
        values = self._adjustment_values(company_id=self.company_2.id, user_id=self.company2_user.id)
        figures = onchange(self.participant, "crm.forecast.adjustment", values, ["original_amount"])
        self.assertEqual(figures, {"original_amount": 0.0})

    def test_manager_preview_counts_what_the_manager_may_read(self):
        values = self._adjustment_values(user_id=self.participant.id)
        figures = onchange(self.manager, "crm.forecast.adjustment", values, ["original_amount"])
        self.assertEqual(figures, {"original_amount": 4000.0})

    # the same pattern elsewhere (finding 5)

    def test_salesperson_gets_no_customer_of_a_colleague_lead_through_a_plan_line(self):
        lead = self.leads["colleague"]
        with self.assertRaises(AccessError):
            onchange(
                self.participant, "crm.daily.plan.line", {"plan_id": self.plan.id, "lead_id": lead.id}, ["partner_id"]
            )

    def test_customer_figures_of_a_partner_need_the_right_to_read_it(self):
        """Guard: the sales overview and receivables read as superuser only for partners the user may read."""
        partner = self.env["res.partner"].create({"name": "Second Company Customer", "company_id": self.company_2.id})
        spec = {"name": {}, "crm_sfa_order_count": {}, "crm_sfa_receivable": {}}
        with self.assertRaises(AccessError):
            call_kw(self.participant, "res.partner", "onchange", [partner.id], {"name": "X"}, ["name"], spec)
        figures = onchange(self.participant, "res.partner", {"name": "New", "parent_id": self.customer.id}, spec)
        self.assertFalse(figures["crm_sfa_order_count"] or figures["crm_sfa_receivable"])


class TestSystemFields(SecurityRpcCommon):
    """Finding 2 (and 5): what the system sets, users cannot write over RPC."""

    # daily plans

    def test_salesperson_cannot_write_status_report_date_completion_or_owner_of_own_plan(self):
        before = {"state": "draft", "reported_on": False, "completion_rate": 0.0, "user_id": self.participant.id}
        for values in (
            {"state": "reported"},
            {"reported_on": fields.Datetime.now()},
            {"completion_rate": 100.0},
            {"done_count": 1},
            {"line_count": 5},
            {"user_id": self.colleague.id},
            {"department_id": self.dept_other.id},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.participant, "crm.daily.plan", "write", [self.plan.id], values)
        self.assertUnchanged(self.plan, dict(before, department_id=self.dept_sales.id))

    def test_manager_cannot_write_status_of_department_plan(self):
        with self.assertRaises(AccessError):
            call_kw(self.manager, "crm.daily.plan", "write", [self.plan.id], {"state": "reported"})
        self.assertUnchanged(self.plan, {"state": "draft"})

    def test_salesperson_cannot_create_a_reported_plan_or_one_for_a_colleague(self):
        Plan = self.env["crm.daily.plan"]
        for values in ({"state": "reported"}, {"user_id": self.colleague.id}, {"completion_rate": 100.0}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.participant, "crm.daily.plan", "create", {"date": "2026-03-03", **values})
        self.assertFalse(Plan.search([("date", "=", date(2026, 3, 3))]))
        plan_id = call_kw(
            self.participant,
            "crm.daily.plan",
            "create",
            {"date": "2026-03-03"},
            context={"default_state": "reported", "default_user_id": self.colleague.id},
        )
        self.assertRecordValues(Plan.browse(plan_id), [{"state": "draft", "user_id": self.participant.id}])

    def test_plan_buttons_move_the_status_for_those_who_may_change_the_plan(self):
        with self.assertRaises(AccessError):
            call_kw(self.colleague, "crm.daily.plan", "action_plan", [self.plan.id])
        self.assertUnchanged(self.plan, {"state": "draft"})
        call_kw(self.participant, "crm.daily.plan", "action_plan", [self.plan.id])
        call_kw(self.manager, "crm.daily.plan", "action_report", [self.plan.id])
        self.assertEqual(self.plan.state, "reported")
        self.assertTrue(self.plan.reported_on)
        with self.assertRaises(AccessError):
            call_kw(self.colleague, "crm.daily.plan", "action_reset_to_planned", [self.plan.id])
        call_kw(self.participant, "crm.daily.plan", "action_reset_to_planned", [self.plan.id])
        self.assertRecordValues(self.plan, [{"state": "planned", "reported_on": False}])

    def test_salesperson_cannot_move_a_line_into_a_colleague_plan(self):
        line = self.plan.line_ids
        with self.assertRaises(AccessError):
            call_kw(self.participant, "crm.daily.plan.line", "write", line.ids, {"plan_id": self.plan_colleague.id})
        self.assertUnchanged(line, {"plan_id": self.plan.id})
        self.assertEqual(self.plan_colleague.line_count, 1)

    # targets and forecast adjustments

    def test_manager_cannot_write_the_figures_or_dates_of_a_target(self):
        before = {"achieved_amount": 1600, "completion_rate": 50.0, "date_from": MARCH, "date_to": date(2026, 3, 31)}
        for values in (
            {"achieved_amount": 3200},
            {"completion_rate": 100.0},
            {"achievement_date": "2026-03-31 12:00:00"},
            {"date_from": "2026-01-01"},
            {"date_to": "2026-12-31"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.manager, "crm.sales.target", "write", self.target.ids, values)
        self.assertUnchanged(self.target, before)

    def test_manager_cannot_create_a_target_with_its_figures(self):
        values = {"level": "user", "user_id": self.participant.id, "year": 2026, "period_number": 3, "amount": 10}
        with self.assertRaises(AccessError):
            call_kw(self.manager, "crm.sales.target", "create", dict(values, achieved_amount=10))
        self.assertFalse(self.env["crm.sales.target"].search([("user_id", "=", self.participant.id)]))

    def test_manager_cannot_record_an_adjustment_in_another_name_or_with_its_original(self):
        Adjustment = self.env["crm.forecast.adjustment"]
        for values in ({"adjusted_by_id": self.executive.id}, {"original_amount": 1000}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(
                    self.manager, "crm.forecast.adjustment", "create", self._adjustment_values(reason="R", **values)
                )
        self.assertFalse(Adjustment.search([("user_id", "=", self.colleague.id)]))
        adjustment_id = call_kw(
            self.manager,
            "crm.forecast.adjustment",
            "create",
            self._adjustment_values(reason="R"),
            context={"default_adjusted_by_id": self.executive.id},
        )
        self.assertEqual(Adjustment.browse(adjustment_id).adjusted_by_id, self.manager)

    def test_manager_cannot_rewrite_an_adjustment(self):
        adjustment = self.env["crm.forecast.adjustment"].create(self._adjustment_values(reason="R"))
        for values in (
            {"original_amount": 1000},
            {"difference_amount": 0},
            {"adjusted_by_id": self.executive.id},
            {"date_from": "2026-04-01"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.manager, "crm.forecast.adjustment", "write", adjustment.ids, values)
        self.assertUnchanged(adjustment, {"original_amount": 5000, "difference_amount": -4000, "date_from": MARCH})

    # handover logs

    def test_manager_cannot_write_a_handover_log_by_hand(self):
        values = {
            "from_user_id": self.participant.id,
            "to_user_id": self.colleague.id,
            "reason": "Made up",
            "scope": "portfolio",
        }
        with self.assertRaises(AccessError):
            call_kw(self.manager, "crm.handover.log", "create", values)
        self.assertFalse(self.env["crm.handover.log"].search([("reason", "=", "Made up")]))

    def test_handover_log_names_the_manager_and_the_time_whatever_the_context(self):
        context = {"default_user_id": self.executive.id, "default_date": "2001-01-01 00:00:00"}
        wizard_id = call_kw(
            self.manager,
            "crm.handover",
            "create",
            {
                "scope": "portfolio",
                "from_user_id": self.participant.id,
                "to_user_id": self.colleague.id,
                "reason": "Leave",
            },
        )
        action = call_kw(self.manager, "crm.handover", "action_handover", [wizard_id], context=context)
        log = self.env["crm.handover.log"].browse(action["res_id"])
        self.assertEqual(log.user_id, self.manager)
        self.assertGreater(log.date, datetime(2026, 1, 1))

    # conversion alerts, leads, stage history, invoices (finding 5)

    def test_manager_cannot_rewrite_a_conversion_alert(self):
        before = {"user_id": self.participant.id, "manager_id": self.manager.id, "conversion_rate": 10.0}
        for values in (
            {"conversion_rate": 60.0},
            {"team_conversion_rate": 10.0},
            {"user_id": self.other_user.id},
            {"manager_id": self.executive.id},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.manager, "crm.sfa.conversion.alert", "write", self.alert.ids, values)
        self.assertUnchanged(self.alert, before)
        call_kw(self.manager, "crm.sfa.conversion.alert", "message_post", self.alert.ids, body="Reviewed together")
        self.assertIn("Reviewed together", self.alert.message_ids[0].body)

    def test_salesperson_cannot_write_the_qualification_score_of_own_lead(self):
        lead = self.leads["participant"]
        for values in ({"crm_qualification_score": 100.0}, {"crm_stage_tasks_stage_id": self.stage_1.id}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.participant, "crm.lead", "write", lead.ids, values)
        self.assertUnchanged(lead, {"crm_qualification_score": 0.0, "crm_stage_tasks_stage_id": False})

    def test_stage_history_is_written_by_the_system_only(self):
        """Guard: the history has no write access; neither through the lead's one2many."""
        lead = self.leads["participant"]
        entries = lead.crm_stage_history_ids
        self.assertTrue(entries)
        values = {"lead_id": lead.id, "stage_id": self.stage_3.id, "date_in": "2026-03-01 00:00:00"}
        for method, args in (
            ("create", [values]),
            ("write", [entries.ids, {"outcome": "forward"}]),
            ("unlink", [entries.ids]),
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.participant, "crm.lead.stage.history", method, *args)
        with self.assertRaises(AccessError):
            call_kw(
                self.participant, "crm.lead", "write", lead.ids, {"crm_stage_history_ids": [Command.create(values)]}
            )
        self.assertEqual(lead.crm_stage_history_ids, entries)

    def test_billing_salesperson_cannot_silence_the_overdue_alert(self):
        billing = self._new_user(
            "suite_billing", "sales_team.group_sale_salesman,account.group_account_invoice", self.company
        )
        invoice = self.invoices["participant"]
        with self.assertRaises(AccessError):
            call_kw(billing, "account.move", "write", invoice.ids, {"crm_sfa_overdue_alert_date": "2026-03-01"})
        self.assertUnchanged(invoice, {"crm_sfa_overdue_alert_date": False})


class TestPrivateMethods(SecurityRpcCommon):
    """Finding 3: what is not a button of the user's role cannot be called over RPC."""

    def test_public_methods_are_the_buttons_and_orm_overrides(self):
        found = public_methods(self.env, "crm_sfa")
        self.assertEqual(sorted(found), sorted(PUBLIC_METHODS))

    def test_portal_cannot_refresh_the_win_rates(self):
        rates = self.env["crm.forecast.win.rate"].search([])
        with self.assertRaises(AttributeError):  # no such button any more: the daily cron refreshes them
            call_kw(self.portal, "crm.forecast.win.rate", "action_refresh")
        for method in ("_refresh", "_cron_refresh"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.portal, "crm.forecast.win.rate", method)
        self.assertEqual(self.env["crm.forecast.win.rate"].search([]), rates)

    def test_salesperson_cannot_refresh_a_colleague_target(self):
        self.env.cr.execute("UPDATE crm_sales_target SET achieved_amount = 0 WHERE id = %s", [self.target.id])
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            call_kw(self.participant, "crm.sales.target", "action_refresh_achievement", self.target.ids)
        self.assertUnchanged(self.target, {"achieved_amount": 0.0})
        call_kw(self.manager, "crm.sales.target", "action_refresh_achievement", self.target.ids)
        self.assertUnchanged(self.target, {"achieved_amount": 1600.0})

    def test_portal_cannot_refresh_targets(self):
        for ids in ([], self.target.ids):
            with self.subTest(ids=ids), self.assertRaises(AccessError):
                call_kw(self.portal, "crm.sales.target", "action_refresh_achievement", ids)

    def test_salesperson_refreshes_the_targets_they_may_read(self):
        self.env.cr.execute("UPDATE crm_sales_target SET achieved_amount = 0 WHERE id = %s", [self.target.id])
        self.env.invalidate_all()
        call_kw(self.colleague, "crm.sales.target", "action_refresh_achievement", [])
        self.assertUnchanged(self.target, {"achieved_amount": 1600.0})


class TestCreditCheckRpc(CrmSfaReceivablesCommon):
    """Findings 2, 4 and 5 on the credit check: overrides only through the wizard, the
    credit limit only to who may read it, the customer's figures only on saved orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer = cls.env["res.partner"].create({"name": "Slow Payer", "is_company": True})
        cls.company.crm_sfa_block_overdue_days = 30
        cls._post_invoice(cls.buyer, 1000, 45, user=cls.participant)
        cls.quotation = cls._quotation(cls.participant)
        cls.accountant = cls._new_user(
            "suite_accountant", "sales_team.group_sale_salesman_all_leads,account.group_account_invoice", cls.company
        )

    @classmethod
    def _quotation(cls, user):
        line = Command.create({"product_id": cls.product.id, "product_uom_qty": 1, "tax_id": [Command.clear()]})
        return cls.env["sale.order"].create({"partner_id": cls.buyer.id, "user_id": user.id, "order_line": [line]})

    def _enable_credit_limit(self, limit=1234):
        """The overdue invoice no longer blocks; its 1,000 and the quotation's 800 go over a limit of 1,234."""
        self.company.crm_sfa_block_overdue_days = 0
        self.company.account_use_credit_limit = True
        self.buyer.with_company(self.company).credit_limit = limit

    def _override(self, user, order):
        wizard_id = call_kw(user, "crm.credit.override.confirm", "create", {"order_id": order.id, "reason": "CFO"})
        return call_kw(user, "crm.credit.override.confirm", "action_confirm", [wizard_id])

    def _overrides(self, order):
        return self.env["crm.credit.override"].search([("order_id", "=", order.id)])

    # overrides: through the wizard only

    def test_forged_context_key_does_not_confirm_a_blocked_order(self):
        forged = self.env["crm.credit.override"].create(
            {"order_id": self.quotation.id, "partner_id": self.buyer.id, "reason": "Me", "user_id": self.participant.id}
        )
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            call_kw(
                self.participant,
                "sale.order",
                "action_confirm",
                self.quotation.ids,
                context={"crm_sfa_credit_override_ids": forged.ids},
            )
        self.assertEqual(self.quotation.state, "draft")

    def test_nobody_creates_an_override_by_hand(self):
        values = {"order_id": self.quotation.id, "partner_id": self.buyer.id, "reason": "Trusted"}
        for user in (self.participant, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, "crm.credit.override", "create", values)
        self.assertFalse(self._overrides(self.quotation))

    def test_wizard_confirms_for_a_sales_manager(self):
        self._override(self.manager, self.quotation)
        self.assertEqual(self.quotation.state, "sale")
        self.assertRecordValues(
            self._overrides(self.quotation),
            [{"user_id": self.manager.id, "reason": "CFO", "receivable": 1000, "overdue_days": 45}],
        )

    def test_wizard_refuses_a_salesperson(self):
        with self.assertRaises(AccessError):
            self._override(self.participant, self.quotation)
        self.assertEqual(self.quotation.state, "draft")
        self.assertFalse(self._overrides(self.quotation))

    def test_wizard_overrides_only_orders_the_manager_may_change(self):
        """Guard: no override logged for an order of another department."""
        order = self._quotation(self.other_user)
        with self.assertRaises(AccessError):
            self._override(self.manager, order)
        self.assertEqual(order.state, "draft")
        self.assertFalse(self._overrides(order))

    def test_override_confirms_its_own_order_once(self):
        """Guard: another blocked order of the customer stays blocked."""
        self._override(self.manager, self.quotation)
        other = self._quotation(self.participant)
        with self.assertRaises(UserError):
            call_kw(self.participant, "sale.order", "action_confirm", other.ids)
        self.assertEqual(other.state, "draft")

    def test_override_log_date_is_the_confirmation_time(self):
        wizard_id = call_kw(
            self.manager, "crm.credit.override.confirm", "create", {"order_id": self.quotation.id, "reason": "CFO"}
        )
        context = {"default_date": "2001-01-01 00:00:00"}
        call_kw(self.manager, "crm.credit.override.confirm", "action_confirm", [wizard_id], context=context)
        self.assertGreater(self._overrides(self.quotation).date, datetime(2026, 1, 1))

    # the customer's figures: only on saved orders the user may read

    def test_no_customer_figures_of_another_company_through_the_order_onchange(self):
        values = {"partner_id": self.buyer.id, "company_id": self.company.id}
        figures = onchange(self.company2_user, "sale.order", values, ["crm_sfa_credit_block_reason"])
        self.assertEqual(figures, {"crm_sfa_credit_block_reason": False})

    def test_no_credit_limit_through_the_order_onchange(self):
        self._enable_credit_limit(500)  # the open 1,000 alone: a new quotation without lines is blocked
        values = {"partner_id": self.buyer.id, "company_id": self.company.id}
        figures = onchange(self.colleague, "sale.order", values, ["crm_sfa_credit_block_reason"])
        self.assertEqual(figures, {"crm_sfa_credit_block_reason": False})
        self.assertIn("over its credit limit", self.quotation.with_user(self.participant).crm_sfa_credit_block_reason)

    def test_no_block_reason_of_another_salesperson_order_through_the_wizard(self):
        for user in (self.portal, self.colleague):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                onchange(user, "crm.credit.override.confirm", {"order_id": self.quotation.id}, ["block_reason"])

    # the credit limit: only to who may read it (finding 4)

    def test_salesperson_is_not_told_the_credit_limit(self):
        self._enable_credit_limit()
        [values] = call_kw(self.participant, "sale.order", "read", self.quotation.ids, ["crm_sfa_credit_block_reason"])
        self.assertIn("over its credit limit", values["crm_sfa_credit_block_reason"])
        self.assertNotIn("1,234", values["crm_sfa_credit_block_reason"])
        with self.assertRaisesRegex(UserError, "over its credit limit") as error:
            call_kw(self.participant, "sale.order", "action_confirm", self.quotation.ids)
        self.assertNotIn("1,234", str(error.exception))

    def test_accountant_is_told_the_credit_limit(self):
        self._enable_credit_limit()
        [values] = call_kw(self.accountant, "sale.order", "read", self.quotation.ids, ["crm_sfa_credit_block_reason"])
        self.assertIn("credit limit of", values["crm_sfa_credit_block_reason"])
        self.assertIn("1,234.00", values["crm_sfa_credit_block_reason"])

    def test_override_log_keeps_the_credit_limit_from_salespeople(self):
        self._enable_credit_limit()
        self._override(self.manager, self.quotation)
        override = self._overrides(self.quotation)
        self.assertEqual(override.credit_limit, 1234)
        self.assertNotIn("1,234", override.blocked_reason)
        with self.assertRaises(AccessError):
            call_kw(self.participant, "crm.credit.override", "read", override.ids, ["credit_limit"])
        [values] = call_kw(self.accountant, "crm.credit.override", "read", override.ids, ["credit_limit"])
        self.assertEqual(values["credit_limit"], 1234)
