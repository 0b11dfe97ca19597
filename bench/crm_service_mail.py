"""Benchmark: service cases from incoming emails, per second and in queries per email,
against Odoo's own gateway into a stock model on the same mails.

1. Ours: 1,000 raw RFC 822 mails to the ``service`` alias, through
   ``mail.thread.message_process`` as the fetchmail server runs it: 800 from 200 known
   customers, 200 from new senders (a contact is created). Each becomes a case (reference,
   acceptance number, routing, SLA, tracking on) with the mail on it and the "received"
   mail to the customer queued.
2. Odoo's baseline: the same mails (other Message-IDs) through the same gateway into
   ``res.partner`` as the fallback model (what a fetchmail server with a stock model does:
   a record named by the subject, the mail posted on it, nothing else). It is the floor of
   Odoo's gateway, so the ratio says what the case adds.

Both run alternately in slices of 100 mails, so that both see the same machine (the suite's
machines are shared). Each mail is its own transaction in production (the fetchmail server
commits after each one); here between mails the transaction is made what a fresh one would
be: pending writes flushed, the commit's pre-commit hooks run, the record cache emptied. The
notification mails are queued (sent after the commit in production, by SMTP: not measured).

Run through ``python3 scripts/suite.py bench crm_service`` (an Odoo shell script: ``env``
is given). Everything is rolled back at the end.
"""

import statistics
import time

N_KNOWN = 800
N_NEW = 200
N_CUSTOMERS = 200
SLICE = 100
DOMAIN = "bench-mail.example.com"

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
# tracking on, as in production; notification mails queued, as the gateway's commit sends them
env = env(context={"mail_notify_force_send": False})
cr = env.cr

MAIL = """To: {to}
From: {sender}
Subject: {subject}
Message-ID: <{message_id}@bench.example.com>
Date: Fri, 14 Mar 2025 09:30:00 +0000
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset="utf-8"

Hello,

{body}

Best regards,
{name}
--BOUNDARY
Content-Type: text/html; charset="utf-8"

<p>Hello,</p><p>{body}</p><p>Best regards,<br/>{name}</p>
--BOUNDARY--
"""


def fresh_transaction():
    """Where the fetchmail server commits and the next mail starts: pending writes flushed,
    the commit's pre-commit hooks run, an empty record cache (no post-commit: no SMTP)."""
    env.flush_all()
    cr.precommit.run()
    cr.postcommit.clear()
    env.invalidate_all()


def mails(prefix, to):
    """``N_KNOWN`` mails of the known customers, then ``N_NEW`` of new senders."""
    result = []
    for index in range(N_KNOWN + N_NEW):
        if index < N_KNOWN:
            number = index % N_CUSTOMERS
            name, address = f"Bench Customer {number}", f"bench.customer.{number}@example.com"
        else:
            name, address = f"Bench Newcomer {index}", f"bench.newcomer.{prefix}.{index}@example.com"
        result.append(
            MAIL.format(
                to=to,
                sender=f"{name} <{address}>",
                subject=f"Printer {index} shows error E{index % 9}",
                message_id=f"{prefix}-{index}",
                body=f"Since this morning printer {index} shows error E{index % 9} and stops printing.",
                name=name,
            )
        )
    return result


alias_domain = env["mail.alias.domain"].create({"name": DOMAIN})
env.ref("crm_service.crm_service_case_mail_alias").alias_domain_id = alias_domain
env.company.write({"email": f"service@{DOMAIN}", "alias_domain_id": alias_domain.id})
env["res.partner"].create(
    [{"name": f"Bench Customer {i}", "email": f"bench.customer.{i}@example.com"} for i in range(N_CUSTOMERS)]
)
ours_mails = mails("case", f"service@{DOMAIN}")
odoo_mails = mails("partner", f"nobody@{DOMAIN}")
MailThread = env["mail.thread"].sudo()
fresh_transaction()

runs = {"ours": ([], []), "odoo": ([], [])}  # seconds and queries of each mail
for start in range(0, N_KNOWN + N_NEW, SLICE):
    for label, raws, model in (("ours", ours_mails, None), ("odoo", odoo_mails, "res.partner")):
        seconds, queries = runs[label]
        for raw in raws[start : start + SLICE]:
            before, began = cr.sql_log_count, time.perf_counter()
            MailThread.message_process(model, raw)
            fresh_transaction()
            seconds.append(time.perf_counter() - began)
            queries.append(cr.sql_log_count - before)

Case = env["crm.service.case"]
cases = Case.search([("subject", "=like", "Printer % shows error E%")])
received = env["mail.mail"].search_count([("model", "=", "crm.service.case"), ("res_id", "in", cases.ids)])
print(
    f"{len(cases)} cases from {N_KNOWN + N_NEW} mails ({N_KNOWN} of {N_CUSTOMERS} known customers, "
    f"{N_NEW} of new senders); {received} 'received' mails queued"
)


def report(label, seconds, queries):
    total = sum(seconds)
    median_ms, max_ms = statistics.median(seconds) * 1000, max(seconds) * 1000
    known, new = statistics.mean(queries[:N_KNOWN]), statistics.mean(queries[N_KNOWN:])
    print(
        f"{label}: {len(seconds) / total:.1f} mails/s ({total:.1f}s, median {median_ms:.0f} ms, max {max_ms:.0f} ms); "
        f"queries per mail: mean {statistics.mean(queries):.0f}, known customer {known:.0f}, new sender {new:.0f}, "
        f"max {max(queries)}"
    )
    return total, statistics.mean(queries)


ours_time, ours_queries = report("cases (crm.service.case, the service alias)", *runs["ours"])
odoo_time, odoo_queries = report("Odoo's gateway into res.partner (fallback model)", *runs["odoo"])
print(
    f"ratio ours / Odoo's: {ours_time / odoo_time:.1f}x the time, {ours_queries / odoo_queries:.1f}x the queries "
    "per mail (a case: reference, acceptance number, routing, SLA, tracking, the customer's 'received' mail)"
)
env.cr.rollback()
