from odoo import fields, models, tools
from odoo.tools import SQL


class CrmWorkflowReportActivity(models.Model):
    """Per process version and activity: load, delays and throughput of the work items.

    Read by the monitor; one aggregate over the indexed work items, so it answers
    from the database in one query whatever the number of instances.
    """

    _name = "crm.workflow.report.activity"
    _description = "Workflow Monitor"
    _auto = False
    _order = "bottleneck_rank, process_id, activity_id"
    _depends = {
        "crm.workflow.workitem": [
            "process_id",
            "activity_id",
            "company_id",
            "state",
            "deadline",
            "date_done",
            "waiting_hours",
            "processing_hours",
        ],
    }

    process_id = fields.Many2one("crm.workflow.process", readonly=True)
    activity_id = fields.Many2one("crm.workflow.activity", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    kind = fields.Selection(related="activity_id.kind")
    running_count = fields.Integer(string="Running", readonly=True)
    overdue_count = fields.Integer(string="Overdue", readonly=True)
    error_count = fields.Integer(string="In Error", readonly=True)
    done_count = fields.Integer(string="Done", readonly=True)
    avg_waiting_hours = fields.Float(string="Avg Waiting (h)", readonly=True, aggregator="avg")
    p90_waiting_hours = fields.Float(string="P90 Waiting (h)", readonly=True, aggregator="max")
    avg_processing_hours = fields.Float(string="Avg Processing (h)", readonly=True, aggregator="avg")
    p90_processing_hours = fields.Float(string="P90 Processing (h)", readonly=True, aggregator="max")
    throughput_per_day = fields.Float(string="Done per Day (30 days)", readonly=True)
    backlog_hours = fields.Float(
        string="Backlog (h)",
        readonly=True,
        help="Running items times their average waiting time: where work piles up.",
    )
    bottleneck_rank = fields.Integer(readonly=True, aggregator="min")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %s AS (
                    WITH stats AS (
                        SELECT MIN(wi.id) AS id,
                               wi.process_id,
                               wi.activity_id,
                               wi.company_id,
                               COUNT(*) FILTER (WHERE wi.state IN ('waiting', 'active', 'offered', 'taken', 'error'))
                                   AS running_count,
                               COUNT(*) FILTER (
                                   WHERE wi.state IN ('offered', 'taken') AND wi.deadline < NOW() AT TIME ZONE 'UTC'
                               ) AS overdue_count,
                               COUNT(*) FILTER (WHERE wi.state = 'error') AS error_count,
                               COUNT(*) FILTER (WHERE wi.state = 'done') AS done_count,
                               AVG(wi.waiting_hours) FILTER (WHERE wi.date_taken IS NOT NULL) AS avg_waiting_hours,
                               PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY wi.waiting_hours)
                                   FILTER (WHERE wi.date_taken IS NOT NULL) AS p90_waiting_hours,
                               AVG(wi.processing_hours)
                                   FILTER (WHERE wi.state = 'done' AND wi.date_taken IS NOT NULL)
                                   AS avg_processing_hours,
                               PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY wi.processing_hours)
                                   FILTER (WHERE wi.state = 'done' AND wi.date_taken IS NOT NULL)
                                   AS p90_processing_hours,
                               COUNT(*) FILTER (
                                   WHERE wi.state = 'done'
                                     AND wi.date_done > NOW() AT TIME ZONE 'UTC' - INTERVAL '30 days'
                               ) / 30.0 AS throughput_per_day
                          FROM crm_workflow_workitem wi
                         GROUP BY wi.process_id, wi.activity_id, wi.company_id
                    )
                    SELECT stats.*,
                           stats.running_count * COALESCE(stats.avg_waiting_hours, 0) AS backlog_hours,
                           RANK() OVER (
                               ORDER BY stats.running_count * COALESCE(stats.avg_waiting_hours, 0) DESC,
                                        stats.running_count DESC
                           ) AS bottleneck_rank
                      FROM stats
                )
                """,
                SQL.identifier(self._table),
            )
        )
