"""Benchmark: automatic lead assignment by territory, leads per second and queries per lead.

Run through ``python3 scripts/suite.py bench crm_sfa`` (an Odoo shell script: ``env``
is given). 10,000 new unassigned leads from five countries go to 20 salespeople in two
teams, each covering a country and a zip range, through the teams' "Assign Leads" path
(``_action_assign_leads(force_quota=True, creation_delta_days=0)``). For comparison,
Odoo's own two steps (``crm``'s ``_allocate_leads`` and ``_assign_and_convert_leads``,
without territories) then assign 1,000 more, with an email each, and 1,000 without.

Odoo's assignment commits as it goes outside tests; the bench database is dropped after.
"""

import time
from collections import Counter

import odoo
from odoo import Command

from odoo.addons.crm.models.crm_team import Team as OdooTeam

N_LEADS = 10_000
N_ODOO = 1_000
N_MEMBERS = 20

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
env = env(context=dict(env.context, mail_create_nolog=True))
Lead = env["crm.lead"]
countries = [env.ref(f"base.{code}") for code in ("fr", "be", "de", "es", "it")]
zip_ranges = ["00000-49999", "50000-99999"]
env["crm.team"].search([]).write({"assignment_optout": True})
teams = env["crm.team"].create(
    [{"name": f"Bench territory team {index}", "use_leads": True, "use_opportunities": True} for index in range(2)]
)
salesman = env.ref("sales_team.group_sale_salesman")
users = env["res.users"].create(
    [
        {"name": f"Bench seller {index}", "login": f"bench_seller_{index}", "groups_id": [Command.link(salesman.id)]}
        for index in range(N_MEMBERS)
    ]
)
# member i: team i % 2, country i // 4 (four members per country), zip range i % 2
members = env["crm.team.member"].create(
    [
        {
            "crm_team_id": teams[index % 2].id,
            "user_id": user.id,
            "assignment_max": 30 * (N_LEADS // N_MEMBERS + 100),
            "crm_territory_country_ids": [Command.set(countries[index // 4].ids)],
            "crm_territory_zip_ranges": zip_ranges[index % 2],
        }
        for index, user in enumerate(users)
    ]
)


def new_leads(count, prefix, email=True):
    return Lead.create(
        [
            {
                "name": f"{prefix} lead {index}",
                "type": "lead",
                "user_id": False,
                "team_id": False,
                "email_from": email and f"{prefix.lower()}.customer{index}@example.com",
                "country_id": countries[index % len(countries)].id,
                "zip": f"{(index * 7919) % 100000:05d}",
            }
            for index in range(count)
        ]
    )


def timed(label, leads, work):
    env.flush_all()
    env.cr.flush()
    env.invalidate_all()
    queries = odoo.sql_db.sql_counter
    started = time.perf_counter()
    work()
    env.flush_all()
    env.cr.flush()
    elapsed = time.perf_counter() - started
    queries = odoo.sql_db.sql_counter - queries
    count = len(leads)
    assigned = Lead.search_count([("id", "in", leads.ids), ("user_id", "!=", False)])
    print(
        f"{label}: {count} leads in {elapsed:.1f}s = {count / elapsed:.0f} leads/s, "
        f"{queries / count:.2f} queries per lead ({queries} queries), {assigned} assigned"
    )
    return assigned


leads = new_leads(N_LEADS, "Bench")
timed(
    "crm_sfa, by territory",
    leads,
    lambda: teams._action_assign_leads(force_quota=True, creation_delta_days=0),
)
member_of = {member.user_id.id: member for member in members}
per_user, outside = Counter(), 0
for row in leads.read(["user_id", "country_id", "zip"]):
    member = member_of[row["user_id"][0]]
    per_user[member.id] += 1
    low, high = member.crm_territory_zip_ranges.split("-")
    outside += row["country_id"][0] not in member.crm_territory_country_ids.ids or not low <= row["zip"] <= high
print(
    f"  per salesperson: {min(per_user.values())} to {max(per_user.values())} leads; outside their territory: {outside}"
)


def odoo_assignment():
    OdooTeam._allocate_leads(teams, creation_delta_days=0)
    OdooTeam._assign_and_convert_leads(teams, force_quota=True)


# Odoo searches each lead's duplicates by email: with and without one
timed("Odoo's own, no territory, leads with an email", new_leads(N_ODOO, "Odoo"), odoo_assignment)
timed("Odoo's own, no territory, leads without email", new_leads(N_ODOO, "Plain", email=False), odoo_assignment)
env.cr.rollback()
