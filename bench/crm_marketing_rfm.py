"""Benchmark: the RFM and ABC classification of a company's customers, at two sizes.

Sizes: 100,000 customers with 500,000 invoices, then 1,000,000 customers with
5,000,000 invoices (each size in a company of its own; one invoice in eleven is a credit
note; the invoices go to the customers with a skew, the first ones buying most, and their
dates spread over two years, so that some customers are lapsed and some never bought). Prints the
seconds of each recompute, invoices read per second, and the ratio of the times to the
ratio of the data: linear means the two ratios are close.

Only ``account_move`` rows are inserted, no journal items: the classification reads the
invoices' stored ``amount_untaxed_signed`` and ``commercial_partner_id``, not their lines.
Set ``BENCH_RFM_SIZES="20000:100000,200000:1000000"`` to run other sizes.

Run through ``python3 scripts/suite.py bench crm_marketing`` (an Odoo shell script: ``env``
is given). Data are inserted in SQL with ``generate_series``; everything is rolled back.
"""

import os
import time

from odoo import fields

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
env = env(context={})  # tracking on, as in production
cr = env.cr
sizes = [
    tuple(int(part) for part in size.split(":"))
    for size in os.environ.get("BENCH_RFM_SIZES", "100000:500000,1000000:5000000").split(",")
]
today = fields.Date.context_today(env["res.partner"])
journal = env["account.journal"].search([], limit=1)
Score = env["crm.marketing.rfm.score"]
results = []
for n_customers, n_invoices in sizes:
    company = env["res.company"].create({"name": f"Bench RFM {n_customers}"})
    env.flush_all()
    started = time.perf_counter()
    cr.execute(
        """
        INSERT INTO res_partner (id, commercial_partner_id, name, complete_name, is_company, active, type,
                                 autopost_bills, company_id, create_uid, create_date, write_uid, write_date)
        SELECT id, id, 'Bench RFM customer ' || g, 'Bench RFM customer ' || g, TRUE, TRUE, 'contact',
               'ask', NULL, 1, NOW() AT TIME ZONE 'UTC', 1, NOW() AT TIME ZONE 'UTC'
          FROM (SELECT nextval('res_partner_id_seq') AS id, g FROM generate_series(1, %(n)s) g) s
        RETURNING id
        """,
        {"n": n_customers},
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    first, last = min(partner_ids), max(partner_ids)
    assert last - first + 1 == n_customers, "the customers' ids are one range"
    cr.execute("SELECT setseed(0.42)")  # the same data at every run
    cr.execute(
        """
        INSERT INTO account_move (journal_id, currency_id, company_id, state, move_type, auto_post,
                                  partner_id, commercial_partner_id, date, invoice_date, amount_untaxed_signed,
                                  create_uid, create_date, write_uid, write_date)
        SELECT %(journal)s, %(currency)s, %(company)s, 'posted',
               CASE WHEN g %% 11 = 0 THEN 'out_refund' ELSE 'out_invoice' END, 'no',
               p, p, d, d,
               CASE WHEN g %% 11 = 0 THEN -1 ELSE 1 END * (50 + floor(5000 * random())),
               1, NOW() AT TIME ZONE 'UTC', 1, NOW() AT TIME ZONE 'UTC'
          FROM (SELECT g, %(first)s + floor(%(n_customers)s * power(random(), 2))::int AS p,
                       %(today)s::date - floor(730 * random())::int AS d
                  FROM generate_series(1, %(n)s) g) s
        """,
        {
            "journal": journal.id,
            "currency": company.currency_id.id,
            "company": company.id,
            "first": first,
            "n_customers": n_customers,
            "today": today,
            "n": n_invoices,
        },
    )
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE account_move")
    env.invalidate_all()
    print(
        f"generated {n_customers} customers and {n_invoices} invoices in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    for run in ("first", "again"):
        before = cr.sql_log_count
        started = time.perf_counter()
        Score._crm_recompute(company, today)
        env.flush_all()
        elapsed = time.perf_counter() - started
        queries = cr.sql_log_count - before
        print(
            f"recompute ({run}) {n_customers} customers / {n_invoices} invoices: {elapsed:.1f}s, "
            f"{n_invoices / elapsed:,.0f} invoices/s, {queries} queries",
            flush=True,
        )
    results.append((n_customers, n_invoices, elapsed))
    classes = dict(Score._read_group([("company_id", "=", company.id)], ["rfm_class"], ["__count"]))
    abc = dict(Score._read_group([("company_id", "=", company.id)], ["abc_class"], ["__count"]))
    print(f"classes: {classes}; ABC: {abc}", flush=True)

if len(results) > 1:
    (small_c, small_i, small_t), (large_c, large_i, large_t) = results[0], results[-1]
    print(
        f"data ratio {large_i / small_i:.1f}x, time ratio {large_t / small_t:.1f}x "
        f"({'linear' if large_t / small_t < 1.5 * large_i / small_i else 'NOT linear'})"
    )
env.cr.rollback()
