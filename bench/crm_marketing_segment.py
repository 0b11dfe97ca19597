"""Benchmark: a segment of 100,000 contacts, and a mailing to it with contact preferences applied.

Steps, on 100,000 contacts inserted in SQL (each with an email and a mobile; one in ten
refuses email, the contact preference of ``crm_allow_email``):

* a dynamic segment (a condition on the city) and a static list of the same contacts:
  the seconds to fill the list, to count the members (``member_count``) and to read them
  (``_crm_segment_partners``);
* Odoo's own mailing to those contacts (a domain on the city, no segment), then the same
  mailing restricted to the static list (``crm_segment_id``): recipients computed by
  mass_mailing, the preferences and blacklists applied by its opt-out lists, one
  ``mail.mail`` per recipient queued (``action_send_mail``; nothing leaves the machine).
  Prints both times and their ratio: the segment should cost next to nothing.

Set ``BENCH_SEGMENT_SIZE`` (default 100000) to run another size. Run through
``python3 scripts/suite.py bench crm_marketing`` (an Odoo shell script: ``env`` is given).
Everything is rolled back: the mailing's auto-commit is turned off as in tests.
"""

import os
import threading
import time

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
env = env(context={})  # tracking on, as in production
cr = env.cr
size = int(os.environ.get("BENCH_SEGMENT_SIZE", "100000"))
# mass_mailing commits every batch outside tests: keep the bench's data out of the database
threading.current_thread().testing = True


def timed(label, function):
    env.flush_all()
    env.invalidate_all()
    before = cr.sql_log_count
    started = time.perf_counter()
    result = function()
    env.flush_all()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f}s, {cr.sql_log_count - before} queries", flush=True)
    return result, elapsed


started = time.perf_counter()
cr.execute(
    """
    INSERT INTO res_partner (name, complete_name, email, email_normalized, mobile, phone_sanitized, city,
                             crm_allow_email, crm_allow_sms, crm_allow_phone, crm_allow_post,
                             is_company, active, type, autopost_bills,
                             create_uid, create_date, write_uid, write_date)
    SELECT 'Bench segment contact ' || g, 'Bench segment contact ' || g,
           'bench.segment.' || g || '@example.com', 'bench.segment.' || g || '@example.com',
           '+8613' || lpad(g::text, 9, '0'), '+8613' || lpad(g::text, 9, '0'), 'Bench City',
           g %% 10 <> 0, TRUE, TRUE, TRUE,
           FALSE, TRUE, 'contact', 'ask', 1, NOW() AT TIME ZONE 'UTC', 1, NOW() AT TIME ZONE 'UTC'
      FROM generate_series(1, %(n)s) g
    RETURNING id
    """,
    {"n": size},
)
partner_ids = [row[0] for row in cr.fetchall()]
cr.execute("ANALYZE res_partner")
print(f"generated {size} contacts in {time.perf_counter() - started:.1f}s", flush=True)

Segment = env["crm.segment"]
Partner = env["res.partner"]
dynamic = Segment.create({"name": "Bench dynamic", "domain": "[('city', '=', 'Bench City')]"})
static = Segment.create({"name": "Bench static", "kind": "static"})
timed(f"static list: add {size} members", lambda: static._crm_segment_add_partners(Partner.browse(partner_ids)))
cr.execute("ANALYZE crm_segment_partner_rel")
for segment in (dynamic, static):
    count, __ = timed(f"{segment.kind} segment: member count", lambda s=segment: s.member_count)
    assert count == size, (count, size)
    members, __ = timed(f"{segment.kind} segment: read the members", lambda s=segment: s._crm_segment_partners())
    assert len(members) == size

preferences = hasattr(Partner, "_mailing_get_opt_out_list")
print(f"contact preferences applied by res.partner._mailing_get_opt_out_list: {'yes' if preferences else 'NO'}")
partner_model = env["ir.model"]._get_id("res.partner")
base = {"mailing_type": "mail", "body_html": "<p>Hello {{ object.name }}</p>", "mailing_model_id": partner_model}
results = {}
for label, values in (
    ("Odoo mailing, no segment", {"mailing_domain": "[('city', '=', 'Bench City')]"}),
    ("mailing to the static list", {"crm_segment_id": static.id}),
    ("mailing to the dynamic segment", {"crm_segment_id": dynamic.id}),
):
    mailing = env["mailing.mailing"].create({"subject": label, **base, **values})
    recipients, __ = timed(f"{label}: recipients", mailing._get_recipients)
    assert len(recipients) == size, (len(recipients), size)
    __, elapsed = timed(f"{label}: send ({size} recipients)", mailing.action_send_mail)
    cr.execute(
        "SELECT trace_status, COUNT(*) FROM mailing_trace WHERE mass_mailing_id = %s GROUP BY 1 ORDER BY 1",
        [mailing.id],
    )
    statuses = dict(cr.fetchall())
    print(f"{label}: traces {statuses}, {size / elapsed:,.0f} recipients/s", flush=True)
    results[label] = (elapsed, statuses)

(base_time, base_statuses), *others = results.values()
for label, (elapsed, statuses) in list(results.items())[1:]:
    same = "same traces" if statuses == base_statuses else f"DIFFERENT traces from {base_statuses}"
    print(f"{label} / Odoo mailing: time ratio {elapsed / base_time:.2f}x, {same}")
env.cr.rollback()
