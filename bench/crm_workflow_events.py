"""Benchmark: customer events turned into workflow instances, events per second.

Run through ``python3 scripts/suite.py bench crm_workflow`` (an Odoo shell script:
``env`` is given). Everything is rolled back at the end.
"""

import time

import odoo
from odoo import Command

N_EVENTS = 10_000
BATCH = 1_000

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``
partner = env["res.partner"].create({"name": "Bench customer"})
user = env.ref("base.user_admin")
model = env["ir.model"]._get("crm.event")

process = env["crm.workflow.process"].create(
    {
        "name": "Bench: one human step",
        "code": "BENCH",
        "model_id": model.id,
        "activity_ids": [
            Command.create({"name": "Start", "kind": "start", "sequence": 1}),
            Command.create(
                {
                    "name": "Call back",
                    "kind": "human",
                    "performer_type": "user",
                    "performer_user_id": user.id,
                    "sequence": 2,
                }
            ),
            Command.create({"name": "End", "kind": "end", "sequence": 3}),
        ],
    }
)
start, task, end = process.activity_ids
process.transition_ids = [
    Command.create({"source_id": start.id, "target_id": task.id}),
    Command.create({"source_id": task.id, "target_id": end.id}),
]
process.action_activate()
env["crm.event.rule"].search([]).active = False
env["crm.event.rule"].create({"name": "Bench", "event_type": "consultation", "process_code": "BENCH"})


def timed(label, count, work):
    env.cr.flush()
    env.invalidate_all()
    queries = odoo.sql_db.sql_counter
    started = time.perf_counter()
    for offset in range(0, count, BATCH):
        work(offset)
        env.cr.flush()
    elapsed = time.perf_counter() - started
    queries = odoo.sql_db.sql_counter - queries
    print(f"{label}: {count} in {elapsed:.1f}s = {count / elapsed:.0f}/s, {queries / count:.1f} queries each")


values = {"event_type": "consultation", "partner_id": partner.id, "user_id": user.id}
# 1. The whole path: the events are recorded (with Odoo's own mail side: the
#    responsible is notified) and the event rule starts an instance for each.
timed(
    "events recorded and started by the rule",
    N_EVENTS,
    lambda offset: env["crm.event"].create([dict(values, name=f"Event {offset + i}") for i in range(BATCH)]),
)
# 2. The engine alone: instances started on events that already exist.
events = (
    env["crm.event"]
    .with_context(crm_workflow_no_rules=True)
    .create([dict(values, name=f"Existing {i}") for i in range(N_EVENTS)])
)
timed("instances started on existing events", N_EVENTS, lambda offset: process._start(events[offset : offset + BATCH]))
print("instances:", env["crm.workflow.instance"].search_count([("process_id", "=", process.id)]))
env.cr.rollback()
