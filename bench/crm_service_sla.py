"""Benchmark: the SLA check over 100,000 open cases under contract, run to completion.

15 % of the cases have passed a threshold since the last check: 5 % their resolution
warning, 10 % their deadline (half of them straight from on track, half after their
warning), so the check warns about 5,000 cases and escalates 10,000 to their managers
(an activity, a note with tracking and a mail each). Prints the time of the whole run (to stay under
two minutes), the batches and the queries of each.

Run through ``python3 scripts/suite.py bench crm_service`` (an Odoo shell script: ``env``
is given). Cases are inserted in SQL; everything is rolled back at the end.
"""

import time

from odoo import Command, fields

N_CASES = 100_000
N_CUSTOMERS = 500
N_DEPARTMENTS = 5
AGENTS_PER_DEPARTMENT = 10

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
env = env(context={})  # tracking on, as in production
company = env.company
agent_group = env.ref("crm_service.group_crm_service_user")
manager_group = env.ref("crm_service.group_crm_service_manager")


def users(prefix, count, group):
    return env["res.users"].create(
        [
            {
                "name": f"Bench {prefix} {index}",
                "login": f"bench_sla_{prefix}_{index}",
                "email": f"bench_sla_{prefix}_{index}@example.com",
                "groups_id": [Command.link(group.id)],
            }
            for index in range(count)
        ]
    )


departments = env["hr.department"].create([{"name": f"Bench service {i}"} for i in range(N_DEPARTMENTS)])
managers = users("manager", N_DEPARTMENTS, manager_group)
agents = users("agent", N_DEPARTMENTS * AGENTS_PER_DEPARTMENT, agent_group)
env["hr.employee"].create(
    [
        {"name": user.name, "user_id": user.id, "department_id": dept.id}
        for user, dept in zip(managers, departments, strict=True)
    ]
    + [
        {"name": user.name, "user_id": user.id, "department_id": departments[index % N_DEPARTMENTS].id}
        for index, user in enumerate(agents)
    ]
)
for dept, manager in zip(departments, managers, strict=True):
    dept.manager_id = manager.employee_ids
customers = env["res.partner"].create([{"name": f"Bench customer {i}", "is_company": True} for i in range(N_CUSTOMERS)])
contracts = env["crm.service.contract"].create(
    [
        {
            "name": f"Bench contract {customer.name}",
            "partner_id": customer.id,
            "date_start": "2020-01-01",
            "state": "active",
            "line_ids": [Command.create({"priority": "0", "response_hours": 2, "resolution_hours": 8})],
        }
        for customer in customers
    ]
)

cr = env.cr
started = time.perf_counter()
# Cases worked on since their first response. Per 20 cases: one past its resolution
# warning (opened 7 h ago), one past its deadline from on track (10 h), one past it from
# warning (9 h); the others are opened within the hour: nothing due. Targets in plain
# hours (the check reads the stored deadlines, whatever calendar computed them).
cr.execute(
    """
    WITH c AS (
        SELECT g,
               (NOW() AT TIME ZONE 'UTC') - CASE g %% 20 WHEN 0 THEN INTERVAL '7 hours'
                                                         WHEN 1 THEN INTERVAL '10 hours'
                                                         WHEN 2 THEN INTERVAL '9 hours'
                                                         ELSE (g %% 60) * INTERVAL '1 minute' END AS opened
          FROM generate_series(1, %(n)s) g
    )
    INSERT INTO crm_service_case (name, subject, case_type, priority, state, partner_id, user_id, company_id,
                                  contract_id, date_open, date_first_response,
                                  sla_response_warning_date, sla_response_deadline, sla_response_status,
                                  sla_resolution_warning_date, sla_resolution_deadline, sla_resolution_status,
                                  sla_paused_hours, sla_next_check,
                                  create_uid, create_date, write_uid, write_date)
    SELECT 'BENCH/' || g, 'Bench case ' || g, 'service', '0', 'in_progress',
           (%(customers)s::int[])[1 + g %% %(n_customers)s], (%(agents)s::int[])[1 + g %% %(n_agents)s], %(company)s,
           (%(contracts)s::int[])[1 + g %% %(n_customers)s], opened, opened + INTERVAL '30 minutes',
           opened + INTERVAL '96 minutes', opened + INTERVAL '2 hours', 'met',
           opened + INTERVAL '384 minutes', opened + INTERVAL '8 hours',
           CASE WHEN g %% 20 = 2 THEN 'warning' ELSE 'on_track' END,
           0,
           CASE WHEN g %% 20 = 2 THEN opened + INTERVAL '8 hours' ELSE opened + INTERVAL '384 minutes' END,
           1, NOW() AT TIME ZONE 'UTC', 1, NOW() AT TIME ZONE 'UTC'
      FROM c
    """,
    {
        "n": N_CASES,
        "customers": customers.ids,
        "n_customers": N_CUSTOMERS,
        "agents": agents.ids,
        "n_agents": len(agents),
        "company": company.id,
        "contracts": contracts.ids,
    },
)
cr.execute("ANALYZE crm_service_case")
env.invalidate_all()
print(f"generated {N_CASES} open cases in {time.perf_counter() - started:.1f}s")

Case = env["crm.service.case"]
now = fields.Datetime.now()
due = Case.search_count([("sla_next_check", "<=", now)])
print(f"due at the check: {due} of {Case.search_count([('state', '=', 'in_progress')])} open cases")

queries, timings = [], []
started = time.perf_counter()
while True:
    before, batch_started = cr.sql_log_count, time.perf_counter()
    done = Case._cron_sla()
    env.flush_all()
    cr.flush()
    if not done:
        break
    queries.append(cr.sql_log_count - before)
    timings.append(time.perf_counter() - batch_started)
    env.invalidate_all()  # each run of the cron starts with an empty cache
elapsed = time.perf_counter() - started

statuses = dict(Case._read_group([("name", "=like", "BENCH/%")], ["sla_resolution_status"], ["__count"]))
escalated = Case.search_count([("name", "=like", "BENCH/%"), ("user_id", "in", managers.ids)])
print(
    f"SLA check to completion: {elapsed:.1f}s for {len(queries)} batches of up to 500 cases "
    f"({due / elapsed:.0f} due cases/s); {'under' if elapsed < 120 else 'OVER'} 2 minutes"
)
print(
    f"queries per batch: min {min(queries)}, max {max(queries)}, mean {sum(queries) / len(queries):.0f}; "
    f"seconds per batch: min {min(timings):.2f}, max {max(timings):.2f}"
)
print(
    f"after: {statuses.get('warning', 0)} warning, {statuses.get('breached', 0)} breached "
    f"({escalated} escalated), {statuses.get('on_track', 0)} on track; "
    f"{env['mail.activity'].search_count([('res_model', '=', 'crm.service.case')])} activities, "
    f"{env['mail.mail'].search_count([('model', '=', 'crm.service.case')])} mails"
)
started = time.perf_counter()
nothing = Case._cron_sla()
print(f"a second check right after: {nothing} cases in {time.perf_counter() - started:.3f}s")
env.cr.rollback()
