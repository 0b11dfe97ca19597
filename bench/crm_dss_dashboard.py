"""Benchmark: the executive dashboard, warm, at N and at 10 N records, p95 of 20 calls and query counts.

At ``--scale 1`` (the issue's size) N is 1,000,000 leads (when crm_sfa is installed),
1,000,000 journal items (500,000 posted customer invoices and vendor bills of two lines
each: receivable lines with residuals and maturities, some paid, some partly, some
overdue; income and expense lines), 100,000 service cases (when crm_service is
installed), 100,000 confirmed sales orders of 20,000 customers and 10,000 open and done
follow-ups, over two years, in HQ and a branch. The data are then grown to 10 N and
measured again: the query count must be the same, the time should follow the period's
data, not the whole history.

Everything is inserted set-based in SQL (``INSERT ... SELECT generate_series``, in
batches) and committed, then the ledger cron folds the totals and the tables are
vacuumed and analysed, as autovacuum does on a live instance: measured in one
uncommitted transaction, the ledger would still hold every folded row. So this runs on a
scratch database only. Through ``python3 scripts/suite.py bench crm_dss`` (an Odoo
shell script on a fresh database that is dropped afterwards: ``env`` is given; only
crm_dss is then installed: no leads, no cases), or on a copy of a database of your own
with the add-ons you want::

    python3 bench/crm_dss_dashboard.py -d mydb --scale 0.1 [--growth 10]

which copies ``mydb`` to ``mydb_dss_bench``, runs this file there in ``odoo shell`` with
``BENCH_DSS_SCALE`` and ``BENCH_DSS_GROWTH`` and drops the copy.
"""

import os
import sys
import time

if "env" not in globals():  # run as a script: hand this file to ``odoo shell``
    import argparse
    import subprocess
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = a million leads and journal items")
    parser.add_argument("--growth", type=int, default=10, help="the second measure is at growth x N")
    parser.add_argument("--addons-path", default=None)
    options = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    addons = options.addons_path or ",".join(
        [
            str(root / "addons"),
            str(root / "tests"),
            "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/odoo/addons",
        ]
    )
    scratch = f"{options.database}_dss_bench"
    subprocess.run(["dropdb", "--if-exists", scratch], check=True)  # noqa: S603, S607 - PostgreSQL's client
    subprocess.run(["createdb", "-T", options.database, scratch], check=True)  # noqa: S603, S607
    command = [sys.executable, "-m", "odoo", "shell", "-d", scratch, f"--addons-path={addons}"]
    command += ["--no-http", "--log-level=warn"]
    environment = {**os.environ, "BENCH_DSS_SCALE": str(options.scale), "BENCH_DSS_GROWTH": str(options.growth)}
    try:
        with open(__file__) as stdin:
            returncode = subprocess.run(command, stdin=stdin, env=environment, check=False).returncode  # noqa: S603 - odoo shell on this very script
    finally:
        subprocess.run(["dropdb", "--if-exists", scratch], check=False)  # noqa: S603, S607
    sys.exit(returncode)

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import Command, fields, sql_db

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
env = env(context={})  # tracking on, as in production
cr = env.cr
SCALE = float(os.environ.get("BENCH_DSS_SCALE", "1"))
GROWTH = int(os.environ.get("BENCH_DSS_GROWTH", "10"))
BATCH = 100_000
N_CUSTOMERS = 20_000
N_SELLERS = 50
CALLS = 20
today = fields.Date.context_today(env["res.partner"])
has_leads = "crm.lead" in env
has_cases = "crm.service.case" in env


def sizes(factor):
    return {
        "leads": int(1_000_000 * SCALE * factor) if has_leads else 0,
        "lines": int(1_000_000 * SCALE * factor),
        "cases": int(100_000 * SCALE * factor) if has_cases else 0,
        "orders": int(100_000 * SCALE * factor),
        "follow_ups": int(10_000 * SCALE * factor),
    }


# ---- the setting: HQ and a branch, salespeople, accounts, a journal, customers
hq = env.company
branch = env["res.company"].create({"name": "Bench DSS Branch", "parent_id": hq.id, "currency_id": hq.currency_id.id})
companies = hq | branch
sellers = env["res.users"].create(
    [
        {
            "name": f"Bench DSS seller {i}",
            "login": f"bench_dss_seller_{i}",
            "company_id": companies[i % 2].id,
            "company_ids": [Command.set(companies.ids)],
            "groups_id": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
        }
        for i in range(N_SELLERS)
    ]
)
executive = env["res.users"].create(
    {
        "name": "Bench DSS executive",
        "login": "bench_dss_executive",
        "company_id": hq.id,
        "company_ids": [Command.set(companies.ids)],
        "groups_id": [Command.link(env.ref("crm_dss.group_crm_dss_executive").id)],
    }
)
Account = env["account.account"]
accounts = {
    kind: Account.create({"name": f"Bench {kind}", "code": f"BD{index}", "account_type": kind, "reconcile": index < 2})
    for index, kind in enumerate(("asset_receivable", "liability_payable", "income", "expense"))
}
journal = env["account.journal"].create({"name": "Bench DSS", "code": "BDSS", "type": "general"})
env.flush_all()
cr.execute(
    """
    INSERT INTO res_partner (id, commercial_partner_id, name, complete_name, is_company, active, type,
                             autopost_bills, customer_rank, company_id, create_uid, create_date, write_uid, write_date)
    SELECT id, id, 'Bench DSS customer ' || g, 'Bench DSS customer ' || g, TRUE, TRUE, 'contact', 'ask', 1,
           NULL, 1, NOW() AT TIME ZONE 'UTC' - (g %% 730) * INTERVAL '1 day', 1, NOW() AT TIME ZONE 'UTC'
      FROM (SELECT nextval('res_partner_id_seq') AS id, g FROM generate_series(1, %s) g) s
 RETURNING id
    """,
    [N_CUSTOMERS],
)
customer_ids = [row[0] for row in cr.fetchall()]
seller_ids = sellers.ids
seller_partner_ids = sellers.partner_id.ids
generated = dict.fromkeys(sizes(1), 0)


def vacuum(tables):
    """``VACUUM ANALYZE`` outside the shell's transaction, as autovacuum would after the commits."""
    _name, info = sql_db.connection_info_for(cr.dbname)
    connection = psycopg2.connect(**info)
    connection.autocommit = True
    try:
        with connection.cursor() as vacuum_cr:
            for table in tables:
                vacuum_cr.execute(f"VACUUM ANALYZE {table}")
    finally:
        connection.close()


def generate(target):
    """Insert what is missing to reach ``target`` rows of each kind (set-based, in batches)."""
    started = time.perf_counter()
    params = {
        "companies": companies.ids,
        "sellers": seller_ids,
        "n_sellers": len(seller_ids),
        "customers": customer_ids,
        "n_customers": len(customer_ids),
        "journal": journal.id,
        "currency": hq.currency_id.id,
        "today": today,
        "receivable": accounts["asset_receivable"].id,
        "payable": accounts["liability_payable"].id,
        "income": accounts["income"].id,
        "expense": accounts["expense"].id,
    }
    for first in range(generated["lines"] // 2, target["lines"] // 2, BATCH):
        last = min(first + BATCH, target["lines"] // 2)
        # a move g: a customer invoice (4 in 5) or a vendor bill of two lines, dated g % 730 days ago;
        # invoices are open (g % 3 = 0), paid (1) or half paid (2), due 30 days after their date
        cr.execute(
            """
            WITH g AS (
                SELECT g, %(today)s::date - (g %% 730) AS d, (g %% 97 + 1) * 10.0 AS amount,
                       CASE WHEN g %% 5 = 0 THEN 'in_invoice' ELSE 'out_invoice' END AS move_type,
                       (%(companies)s::int[])[1 + g %% 2] AS company,
                       (%(sellers)s::int[])[1 + g %% %(n_sellers)s] AS seller,
                       (%(customers)s::int[])[1 + g %% %(n_customers)s] AS partner
                  FROM generate_series(%(first)s, %(last)s - 1) g
            ), m AS (
                INSERT INTO account_move (name, journal_id, currency_id, company_id, state, move_type, auto_post,
                                          partner_id, commercial_partner_id, invoice_user_id, date, invoice_date,
                                          invoice_date_due, amount_untaxed_signed, amount_total_signed,
                                          amount_residual_signed, payment_state,
                                          create_uid, create_date, write_uid, write_date)
                SELECT 'BDSS/' || g, %(journal)s, %(currency)s, company, 'posted', move_type, 'no',
                       partner, partner, seller, d, d, d + 30,
                       amount, amount,
                       CASE WHEN g %% 3 = 0 THEN amount WHEN g %% 3 = 1 THEN 0 ELSE amount / 2 END,
                       CASE WHEN g %% 3 = 0 THEN 'not_paid' WHEN g %% 3 = 1 THEN 'paid' ELSE 'partial' END,
                       1, d, 1, d
                  FROM g
             RETURNING id, move_type, company_id, partner_id, date, amount_total_signed AS amount,
                       amount_residual_signed AS residual
            )
            INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id, currency_id,
                                           account_id, partner_id, date, date_maturity, parent_state,
                                           display_type, name, balance, debit, credit, amount_currency,
                                           amount_residual, amount_residual_currency, reconciled,
                                           create_uid, create_date, write_uid, write_date)
            SELECT m.id, %(journal)s, m.company_id, %(currency)s, %(currency)s,
                   CASE WHEN side = 1 AND m.move_type = 'out_invoice' THEN %(receivable)s
                        WHEN side = 1 THEN %(payable)s
                        WHEN m.move_type = 'out_invoice' THEN %(income)s ELSE %(expense)s END,
                   m.partner_id, m.date, CASE WHEN side = 1 THEN m.date + 30 END, 'posted',
                   CASE WHEN side = 1 THEN 'payment_term' ELSE 'product' END, 'Bench',
                   sign * m.amount, GREATEST(sign * m.amount, 0), GREATEST(-sign * m.amount, 0), sign * m.amount,
                   CASE WHEN side = 1 THEN sign * m.residual ELSE 0 END,
                   CASE WHEN side = 1 THEN sign * m.residual ELSE 0 END,
                   side = 1 AND m.residual = 0,
                   1, m.date, 1, m.date
              FROM m
             CROSS JOIN LATERAL (
                 SELECT side,
                        CASE WHEN (side = 1) = (m.move_type = 'out_invoice') THEN 1 ELSE -1 END AS sign
                   FROM (VALUES (1), (2)) s(side)
             ) s
            """,
            {**params, "first": first + 1, "last": last + 1},
        )
    for first in range(generated["orders"], target["orders"], BATCH):
        last = min(first + BATCH, target["orders"])
        cr.execute(
            """
            INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id, company_id, state,
                                    date_order, user_id, currency_id, create_uid, create_date, write_uid, write_date)
            SELECT 'BDSS-SO/' || g, p, p, p, (%(companies)s::int[])[1 + g %% 2], 'sale',
                   NOW() AT TIME ZONE 'UTC' - (g %% 730) * INTERVAL '1 day',
                   (%(sellers)s::int[])[1 + g %% %(n_sellers)s], %(currency)s, 1, NOW(), 1, NOW()
              FROM (SELECT g, (%(customers)s::int[])[1 + (g::bigint * 7919) %% %(n_customers)s] AS p
                      FROM generate_series(%(first)s, %(last)s - 1) g) s
            """,
            {**params, "first": first + 1, "last": last + 1},
        )
    if target["follow_ups"] > generated["follow_ups"]:
        cr.execute(
            """
            INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name, activity_type_id, user_id,
                                       date_deadline, active, create_uid, create_date, write_uid, write_date)
            SELECT %(model)s, 'res.partner', (%(customers)s::int[])[1 + g %% %(n_customers)s], 'Bench',
                   %(type)s, (%(sellers)s::int[])[1 + g %% %(n_sellers)s], %(today)s::date - (g %% 60) + 20,
                   TRUE, 1, NOW(), 1, NOW()
              FROM generate_series(%(first)s, %(last)s - 1) g
            """,
            {
                **params,
                "model": env["ir.model"]._get_id("res.partner"),
                "type": env.ref("mail.mail_activity_data_todo").id,
                "first": generated["follow_ups"] + 1,
                "last": target["follow_ups"] + 1,
            },
        )
        cr.execute(
            """
            INSERT INTO mail_message (model, res_id, message_type, mail_activity_type_id, author_id,
                                      record_company_id, date, body, create_uid, create_date, write_uid, write_date)
            SELECT 'res.partner', (%(customers)s::int[])[1 + g %% %(n_customers)s], 'notification', %(type)s,
                   (%(seller_partners)s::int[])[1 + g %% %(n_sellers)s], (%(companies)s::int[])[1 + g %% 2],
                   NOW() AT TIME ZONE 'UTC' - (g %% 365) * INTERVAL '1 day', '<p>Bench</p>', 1, NOW(), 1, NOW()
              FROM generate_series(%(first)s, %(last)s - 1) g
            """,
            {
                **params,
                "type": env.ref("mail.mail_activity_data_todo").id,
                "seller_partners": seller_partner_ids,
                "first": generated["follow_ups"] + 1,
                "last": target["follow_ups"] + 1,
            },
        )
    for first in range(generated["leads"], target["leads"], BATCH):
        last = min(first + BATCH, target["leads"])
        cr.execute(
            """
            INSERT INTO crm_lead (name, type, active, user_id, company_id, partner_id, probability,
                                  expected_revenue, create_date, write_date)
            SELECT 'Bench DSS lead ' || g, 'opportunity', TRUE, (%(sellers)s::int[])[1 + g %% %(n_sellers)s],
                   (%(companies)s::int[])[1 + g %% 2], (%(customers)s::int[])[1 + g %% %(n_customers)s],
                   g %% 100, (g %% 100 + 1) * 100.0,
                   NOW() AT TIME ZONE 'UTC' - (g %% 730) * INTERVAL '1 day', NOW() AT TIME ZONE 'UTC'
              FROM generate_series(%(first)s, %(last)s - 1) g
            """,
            {**params, "first": first + 1, "last": last + 1},
        )
    for first in range(generated["cases"], target["cases"], BATCH):
        last = min(first + BATCH, target["cases"])
        cr.execute(
            """
            INSERT INTO crm_service_case (name, subject, case_type, channel, priority, state, brief_status,
                                          partner_id, user_id, company_id, date_open, sla_paused_hours,
                                          create_uid, create_date, write_uid, write_date)
            SELECT 'BDSS-CASE/' || g, 'Bench case ' || g, 'service', 'phone', '1',
                   CASE WHEN g %% 5 = 0 THEN 'new' ELSE 'solved' END, 'received',
                   (%(customers)s::int[])[1 + g %% %(n_customers)s], (%(sellers)s::int[])[1 + g %% %(n_sellers)s],
                   (%(companies)s::int[])[1 + g %% 2], NOW() AT TIME ZONE 'UTC' - (g %% 365) * INTERVAL '1 day',
                   0, 1, NOW(), 1, NOW()
              FROM generate_series(%(first)s, %(last)s - 1) g
            """,
            {**params, "first": first + 1, "last": last + 1},
        )
    generated.update(target)
    cr.commit()
    folding = time.perf_counter()
    env["crm.dss.ledger"]._cron_compact()  # the cron folds what the triggers appended
    cr.commit()
    cr.execute("SELECT COUNT(*) FROM crm_dss_ledger")
    print(f"ledger folded in {time.perf_counter() - folding:.1f}s: {cr.fetchone()[0]:,} rows", flush=True)
    tables = ["crm_dss_ledger", "account_move", "account_move_line", "account_partial_reconcile", "sale_order"]
    tables += ["res_partner", "mail_activity", "mail_message"]
    tables += ["crm_lead"] if has_leads else []
    tables += ["crm_service_case"] if has_cases else []
    vacuum(tables)
    env.invalidate_all()
    print(f"generated up to {target} in {time.perf_counter() - started:.1f}s", flush=True)


def measure(label):
    Dashboard = env(user=executive.id, context={"allowed_company_ids": companies.ids})["crm.dss.dashboard"]
    date_from, date_to = today.replace(day=1), today
    Dashboard.get_executive_dashboard(companies.ids, date_from, date_to)  # warm up
    timings, counts = [], []
    for __ in range(CALLS):
        env.invalidate_all()
        before = cr.sql_log_count
        begun = time.perf_counter()
        board = Dashboard.get_executive_dashboard(companies.ids, date_from, date_to)
        timings.append(time.perf_counter() - begun)
        counts.append(cr.sql_log_count - before)
    timings.sort()
    p95 = timings[int(0.95 * CALLS) - 1]
    odoo_p95 = odoo_screens(Dashboard.env)
    kpis = {kpi["key"]: kpi["value"] for section in board["sections"] for kpi in section["kpis"]}
    print(
        f"{label}: p50 {timings[CALLS // 2] * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {timings[-1] * 1000:.0f} ms, {counts[0]} queries (min {min(counts)}, max {max(counts)}); "
        f"outstanding {kpis['outstanding']:,.0f}, overdue {kpis['overdue']:,.0f}, "
        f"signed {kpis['signed_customers']}, income {kpis['income']:,.0f}",
        flush=True,
    )
    print(
        f"  Odoo's own screens for the same figures (Journal Items grouped): p95 {odoo_p95 * 1000:.0f} ms, "
        f"{odoo_p95 / p95:.1f}x the dashboard's time",
        flush=True,
    )
    return p95, counts[0]


def odoo_screens(user_env):
    """Odoo's Journal Items list grouped as an accountant would for the same figures: open
    receivables per company and the twelve months of income and expenses per month."""
    Lines = user_env["account.move.line"].sudo()  # sudo: the bench's executive has no accounting rights
    first_month = today.replace(day=1) - relativedelta(months=11)
    timings = []
    for __ in range(CALLS):
        env.invalidate_all()
        begun = time.perf_counter()
        Lines.web_read_group(
            [
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("company_id", "in", companies.ids),
            ],
            ["amount_residual:sum"],
            ["company_id"],
        )
        Lines.web_read_group(
            [
                ("account_id.account_type", "in", ["income", "income_other", "expense", "expense_direct_cost"]),
                ("parent_state", "=", "posted"),
                ("date", ">=", first_month),
                ("company_id", "in", companies.ids),
            ],
            ["balance:sum"],
            ["date:month"],
        )
        timings.append(time.perf_counter() - begun)
    timings.sort()
    return timings[int(0.95 * CALLS) - 1]


print(f"scale {SCALE}, growth {GROWTH}x, crm_sfa leads: {has_leads}, crm_service cases: {has_cases}", flush=True)
generate(sizes(1))
small = measure(f"N   ({generated['lines']:,} journal items)")
generate(sizes(GROWTH))
large = measure(f"{GROWTH}N ({generated['lines']:,} journal items)")
print(
    f"query count {small[1]} -> {large[1]} ({'same' if small[1] == large[1] else 'DIFFERENT'}); "
    f"p95 {small[0] * 1000:.0f} ms -> {large[0] * 1000:.0f} ms"
)
