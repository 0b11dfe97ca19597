from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .common_alerts import CrmDssAlertCommon

RULE, ALERT = "crm.dss.alert.rule", "crm.dss.alert"


@tagged("post_install", "-at_install")
class TestAlertEvaluation(CrmDssAlertCommon):
    """The shipped rule "Overdue receivables growing > 10 %" on the two companies."""

    def test_indicator_reads_overdue_at_the_ends_of_the_periods(self):
        Indicator = self.env["crm.dss.indicator"]
        scope = self.env["crm.dss.scope"].with_user(self.executive)._dss_scope(company_ids=self.companies.ids)
        previous_end = self.period_start - timedelta(days=1)
        self.assertEqual(
            Indicator._dss_indicator_values("overdue_receivables", scope, self.period_start, previous_end),
            {self.company.id: 1400.0, self.company_2.id: 900.0},
        )
        self.assertEqual(
            Indicator._dss_indicator_values("overdue_receivables", scope, self.period_start, self.frozen),
            {self.company.id: 1900.0, self.company_2.id: 1800.0},
        )
        with self.assertRaises(ValueError):
            Indicator._dss_indicator_values("complaint_count_unknown", scope, self.period_start, self.frozen)

    def test_crossing_makes_one_alert_per_company_notified(self):
        with freeze_time(self.frozen):
            alerts = self.overdue_rule._dss_evaluate()
        alerts = alerts.sorted(lambda alert: alert.company_id.id)
        self.assertEqual(alerts, self._alerts(self.overdue_rule))
        by_company = {alert.company_id: alert for alert in alerts}
        self.assertEqual(set(by_company), {self.company, self.company_2})
        hq, branch = by_company[self.company], by_company[self.company_2]
        self.assertRecordValues(
            hq,
            [
                {
                    "value": 1900.0,
                    "previous_value": 1400.0,
                    "threshold": 10.0,
                    "period_start": self.period_start,
                    "period_end": self.frozen,
                    "state": "new",
                    "severity": "warning",
                    "indicator": "overdue_receivables",
                }
            ],
        )
        self.assertEqual((branch.value, branch.previous_value), (1800.0, 900.0))
        self.assertTrue(self.overdue_rule.last_evaluated)
        # the responsible manager works at HQ only: responsible of HQ's alert, not the branch's
        self.assertEqual(hq.responsible_ids, self.manager)
        self.assertFalse(branch.responsible_ids)
        # activities: the responsible and the executives of the alert's company
        self.assertEqual(hq.activity_ids.user_id, self.manager | self.executive)
        self.assertEqual(branch.activity_ids.user_id, self.executive | self.executive_2)
        mails = self.env["mail.message"].search(
            [("model", "=", ALERT), ("res_id", "=", hq.id), ("partner_ids", "!=", False)]
        )
        self.assertEqual(mails.partner_ids, (self.manager | self.executive).partner_id)
        mails = self.env["mail.message"].search(
            [("model", "=", ALERT), ("res_id", "=", branch.id), ("partner_ids", "!=", False)]
        )
        self.assertEqual(mails.partner_ids, (self.executive | self.executive_2).partner_id)

        # a second evaluation of the period changes nothing, even if the figures moved
        self.invoice_new.button_draft()
        with freeze_time(self.frozen):
            self.assertFalse(self.overdue_rule._dss_evaluate())
        self.assertEqual(self._alerts(self.overdue_rule), alerts)
        self.assertEqual(hq.value, 1900.0)
        self.assertEqual(len(hq.activity_ids), 2)

    def test_threshold_not_crossed_no_alert(self):
        rule = self._rule(threshold=50.0)
        with freeze_time(self.frozen):
            rule._dss_evaluate()
        self.assertEqual(self._alerts(rule).company_id, self.company_2)

    def test_other_comparisons(self):
        above = self._rule(comparison="above", threshold=1850.0)
        below_average = self._rule(comparison="below_average", threshold=0.0, indicator="overdue_receivables")
        inactive = self._rule(comparison="above", threshold=0.0, active=False)
        with freeze_time(self.frozen):
            (above | below_average | inactive)._dss_evaluate()
        self.assertEqual(self._alerts(above).company_id, self.company)
        # the average of the two companies is 1 850: the branch (1 800) lies below it
        self.assertEqual(self._alerts(below_average).company_id, self.company_2)
        self.assertEqual(self._alerts(below_average).average_value, 1850.0)
        self.assertFalse(self._alerts(inactive))

    def test_cron_evaluates_the_active_rules(self):
        with freeze_time(self.frozen):
            self.env["crm.dss.alert.rule"].sudo()._cron_evaluate()
        self.assertEqual(self._alerts(self.overdue_rule).company_id, self.companies)

    def test_significant_alert_raises_an_event(self):
        rule = self._rule(severity="critical", raise_event=True, company_ids=[(6, 0, self.company_2.ids)])
        with freeze_time(self.frozen):
            alert = rule._dss_evaluate()
        self.assertEqual(len(alert), 1)
        self.assertRecordValues(
            alert.event_id,
            [
                {
                    "event_type": "customer_analysis",
                    "severity": "critical",
                    "company_id": self.company_2.id,
                    "source_ref": alert,
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestAlertAccess(CrmDssAlertCommon):
    """Who sees and handles alerts and rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(cls.frozen):
            cls.alerts = cls.overdue_rule._dss_evaluate()
        cls.hq_alert = cls.alerts.filtered(lambda alert: alert.company_id == cls.company)
        cls.branch_alert = cls.alerts - cls.hq_alert

    def _visible(self, user, model=ALERT):
        return (
            self.env[model]
            .with_user(user)
            .with_context(allowed_company_ids=user.company_ids.ids)
            .search([("id", "in", (self.alerts.ids if model == ALERT else self.overdue_rule.ids))])
        )

    def test_who_sees_which_alerts(self):
        self.assertEqual(self._visible(self.executive), self.alerts)
        self.assertEqual(self._visible(self.executive_2), self.branch_alert)
        self.assertEqual(self._visible(self.manager), self.hq_alert)
        self.assertEqual(self._visible(self.manager_other), self.hq_alert)
        with self.assertRaises(AccessError):
            self.hq_alert.with_user(self.executive_2).read(["value"])
        for user in (self.sales_a, self.portal_user):
            with self.assertRaises(AccessError):
                self._visible(user)
            with self.assertRaises(AccessError):
                self._visible(user, RULE)

    def test_acknowledge_as_responsible_manager(self):
        alert = self.hq_alert.with_user(self.manager)
        alert.action_acknowledge()
        self.assertRecordValues(self.hq_alert, [{"state": "acknowledged", "acknowledged_by_id": self.manager.id}])
        self.assertTrue(self.hq_alert.acknowledged_date)
        self.assertEqual(self.hq_alert.activity_ids.user_id, self.executive)  # the manager's is done
        alert.notes = "Called the customers."
        alert.action_close()
        self.assertRecordValues(self.hq_alert, [{"state": "closed", "closed_by_id": self.manager.id}])
        self.assertFalse(self.hq_alert.activity_ids)

    def test_another_manager_cannot_acknowledge(self):
        with self.assertRaises(AccessError):
            self.hq_alert.with_user(self.manager_other).action_acknowledge()
        with self.assertRaises(AccessError):
            self.hq_alert.with_user(self.manager_other).write({"notes": "not mine"})
        with self.assertRaises(AccessError):
            self.branch_alert.with_user(self.manager).action_acknowledge()
        self.assertEqual(self.alerts.mapped("state"), ["new", "new"])

    def test_executive_of_the_branch_handles_its_alerts_only(self):
        self.branch_alert.with_user(self.executive_2).with_context(
            allowed_company_ids=self.company_2.ids
        ).action_acknowledge()
        self.assertEqual(self.branch_alert.acknowledged_by_id, self.executive_2)
        with self.assertRaises(AccessError):
            self.hq_alert.with_user(self.executive_2).action_acknowledge()

    def test_rules_by_role(self):
        self.assertEqual(self._visible(self.manager, RULE), self.overdue_rule)
        with self.assertRaises(AccessError):
            self.overdue_rule.with_user(self.manager).write({"threshold": 20.0})
        with self.assertRaises(AccessError):
            self.env[RULE].with_user(self.manager).create({"name": "x", "indicator": "overdue_receivables"})
        rule = (
            self.env[RULE]
            .with_user(self.executive_2)
            .create(
                {
                    "name": "Branch overdue",
                    "indicator": "overdue_receivables",
                    "comparison": "above",
                    "threshold": 100.0,
                    "company_ids": [(6, 0, self.company_2.ids)],
                }
            )
        )
        self.assertEqual(self._visible(self.executive_2, RULE), self.overdue_rule)  # search limited to ids
        with self.assertRaises(AccessError):
            rule.with_user(self.executive_2).write({"company_ids": [(6, 0, self.companies.ids)]})
        with self.assertRaises(AccessError):
            rule.with_user(self.manager).read(["name"])

    def test_bad_threshold_errors_and_saves_nothing(self):
        Rule = self.env[RULE].with_user(self.executive)
        cases = [
            ({"indicator": "overdue_receivables", "comparison": "above", "threshold": -1}, "0 or more"),
            ({"indicator": "overdue_receivables", "comparison": "change_up", "threshold": 0}, "above 0"),
            ({"indicator": "overdue_receivables", "comparison": "below_average", "threshold": 100}, "0 to 99"),
        ]
        for values, message in cases:
            # the request's transaction is rolled back on the error: a savepoint here
            with self.subTest(values=values), self.assertRaises(ValidationError) as error:
                Rule.create(
                    [{"name": "Fine", "indicator": "overdue_receivables", "threshold": 5}, {"name": "Bad", **values}]
                )
            self.assertIn(message, str(error.exception))
        self.assertFalse(self.env[RULE].sudo().search([("name", "in", ("Fine", "Bad"))]))
        with self.assertRaises(ValidationError) as error:
            self.overdue_rule.with_user(self.executive).write({"comparison": "above", "threshold": -5})
        self.assertIn("0 or more", str(error.exception))
        self.assertRecordValues(self.overdue_rule, [{"comparison": "change_up", "threshold": 10.0}])


@tagged("post_install", "-at_install")
class TestAlertRpc(CrmDssAlertCommon):
    """Attacks over RPC: the least privileged users on every public method, system fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(cls.frozen):
            cls.alerts = cls.overdue_rule._dss_evaluate()
        cls.hq_alert = cls.alerts.filtered(lambda alert: alert.company_id == cls.company)

    def test_public_methods_are_the_buttons(self):
        found = {pair for pair in public_methods(self.env, "crm_dss") if pair[0] in (RULE, ALERT, "crm.dss.indicator")}
        self.assertEqual(found, {(RULE, "action_evaluate"), (ALERT, "action_acknowledge"), (ALERT, "action_close")})

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_salesperson_and_portal_are_refused_everywhere(self):
        calls = [
            (RULE, "action_evaluate", [self.overdue_rule.ids]),
            (ALERT, "action_acknowledge", [self.hq_alert.ids]),
            (ALERT, "action_close", [self.hq_alert.ids]),
            (ALERT, "search_read", [[]]),
            (RULE, "search_read", [[]]),
            (ALERT, "write", [self.hq_alert.ids, {"notes": "x"}]),
            (RULE, "create", [{"name": "x", "indicator": "overdue_receivables"}]),
            (RULE, "write", [self.overdue_rule.ids, {"threshold": 1.0}]),
            (RULE, "unlink", [self.overdue_rule.ids]),
            (ALERT, "unlink", [self.hq_alert.ids]),
        ]
        for user in (self.sales_a, self.portal_user):
            for model, method, args in calls:
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    call_kw(user, model, method, *args)
        self.assertEqual(self.hq_alert.state, "new")
        self.assertTrue(self.overdue_rule.exists())

    @mute_logger("odoo.models")
    def test_system_fields_are_refused(self):
        for values in (
            {"state": "closed"},
            {"value": 0.0},
            {"acknowledged_by_id": self.executive.id},
            {"company_id": self.company_2.id},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.executive, ALERT, "write", self.hq_alert.ids, values)
        with self.assertRaises(AccessError):
            call_kw(self.executive, RULE, "write", self.overdue_rule.ids, {"last_evaluated": "2020-01-01 00:00:00"})
        with self.assertRaises(AccessError):
            call_kw(self.executive, ALERT, "create", {"rule_id": self.overdue_rule.id, "company_id": self.company.id})
        call_kw(self.executive, ALERT, "write", self.hq_alert.ids, {"notes": "Looked into it."})
        call_kw(self.manager, ALERT, "write", self.hq_alert.ids, {"notes": "Me too."})
        self.assertRecordValues(self.hq_alert, [{"state": "new", "value": 1900.0, "notes": "Me too."}])
        call_kw(self.manager, ALERT, "action_acknowledge", self.hq_alert.ids)
        self.assertEqual(self.hq_alert.acknowledged_by_id, self.manager)


@tagged("post_install", "-at_install", "crm_dss_perf")
class TestAlertPerformance(CrmDssAlertCommon):
    def test_query_ceiling_evaluating_50_rules(self):
        """50 rules on one indicator share its two grouped reads (this period, the previous
        one); the rest is the 100 alerts they raise, with tracking, 2 activities and a mail
        each (measured: 3 171 queries, about 31 per alert)."""
        Rule = self.env["crm.dss.alert.rule"].sudo()
        rules = Rule.create(
            [
                {
                    "name": f"Overdue {index}",
                    "indicator": "overdue_receivables",
                    "comparison": "change_up" if index % 2 else "above",
                    "threshold": 10.0,
                    "period": "month",
                    "user_ids": [(6, 0, self.manager.ids)],
                }
                for index in range(50)
            ]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time(self.frozen), self.assertQueryCount(3400):
            alerts = rules._dss_evaluate()
        self.assertEqual(len(alerts), 100)
