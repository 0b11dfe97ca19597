from datetime import datetime

from freezegun import freeze_time

from .common_forecast import CrmSfaForecastCommon


class TestStageHistoryRebuild(CrmSfaForecastCommon):
    """Leads made with a past creation date (the demo data, an import) get the history of
    the pipeline they came through, which the funnel then reads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.stage"]
        # the Sales Team's pipeline is its own here: the other stages belong to another team
        Stage.search([]).team_id = cls.team_support
        values = {"team_id": cls.team_sales.id}
        cls.new, cls.qualified, cls.proposal = Stage.create(
            [
                dict(values, name=name, sequence=1000 + index)
                for index, name in enumerate(("New", "Qualified", "Proposal"))
            ]
        )
        cls.won = Stage.create(dict(values, name="Won", sequence=1100, is_won=True))

    def _lead(self, name, stage):
        return self._opportunity(
            self.participant, self.team_sales, name=name, stage_id=stage.id, create_date="2026-06-01 09:00:00"
        )

    def test_open_won_and_lost_leads(self):
        History = self.env["crm.lead.stage.history"]
        open_lead = self._lead("Open", self.proposal)
        won_lead = self._lead("Won", self.proposal)
        won_lead.action_set_won()
        won_lead.date_closed = "2026-06-16 09:00:00"
        lost_lead = self._lead("Lost", self.qualified)
        lost_lead.action_set_lost()
        lost_lead.date_closed = "2026-06-21 09:00:00"
        other = self._lead("Untouched", self.new)
        other_entries = other.crm_stage_history_ids
        with freeze_time("2026-07-01 09:00:00"):
            History._rebuild((open_lead | won_lead | lost_lead).ids)

        def entries(lead):
            return [
                (
                    entry.stage_id,
                    str(entry.date_in),
                    entry.date_out and str(entry.date_out),
                    entry.outcome,
                    entry.next_stage_id,
                )
                for entry in History.search([("lead_id", "=", lead.id)], order="date_in, id")
            ]

        nothing = self.env["crm.stage"]
        self.assertEqual(
            entries(open_lead),
            [
                (self.new, "2026-06-01 09:00:00", "2026-06-11 09:00:00", "forward", self.qualified),
                (self.qualified, "2026-06-11 09:00:00", "2026-06-21 09:00:00", "forward", self.proposal),
                (self.proposal, "2026-06-21 09:00:00", False, "open", nothing),
            ],
            "from its creation to now, still in its stage",
        )
        self.assertEqual(
            entries(won_lead),
            [
                (self.new, "2026-06-01 09:00:00", "2026-06-06 09:00:00", "forward", self.qualified),
                (self.qualified, "2026-06-06 09:00:00", "2026-06-11 09:00:00", "forward", self.proposal),
                (self.proposal, "2026-06-11 09:00:00", "2026-06-16 09:00:00", "forward", self.won),
                (self.won, "2026-06-16 09:00:00", False, "open", nothing),
            ],
            "won on its closing date",
        )
        self.assertEqual(
            entries(lost_lead),
            [
                (self.new, "2026-06-01 09:00:00", "2026-06-11 09:00:00", "forward", self.qualified),
                (self.qualified, "2026-06-11 09:00:00", "2026-06-21 09:00:00", "lost", nothing),
            ],
            "lost in its stage on its closing date",
        )
        self.assertEqual(other.crm_stage_history_ids, other_entries, "other leads keep their history")
        self.assertEqual(set(History.search([("lead_id", "=", open_lead.id)]).mapped("user_id")), {self.participant})

        Funnel = self.env["crm.sfa.report.funnel"]
        self.env.flush_all()
        rows = Funnel.read_group(
            [("lead_id", "in", (open_lead | won_lead | lost_lead).ids)],
            ["entered_count:sum", "converted_count:sum"],
            ["stage_id"],
            lazy=False,
        )
        self.assertEqual(
            {row["stage_id"][0]: (row["entered_count"], row["converted_count"]) for row in rows},
            {self.new.id: (3, 3), self.qualified.id: (3, 2), self.proposal.id: (2, 1), self.won.id: (1, 1)},
        )
        self.assertEqual(datetime(2026, 6, 1, 9), min(Funnel.search([("lead_id", "=", won_lead.id)]).mapped("date")))
