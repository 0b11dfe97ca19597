from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.crm_lead_stage_history import OUTCOMES


class CrmSfaReportFunnel(models.Model):
    """Stage-to-stage conversion per salesperson, team and period.

    One row per stage entry of ``crm.lead.stage.history``, dated when the lead
    entered the stage. ``conversion_rate`` is 100 for an entry that moved on to a
    later stage and 0 otherwise, averaged by the views: grouped by team then
    salesperson, the team's line is the team average beside each salesperson's rate.
    Entries of won stages, where a funnel ends, have no conversion of their own.
    """

    _name = "crm.sfa.report.funnel"
    _inherit = ["crm.sfa.report.mixin"]
    _description = "Sales Funnel"
    _auto = False
    _rec_name = "stage_id"
    _order = "date desc"
    _depends = {
        "crm.lead.stage.history": [
            "lead_id",
            "stage_id",
            "user_id",
            "team_id",
            "company_id",
            "date_in",
            "outcome",
        ],
        "crm.stage": ["is_won", "sequence"],
    }

    date = fields.Datetime(string="Entered On", readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    entered_count = fields.Integer(string="Entered", readonly=True)
    converted_count = fields.Integer(string="Moved Forward", readonly=True)
    lost_count = fields.Integer(string="Lost", readonly=True)
    conversion_rate = fields.Float(
        string="Conversion (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the stage entries that moved on to a later stage.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        return SQL(
            """
            SELECT h.id,
                   h.date_in AS date,
                   h.lead_id,
                   h.stage_id,
                   h.user_id,
                   h.team_id,
                   h.company_id,
                   h.outcome,
                   1 AS entered_count,
                   CASE WHEN h.outcome = 'forward' THEN 1 ELSE 0 END AS converted_count,
                   CASE WHEN h.outcome = 'lost' THEN 1 ELSE 0 END AS lost_count,
                   CASE WHEN s.is_won THEN NULL WHEN h.outcome = 'forward' THEN 100.0 ELSE 0.0 END
                       AS conversion_rate
              FROM crm_lead_stage_history h
              JOIN crm_stage s ON s.id = h.stage_id
            """
        )
