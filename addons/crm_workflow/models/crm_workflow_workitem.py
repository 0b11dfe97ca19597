import logging
from collections import defaultdict
from itertools import groupby

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, create_index

from ..lib import domains, graph
from ..lib.contact_preferences import CONTEXT_CONTACT_PREFERENCES

_logger = logging.getLogger(__name__)


class CrmWorkflowWorkitem(models.Model):
    """The presence of an instance at an activity: a task in someone's worklist, an
    application being invoked, or a join waiting for its other paths."""

    _name = "crm.workflow.workitem"
    _description = "Workflow Work Item"
    _order = "deadline asc nulls last, date_offered desc, id desc"

    instance_id = fields.Many2one("crm.workflow.instance", required=True, ondelete="cascade", index=True)
    activity_id = fields.Many2one("crm.workflow.activity", required=True, ondelete="restrict", index=True)
    process_id = fields.Many2one(related="instance_id.process_id", store=True, index=True)
    kind = fields.Selection(related="activity_id.kind")
    res_model = fields.Char(related="instance_id.res_model")
    res_id = fields.Many2oneReference(related="instance_id.res_id", model_field="res_model")
    res_name = fields.Char(related="instance_id.res_name", string="Record")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    state = fields.Selection(
        [
            ("waiting", "Waiting for Other Paths"),
            ("active", "Running"),
            ("offered", "To Do"),
            ("taken", "In Progress"),
            ("done", "Done"),
            ("error", "Error"),
            ("cancel", "Cancelled"),
        ],
        string="Status",
        required=True,
        default="active",
        index=True,
    )
    user_id = fields.Many2one("res.users", string="Performer", index="btree_not_null")
    candidate_user_ids = fields.Many2many(
        "res.users",
        "crm_workflow_workitem_candidate_rel",
        "workitem_id",
        "user_id",
        string="Offered To",
    )
    delegated_by_id = fields.Many2one("res.users")
    previous_id = fields.Many2one("crm.workflow.workitem", string="Came From", index="btree_not_null")
    arrived_transition_ids = fields.Many2many(
        "crm.workflow.transition",
        "crm_workflow_workitem_transition_rel",
        "workitem_id",
        "transition_id",
        string="Arrived Through",
    )
    date_offered = fields.Datetime(string="Offered", default=fields.Datetime.now, required=True)
    date_taken = fields.Datetime(string="Taken")
    date_done = fields.Datetime(string="Finished")
    waiting_hours = fields.Float(string="Waiting Time (h)", aggregator="avg", help="From offered to taken.")
    processing_hours = fields.Float(string="Processing Time (h)", aggregator="avg", help="From taken to done.")
    deadline = fields.Datetime()
    escalated = fields.Boolean(readonly=True)
    error_message = fields.Text(readonly=True)
    error_stage = fields.Selection(
        [("invoke", "Application"), ("offer", "Assignment"), ("route", "Routing")],
        readonly=True,
        help="Where the item failed, so that a retry resumes there: an application that succeeded "
        "is not run again, a task that was done is not offered again.",
    )
    mail_activity_ids = fields.One2many("mail.activity", "crm_workflow_workitem_id", string="Odoo Activities")
    log_ids = fields.One2many("crm.workflow.workitem.log", "workitem_id", string="History")

    def init(self):
        create_index(
            self.env.cr,
            "crm_workflow_workitem_deadline_idx",
            self._table,
            ["deadline"],
            where="state IN ('offered', 'taken') AND NOT escalated",
        )
        create_index(
            self.env.cr, "crm_workflow_workitem_monitor_idx", self._table, ["process_id", "activity_id", "state"]
        )

    @api.depends("activity_id", "res_name")
    def _compute_display_name(self):
        for item in self:
            item.display_name = f"{item.activity_id.name}: {item.res_name or ''}"

    # Engine ------------------------------------------------------------------------

    @api.model
    def _spawn(self, vals_list):
        # Created by the engine for whoever moved the instance: as superuser.
        return self.sudo().create(vals_list).with_env(self.env)

    def _run(self, instances=None):
        """Execute work items until every path waits for a person, an error or an end.

        Items move in waves grouped by activity, so that starting or moving a batch of
        instances costs about the queries of one. ``instances`` are those whose paths just
        moved without reaching an item to run (an arrival at a join): their synchronising
        merges are checked too.
        """
        wave = self.sudo()
        instances = wave.instance_id | (instances or wave.instance_id).sudo()
        # synchronising merges go on once no running path can reach them any more
        while wave := wave or instances._ready_or_joins():
            next_wave = wave.browse()
            for activity, items in wave.grouped("activity_id").items():
                if activity.kind == "human":
                    items._offer()
                    continue
                moving = items._invoke() if activity.kind == "auto" else items
                moving._finish()
                next_wave |= moving._route()
            instances |= next_wave.instance_id
            wave = next_wave
        instances._check_finished()

    def _invoke(self):
        """Run the activity's application on the records; return the items it succeeded on.

        All records go at once; if that fails, one by one, so that only the failing
        ones are parked in error (with the reason) and the others move on.
        """
        action = self.activity_id.action_id
        # The action runs as superuser: only one an administrator allowed, on the
        # process's own model, on the records the instances run on (checked again here,
        # whatever was written since the process was designed).
        problem = (
            action.sudo()._crm_workflow_problem(self.activity_id.model)
            if action
            else self.env._("The automatic activity %s has no application to invoke.", self.activity_id.name)
        )
        if problem:
            self._park(problem, "invoke")
            return self.browse()
        strangers = self.filtered(lambda item: item.res_model != action.model_id.model)
        strangers._park(self.env._("The instance does not run on a record of the process's model."), "invoke")
        items = self - strangers
        records = items.instance_id._records()
        if len(items) > 1 and items._invoke_on(action, [records[item.instance_id] for item in items]):
            return items
        succeeded = self.browse()
        for item in items:
            error = item._invoke_on(action, [records[item.instance_id]], report=True)
            if error is True:
                succeeded |= item
                continue
            _logger.info("workflow application %s failed on %s: %s", action.name, records[item.instance_id], error)
            item._park(error, "invoke")
        return succeeded

    def _park(self, reason, stage):
        """Put the items in error with the reason and where they failed, their instances with them."""
        self.write({"state": "error", "error_message": reason, "error_stage": stage})
        self.instance_id.write({"state": "error"})
        self._log("error", reason=reason)

    def _invoke_on(self, action, records, report=False):
        targets = records[0].browse().concat(*records)
        # A context of its own: nothing of the caller's context steers what runs as superuser.
        context = {
            "lang": self.env.lang,
            "tz": self.env.context.get("tz"),
            "active_model": targets._name,
            "active_id": targets[:1].id,
            "active_ids": targets.ids,
            # its mails reach no one who refused email (models/mail_thread.py, mail_template.py)
            CONTEXT_CONTACT_PREFERENCES: True,
        }
        try:
            with self.env.cr.savepoint():
                # The application was allowed by an administrator and chosen by the process
                # designer; it runs for the process, not for whoever moved it on: as superuser.
                action.sudo().with_context(context).run()  # pylint: disable=context-overridden
        except Exception as error:  # noqa: BLE001 - any failure of the application parks the item
            return str(error) if report else False
        return True

    def _offer(self):
        """Put human tasks in their performers' worklists and activities."""
        records = self.instance_id._records()
        now = fields.Datetime.now()
        nobody = self.browse()
        for activity, items in self.grouped("activity_id").items():
            performers = activity._performers(self.env[activity.model].concat(*(records[i.instance_id] for i in items)))
            fallback = activity._fallback_performer()
            deadline = fields.Datetime.add(now, hours=activity.deadline_hours) if activity.deadline_hours else False
            by_users = {}
            for item in items:
                users = performers[records[item.instance_id].id] or fallback
                by_users.setdefault(users, items.browse())
                by_users[users] |= item
            nobody |= by_users.pop(self.env["res.users"], self.browse())
            for users, group in by_users.items():
                group.write(
                    {
                        "state": "offered",
                        "date_offered": now,
                        "deadline": deadline,
                        "candidate_user_ids": [(6, 0, users.ids)],
                        "user_id": users.id if len(users) == 1 else False,
                    }
                )
        offered = self - nobody
        offered._log("offered")
        offered._schedule_activities()
        nobody._park_unassigned()

    def _park_unassigned(self):
        """Tasks nobody can perform: in error with the reason, the workflow managers told."""
        for activity, items in self.grouped("activity_id").items():
            reason = self.env._(
                "Nobody can perform %(task)s: its performer resolves to no active user, and neither a "
                "fallback performer nor a responsible of the process is set. Set one, then retry.",
                task=activity.name,
            )
            items._park(reason, "offer")
            activity.process_id._notify_managers(
                self.env._(
                    "%(count)s task(s) %(task)s could not be offered to anyone (%(records)s).",
                    count=len(items),
                    task=activity.name,
                    records=", ".join(items.mapped("res_name")[:10]),
                )
            )

    def _schedule_activities(self):
        """One Odoo activity per performer on the record, linked back to the task."""
        records = self.instance_id._records()
        values = []
        for item in self:
            record = records[item.instance_id]
            if "activity_ids" not in record._fields:
                continue
            for user in item.candidate_user_ids:
                values.append(
                    {
                        "res_model_id": self.env["ir.model"]._get_id(record._name),
                        "res_id": record.id,
                        "activity_type_id": item.activity_id.activity_type_id.id,
                        "summary": item.activity_id.name,
                        "note": item.activity_id.note,
                        "user_id": user.id,
                        "date_deadline": fields.Date.to_date(item.deadline) if item.deadline else fields.Date.today(),
                        "crm_workflow_workitem_id": item.id,
                    }
                )
        if values:
            _prefetch_names(records.values())
            # No "assigned to you" mail per task: the performers see the activity in
            # their activity menu, on the record and in their worklist.
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(values)

    def _finish(self):
        now = fields.Datetime.now()
        self.filtered(lambda item: not item.date_taken).write({"state": "done", "date_done": now})
        for item in self.filtered("date_taken"):
            item.write(
                {
                    "state": "done",
                    "date_done": now,
                    "processing_hours": (now - item.date_taken).total_seconds() / 3600.0,
                }
            )

    def _route(self):
        """Follow the transitions out of these finished items; return the items to run next."""
        records = self.instance_id._records()
        to_spawn, next_items = [], self.browse()
        for activity, items in self.grouped("activity_id").items():
            if activity.kind == "end":
                continue
            targets = self.env[activity.model].concat(*(records[item.instance_id] for item in items))
            holding = {}
            for transition in activity.outgoing_ids:
                domain = domains.evaluate(transition.condition, uid=self.env.uid)
                holding[transition] = set((targets.filtered_domain(domain) if domain else targets).ids)
            for item in items:
                record_id = records[item.instance_id].id
                chosen = graph.choose_transitions(
                    activity.split_mode, [(t.id, record_id in ids) for t, ids in holding.items()]
                )
                if not chosen:
                    item._stuck()
                    continue
                for transition in self.env["crm.workflow.transition"].browse(chosen):
                    target = transition.target_id
                    if graph.waits_for_arrivals(target.join_mode, len(target.incoming_ids)):
                        next_items |= item._arrive_at_join(transition)
                    else:
                        to_spawn.append(
                            {"instance_id": item.instance_id.id, "activity_id": target.id, "previous_id": item.id}
                        )
        return next_items | self._spawn(to_spawn)

    def _arrive_at_join(self, transition):
        """Record a path's arrival at an AND join; return the join once every path arrived."""
        self.ensure_one()
        target = transition.target_id
        join = self.instance_id.workitem_ids.filtered(
            lambda item: item.activity_id == target and item.state == "waiting"
        )
        if not join:
            join = self._spawn(
                {
                    "instance_id": self.instance_id.id,
                    "activity_id": target.id,
                    "state": "waiting",
                    "previous_id": self.id,
                }
            )
        join.arrived_transition_ids = [(4, transition.id)]
        # an OR join waits until the end of the wave to know which paths still run
        if target.join_mode == "and" and graph.join_ready(
            "and", join.arrived_transition_ids.ids, target.incoming_ids.ids
        ):
            join.state = "active"
            return join
        return self.browse()

    def _stuck(self):
        message = self.env._(
            "No path out of %s matches the record: check the transitions' conditions.", self.activity_id.name
        )
        self._park(message, "route")

    # Human actions --------------------------------------------------------------------

    def _check_performer(self):
        """Only a performer the item is offered to, or a workflow manager who may read it
        (their department's), acts on it."""
        if self.env.su:
            return
        self.check_access("read")
        if self.env.user.has_group("crm_workflow.group_crm_workflow_manager"):
            return
        for item in self:
            # once taken, a task is its taker's (and its delegator's), no longer everyone's it was offered to
            performers = item.user_id | item.delegated_by_id
            if item.state != "taken":
                performers |= item.candidate_user_ids
            if self.env.user not in performers and self.env.user in item.candidate_user_ids:
                # it was offered to them too: a colleague took it first
                raise UserError(
                    self.env._(
                        "The task %(task)s is already being handled by %(user)s.",
                        task=item.display_name,
                        user=item.user_id.name,
                    )
                )
            if self.env.user not in performers:
                raise AccessError(
                    self.env._(
                        "The task %s is not in your worklist: ask its performer or a manager.", item.display_name
                    )
                )

    def _check_state(self, states, action):
        for item in self:
            if item.state not in states:
                raise UserError(
                    self.env._(
                        "The task %(task)s is %(state)s: it cannot be %(action)s.",
                        task=item.display_name,
                        state=dict(self._fields["state"]._description_selection(self.env))[item.state],
                        action=action,
                    )
                )

    def _lock(self):
        """Lock these items and their instances until the end of the transaction.

        Odoo runs several workers: a second worker acting on the same task, or on another
        branch of the same instance (two paths arriving at a join), waits here; once the
        first commits, PostgreSQL's repeatable read makes the second fail with a
        serialization error, which Odoo retries: the retry sees what the first did (the
        task taken, the join's first arrival) and acts on that.
        """
        if not self:
            return
        self.env.cr.execute(
            SQL("SELECT id FROM crm_workflow_workitem WHERE id IN %s ORDER BY id FOR UPDATE", tuple(self.ids))
        )
        self.env.cr.execute(
            SQL(
                "UPDATE crm_workflow_instance SET write_date = write_date WHERE id IN %s",
                tuple(self.sudo().instance_id.ids),
            )
        )

    def action_take(self):
        self._check_performer()
        self._lock()
        self._check_state(("offered",), self.env._("taken"))
        items = self.sudo()
        now = fields.Datetime.now()
        for item in items:
            item.write(
                {
                    "state": "taken",
                    "user_id": self.env.uid,
                    "date_taken": now,
                    "waiting_hours": (now - item.date_offered).total_seconds() / 3600.0,
                }
            )
        items.mail_activity_ids.filtered(lambda act: act.user_id != self.env.user).unlink()
        items._log("taken")
        return True

    def action_complete(self):
        self._check_performer()
        self._lock()
        self._check_state(("offered", "taken"), self.env._("completed"))
        self.filtered(lambda item: item.state == "offered").action_take()
        items = self.sudo()
        items._finish()
        items._log("completed")
        # The task's history is its log; marking each Odoo activity done would post a
        # message per record (Odoo's action_feedback), so they are removed in one go.
        items.mail_activity_ids.unlink()
        items._route()._run(items.instance_id)
        return True

    def _reassign(self, user, reason, mode):
        """Delegate (the delegate works, the delegator stays answerable) or transfer
        (the task goes back to the new performer's worklist)."""
        self._check_performer()
        if not user:
            raise UserError(self.env._("Choose who takes the task over."))
        if not user.active or user.share:
            raise UserError(self.env._("%s cannot take work items: choose an active internal user.", user.name))
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason: it is kept in the task's history."))
        self._lock()
        self._check_state(("offered", "taken"), self.env._("reassigned"))
        items = self.sudo()
        previous = {item: item.user_id for item in items}
        now = fields.Datetime.now()
        values = {"user_id": user.id, "candidate_user_ids": [(6, 0, user.ids)]}
        if mode == "delegated":
            taken = items.filtered("date_taken")
            taken.write(dict(values, delegated_by_id=self.env.uid, state="taken"))
            (items - taken).write(dict(values, delegated_by_id=self.env.uid, state="taken", date_taken=now))
        else:
            items.write(dict(values, state="offered", date_taken=False, date_offered=now))
        items.mail_activity_ids.unlink()
        items._schedule_activities()
        for from_user, group in items.grouped(lambda item: previous[item]).items():
            group._log(mode, from_user=from_user, to_user=user, reason=reason)
        return True

    def _delegate(self, user, reason):
        return self._reassign(user, reason, "delegated")

    def _transfer(self, user, reason):
        return self._reassign(user, reason, "transferred")

    def _send_back(self, reason):
        """Return the task to the human step before it, for its performer to redo."""
        self._check_performer()
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason: it is kept in the task's history."))
        self._lock()
        self._check_state(("offered", "taken"), self.env._("sent back"))
        items = self.sudo()
        earlier = {}
        for item in items:
            previous = item.previous_id
            while previous and previous.activity_id.kind != "human":
                previous = previous.previous_id
            if not previous:
                raise UserError(self.env._("%s has no earlier human step to send the task back to.", item.display_name))
            earlier[item] = previous
        items._cancel(reason, action="sent_back")
        again = items._spawn(
            [
                {
                    "instance_id": item.instance_id.id,
                    "activity_id": previous.activity_id.id,
                    "previous_id": previous.previous_id.id,
                }
                for item, previous in earlier.items()
            ]
        )
        again._offer()
        # the task goes back to whoever did it, when it was one person
        for previous, redo in zip(earlier.values(), again, strict=True):
            if previous.user_id:
                redo.write({"user_id": previous.user_id.id, "candidate_user_ids": [(6, 0, previous.user_id.ids)]})
        return True

    def action_retry(self):
        """Run a failed application again; on success the instance moves on."""
        if not self.env.user.has_group("crm_workflow.group_crm_workflow_manager"):
            raise AccessError(self.env._("Only workflow managers retry failed steps."))
        self.check_access("read")
        self._lock()
        self._check_state(("error",), self.env._("retried"))
        items = self.sudo()
        routing = items.filtered(lambda item: item.error_stage == "route")
        # A routing error comes after the item was done (its application ran, its task was
        # completed): it is routed again, not run again.
        routing.write({"state": "done", "error_message": False, "error_stage": False})
        (items - routing).write({"state": "active", "error_message": False, "error_stage": False})
        items.instance_id.write({"state": "running"})
        items._log("retried")
        (items - routing)._run()
        routing._route()._run(routing.instance_id)
        return True

    def _cancel(self, reason, action="cancelled"):
        items = self.sudo()
        items.write({"state": "cancel", "date_done": fields.Datetime.now()})
        items.mail_activity_ids.unlink()
        items._log(action, reason=reason)

    def _log(self, action, from_user=None, to_user=None, reason=None):
        self.env["crm.workflow.workitem.log"].sudo().create(
            [
                {
                    "workitem_id": item.id,
                    "action": action,
                    "user_id": self.env.uid,
                    "from_user_id": from_user.id if from_user else False,
                    "to_user_id": to_user.id if to_user else False,
                    "reason": reason,
                }
                for item in self
            ]
        )

    # Deadlines ------------------------------------------------------------------------

    @api.model
    def _cron_escalate(self, batch_size=500):
        """Alert someone about every task past its deadline, once; a batch per run, the
        cron comes back at once while some remain (Odoo's cron progress)."""
        domain = [
            ("state", "in", ("offered", "taken")),
            ("escalated", "=", False),
            ("deadline", "<", fields.Datetime.now()),
        ]
        # Tasks a user is completing right now are skipped, not waited for: they are either
        # done when the user commits, or escalated on the next run.
        overdue = self.browse(
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "%s FOR UPDATE SKIP LOCKED",
                    self._search(domain, order="deadline, id", limit=batch_size).select(),
                )
            )
        )
        records = overdue.instance_id._records()
        by_target = defaultdict(lambda: self.browse())
        for item in overdue:
            performer = item.user_id or item.candidate_user_ids[:1]
            target = (
                item.activity_id.escalation_user_id
                or performer._crm_workflow_manager()
                or item.activity_id._fallback_performer()
            ).filtered("active")[:1]
            by_target[target] |= item
        nobody = by_target.pop(self.env["res.users"], self.browse())
        for process, items in nobody.grouped("process_id").items():
            # nobody to alert on the records: the process's managers hear of it
            process._notify_managers(
                self.env._(
                    "These tasks are overdue and nobody can be alerted about them: set who they escalate to. %s",
                    ", ".join(items.mapped("display_name")),
                )
            )
        todo = self.env.ref("mail.mail_activity_data_todo")
        _prefetch_names(records.values())
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": self.env["ir.model"]._get_id(record._name),
                    "res_id": record.id,
                    "activity_type_id": todo.id,
                    "summary": self.env._("Overdue: %s", item.activity_id.name),
                    "note": self.env._(
                        "The task %(task)s was due on %(deadline)s.", task=item.display_name, deadline=item.deadline
                    ),
                    "user_id": target.id,
                    "date_deadline": fields.Date.context_today(self),
                }
                for target, items in by_target.items()
                for item in items
                if "activity_ids" in (record := records[item.instance_id])._fields
            ]
        )
        overdue.write({"escalated": True})
        for target, items in by_target.items():
            items._log("escalated", to_user=target)
        nobody._log("escalated")
        remaining = self.search_count(domain) if len(overdue) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(overdue), remaining=remaining)
        return len(overdue)


def _prefetch_names(records):
    """Read the names of ``records`` at once: Odoo's activities read their record's name
    one by one (``mail.activity.res_name``), from the cache once it is filled."""
    for __, group in groupby(records, key=lambda record: record._name):
        same_model = list(group)
        same_model[0].browse([record.id for record in same_model]).mapped("display_name")
