from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_dss.lib.indicators import period_bounds
from odoo.addons.crm_workflow.tests.common import new_staff_user


@tagged("post_install", "-at_install")
class TestDssAlertsOnSuiteIndicators(TransactionCase):
    """Early warnings on the indicators of crm_service, crm (crm_sfa) and crm_marketing,
    with records built here: this month (to today) against the whole previous month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Alert Branch", "parent_id": cls.company.id})
        cls.today = fields.Date.context_today(cls.company)
        cls.start, __, cls.previous_start, __ = period_bounds("month", cls.today)
        cls.this_month = datetime.combine(cls.start, time(9))
        cls.last_month = datetime.combine(cls.previous_start + timedelta(days=2), time(9))
        cls.manager = new_staff_user(
            cls.env, "dss_alert_suite_manager", "crm_dss.group_crm_dss_manager", companies=cls.company
        )
        cls.customer = cls.env["res.partner"].create({"name": "Grumpy Ltd"})

    def _rule(self, **values):
        return self.env["crm.dss.alert.rule"].create(
            {
                "name": "Suite rule",
                "period": "month",
                "company_ids": [Command.set(self.company.ids)],
                "user_ids": [Command.set(self.manager.ids)],
                "notify_executives": False,
                **values,
            }
        )

    def _cases(self, count, opened, case_type="complaint", **columns):
        """``count`` cases opened at ``opened``, with ``columns`` written in SQL (SLA
        statuses and dates are the SLA clock's, not a user's)."""
        cases = self.env["crm.service.case"].create(
            [
                {"subject": f"Case {index}", "partner_id": self.customer.id, "case_type": case_type}
                for index in range(count)
            ]
        )
        self.env.flush_all()
        assignments = ", ".join(f"{column} = %s" for column in ("date_open", *columns))
        self.env.cr.execute(
            f"UPDATE crm_service_case SET {assignments} WHERE id IN %s",  # noqa: S608 - test fixture, fixed names
            [opened, *columns.values(), tuple(cases.ids)],
        )
        cases.invalidate_recordset()
        return cases

    def _rate(self, case, value, when):
        rating = self.env["rating.rating"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("crm.service.case"),
                "res_id": case.id,
                "partner_id": self.customer.id,
                "rating": value,
                "consumed": True,
            }
        )
        self.env.flush_all()
        self.env.cr.execute("UPDATE rating_rating SET write_date = %s WHERE id = %s", [when, rating.id])
        return rating

    def test_complaint_surge(self):
        self._cases(1, self.last_month)
        self._cases(3, self.this_month)
        self._cases(2, self.this_month, case_type="consultation")
        rule = self._rule(indicator="complaint_count", comparison="change_up", threshold=50.0)
        alert = rule._dss_evaluate()
        self.assertRecordValues(alert, [{"company_id": self.company.id, "value": 3.0, "previous_value": 1.0}])
        self.assertEqual(alert.activity_ids.user_id, self.manager)
        self.assertFalse(alert.event_id)

    def test_satisfaction_drop(self):
        case = self._cases(1, self.last_month, case_type="service")
        for __ in range(4):
            self._rate(case, 5, self.last_month)
        self._rate(case, 5, self.this_month)
        self._rate(case, 1, self.this_month)
        below = self._rule(indicator="satisfaction_rate", comparison="below", threshold=80.0)
        drop = self._rule(indicator="satisfaction_rate", comparison="change_down", threshold=30.0)
        alerts = (below | drop)._dss_evaluate()
        self.assertEqual(alerts.mapped("value"), [50.0, 50.0])
        self.assertEqual(alerts.filtered(lambda alert: alert.rule_id == drop).previous_value, 100.0)

    def test_sla_breaches(self):
        deadline = self.this_month + timedelta(hours=1)
        self._cases(2, self.this_month, "service", sla_response_status="breached", sla_response_deadline=deadline)
        self._cases(1, self.this_month, "service", sla_resolution_status="breached", sla_resolution_deadline=deadline)
        self._cases(1, self.this_month, "service", sla_response_status="met", sla_response_deadline=deadline)
        self._cases(
            1, self.last_month, "service", sla_response_status="breached", sla_response_deadline=self.last_month
        )
        rule = self._rule(indicator="sla_breaches", comparison="above", threshold=2.0)
        self.assertEqual(rule._dss_evaluate().value, 3.0)

    def test_conversion_below_the_average_of_the_companies(self):
        Lead = self.env["crm.lead"]

        def closed(company, won, lost):
            leads = Lead.create(
                [
                    {"name": f"Lead {index}", "company_id": company.id, "type": "opportunity"}
                    for index in range(won + lost)
                ]
            )
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE crm_lead SET date_closed = %s, probability = 100, active = true WHERE id IN %s",
                [self.this_month, tuple(leads[:won].ids)],
            )
            if lost:
                self.env.cr.execute(
                    "UPDATE crm_lead SET date_closed = %s, probability = 0, active = false WHERE id IN %s",
                    [self.this_month, tuple(leads[won:].ids)],
                )
            Lead.invalidate_model()

        closed(self.company, won=1, lost=3)  # 25 %
        closed(self.company_b, won=2, lost=0)  # 100 %: the average is 62.5 %
        rule = self._rule(
            indicator="conversion_rate",
            comparison="below_average",
            threshold=20.0,
            company_ids=[Command.set((self.company | self.company_b).ids)],
        )
        alert = rule._dss_evaluate()
        self.assertRecordValues(alert, [{"company_id": self.company.id, "value": 25.0, "average_value": 62.5}])

    def test_negative_campaign_roi_raises_a_critical_event(self):
        Campaign = self.env["crm.marketing.campaign"]
        losing = Campaign.create({"title": "Losing campaign", "date_start": self.start})
        self.env["crm.marketing.cost.line"].create(
            {"name": "Flyers", "campaign_id": losing.id, "actual_amount": 1000.0, "date": self.start}
        )
        losing.action_start()
        Campaign.create({"title": "Free campaign", "date_start": self.start}).action_start()  # costs nothing
        self.assertLess(losing.roi, 0)
        rule = self._rule(
            indicator="campaign_roi", comparison="below", threshold=0.0, severity="critical", raise_event=True
        )
        alert = rule._dss_evaluate()
        self.assertRecordValues(alert, [{"company_id": self.company.id, "value": losing.roi, "severity": "critical"}])
        self.assertRecordValues(
            alert.event_id,
            [
                {
                    "event_type": "marketing_analysis",
                    "severity": "critical",
                    "company_id": self.company.id,
                    "user_id": self.manager.id,
                    "source_ref": alert,
                }
            ],
        )

    def test_the_optional_indicators_are_offered(self):
        codes = {code for code, __ in self.env["crm.dss.alert.rule"]._selection_indicator()}
        self.assertEqual(
            codes,
            {
                "complaint_count",
                "satisfaction_rate",
                "sla_breaches",
                "conversion_rate",
                "overdue_receivables",
                "campaign_roi",
            },
        )
