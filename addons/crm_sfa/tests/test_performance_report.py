from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError

from .common_forecast import CrmSfaForecastCommon


class TestPerformanceReport(CrmSfaForecastCommon):
    """February 2026, by region of the customer:

    - Bavaria: a new customer of the participant (ordered 2 x 800 on 2026-02-10, again
      1 x 800 on 2026-02-20), an opportunity won and one lost, an activity done;
    - Texas: a new customer of the colleague (1 x 800 on 2026-02-15), an opportunity lost;
    - the other department's salesperson, and the second company's, one order each.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.germany, cls.usa = cls.env.ref("base.de"), cls.env.ref("base.us")
        cls.bavaria = cls.env["res.country.state"].search([("country_id", "=", cls.germany.id), ("code", "=", "BY")])
        cls.texas = cls.env["res.country.state"].search([("country_id", "=", cls.usa.id), ("code", "=", "TX")])
        cls.munich = Partner.create({"name": "Munich GmbH", "country_id": cls.germany.id, "state_id": cls.bavaria.id})
        cls.austin = Partner.create({"name": "Austin Inc", "country_id": cls.usa.id, "state_id": cls.texas.id})
        with freeze_time("2026-02-10 10:00:00"):
            cls._order(cls.participant, cls.munich, 2)
        with freeze_time("2026-02-15 10:00:00"):
            cls._order(cls.colleague, cls.austin, 1)
            cls._order(cls.other_user, cls.austin, 1)
            cls._order(cls.company2_user, cls.austin, 1, company=cls.company_2)
        with freeze_time("2026-02-20 10:00:00"):
            cls._order(cls.participant, cls.munich, 1)
            won = cls._opportunity(cls.participant, cls.team_sales, partner_id=cls.munich.id)
            won.action_set_won()
            lost = cls._opportunity(cls.participant, cls.team_sales, partner_id=cls.munich.id)
            lost |= cls._opportunity(cls.colleague, cls.team_sales, partner_id=cls.austin.id)
            lost.action_set_lost()
            lead = cls._opportunity(cls.participant, cls.team_sales, partner_id=cls.munich.id)
            activity = lead.with_user(cls.participant).activity_schedule(
                "mail.mail_activity_data_call", user_id=cls.participant.id
            )
            activity.with_user(cls.participant).action_feedback(feedback="Called")
        cls.env.flush_all()
        cls.Report = cls.env["crm.sfa.report.performance"]

    @classmethod
    def _order(cls, user, partner, quantity, company=None):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": user.id,
                "company_id": (company or cls.company).id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": quantity})],
            }
        )
        order.action_confirm()
        return order

    def _february(self):
        return [("date", ">=", "2026-02-01"), ("date", "<=", "2026-02-28")]

    def _figures(self, domain, groupby):
        return {
            group[0]: group[1:]
            for group in self.Report._read_group(
                self._february() + domain,
                groupby,
                [
                    "new_customer_count:sum",
                    "order_count:sum",
                    "revenue:sum",
                    "won_count:sum",
                    "lost_count:sum",
                    "conversion_rate:avg",
                    "activity_count:sum",
                ],
            )
        }

    def test_figures_per_salesperson(self):
        figures = self._figures([], ["user_id"])
        self.assertEqual(figures[self.participant], (1, 2, 2400, 1, 1, 50, 1))
        self.assertEqual(figures[self.colleague], (1, 1, 800, 0, 1, 0, 0))
        # Austin's first order was the colleague's: no new customer for the other department
        self.assertEqual(figures[self.other_user][:3], (0, 1, 800))

    def test_figures_per_region(self):
        by_state = self._figures([("company_id", "=", self.company.id)], ["state_id"])
        self.assertEqual(by_state[self.bavaria][:3], (1, 2, 2400))
        self.assertEqual(by_state[self.bavaria][6], 1, "the activity counts in its customer's region")
        self.assertEqual(by_state[self.texas][:5], (1, 2, 1600, 0, 1))
        by_country = self._figures([], ["country_id"])
        self.assertEqual(by_country[self.germany][0], 1)

    def test_reported_daily_plans(self):
        plan = self.env["crm.daily.plan"].create(
            {
                "user_id": self.participant.id,
                "company_id": self.company.id,
                "date": "2026-02-20",
                "line_ids": [
                    Command.create({"kind": "call", "description": "Call Munich", "result": "positive"}),
                    Command.create({"kind": "visit", "description": "Visit Austin"}),
                ],
            }
        )
        plan.with_user(self.participant).action_plan()
        plan.with_user(self.participant).action_report()
        self.env.flush_all()
        ((plans, completion),) = self.Report._read_group(
            [*self._february(), ("user_id", "=", self.participant.id), ("line_type", "=", "plan")],
            [],
            ["plan_count:sum", "plan_completion_rate:avg"],
        )
        self.assertEqual((plans, completion), (1, 50.0))

    def test_rows_per_role(self):
        mine = self.Report.with_user(self.participant).search(self._february())
        self.assertEqual(set(mine.mapped("user_id")), {self.participant})
        department = self.Report.with_user(self.manager).search(self._february())
        self.assertEqual(set(department.mapped("user_id")), {self.participant, self.colleague})
        everything = self.Report.with_user(self.executive).with_context(
            allowed_company_ids=(self.company | self.company_2).ids
        )
        self.assertEqual(
            set(everything.search(self._february()).mapped("user_id")),
            {self.participant, self.colleague, self.other_user, self.company2_user},
        )
        c2 = self.Report.with_user(self.company2_user).search(self._february())
        self.assertEqual(set(c2.mapped("company_id")), {self.company_2})
        with self.assertRaises(AccessError):
            self.Report.with_user(self.portal).search([])
