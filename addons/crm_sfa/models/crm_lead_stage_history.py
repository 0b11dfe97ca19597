from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, create_index

OUTCOMES = [
    ("open", "Still in Stage"),
    ("forward", "Moved Forward"),
    ("backward", "Moved Back"),
    ("lost", "Lost"),
]


class CrmLeadStageHistory(models.Model):
    """One row per lead entering a stage: who held it, when it entered, how it left.

    Filled by ``crm.lead`` when leads are created, change stage, are lost or restored,
    with one insert and at most a few updates per write whatever the number of leads.
    Chosen over Odoo's tracking values of ``stage_id``: those share one large table
    with every tracked field of every model, need a join to ``mail_message`` to find
    their lead, and are not written when tracking is disabled (imports, tests, some
    automated writes). This narrow table, without the ORM's log columns, holds only
    what the funnel groups by, indexed for it.
    """

    _name = "crm.lead.stage.history"
    _description = "Lead Stage History"
    _order = "date_in desc, id desc"
    _log_access = False
    _rec_name = "stage_id"

    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade")
    stage_id = fields.Many2one("crm.stage", required=True, ondelete="cascade")
    next_stage_id = fields.Many2one("crm.stage", ondelete="set null")
    user_id = fields.Many2one("res.users", string="Salesperson", ondelete="set null")
    team_id = fields.Many2one("crm.team", string="Sales Team", ondelete="set null")
    company_id = fields.Many2one("res.company", ondelete="cascade")
    date_in = fields.Datetime(string="Entered On", required=True)
    date_out = fields.Datetime(string="Left On")
    outcome = fields.Selection(OUTCOMES, required=True, default="open")

    def init(self):
        # the funnel report filters by period (and company through the rules), then
        # groups by team, salesperson and stage: all in the index, read without the table
        create_index(
            self.env.cr,
            "crm_lead_stage_history_funnel_index",
            self._table,
            ["date_in", "company_id", "team_id", "user_id", "stage_id", "outcome"],
        )
        create_index(
            self.env.cr,
            "crm_lead_stage_history_open_index",
            self._table,
            ["lead_id"],
            where="date_out IS NULL",
        )
        self._backfill()

    def _backfill(self):
        """On installation, give every existing lead an entry in its current stage."""
        cr = self.env.cr
        cr.execute(SQL("SELECT 1 FROM %s LIMIT 1", SQL.identifier(self._table)))
        if cr.fetchone():
            return
        cr.execute(
            SQL(
                """
                INSERT INTO %s (lead_id, stage_id, user_id, team_id, company_id, date_in, outcome)
                SELECT id, stage_id, user_id, team_id, company_id,
                       COALESCE(date_last_stage_update, create_date, NOW() AT TIME ZONE 'UTC'),
                       CASE WHEN active THEN 'open' ELSE 'lost' END
                  FROM crm_lead
                 WHERE stage_id IS NOT NULL
                """,
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _record_entries(self, leads, now=None):
        """``leads`` entered their current stage: close their open entries and open new ones.

        The closed entry moved forward when the new stage comes later in the pipeline
        (a higher sequence) or wins the lead.
        """
        leads = leads.filtered("stage_id")
        if not leads:
            return self.browse()
        now = now or fields.Datetime.now()
        self._close(leads, now, lambda entry: self._direction(entry.stage_id, entry.lead_id.stage_id))
        return self.create(
            [
                {
                    "lead_id": lead.id,
                    "stage_id": lead.stage_id.id,
                    "user_id": lead.user_id.id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                    "date_in": now,
                }
                for lead in leads
            ]
        )

    @api.model
    def _rebuild(self, lead_ids):
        """Rewrite the history of these leads as if each had come through its pipeline.

        For leads made with a past creation date (the demo data, an import), whose only
        entry says they entered their stage when they were written: one entry per stage of
        their team's pipeline (the stages of every team and of theirs, by sequence) up to
        their current one, the earlier ones moved forward; the dates spread evenly from the
        lead's creation to its closing (a won lead enters its won stage then, a lost one
        leaves its last stage then) or, for an open lead, to now (it is still in the last
        one). A stage outside the pipeline (a won stage the pipeline does not lead to) is
        entered alone. ``lead_ids``: ids, as a ``<function>`` of data files passes them.
        """
        leads = self.env["crm.lead"].with_context(active_test=False).browse(lead_ids).filtered("stage_id")
        if not leads:
            return self.browse()
        stages = self.env["crm.stage"].search([], order="sequence, id")
        now = fields.Datetime.now()
        values = []
        for lead in leads:
            pipeline = stages.filtered(lambda stage, lead=lead: not stage.team_id or stage.team_id == lead.team_id)
            current = lead.stage_id
            key = (current.sequence, current.id)
            path = pipeline.filtered(lambda stage, key=key: not stage.is_won and (stage.sequence, stage.id) < key)
            path = [*path, current]
            start = lead.create_date or now
            closed = not lead.active or current.is_won
            end = min(lead.date_closed or now, now) if closed else now
            end = max(end, start)
            # an open lead is still in its last stage: its entry starts a step before now
            steps = len(path) - 1 if current.is_won else len(path)
            step = (end - start) / max(steps, 1)
            for index, stage in enumerate(path):
                last = index == len(path) - 1
                date_in = start + step * index
                if not last:
                    outcome, date_out, next_stage = "forward", start + step * (index + 1), path[index + 1].id
                elif not lead.active:
                    outcome, date_out, next_stage = "lost", end, False
                else:
                    outcome, date_out, next_stage = "open", False, False
                values.append(
                    {
                        "lead_id": lead.id,
                        "stage_id": stage.id,
                        "next_stage_id": next_stage,
                        "user_id": lead.user_id.id,
                        "team_id": lead.team_id.id,
                        "company_id": lead.company_id.id,
                        "date_in": date_in,
                        "date_out": date_out,
                        "outcome": outcome,
                    }
                )
        self.search([("lead_id", "in", leads.ids)]).unlink()
        return self.create(values)

    @api.model
    def _record_lost(self, leads, now=None):
        """``leads`` were lost (archived): their open entries end there."""
        self._close(leads, now or fields.Datetime.now(), lambda entry: "lost")

    def _close(self, leads, now, outcome_of):
        open_entries = self.search([("lead_id", "in", leads.ids), ("date_out", "=", False)])
        by_outcome = defaultdict(lambda: self.browse())
        for entry in open_entries:
            outcome = outcome_of(entry)
            next_stage = entry.lead_id.stage_id if outcome != "lost" else self.env["crm.stage"]
            by_outcome[outcome, next_stage] |= entry
        for (outcome, next_stage), entries in by_outcome.items():
            entries.write({"date_out": now, "outcome": outcome, "next_stage_id": next_stage.id})

    @api.model
    def _direction(self, old_stage, new_stage):
        if new_stage.is_won:
            return "forward"
        return "forward" if (new_stage.sequence, new_stage.id) > (old_stage.sequence, old_stage.id) else "backward"
