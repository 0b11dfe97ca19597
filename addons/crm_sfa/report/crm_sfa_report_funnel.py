from odoo import fields, models, tools
from odoo.tools import SQL

from ..lib.conversion import converted_sql
from ..models.crm_lead_stage_history import OUTCOMES


class CrmSfaReportFunnel(models.Model):
    """Stage-to-stage conversion per salesperson, team and period.

    One row per stage entry of ``crm.lead.stage.history``, dated when the lead
    entered the stage. ``converted_count`` is 1 for an entry that converted
    (:func:`..lib.conversion.converted_sql`: moved on to a later stage, or entered a won
    stage and stays won) and ``conversion_rate`` 100 for it, 0 otherwise, averaged by the
    views: grouped by team then salesperson, the team's line is the team average beside
    each salesperson's rate. The conversion alert reads these rows: the rate it compares
    is the one this report shows.

    The query is built from :meth:`_select`, :meth:`_from` and :meth:`_where`, which a
    module extends through ``super()`` to add columns (and their fields) or joins.
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
    converted_count = fields.Integer(
        string="Converted",
        readonly=True,
        help="Stage entries that moved on to a later stage, or entered a won stage and stay won.",
    )
    lost_count = fields.Integer(string="Lost", readonly=True)
    conversion_rate = fields.Float(
        string="Conversion (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the stage entries that converted: moved on to a later stage, or won.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        return SQL("SELECT %s FROM %s WHERE %s", self._select(), self._from(), self._where())

    def _select(self):
        converted = converted_sql(SQL("h.outcome"), SQL("s.is_won"))
        return SQL(
            """
                   h.id,
                   h.date_in AS date,
                   h.lead_id,
                   h.stage_id,
                   h.user_id,
                   h.team_id,
                   h.company_id,
                   h.outcome,
                   1 AS entered_count,
                   CASE WHEN %(converted)s THEN 1 ELSE 0 END AS converted_count,
                   CASE WHEN h.outcome = 'lost' THEN 1 ELSE 0 END AS lost_count,
                   CASE WHEN %(converted)s THEN 100.0 ELSE 0.0 END AS conversion_rate
            """,
            converted=converted,
        )

    def _from(self):
        return SQL(
            """
                   crm_lead_stage_history h
              JOIN crm_stage s ON s.id = h.stage_id
            """
        )

    def _where(self):
        return SQL("TRUE")
