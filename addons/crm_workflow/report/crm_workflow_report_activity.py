from odoo import fields, models
from odoo.tools import SQL

# The report's fields that are also fields of the work items: filters on them are
# applied to the work items before the aggregate, so that the averages, percentiles and
# the bottleneck rank are those of the filtered set.
ITEM_FILTER_FIELDS = {"process_id", "activity_id", "company_id"}


class CrmWorkflowReportActivity(models.Model):
    """Per process version and activity: load, delays and throughput of the work items.

    Read by the monitor. Its rows aggregate the work items the reader may see (their
    companies and record rules: a department manager sees their department's work),
    restricted by the filters on process, activity and company before aggregating, in
    one query over the indexed work items whatever their number.
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

    @property
    def _table_query(self):
        # with the reader's rights: their companies and the work items' record rules
        items = self.env["crm.workflow.workitem"]._search(self.env.context.get("crm_workflow_monitor_domain") or [])
        where = items.where_clause
        return SQL(MONITOR_QUERY, items.from_clause, SQL("WHERE %s", where) if where else SQL())

    def _search(self, domain, offset=0, limit=None, order=None):
        # The filters on the work items' own fields reach the aggregate: they only narrow
        # what the reader's rules let them see.
        item_domain = _item_domain(domain)
        report = self.with_context(crm_workflow_monitor_domain=item_domain) if item_domain else self
        # a row's figures depend on the filters and on the reader: those read before are stale
        self.invalidate_model()
        return super(CrmWorkflowReportActivity, report)._search(domain, offset=offset, limit=limit, order=order)


def _item_domain(domain):
    """The criteria of a report domain on fields the work items share, ANDed together;
    criteria under ``|`` or ``!`` are left to the outer filter."""
    if any(element in ("|", "!") for element in domain):
        return []
    return [
        element
        for element in domain
        if isinstance(element, list | tuple)
        and len(element) == 3
        and str(element[0]).split(".")[0] in ITEM_FILTER_FIELDS
    ]


MONITOR_QUERY = """
    WITH wi AS (
        -- the work items the reader may see, filtered (inlined by PostgreSQL: no copy)
        SELECT "crm_workflow_workitem".* FROM %s %s
    ), stats AS (
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
                   FILTER (WHERE wi.state = 'done' AND wi.date_taken IS NOT NULL) AS avg_processing_hours,
               PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY wi.processing_hours)
                   FILTER (WHERE wi.state = 'done' AND wi.date_taken IS NOT NULL) AS p90_processing_hours,
               COUNT(*) FILTER (
                   WHERE wi.state = 'done' AND wi.date_done > NOW() AT TIME ZONE 'UTC' - INTERVAL '30 days'
               ) / 30.0 AS throughput_per_day
          FROM wi
         GROUP BY wi.process_id, wi.activity_id, wi.company_id
    )
    SELECT stats.*,
           stats.running_count * COALESCE(stats.avg_waiting_hours, 0) AS backlog_hours,
           RANK() OVER (
               ORDER BY stats.running_count * COALESCE(stats.avg_waiting_hours, 0) DESC, stats.running_count DESC
           ) AS bottleneck_rank
      FROM stats
"""
