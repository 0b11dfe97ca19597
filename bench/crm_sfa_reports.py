"""Benchmark: the funnel and forecast reports over 1,000,000 leads, warm, in seconds.

Run through ``python3 scripts/suite.py bench crm_sfa`` (an Odoo shell script: ``env``
is given). Leads and their stage history are generated in SQL; everything is rolled
back at the end. Each report is read the way its pivot view reads it (``read_group``),
best and worst of 5, by the superuser and, with their record rules, by an executive
(*All Documents*), a department manager (*Department Documents*, the department of one
team of four: its ten salespeople's leads) and a salesperson (*Own Documents Only*).

In the same run, for comparison, Odoo's own screens over the same leads, read as their
pivots read them: the pipeline (``crm.lead``, opportunities by stage and salesperson,
expected revenue) and the forecast (open opportunities by expected closing month and
salesperson, prorated revenue); the ratio ours / Odoo's closes each role's lines.
"""

import time
from datetime import date, timedelta

from odoo import Command

N_LEADS = 1_000_000
N_SELLERS = 40
N_TEAMS = 4

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
cr = env.cr
company = env.company
started = time.perf_counter()

sellers = env["res.users"].create(
    [
        {
            "name": f"Bench Seller {index}",
            "login": f"bench_reports_seller_{index}",
            "groups_id": [Command.set([env.ref("sales_team.group_sale_salesman").id])],
        }
        for index in range(N_SELLERS)
    ]
)
teams = env["crm.team"].create(
    [
        {
            "name": f"Bench Team {index}",
            "member_ids": [Command.set(sellers[index::N_TEAMS].ids)],
        }
        for index in range(N_TEAMS)
    ]
)
executive = env["res.users"].create(
    {
        "name": "Bench Executive",
        "login": "bench_reports_executive",
        "groups_id": [Command.set([env.ref("sales_team.group_sale_salesman_all_leads").id])],
    }
)
manager = env["res.users"].create(
    {
        "name": "Bench Department Manager",
        "login": "bench_reports_manager",
        "groups_id": [Command.set([env.ref("crm_sfa.group_crm_sfa_manager").id])],
    }
)
# one department per team under a sales division; the manager heads the first team's
Department = env["hr.department"]
division = Department.create({"name": "Bench Sales Division"})
departments = Department.create(
    [{"name": f"Bench Department {index}", "parent_id": division.id} for index in range(N_TEAMS)]
)
env["hr.employee"].create(
    [
        {"name": seller.name, "user_id": seller.id, "department_id": departments[index % N_TEAMS].id}
        for index, seller in enumerate(sellers)
    ]
    + [{"name": manager.name, "user_id": manager.id, "department_id": departments[0].id}]
)
teams[0].user_id = manager
# seller 0's leads are all won or lost (every multiple of 40 is one of 5 or 7): seller 1 has open ones
salesperson = sellers[1]
Stage = env["crm.stage"]
stages = Stage.search([("is_won", "=", False)], order="sequence, id")[:3]
stages |= Stage.create([{"name": f"Bench Stage {i}", "sequence": 50 + i} for i in range(3 - len(stages))])
won_stage = Stage.search([("is_won", "=", True)], limit=1) or Stage.create({"name": "Won", "is_won": True})
seller_ids = sellers.ids
team_of_seller = [teams[index % N_TEAMS].id for index in range(N_SELLERS)]

# Lead g: level 1-3 (the stage it reached) or 4 (won); every fifth open lead is lost.
cr.execute(
    """
    INSERT INTO crm_lead (name, type, active, user_id, team_id, company_id, stage_id, probability,
                          expected_revenue, prorated_revenue, crm_forecast_category, date_deadline,
                          create_date, write_date, date_last_stage_update, date_closed)
    SELECT 'Bench lead ' || g, 'opportunity', NOT lost, seller, team, %(company)s,
           (%(stages)s::int[])[level], probability,
           revenue, ROUND(revenue * probability / 100.0, 2),
           CASE WHEN probability >= 80 THEN 'commit' WHEN probability >= 50 THEN 'best_case' ELSE 'pipeline' END,
           CURRENT_DATE + ((g %% 730) - 365),
           created, created, created + INTERVAL '3 days',
           CASE WHEN level = 4 OR lost THEN created + INTERVAL '20 days' END
      FROM (
        SELECT g,
               (%(sellers)s::int[])[g %% %(n_sellers)s + 1] AS seller,
               (%(teams)s::int[])[g %% %(n_sellers)s + 1] AS team,
               CASE WHEN g %% 7 = 0 THEN 4 ELSE g %% 3 + 1 END AS level,
               g %% 5 = 0 AND g %% 7 <> 0 AS lost,
               CASE WHEN g %% 7 = 0 THEN 100 WHEN g %% 5 = 0 THEN 0 ELSE (g %% 3) * 30 + 10 + g %% 20 END
                   AS probability,
               (g %% 100 + 1) * 100.0 AS revenue,
               NOW() AT TIME ZONE 'UTC' - (g %% 730) * INTERVAL '1 day' AS created
          FROM generate_series(1, %(n)s) g
      ) leads
    """,
    {
        "company": company.id,
        "stages": [*stages.ids, won_stage.id],
        "sellers": seller_ids,
        "teams": team_of_seller,
        "n_sellers": N_SELLERS,
        "n": N_LEADS,
    },
)
# One stage entry per stage a lead went through: forward out of the earlier ones,
# then open, lost or (for the won stage) open.
cr.execute(
    """
    INSERT INTO crm_lead_stage_history (lead_id, stage_id, next_stage_id, user_id, team_id, company_id,
                                        date_in, date_out, outcome)
    SELECT l.id, (%(stages)s::int[])[s.pos],
           CASE WHEN s.pos < s.level THEN (%(stages)s::int[])[s.pos + 1] END,
           l.user_id, l.team_id, l.company_id,
           l.create_date + (s.pos - 1) * INTERVAL '3 days',
           CASE WHEN s.pos < s.level OR NOT l.active THEN l.create_date + s.pos * INTERVAL '3 days' END,
           CASE WHEN s.pos < s.level THEN 'forward' WHEN NOT l.active THEN 'lost' ELSE 'open' END
      FROM crm_lead l
      JOIN LATERAL (
          SELECT pos, array_position(%(stages)s::int[], l.stage_id) AS level
            FROM generate_series(1, array_position(%(stages)s::int[], l.stage_id)) pos
      ) s ON TRUE
     WHERE l.name LIKE 'Bench lead %%'
    """,
    {"stages": [*stages.ids, won_stage.id]},
)
cr.execute("SELECT COUNT(*) FROM crm_lead_stage_history")
n_entries = cr.fetchone()[0]
cr.execute("ANALYZE crm_lead")
cr.execute("ANALYZE crm_lead_stage_history")
print(f"generated {N_LEADS} leads and {n_entries} stage entries in {time.perf_counter() - started:.1f}s")

started = time.perf_counter()
env["crm.forecast.win.rate"]._refresh(company)
print(f"win rates of {N_SELLERS} salespeople over {N_LEADS} leads refreshed in {time.perf_counter() - started:.2f}s")

today = date.today()
this_month = today.replace(day=1)
targets = env["crm.sales.target"].create(
    [
        {
            "level": "user",
            "user_id": seller,
            "period_type": "monthly",
            "year": today.year,
            "period_number": month,
            "amount": 50000,
        }
        for seller in seller_ids
        for month in range(1, 13)
    ]
    + [
        {
            "level": "team",
            "team_id": team.id,
            "period_type": "quarterly",
            "year": today.year,
            "period_number": quarter,
            "amount": 1_000_000,
        }
        for team in teams
        for quarter in range(1, 5)
    ]
)
env.flush_all()
started = time.perf_counter()
targets._refresh_achievement()
env.flush_all()
print(f"achievement of {len(targets)} targets refreshed in {time.perf_counter() - started:.2f}s")


def timed(label, model, domain, groupby, fields):
    """Read the groups as the pivot does, warm; print and return the best time."""
    model.read_group(domain, fields, groupby, lazy=False)  # warm up
    timings = []
    for __ in range(5):
        model.env.invalidate_all()
        started = time.perf_counter()
        groups = model.read_group(domain, fields, groupby, lazy=False)
        timings.append(time.perf_counter() - started)
    print(f"{label}: {len(groups)} groups, best {min(timings):.3f}s, worst {max(timings):.3f}s")
    return min(timings)


year_ago = (today - timedelta(days=365)).isoformat()
quarter_start = this_month.replace(month=(this_month.month - 1) // 3 * 3 + 1)
quarter_end = (quarter_start + timedelta(days=95)).replace(day=1)
funnel_fields = ["entered_count:sum", "converted_count:sum", "conversion_rate:avg"]
forecast_fields = ["forecast_revenue:sum", "target_amount:sum", "gap_amount:sum"]  # the pivot's defaults
projection_fields = [*forecast_fields, "weighted_revenue:sum", "commit_revenue:sum", "projected_revenue:sum"]
roles = (
    ("superuser", env),
    ("executive", env(user=executive.id, su=False)),
    ("department manager", env(user=manager.id, su=False)),
    ("salesperson", env(user=salesperson.id, su=False)),
)
ratios = []
for who, user_env in roles:
    Funnel = user_env["crm.sfa.report.funnel"]
    Forecast = user_env["crm.sfa.report.forecast"]
    Lead = user_env["crm.lead"]
    timed(f"[{who}] funnel, all {n_entries} entries, by stage", Funnel, [], ["stage_id"], funnel_fields)
    funnel = timed(
        f"[{who}] funnel, last 12 months, by team, salesperson and stage",
        Funnel,
        [("date", ">=", year_ago)],
        ["team_id", "user_id", "stage_id"],
        funnel_fields,
    )
    timed(
        f"[{who}] funnel, last 12 months, one team, by salesperson and stage",
        Funnel,
        [("date", ">=", year_ago), ("team_id", "=", teams[0].id)],
        ["user_id", "stage_id"],
        funnel_fields,
    )
    forecast = timed(
        f"[{who}] forecast, all open pipeline and targets, by salesperson and month",
        Forecast,
        [],
        ["user_id", "date:month"],
        forecast_fields,
    )
    timed(
        f"[{who}] forecast with weighted, commit and projected, by salesperson and month",
        Forecast,
        [],
        ["user_id", "date:month"],
        projection_fields,
    )
    timed(
        f"[{who}] forecast, this quarter, salesperson targets, by team and month",
        Forecast,
        [
            ("date", ">=", quarter_start.isoformat()),
            ("date", "<", quarter_end.isoformat()),
            "|",
            ("level", "=", False),
            ("level", "=", "user"),
        ],
        ["team_id", "date:month"],
        projection_fields,
    )
    # Odoo's own: CRM > Sales > My Pipeline (pivot) and CRM > Reporting > Forecast (pivot)
    pipeline = timed(
        f"[{who}] Odoo's pipeline, opportunities by stage and salesperson",
        Lead,
        [("type", "=", "opportunity")],
        ["stage_id", "user_id"],
        ["expected_revenue:sum"],
    )
    odoo_forecast = timed(
        f"[{who}] Odoo's forecast, open opportunities by expected closing month and salesperson",
        Lead,
        [("type", "=", "opportunity"), ("probability", "<", 100)],
        ["date_deadline:month", "user_id"],
        ["prorated_revenue:sum"],
    )
    ratios.append((who, funnel / pipeline, forecast / odoo_forecast))
for who, funnel_ratio, forecast_ratio in ratios:
    print(
        f"[{who}] ours / Odoo's: funnel (default pivot) / pipeline {funnel_ratio:.2f}, "
        f"forecast (default pivot) / Odoo's forecast {forecast_ratio:.2f}"
    )
env.cr.rollback()
