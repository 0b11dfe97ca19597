"""Benchmark: the process monitor over 1,000,000 work items, warm, in seconds.

Run through ``python3 scripts/suite.py bench crm_workflow`` (an Odoo shell script:
``env`` is given). Rows are generated in SQL; everything is rolled back at the end.
"""

import time

from odoo import Command

N_INSTANCES = 250_000  # four work items each: 1,000,000 work items

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
model = env["ir.model"]._get("crm.event")
process = env["crm.workflow.process"].create(
    {
        "name": "Bench: monitor",
        "code": "BENCH-MONITOR",
        "model_id": model.id,
        "activity_ids": [
            Command.create({"name": f"Step {i}", "kind": kind, "sequence": i})
            for i, kind in enumerate(["start", "human", "human", "end"])
        ],
    }
)
activity_ids = process.activity_ids.ids
company_id = env.company.id
cr = env.cr
started = time.perf_counter()
cr.execute(
    """
    INSERT INTO crm_workflow_instance (process_id, process_code, version, res_model, res_id, res_name, state,
                                       company_id, date_start)
    SELECT %s, 'BENCH-MONITOR', 1, 'crm.event', g, 'Event ' || g,
           CASE WHEN g %% 5 = 0 THEN 'running' ELSE 'done' END, %s,
           NOW() AT TIME ZONE 'UTC' - (g %% 60) * INTERVAL '1 day'
      FROM generate_series(1, %s) g
    RETURNING id
    """,
    [process.id, company_id, N_INSTANCES],
)
cr.execute(
    """
    INSERT INTO crm_workflow_workitem (instance_id, activity_id, process_id, company_id, state, date_offered,
                                       date_taken, date_done, waiting_hours, processing_hours, deadline, escalated)
    SELECT i.id, a.activity_id, %s, %s,
           CASE WHEN i.state = 'running' AND a.pos = 3 THEN 'offered' ELSE 'done' END,
           i.date_start, i.date_start + INTERVAL '1 hour', i.date_start + INTERVAL '3 hours',
           (i.id %% 97) / 10.0, (i.id %% 53) / 10.0,
           i.date_start + INTERVAL '8 hours', FALSE
      FROM crm_workflow_instance i
      CROSS JOIN (SELECT unnest(%s::int[]) AS activity_id, generate_series(1, 4) AS pos) a
     WHERE i.process_id = %s
    """,
    [process.id, company_id, activity_ids, process.id],
)
cr.execute("ANALYZE crm_workflow_workitem")
print(f"generated {N_INSTANCES * 4} work items in {time.perf_counter() - started:.1f}s")

Report = env["crm.workflow.report.activity"]
Report.search_read([("process_id", "=", process.id)])  # warm up
timings = []
for _ in range(5):
    env.invalidate_all()
    started = time.perf_counter()
    rows = Report.search_read([("process_id", "=", process.id)], ["activity_id", "running_count", "p90_waiting_hours"])
    timings.append(time.perf_counter() - started)
print(
    f"monitor over {N_INSTANCES * 4} work items: {len(rows)} rows, best {min(timings):.3f}s, worst {max(timings):.3f}s"
)
env.cr.rollback()
