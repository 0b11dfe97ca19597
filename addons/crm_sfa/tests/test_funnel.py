from freezegun import freeze_time

from odoo.exceptions import AccessError

from .common_forecast import CrmSfaForecastCommon


class TestStageHistory(CrmSfaForecastCommon):
    def test_history_follows_the_lead(self):
        with freeze_time("2026-05-04 09:00:00"):
            lead = self._opportunity(self.participant, self.team_sales, stage_id=self.stage_1.id)
        History = self.env["crm.lead.stage.history"]
        entry = History.search([("lead_id", "=", lead.id)])
        self.assertEqual((entry.stage_id, entry.outcome, entry.user_id), (self.stage_1, "open", self.participant))
        with freeze_time("2026-05-06 09:00:00"):
            lead.with_user(self.participant).stage_id = self.stage_3
        with freeze_time("2026-05-07 09:00:00"):
            lead.stage_id = self.stage_2
        with freeze_time("2026-05-08 09:00:00"):
            lead.action_set_lost()
        with freeze_time("2026-05-09 09:00:00"):
            lead.action_unarchive()
        entries = History.search([("lead_id", "=", lead.id)], order="date_in, id")
        self.assertEqual(
            [(e.stage_id, e.outcome, e.next_stage_id) for e in entries],
            [
                (self.stage_1, "forward", self.stage_3),
                (self.stage_3, "backward", self.stage_2),
                (self.stage_2, "lost", self.env["crm.stage"]),
                (self.stage_2, "open", self.env["crm.stage"]),
            ],
        )
        self.assertEqual(str(entries[0].date_out), "2026-05-06 09:00:00")
        self.assertEqual(lead.crm_stage_history_ids, entries)

    def test_many_leads_change_stage_in_as_many_queries_as_a_few(self):
        def queries_to_move(count):
            leads = self.env["crm.lead"].create(
                [
                    {"name": f"Batch {index}", "type": "opportunity", "stage_id": self.stage_1.id, "user_id": False}
                    for index in range(count)
                ]
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            leads.stage_id = self.stage_2
            self.env.flush_all()
            return leads, self.env.cr.sql_log_count - before

        __, few = queries_to_move(3)
        leads, many = queries_to_move(60)
        self.assertLessEqual(many, few + 2, "the history is written in batch")
        History = self.env["crm.lead.stage.history"]
        self.assertEqual(History.search_count([("lead_id", "in", leads.ids), ("outcome", "=", "forward")]), 60)
        self.assertEqual(History.search_count([("lead_id", "in", leads.ids), ("stage_id", "=", self.stage_2.id)]), 60)

    def test_winning_moves_forward_whatever_the_sequence(self):
        lead = self._opportunity(self.participant, self.team_sales, stage_id=self.stage_3.id)
        early_won = self.env["crm.stage"].create({"name": "Early Won", "sequence": 150, "is_won": True})
        lead.stage_id = early_won
        entry = lead.crm_stage_history_ids.filtered(lambda e: e.stage_id == self.stage_3)
        self.assertEqual(entry.outcome, "forward")


class FunnelCommon(CrmSfaForecastCommon):
    """In May 2026, Sales Team: the participant moves 1 of 6 leads forward, the colleague 5 of 6.

    Stage entries in May (the second stage's included, still open): the participant 7 with
    1 forward (14 %), the colleague 11 with 5 forward; the team 6 of 18 (33 %): the
    participant is below half the team average. North Team: the sub_user 3 entries
    (too few to judge).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"crm_sfa_conversion_alert_ratio": 0.5, "crm_sfa_conversion_alert_min_leads": 5})
        with freeze_time("2026-05-04 09:00:00"):
            cls.leads_participant = cls._leads(cls.participant, cls.team_sales, 6)
            cls.leads_colleague = cls._leads(cls.colleague, cls.team_sales, 6)
            cls.leads_sub = cls._leads(cls.sub_user, cls.team_north, 2)
            cls.leads_other = cls._leads(cls.other_user, cls.team_support, 2)
            cls.leads_c2 = cls._leads(cls.company2_user, cls.team_c2, 2, company=cls.company_2)
        with freeze_time("2026-05-05 09:00:00"):
            (cls.leads_participant[:1] | cls.leads_colleague[:5] | cls.leads_sub[:1]).stage_id = cls.stage_2
        cls.env.flush_all()
        cls.Report = cls.env["crm.sfa.report.funnel"]

    @classmethod
    def _leads(cls, user, team, count, company=None):
        return cls.env["crm.lead"].create(
            [
                {
                    "name": f"{user.name} lead {index}",
                    "type": "opportunity",
                    "user_id": user.id,
                    "team_id": team.id,
                    "company_id": (company or cls.company).id,
                    "stage_id": cls.stage_1.id,
                }
                for index in range(count)
            ]
        )

    def _may(self):
        return [("date", ">=", "2026-05-01"), ("date", "<", "2026-06-01")]


class TestFunnelReport(FunnelCommon):
    def test_conversion_per_salesperson_beside_the_team_average(self):
        stage_1 = [("stage_id", "=", self.stage_1.id)]
        by_user = {
            user: (entered, converted, rate)
            for user, entered, converted, rate in self.Report._read_group(
                self._may() + stage_1 + [("team_id", "=", self.team_sales.id)],
                ["user_id"],
                ["entered_count:sum", "converted_count:sum", "conversion_rate:avg"],
            )
        }
        self.assertEqual(by_user[self.participant][:2], (6, 1))
        self.assertAlmostEqual(by_user[self.participant][2], 100 / 6)
        self.assertEqual(by_user[self.colleague][:2], (6, 5))
        [(entered, converted, team_rate)] = self.Report._read_group(
            self._may() + stage_1 + [("team_id", "=", self.team_sales.id)],
            [],
            ["entered_count:sum", "converted_count:sum", "conversion_rate:avg"],
        )
        self.assertEqual((entered, converted, team_rate), (12, 6, 50))

    def test_groups_come_in_the_pivot_order(self):
        # grouped by the raw ids in the database, then put in the comodels' order:
        # the colleague (created after the participant) comes first by name
        domain = [*self._may(), ("team_id", "=", self.team_sales.id)]
        groups = self.Report.read_group(domain, ["entered_count:sum"], ["user_id"], lazy=False)
        self.assertEqual([group["user_id"][0] for group in groups], [self.colleague.id, self.participant.id])
        self.assertEqual([group["entered_count"] for group in groups], [11, 7])
        groups = self.Report.read_group(
            domain, ["entered_count:sum"], ["user_id", "stage_id"], orderby="entered_count desc", lazy=False
        )
        self.assertEqual([group["entered_count"] for group in groups], [6, 6, 5, 1])
        later = self.env["crm.stage"].create({"name": "SFA Stage 0", "sequence": 150})
        self.leads_participant[-1].stage_id = later
        self.env.flush_all()
        groups = self.Report.read_group(
            [("lead_id", "in", self.leads_participant.ids)], ["entered_count:sum"], ["stage_id"], lazy=False
        )
        self.assertEqual([group["stage_id"][0] for group in groups], [later.id, self.stage_1.id, self.stage_2.id])

    def test_caller_context_does_not_change_the_group_order(self):
        """The raw-id ordering is the mixin's own, not a context key a caller may send."""
        domain = [*self._may(), ("team_id", "=", self.team_sales.id)]
        Report = self.Report.with_context(crm_sfa_order_by_id=True)
        groups = Report.read_group(domain, ["entered_count:sum"], ["user_id"], limit=2, lazy=False)
        self.assertEqual([group["user_id"][0] for group in groups], [self.colleague.id, self.participant.id])

    def test_won_entries_are_conversions(self):
        lead = self.leads_colleague[0]
        with freeze_time("2026-05-20 09:00:00"):
            lead.stage_id = self.stage_won
        self.env.flush_all()
        won = self.Report.search([("lead_id", "=", lead.id), ("stage_id", "=", self.stage_won.id)])
        self.assertEqual(
            (won.outcome, won.entered_count, won.converted_count, won.conversion_rate), ("open", 1, 1, 100)
        )
        second = self.Report.search([("lead_id", "=", lead.id), ("stage_id", "=", self.stage_2.id)])
        self.assertEqual((second.outcome, second.converted_count), ("forward", 1))
        # reopened: the won entry was no conversion after all
        with freeze_time("2026-05-21 09:00:00"):
            lead.stage_id = self.stage_2
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual((won.outcome, won.converted_count, won.conversion_rate), ("backward", 0, 0))

    def test_report_rows_per_role(self):
        mine = self.Report.with_user(self.participant).search(self._may())
        self.assertEqual(set(mine.mapped("lead_id")), set(self.leads_participant))
        department = self.Report.with_user(self.manager).search(self._may())
        self.assertEqual(
            set(department.mapped("lead_id")), set(self.leads_participant | self.leads_colleague | self.leads_sub)
        )
        everything = self.Report.with_user(self.executive).with_context(
            allowed_company_ids=(self.company | self.company_2).ids
        )
        # entries of the first stage, then of the second
        self.assertEqual(everything.search_count(self._may()), (6 + 1) + (6 + 5) + (2 + 1) + 2 + 2)
        only_hq = self.Report.with_user(self.executive).with_context(allowed_company_ids=self.company.ids)
        self.assertEqual(only_hq.search_count([*self._may(), ("company_id", "=", self.company_2.id)]), 0)
        c2 = self.Report.with_user(self.company2_user).search(self._may())
        self.assertEqual(set(c2.mapped("lead_id")), set(self.leads_c2))
        with self.assertRaises(AccessError):
            self.Report.with_user(self.portal).search([])

    def test_history_rows_per_role(self):
        History = self.env["crm.lead.stage.history"]
        entries = History.search([("lead_id", "in", (self.leads_participant | self.leads_other).ids)])
        self.assertVisible(self.participant, entries, entries.filtered(lambda e: e.user_id == self.participant))
        self.assertVisible(self.manager, entries, entries.filtered(lambda e: e.user_id == self.participant))
        self.assertVisible(self.executive, entries, entries)
        # second company: its own entries only, and none of the head office's
        everyone = History.search([("lead_id", "in", (self.leads_participant | self.leads_c2).ids)])
        self.assertVisible(self.company2_user, everyone, everyone.filtered(lambda e: e.company_id == self.company_2))
        self.assertVisible(
            self.executive,
            everyone,
            everyone - everyone.filtered(lambda e: e.company_id == self.company_2),
            allowed_company_ids=self.company.ids,
        )
        with self.assertRaises(AccessError):
            entries.with_user(self.participant).write({"outcome": "lost"})
        with self.assertRaises(AccessError):
            History.with_user(self.portal).search([])


class TestConversionAlert(FunnelCommon):
    def test_weekly_alert_once_per_month(self):
        Alert = self.env["crm.sfa.conversion.alert"]
        with freeze_time("2026-05-11 06:00:00"):
            alerts = Alert._cron_check_conversion()
        self.assertEqual(len(alerts), 1)
        self.assertEqual(
            (alerts.user_id, alerts.team_id, alerts.manager_id, alerts.entered_count, alerts.converted_count),
            (self.participant, self.team_sales, self.manager, 7, 1),
        )
        self.assertAlmostEqual(alerts.conversion_rate, 100 / 7, places=1)
        self.assertAlmostEqual(alerts.team_conversion_rate, 100 / 3, places=1)
        self.assertEqual(alerts.activity_ids.user_id, self.manager)
        messages = alerts.message_ids.filtered(
            lambda m: m.message_type == "comment" and self.manager.partner_id in m.partner_ids
        )
        self.assertEqual(len(messages), 1)
        self.assertIn("Suite Participant converted 1 of 7", str(messages.body))
        # a week later, still below: no second alert
        with freeze_time("2026-05-18 06:00:00"):
            self.assertFalse(Alert._cron_check_conversion())
        self.assertEqual(Alert.search_count([("user_id", "=", self.participant.id)]), 1)
        self.assertEqual(len(alerts.activity_ids), 1)

    def test_no_alert_above_the_ratio_or_with_few_leads(self):
        self.company.crm_sfa_conversion_alert_ratio = 0.3
        with freeze_time("2026-05-11 06:00:00"):
            self.assertFalse(self.env["crm.sfa.conversion.alert"]._cron_check_conversion())
        self.company.write({"crm_sfa_conversion_alert_ratio": 0.5, "crm_sfa_conversion_alert_min_leads": 8})
        with freeze_time("2026-05-11 06:00:00"):
            self.assertFalse(self.env["crm.sfa.conversion.alert"]._cron_check_conversion())

    def test_alert_rows_per_role(self):
        with freeze_time("2026-05-11 06:00:00"):
            alert = self.env["crm.sfa.conversion.alert"]._cron_check_conversion()
        self.assertVisible(self.manager, alert, alert)
        self.assertVisible(self.executive, alert, alert)
        alert.with_user(self.manager).activity_ids.action_feedback(feedback="Talked it through")
        for user in (self.participant, self.other_user, self.portal):
            with self.assertRaises(AccessError):
                alert.with_user(user).read(["conversion_rate"])
        self.assertVisible(self.executive, alert, alert.browse(), allowed_company_ids=self.company_2.ids)

    def test_salesperson_who_wins_everything_gets_no_alert(self):
        """In June, the participant wins each of 6 leads straight from the first stage; the colleague
        takes each of 6 through the second stage to the third. Counting won entries as no
        conversion, the winner converted 6 of 12 entries against 12 of 18 for the colleague
        (team 60 %), and was alerted below 90 % of the team average."""
        self.company.crm_sfa_conversion_alert_ratio = 0.9
        with freeze_time("2026-06-02 09:00:00"):
            winner = self._leads(self.participant, self.team_sales, 6)
            climber = self._leads(self.colleague, self.team_sales, 6)
        with freeze_time("2026-06-03 09:00:00"):
            winner.stage_id = self.stage_won
            climber.stage_id = self.stage_2
        with freeze_time("2026-06-04 09:00:00"):
            climber.stage_id = self.stage_3
        self.env.flush_all()
        with freeze_time("2026-06-22 06:00:00"):
            alerts = self.env["crm.sfa.conversion.alert"]._cron_check_conversion()
        self.assertNotIn(self.participant, alerts.user_id, "the best closer converted 12 of 12")
        # the colleague converted 12 of 18 (67 %), below 90 % of the team's 24 of 30 (80 %)
        self.assertEqual(alerts.user_id, self.colleague)
        # the funnel shows the rates the alert compared
        june = [("date", ">=", "2026-06-01"), ("date", "<", "2026-07-01"), ("team_id", "=", self.team_sales.id)]
        funnel = {
            user: (entered, converted, rate)
            for user, entered, converted, rate in self.Report._read_group(
                june, ["user_id"], ["entered_count:sum", "converted_count:sum", "conversion_rate:avg"]
            )
        }
        self.assertEqual(funnel[self.participant], (12, 12, 100))
        self.assertEqual(funnel[self.colleague][:2], (alerts.entered_count, alerts.converted_count))
        self.assertAlmostEqual(funnel[self.colleague][2], alerts.conversion_rate, places=1)
        [(team_rate,)] = self.Report._read_group(june, [], ["conversion_rate:avg"])
        self.assertAlmostEqual(team_rate, alerts.team_conversion_rate, places=1)
