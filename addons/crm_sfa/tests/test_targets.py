from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, warmup

from .common_forecast import CrmSfaForecastCommon


class TargetsCommon(CrmSfaForecastCommon):
    """Sales in February and March 2026 and a target of each level.

    - participant: order of 1,600 confirmed on 2026-02-10 (Sales Team), invoice of 800
      posted on 2026-02-12, paid on 2026-03-05;
    - colleague: order of 1,600 confirmed on 2026-03-20 (Sales Team), invoice of 800
      posted on 2026-03-02 and a credit note of 300 on 2026-03-25 set against it;
    - sub_user: order confirmed on 2026-02-15 (North Team);
    - branch_user: order confirmed on 2026-02-20 in the branch;
    - other_user: order confirmed on 2026-01-05 (outside the first quarter's months used below).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = cls.d
        cls._confirm_order("participant", d("2026-02-10"), cls.team_sales)
        cls._confirm_order("colleague", d("2026-03-20"), cls.team_sales)
        cls._confirm_order("sub_user", d("2026-02-15"), cls.team_north)
        cls._confirm_order("branch_user", d("2026-02-20"))
        cls._confirm_order("other_user", d("2026-01-05"), cls.team_support)
        cls.invoice_participant = cls._post_invoice("participant", d("2026-02-12"), cls.team_sales)
        cls._pay(cls.invoice_participant, d("2026-03-05"))
        cls._post_invoice("colleague", d("2026-03-02"), cls.team_sales)
        cls.refund = cls.invoices["colleague"]._reverse_moves([{"invoice_date": d("2026-03-25")}])
        cls.refund.invoice_line_ids.price_unit = 300
        # posting the credit note sets it against its invoice
        cls.refund.action_post()
        cls.env.flush_all()

        cls.Target = cls.env["crm.sales.target"]
        cls.target_participant = cls._target("user", cls.participant, "monthly", 2, amount=3200)
        cls.target_colleague = cls._target("user", cls.colleague, "quarterly", 1, amount=5000)
        cls.target_other = cls._target("user", cls.other_user, "quarterly", 1, amount=1000)
        cls.target_team_sales = cls._target("team", cls.team_sales, "quarterly", 1, amount=10000)
        cls.target_team_north = cls._target("team", cls.team_north, "quarterly", 1, amount=2000)
        cls.target_team_support = cls._target("team", cls.team_support, "quarterly", 1, amount=2000)
        cls.target_hq = cls._target("company", cls.company, "annual", 1, amount=50000)
        cls.target_branch = cls._target("company", cls.branch, "annual", 1, amount=8000, company=cls.branch)
        cls.target_c2 = cls._target("user", cls.company2_user, "annual", 1, amount=1000, company=cls.company_2)

    @classmethod
    def _target(cls, level, subject, period_type, number, amount, measure="order", company=None):
        values = {
            "level": level,
            "period_type": period_type,
            "year": 2026,
            "period_number": number,
            "amount": amount,
            "measure": measure,
            "company_id": (company or cls.company).id,
        }
        if level == "team":
            values["team_id"] = subject.id
        elif level == "user":
            values["user_id"] = subject.id
        return cls.env["crm.sales.target"].create(values)


class TestTargetAchievement(TargetsCommon):
    def test_period_dates_come_from_year_and_number(self):
        self.assertEqual(
            (self.target_participant.date_from, self.target_participant.date_to),
            (self.d("2026-02-01"), self.d("2026-02-28")),
        )
        self.assertEqual(self.target_colleague.date_to, self.d("2026-03-31"))
        self.assertEqual(
            (self.target_hq.date_from, self.target_hq.date_to), (self.d("2026-01-01"), self.d("2026-12-31"))
        )
        self.assertEqual(self.target_colleague.name, "2026 Q1 - Confirmed Orders - Suite Colleague")

    def test_confirmed_orders_per_level(self):
        self.assertEqual(self.target_participant.achieved_amount, 1600)
        self.assertEqual(self.target_participant.completion_rate, 50)
        self.assertEqual(self.target_colleague.achieved_amount, 1600)
        self.assertEqual(self.target_other.achieved_amount, 1600)
        self.assertEqual(self.target_team_sales.achieved_amount, 3200)
        self.assertEqual(self.target_team_north.achieved_amount, 1600)
        # the head office counts its own orders and its branch's; the branch only its own
        self.assertEqual(self.target_hq.achieved_amount, 5 * 1600)
        self.assertEqual(self.target_branch.achieved_amount, 1600)

    def test_invoiced_and_paid_measures(self):
        invoiced_q1 = self._target("user", self.participant, "quarterly", 1, 800, measure="invoice")
        invoiced_year = self._target("team", self.team_sales, "annual", 1, 2000, measure="invoice")
        invoiced_march = self._target("team", self.team_sales, "monthly", 3, 1000, measure="invoice")
        paid_feb = self._target("team", self.team_sales, "monthly", 2, 800, measure="payment")
        paid_march = self._target("user", self.participant, "monthly", 3, 800, measure="payment")
        unpaid = self._target("user", self.colleague, "annual", 1, 800, measure="payment")
        self.assertEqual(invoiced_q1.achieved_amount, 800)
        self.assertEqual(invoiced_q1.completion_rate, 100)
        # 800 + 800 invoiced, minus the credit note of 300 (in March)
        self.assertEqual(invoiced_year.achieved_amount, 1300)
        self.assertEqual(invoiced_march.achieved_amount, 500)
        # invoiced in February, paid in March: the untaxed share of the payment
        self.assertEqual(paid_feb.achieved_amount, 0)
        self.assertAlmostEqual(paid_march.achieved_amount, 800, places=2)
        # a credit note set against an invoice is no payment
        receivable = self.refund.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertTrue(receivable.reconciled)
        self.assertEqual(unpaid.achieved_amount, 0)

    def test_refresh_reads_new_sales(self):
        self.assertEqual(self.target_team_north.achieved_amount, 1600)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": self.sub_user.id,
                "team_id": self.team_north.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        order.date_order = "2026-03-01 10:00:00"
        self.env.flush_all()
        self.assertEqual(self.target_team_north.achieved_amount, 1600, "stored until refreshed")
        self.target_team_north.with_user(self.manager).action_refresh_achievement()
        self.assertEqual(self.target_team_north.achieved_amount, 2400)

    def test_amounts_in_the_company_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.company_2.currency_id = eur
        order = (
            self.env["sale.order"]
            .with_company(self.company_2)
            .create(
                {
                    "partner_id": self.customer.id,
                    "user_id": self.company2_user.id,
                    "team_id": self.team_c2.id,
                    "company_id": self.company_2.id,
                    "pricelist_id": False,
                    "order_line": [
                        (
                            0,
                            0,
                            {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 700, "tax_id": False},
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        order.date_order = "2026-04-10 10:00:00"
        self.env.flush_all()
        self.target_c2._refresh_achievement()
        # 700 in the second company's own currency, not converted into the first company's
        self.assertEqual((order.currency_id, self.target_c2.currency_id), (eur, eur))
        self.assertAlmostEqual(self.target_c2.achieved_amount, 700, places=2)

    @freeze_time("2026-03-10 08:00:00")
    def test_cron_refreshes_running_targets(self):
        self.env.cr.execute(
            "UPDATE crm_sales_target SET achieved_amount = 0 WHERE id IN %s",
            [(self.target_team_north.id, self.target_participant.id, self.target_hq.id)],
        )
        self.env.invalidate_all()
        self.Target._cron_refresh_achievement()
        self.assertEqual(self.target_team_north.achieved_amount, 1600)
        self.assertEqual(self.target_hq.achieved_amount, 5 * 1600)
        # February ended less than a month ago: refreshed too
        self.assertEqual(self.target_participant.achieved_amount, 1600)


class TestTargetRules(TargetsCommon):
    def test_overlapping_target_names_the_other_and_changes_nothing(self):
        count = self.Target.search_count([])
        with self.assertRaises(ValidationError) as caught:
            self._target("user", self.participant, "monthly", 2, 100, measure="invoice")
        self.assertIn("overlaps 2026-02 - Confirmed Orders - Suite Participant", str(caught.exception))
        self.assertEqual(self.Target.search_count([]), count)
        march = self._target("user", self.participant, "monthly", 3, 100)
        with self.assertRaises(ValidationError) as caught:
            march.with_user(self.manager).write({"period_number": 2, "amount": 500})
        self.assertIn("2026-02 - Confirmed Orders - Suite Participant", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual((march.period_number, march.date_from, march.amount), (3, self.d("2026-03-01"), 100))

    def test_annual_split_and_other_subjects_do_not_overlap(self):
        annual = self._target("user", self.participant, "annual", 1, 40000)
        quarter = self._target("user", self.participant, "quarterly", 1, 10000)
        other_subject = self._target("user", self.sub_user, "monthly", 2, 100)
        self.assertTrue(annual and quarter and other_subject)
        self.target_participant.active = False
        again = self._target("user", self.participant, "monthly", 2, 100)
        self.assertTrue(again, "an archived target does not block its period")

    def test_wrong_period_number_and_missing_subject(self):
        with self.assertRaises(ValidationError) as caught:
            self._target("user", self.participant, "monthly", 13, 100)
        self.assertIn("13 is not a period", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.Target.create({"level": "team", "year": 2026, "period_type": "annual", "amount": 1})
        self.assertIn("Choose the sales team", str(caught.exception))


class TestTargetAccess(TargetsCommon):
    def _all_targets(self):
        return self.Target.search([("id", "in", self._created().ids)])

    def _created(self):
        return (
            self.target_participant
            | self.target_colleague
            | self.target_other
            | self.target_team_sales
            | self.target_team_north
            | self.target_team_support
            | self.target_hq
            | self.target_branch
            | self.target_c2
        )

    def test_salesperson_sees_own_targets_only(self):
        self.assertVisible(self.participant, self._created(), self.target_participant)
        with self.assertRaises(AccessError):
            self.target_colleague.with_user(self.participant).read(["amount"])

    def test_salesperson_cannot_set_targets(self):
        with self.assertRaises(AccessError):
            self.Target.with_user(self.participant).create(
                {"level": "user", "user_id": self.participant.id, "year": 2027, "amount": 1}
            )
        with self.assertRaises(AccessError):
            self.target_participant.with_user(self.participant).write({"amount": 1})

    def test_manager_sees_department_salespeople_and_their_teams(self):
        self.assertVisible(
            self.manager,
            self._created(),
            self.target_participant | self.target_colleague | self.target_team_sales | self.target_team_north,
            **self.hq_and_branch,
        )

    def test_manager_sets_targets_of_the_department_only(self):
        target = self.Target.with_user(self.manager).create(
            {"level": "user", "user_id": self.sub_user.id, "year": 2026, "period_type": "annual", "amount": 9}
        )
        self.assertEqual(target.user_id, self.sub_user)
        target.write({"amount": 10})
        with self.assertRaises(AccessError):
            self.Target.with_user(self.manager).create(
                {"level": "user", "user_id": self.other_user.id, "year": 2026, "period_type": "annual", "amount": 9}
            )
        with self.assertRaises(AccessError):
            self.target_team_support.with_user(self.manager).write({"amount": 1})

    def test_executive_sees_all_targets_of_allowed_companies(self):
        companies = self.company | self.branch | self.company_2
        self.assertVisible(self.executive, self._created(), self._created(), allowed_company_ids=companies.ids)
        self.assertVisible(
            self.executive,
            self._created(),
            self._created() - self.target_branch - self.target_c2,
            allowed_company_ids=self.company.ids,
        )

    def test_second_company_sees_only_its_own(self):
        self.assertVisible(self.company2_user, self._created(), self.target_c2)
        with self.assertRaises(AccessError):
            self.target_participant.with_user(self.company2_user).read(["amount"])

    def test_portal_has_no_access(self):
        with self.assertRaises(AccessError):
            self.Target.with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.target_participant.with_user(self.portal).read(["amount"])


@tagged("is_query_count", "crm_sfa_perf")
class TestTargetPerformance(TargetsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        values = []
        subjects = [
            ("user", cls.participant),
            ("user", cls.colleague),
            ("user", cls.sub_user),
            ("team", cls.team_sales),
            ("team", cls.team_north),
        ]
        measures = ["order", "invoice", "payment"]
        for index in range(50):
            level, subject = subjects[index % len(subjects)]
            values.append(
                {
                    "level": level,
                    "user_id": subject.id if level == "user" else False,
                    "team_id": subject.id if level == "team" else False,
                    "period_type": "monthly",
                    "year": 2027 + index // 60,
                    "period_number": index // len(subjects) + 1,
                    "measure": measures[index % 3],
                    "amount": 1000,
                }
            )
        cls.many_targets = cls.env["crm.sales.target"].create(values[:50])

    @warmup
    def test_achievement_of_fifty_targets_costs_a_fixed_number_of_queries(self):
        targets = self.many_targets
        self.assertEqual(len(targets), 50)
        self.env.invalidate_all()
        with self.assertQueryCount(8):
            targets._refresh_achievement()
            self.env.flush_all()
        self.assertTrue(all(target.achievement_date for target in targets))
