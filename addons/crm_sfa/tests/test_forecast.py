from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError

from .common_forecast import CrmSfaForecastCommon


class ForecastCommon(CrmSfaForecastCommon):
    """Open opportunities expected in March 2026, a history of closed deals and targets.

    Open (expected revenue x probability = weighted):

    - participant: 10,000 x 50 % and 4,000 x 90 % in March (Sales Team), 2,000 x 20 % in April;
    - colleague: 6,000 x 30 % in March (Sales Team);
    - sub_user: 8,000 x 60 % in March (North Team);
    - other_user: 5,000 x 40 % in March (Support Team);
    - company2_user: 3,000 x 50 % in March (Company 2 Team).

    Closed in the year before 2026-03-15: participant won 3 and lost 1, colleague lost 4.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        march, april = cls.d("2026-03-20"), cls.d("2026-04-10")
        opportunity = cls._opportunity
        cls.deal_big = opportunity(
            cls.participant, cls.team_sales, expected_revenue=10000, probability=50, date_deadline=march
        )
        cls.deal_sure = opportunity(
            cls.participant, cls.team_sales, expected_revenue=4000, probability=90, date_deadline=march
        )
        cls.deal_april = opportunity(
            cls.participant, cls.team_sales, expected_revenue=2000, probability=20, date_deadline=april
        )
        cls.deal_colleague = opportunity(
            cls.colleague, cls.team_sales, expected_revenue=6000, probability=30, date_deadline=march
        )
        cls.deal_north = opportunity(
            cls.sub_user, cls.team_north, expected_revenue=8000, probability=60, date_deadline=march
        )
        cls.deal_support = opportunity(
            cls.other_user, cls.team_support, expected_revenue=5000, probability=40, date_deadline=march
        )
        cls.deal_c2 = opportunity(
            cls.company2_user,
            cls.team_c2,
            company=cls.company_2,
            expected_revenue=3000,
            probability=50,
            date_deadline=march,
        )
        with freeze_time("2025-09-01 10:00:00"):
            for index in range(3):
                opportunity(cls.participant, cls.team_sales, name=f"Won {index}").action_set_won()
            lost = opportunity(cls.participant, cls.team_sales, name="Lost")
            for index in range(4):
                lost |= opportunity(cls.colleague, cls.team_sales, name=f"Lost {index}")
            lost.action_set_lost()
        cls.env.flush_all()


class TestForecastCategory(ForecastCommon):
    def test_category_defaults_from_probability(self):
        self.assertEqual(self.deal_big.crm_forecast_category, "best_case")
        self.assertEqual(self.deal_sure.crm_forecast_category, "commit")
        self.assertEqual(self.deal_colleague.crm_forecast_category, "pipeline")
        self.deal_colleague.probability = 85
        self.assertEqual(self.deal_colleague.crm_forecast_category, "commit")

    def test_salesperson_sets_the_category_and_keeps_it(self):
        deal = self.deal_april.with_user(self.participant)
        deal.crm_forecast_category = "commit"
        deal.probability = 30
        self.assertEqual(deal.crm_forecast_category, "commit", "the salesperson's choice stays")
        self.assertTrue(deal.crm_forecast_category_manual)
        created = self.env["crm.lead"].create(
            {"name": "Chosen", "type": "opportunity", "probability": 10, "crm_forecast_category": "best_case"}
        )
        created.probability = 95
        self.assertEqual(created.crm_forecast_category, "best_case")


class TestForecastAdjustment(ForecastCommon):
    def _adjust(self, user, amount, **values):
        return (
            self.env["crm.forecast.adjustment"]
            .with_user(user)
            .create(
                {
                    "period_type": "monthly",
                    "year": 2026,
                    "period_number": 3,
                    "adjusted_amount": amount,
                    "reason": "Big deal slips to April",
                    **values,
                }
            )
        )

    def test_manager_adjustment_keeps_the_original(self):
        adjustment = self._adjust(self.manager, 3000, user_id=self.participant.id)
        # 10,000 x 50 % + 4,000 x 90 %
        self.assertEqual(adjustment.original_amount, 8600)
        self.assertEqual(adjustment.difference_amount, -5600)
        self.assertEqual(adjustment.adjusted_by_id, self.manager)
        with self.assertRaises(AccessError):
            adjustment.write({"original_amount": 3000})
        with self.assertRaisesRegex(UserError, "record a new adjustment instead"):
            adjustment.write({"user_id": self.colleague.id})
        # the pipeline moves on; the original stays what it was
        self.deal_big.probability = 80
        adjustment.adjusted_amount = 3500
        self.env.invalidate_all()
        self.assertEqual(adjustment.original_amount, 8600)
        self.assertEqual(adjustment.difference_amount, -5100)
        self.assertEqual(self.deal_big.expected_revenue, 10000, "the opportunities are not touched")

    def test_team_adjustment_counts_the_team(self):
        adjustment = self._adjust(self.manager, 20000, team_id=self.team_sales.id)
        # 10,000 x 50 % + 4,000 x 90 % + 6,000 x 30 %
        self.assertEqual(adjustment.original_amount, 10400)

    def test_who_may_adjust(self):
        with self.assertRaises(AccessError):
            self._adjust(self.participant, 1, user_id=self.participant.id)
        with self.assertRaises(AccessError):
            self._adjust(self.manager, 1, user_id=self.other_user.id)
        with self.assertRaises(AccessError):
            self._adjust(self.portal, 1, user_id=self.participant.id)
        adjustment = self._adjust(self.executive, 1, user_id=self.other_user.id)
        self.assertEqual(adjustment.original_amount, 2000)
        # the salesperson reads the adjustments of their own forecast
        own = self._adjust(self.manager, 7000, user_id=self.participant.id)
        Adjustment = self.env["crm.forecast.adjustment"]
        self.assertVisible(self.participant, adjustment | own, own)
        self.assertVisible(self.manager, adjustment | own, own)
        with self.assertRaises(AccessError):
            Adjustment.with_user(self.portal).search([])
        self.assertVisible(self.company2_user, adjustment | own, Adjustment)


class TestWinRatesAndReport(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-15 10:00:00"):
            cls.env["crm.forecast.win.rate"]._refresh()
            cls.env["crm.sales.target"].create(
                [
                    {"level": "user", "user_id": cls.participant.id, "year": 2026, "period_number": 3, "amount": 8000},
                    {
                        "level": "team",
                        "team_id": cls.team_sales.id,
                        "year": 2026,
                        "period_type": "quarterly",
                        "period_number": 1,
                        "amount": 30000,
                    },
                    {
                        "level": "user",
                        "user_id": cls.participant.id,
                        "year": 2026,
                        "period_type": "annual",
                        "amount": 120000,
                    },
                ]
            )
            cls.env["crm.forecast.adjustment"].create(
                {
                    "period_type": "monthly",
                    "year": 2026,
                    "period_number": 3,
                    "user_id": cls.participant.id,
                    "adjusted_amount": 3000,
                    "reason": "Big deal slips",
                }
            )
        cls.env.flush_all()
        cls.Report = cls.env["crm.sfa.report.forecast"]

    def _rate(self, user):
        return self.env["crm.forecast.win.rate"].search(
            [("company_id", "=", self.company.id), ("user_id", "=", user.id)]
        )

    def test_win_rates_from_closed_leads(self):
        pooled = 3 / 8
        participant, colleague = self._rate(self.participant), self._rate(self.colleague)
        self.assertEqual((participant.won_count, participant.lost_count), (3, 1))
        self.assertAlmostEqual(participant.win_rate, (3 + 5 * pooled) / 9, places=4)
        self.assertAlmostEqual(colleague.win_rate, (0 + 5 * pooled) / 9, places=4)
        company = self._rate(self.env["res.users"])
        self.assertAlmostEqual(company.win_rate, pooled, places=4)
        self.assertEqual(company.date_from, self.d("2025-03-01"))

    def _march(self, user, domain=()):
        groups = self.Report._read_group(
            [("user_id", "=", user.id), ("date", ">=", "2026-03-01"), ("date", "<=", "2026-03-31"), *domain],
            [],
            [
                "expected_revenue:sum",
                "weighted_revenue:sum",
                "commit_revenue:sum",
                "best_case_revenue:sum",
                "projected_revenue:sum",
                "forecast_revenue:sum",
                "target_amount:sum",
                "gap_amount:sum",
                "opportunity_count:sum",
            ],
        )
        return groups[0]

    def test_forecast_against_target_for_the_month(self):
        expected, weighted, commit, best, projected, forecast_, target, gap, count = self._march(
            self.participant, [("level", "in", ("user", False))]
        )
        self.assertEqual((expected, weighted, count), (14000, 8600, 2))
        self.assertEqual((commit, best), (4000, 14000))
        self.assertAlmostEqual(projected, 14000 * self._rate(self.participant).win_rate, places=2)
        # the adjustment replaces 8,600 by 3,000; the monthly target wins over the annual one
        self.assertEqual(forecast_, 3000)
        self.assertEqual(target, 8000)
        self.assertEqual(gap, 3000 - 8000)

    def test_pivot_by_salesperson_and_month(self):
        groups = self.Report.read_group(
            [("user_id", "in", (self.participant | self.colleague).ids)],
            ["forecast_revenue:sum", "target_amount:sum"],
            ["user_id", "date:month"],
            lazy=False,
        )
        participant = [group for group in groups if group["user_id"][0] == self.participant.id]
        self.assertEqual(groups[0]["user_id"][0], self.colleague.id, "by name: the colleague first")
        # by month, the fixture's opportunity without expected closing last
        months = [group["date:month"] for group in participant]
        self.assertEqual(months[-1], False)
        self.assertEqual(months[:4], ["January 2026", "February 2026", "March 2026", "April 2026"])
        march = participant[2]
        self.assertEqual((march["forecast_revenue"], march["target_amount"]), (3000, 8000))

    def test_targets_spread_over_months_for_quarters(self):
        groups = self.Report._read_group(
            [("level", "=", "team"), ("team_id", "=", self.team_sales.id)],
            ["date:month"],
            ["target_amount:sum"],
        )
        self.assertEqual([amount for __, amount in groups], [10000, 10000, 10000])
        april = self.Report._read_group(
            [("user_id", "=", self.participant.id), ("date", ">=", "2026-04-01"), ("date", "<=", "2026-04-30")],
            [],
            ["target_amount:sum", "weighted_revenue:sum"],
        )
        # no monthly target in April: the annual one, a twelfth of it
        self.assertEqual(april[0], (10000, 400))

    def test_salesperson_without_history_projects_with_the_company_rate(self):
        self.assertEqual((self._rate(self.sub_user).won_count, self._rate(self.sub_user).lost_count), (0, 0))
        __, __, __, __, projected, *__ = self._march(self.sub_user)
        self.assertAlmostEqual(projected, 8000 * 3 / 8, places=2)

    def test_report_rows_per_role(self):
        rows = self.Report.search([])
        mine = self.Report.with_user(self.participant).search([])
        self.assertTrue(mine)
        self.assertEqual(set(mine.mapped("user_id")), {self.participant})
        department = self.Report.with_user(self.manager).with_context(**self.hq_and_branch).search([])
        self.assertEqual(
            set(department.mapped("user_id")),
            {self.participant, self.colleague, self.sub_user, self.manager, self.branch_user},
        )
        # the Sales Team's own target (no salesperson) is the manager's to see
        self.assertIn(self.team_sales, department.filtered(lambda row: not row.user_id).mapped("team_id"))
        everything = self.Report.with_user(self.executive).with_context(
            allowed_company_ids=(self.company | self.branch | self.company_2).ids
        )
        self.assertEqual(everything.search_count([]), len(rows))
        only_company_2 = self.Report.with_user(self.company2_user).search([])
        self.assertEqual(set(only_company_2.mapped("company_id")), {self.company_2})
        with self.assertRaises(AccessError):
            self.Report.with_user(self.portal).search([])

    def test_win_rates_per_role(self):
        rates = self.env["crm.forecast.win.rate"].search([])
        self.assertVisible(self.participant, rates, self._rate(self.participant) | self._rate(self.env["res.users"]))
        department = self.participant | self.colleague | self.sub_user | self.manager
        self.assertVisible(
            self.manager,
            rates,
            rates.filtered(lambda r: r.company_id == self.company and (r.user_id in department or not r.user_id)),
            allowed_company_ids=self.company.ids,
        )
        self.assertVisible(self.company2_user, rates, rates.filtered(lambda r: r.company_id == self.company_2))
        with self.assertRaises(AccessError):
            rates.with_user(self.portal).read(["win_rate"])
        with self.assertRaises(AccessError):
            self._rate(self.participant).with_user(self.participant).write({"win_rate": 1})

    @freeze_time("2026-03-15 10:00:00")
    def test_window_follows_the_company_setting(self):
        self.company.crm_sfa_win_rate_months = 3
        self.env["crm.forecast.win.rate"]._refresh(self.company)
        # the deals were closed in September 2025, before December: no history, no rates,
        # and the projection falls back to the weighted pipeline
        self.assertFalse(self._rate(self.participant) | self._rate(self.env["res.users"]))
        self.env.flush_all()
        __, weighted, __, __, projected, *__ = self._march(self.sub_user)
        self.assertEqual(projected, weighted)
        self.assertEqual(weighted, 8000 * 0.6)
