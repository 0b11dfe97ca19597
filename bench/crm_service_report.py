"""Benchmark: the service analysis over 100,000 cases and the Service Overview of 20 teams, warm, in seconds.

The cases are spread over the last year, 20 teams of 5 agents in 5 departments (4 teams
each), 7 channels, 1,000 customers in 10 countries, 50 products; an eleventh unassigned, a
fifth still open, a third of the solved ones rated. The analysis is read the way its
views read it (``read_group``: the bar graph by channel, the line graph by month, with
every measure of the pivot), best and worst of 5, by the superuser and, with their record
rules, by an executive (all), a department manager (their department's 4 teams) and an
agent (own, unassigned, their team's). The dashboard reads the counters, averages and
week graph of the 20 teams as its kanban does, as the manager and as the executive, with
the number of queries.

Run through ``python3 scripts/suite.py bench crm_service`` (an Odoo shell script: ``env``
is given). Cases and ratings are inserted in SQL; everything is rolled back at the end.
"""

import time

from odoo import Command, fields

N_CASES = 100_000
N_TEAMS = 20
AGENTS_PER_TEAM = 5
N_DEPARTMENTS = 5
N_CUSTOMERS = 1_000
N_PRODUCTS = 50
COUNTRIES = ("cn", "us", "fr", "de", "jp", "uk", "in", "br", "it", "es")
DASHBOARD_FIELDS = [
    "open_case_count",
    "unassigned_case_count",
    "sla_warning_case_count",
    "sla_breached_case_count",
    "opened_today_case_count",
    "solved_case_count",
    "rating_avg_month",
    "response_hours_avg_month",
    "dashboard_graph_data",
]
MEASURES = ["nbr:sum", "response_hours:avg", "resolution_hours:avg", "sla_compliance:avg", "rating:avg", "open:sum"]

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
env = env(context={})  # tracking on, as in production
cr = env.cr
company = env.company
started = time.perf_counter()


def users(prefix, count, group):
    return env["res.users"].create(
        [
            {
                "name": f"Bench {prefix} {index}",
                "login": f"bench_report_{prefix}_{index}",
                "groups_id": [Command.link(env.ref(group).id)],
            }
            for index in range(count)
        ]
    )


departments = env["hr.department"].create([{"name": f"Bench service {i}"} for i in range(N_DEPARTMENTS)])
managers = users("manager", N_DEPARTMENTS, "crm_service.group_crm_service_manager")
agents = users("agent", N_TEAMS * AGENTS_PER_TEAM, "crm_service.group_crm_service_user")
executive = users("executive", 1, "crm_service.group_crm_service_executive")
# team t: agents 5t .. 5t+4, in department t % 5
env["hr.employee"].create(
    [
        {"name": user.name, "user_id": user.id, "department_id": dept.id}
        for user, dept in zip(managers, departments, strict=True)
    ]
    + [
        {"name": user.name, "user_id": user.id, "department_id": departments[(i // AGENTS_PER_TEAM) % N_DEPARTMENTS].id}
        for i, user in enumerate(agents)
    ]
)
teams = env["crm.service.team"].create(
    [
        {
            "name": f"Bench team {t}",
            "member_ids": [Command.set(agents[t * AGENTS_PER_TEAM : (t + 1) * AGENTS_PER_TEAM].ids)],
        }
        for t in range(N_TEAMS)
    ]
)
countries = [env.ref(f"base.{code}") for code in COUNTRIES]
customers = env["res.partner"].create(
    [
        {"name": f"Bench customer {i}", "is_company": True, "country_id": countries[i % len(countries)].id}
        for i in range(N_CUSTOMERS)
    ]
)
products = env["product.product"].create([{"name": f"Bench product {i}"} for i in range(N_PRODUCTS)])
env.flush_all()

# Case g: agent g % 100 (of team (g % 100) // 5), unassigned every eleventh; opened g % 365
# days and g % 24 hours ago; every fifth open (new, in progress, waiting), the others
# solved but every 20th cancelled; answered after g % 13 hours, solved g % 97 hours after;
# SLA met, breached or at warning by g % 7; a third of the solved rated 1 to 5.
cr.execute(
    """
    WITH c AS (
        SELECT g,
               (%(agents)s::int[])[1 + g %% %(n_agents)s] AS agent,
               (%(teams)s::int[])[1 + (g %% %(n_agents)s) / %(per_team)s] AS team,
               (NOW() AT TIME ZONE 'UTC') - (g %% 365) * INTERVAL '1 day' - (g %% 24) * INTERVAL '1 hour' AS opened,
               CASE WHEN g %% 20 = 0 THEN 'cancel'
                    WHEN g %% 5 = 0 THEN (ARRAY['new', 'in_progress', 'waiting'])[1 + g %% 3]
                    ELSE 'solved' END AS state
          FROM generate_series(1, %(n)s) g
    )
    INSERT INTO crm_service_case (name, subject, case_type, channel, priority, state, brief_status,
                                  partner_id, user_id, team_id, company_id, product_id,
                                  date_open, date_first_response, date_closed,
                                  sla_response_status, sla_resolution_status, rating_last_value,
                                  sla_paused_hours, create_uid, create_date, write_uid, write_date)
    SELECT 'BENCH/' || g, 'Bench case ' || g, 'service',
           (ARRAY['phone', 'email', 'portal', 'web', 'chat', 'sms', 'walk_in'])[1 + g %% 7],
           (g %% 3)::varchar, state, 'received',
           (%(customers)s::int[])[1 + g %% %(n_customers)s],
           CASE WHEN g %% 11 = 0 THEN NULL ELSE agent END, team, %(company)s,
           (%(products)s::int[])[1 + g %% %(n_products)s],
           opened,
           CASE WHEN state NOT IN ('new', 'cancel') THEN opened + (g %% 13) * INTERVAL '1 hour' END,
           CASE WHEN state = 'solved' THEN opened + (g %% 13 + g %% 97) * INTERVAL '1 hour' END,
           CASE WHEN state IN ('new', 'cancel') THEN NULL WHEN g %% 7 = 0 THEN 'breached' ELSE 'met' END,
           CASE WHEN state = 'solved' THEN (CASE WHEN g %% 7 IN (0, 1) THEN 'breached' ELSE 'met' END)
                WHEN state = 'cancel' THEN NULL
                WHEN g %% 7 = 2 THEN 'warning' ELSE 'on_track' END,
           CASE WHEN state = 'solved' AND g %% 3 = 0 THEN 1 + g %% 5 ELSE 0 END,
           0, 1, opened, 1, opened
      FROM c
    """,
    {
        "agents": agents.ids,
        "n_agents": len(agents),
        "teams": teams.ids,
        "per_team": AGENTS_PER_TEAM,
        "customers": customers.ids,
        "n_customers": N_CUSTOMERS,
        "products": products.ids,
        "n_products": N_PRODUCTS,
        "company": company.id,
        "n": N_CASES,
    },
)
# the ratings the cases' last ratings come from, given a day after the case was solved
cr.execute(
    """
    INSERT INTO rating_rating (res_model_id, res_model, res_id, partner_id, rating, rating_text, consumed,
                               access_token, create_uid, create_date, write_uid, write_date)
    SELECT %(model)s, 'crm.service.case', c.id, c.partner_id, c.rating_last_value,
           CASE WHEN c.rating_last_value >= 4 THEN 'top' WHEN c.rating_last_value >= 3 THEN 'ok' ELSE 'ko' END,
           TRUE, md5(c.id::text), 1, c.date_closed + INTERVAL '1 day', 1, c.date_closed + INTERVAL '1 day'
      FROM crm_service_case c
     WHERE c.name LIKE 'BENCH/%%' AND c.rating_last_value > 0
    """,
    {"model": env["ir.model"]._get_id("crm.service.case")},
)
n_ratings = cr.rowcount
cr.execute("ANALYZE crm_service_case")
cr.execute("ANALYZE rating_rating")
env.invalidate_all()
print(f"generated {N_CASES} cases and {n_ratings} ratings in {time.perf_counter() - started:.1f}s")

manager = managers[0]  # department 0: teams 0, 5, 10, 15
agent = agents[0]  # team 0
roles = (("superuser", env), ("executive", env(user=executive.id)), ("manager", env(user=manager.id)))
roles += (("agent", env(user=agent.id)),)


def best_of_5(run):
    run()  # warm up
    timings = []
    for __ in range(5):
        env.invalidate_all()
        begun = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - begun)
    return result, min(timings), max(timings)


for groupby in ("channel", "date_open:month"):
    for role, role_env in roles:
        Report = role_env["crm.service.report.case"]
        groups, best, worst = best_of_5(lambda R=Report, g=groupby: R.read_group([], MEASURES, [g], lazy=False))
        rows = sum(group["__count"] for group in groups)
        print(
            f"analysis by {groupby:<16} as {role:<9}: {len(groups):>2} groups of {rows:>6} cases, "
            f"best {best:.3f}s, worst {worst:.3f}s"
        )

for role, role_env in (("manager", env(user=manager.id)), ("executive", env(user=executive.id))):
    Team = role_env["crm.service.team"]
    board = Team.search([("id", "in", teams.ids)])

    def dashboard(board=board):
        before = cr.sql_log_count
        board.read(DASHBOARD_FIELDS)
        return cr.sql_log_count - before

    queries, best, worst = best_of_5(dashboard)
    open_cases = sum(board.mapped("open_case_count"))
    print(
        f"dashboard of {len(board)} teams as {role:<9}: {queries} queries, best {best:.3f}s, worst {worst:.3f}s "
        f"({open_cases} open cases counted)"
    )

now = fields.Datetime.now()
print(f"(measured at {now} UTC)")
env.cr.rollback()
