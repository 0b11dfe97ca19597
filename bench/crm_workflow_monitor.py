"""Benchmark: the process monitor over 1,000,000 work items of several processes and two
companies, warm, in seconds: read as a superuser and as a department manager (record
rules on), whole and filtered on one process.

Run through ``python3 scripts/suite.py bench crm_workflow`` (an Odoo shell script:
``env`` is given). Rows are generated in SQL; everything is rolled back at the end.
"""

import time

from odoo import Command

N_INSTANCES = 250_000  # four work items each: 1,000,000 work items
N_PROCESSES = 5
N_DEPARTMENTS = 4

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
model = env["ir.model"]._get("crm.event")
companies = env.company | env["res.company"].create({"name": "Bench branch"})
processes = env["crm.workflow.process"].create(
    [
        {
            "name": f"Bench: monitor {index}",
            "code": f"BENCH-MONITOR-{index}",
            "model_id": model.id,
            "activity_ids": [
                Command.create({"name": f"Step {i}", "kind": kind, "sequence": i})
                for i, kind in enumerate(["start", "human", "human", "end"])
            ],
        }
        for index in range(N_PROCESSES)
    ]
)
departments = env["hr.department"].create([{"name": f"Bench department {i}"} for i in range(N_DEPARTMENTS)])
owners = env["res.users"].create(
    [
        {"name": f"Bench owner {i}", "login": f"bench_owner_{i}", "company_ids": [Command.set(companies.ids)]}
        for i in range(N_DEPARTMENTS)
    ]
)
env["hr.employee"].create(
    [
        {"name": user.name, "user_id": user.id, "department_id": dept.id}
        for user, dept in zip(owners, departments, strict=True)
    ]
)
manager = env["res.users"].create(
    {
        "name": "Bench manager",
        "login": "bench_manager",
        "company_ids": [Command.set(companies.ids)],
        "groups_id": [Command.link(env.ref("crm_workflow.group_crm_workflow_manager").id)],
    }
)
env["hr.employee"].create({"name": manager.name, "user_id": manager.id, "department_id": departments[0].id})
cr = env.cr
started = time.perf_counter()
cr.execute(
    """
    INSERT INTO crm_workflow_instance (process_id, process_code, version, res_model, res_id, res_name, state,
                                       company_id, user_id, date_start)
    SELECT (%s::int[])[1 + g %% %s], 'BENCH', 1, 'crm.event', g, 'Event ' || g,
           CASE WHEN g %% 5 = 0 THEN 'running' ELSE 'done' END,
           (%s::int[])[1 + g %% 2], (%s::int[])[1 + (g / 7) %% %s],
           NOW() AT TIME ZONE 'UTC' - (g %% 60) * INTERVAL '1 day'
      FROM generate_series(1, %s) g
    """,
    [processes.ids, N_PROCESSES, companies.ids, owners.ids, N_DEPARTMENTS, N_INSTANCES],
)
cr.execute(
    """
    INSERT INTO crm_workflow_workitem (instance_id, activity_id, process_id, company_id, state, date_offered,
                                       date_taken, date_done, waiting_hours, processing_hours, deadline, escalated,
                                       user_id)
    SELECT i.id, a.id, i.process_id, i.company_id,
           CASE WHEN i.state = 'running' AND a.sequence = 2 THEN 'offered' ELSE 'done' END,
           i.date_start, i.date_start + INTERVAL '1 hour', i.date_start + INTERVAL '3 hours',
           mod(i.id, 97) / 10.0, mod(i.id, 53) / 10.0,
           i.date_start + INTERVAL '8 hours', FALSE, CASE WHEN a.kind = 'human' THEN i.user_id END
      FROM crm_workflow_instance i
      JOIN crm_workflow_activity a ON a.process_id = i.process_id
     WHERE i.process_code = 'BENCH'
    """
)
cr.execute("ANALYZE crm_workflow_instance")
cr.execute("ANALYZE crm_workflow_workitem")
env.invalidate_all()
print(f"generated {N_INSTANCES * 4} work items in {time.perf_counter() - started:.1f}s")

fields = ["process_id", "activity_id", "company_id", "running_count", "p90_waiting_hours", "bottleneck_rank"]
context = {"allowed_company_ids": companies.ids}
for label, Report in (
    ("superuser", env["crm.workflow.report.activity"].with_context(**context)),
    ("department manager", env["crm.workflow.report.activity"].with_user(manager).with_context(**context)),
):
    for scope, domain in (("all processes", []), ("one process", [("process_id", "=", processes[0].id)])):
        Report.search_read(domain, fields)  # warm up
        timings = []
        for _ in range(5):
            env.invalidate_all()
            started = time.perf_counter()
            rows = Report.search_read(domain, fields)
            timings.append(time.perf_counter() - started)
        print(f"monitor as {label}, {scope}: {len(rows)} rows, best {min(timings):.3f}s, worst {max(timings):.3f}s")
env.cr.rollback()
