from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import LazyTranslate

from ..lib import diagram, domains, graph

_lt = LazyTranslate(__name__)
# Module-level terms, translated where they are used:
# pylint: disable=prefer-env-translation

# Fields of a process whose change alters how its instances run.
DEFINITION_FIELDS = {"model_id", "activity_ids", "transition_ids"}
# Fields of a process copied into its automation rule.
TRIGGER_FIELDS = {"trigger", "trigger_domain"}
PROBLEM_MESSAGES = {
    "no_start": _lt("The process has no start activity: add one."),
    "several_starts": _lt("The process has several start activities (%(activity)s is one too many): keep one."),
    "no_end": _lt("The process has no end activity: add one."),
    "start_has_incoming": _lt("The start activity %(activity)s has incoming transitions: a start only leads onwards."),
    "end_has_outgoing": _lt("The end activity %(activity)s has outgoing transitions: an end leads nowhere."),
    "unreachable": _lt("The activity %(activity)s cannot be reached from the start: connect it or remove it."),
    "no_exit": _lt("From the activity %(activity)s no path leads to an end: the process would never finish there."),
    "dangling": _lt("A transition leads outside the process."),
    "double_fire": _lt(
        "The activity %(activity)s can be reached by paths running at the same time and would run once for "
        "each: make it an AND join (synchronisation) or an OR join (synchronising merge)."
    ),
    "deadlock": _lt(
        "The AND join %(activity)s may wait forever: some of the paths into it may not be taken (after an "
        "exclusive choice or a multi-choice). Make it an OR join (synchronising merge), or an XOR join "
        "(simple merge) after an exclusive choice."
    ),
    "and_condition": _lt(
        "The parallel split %(activity)s takes every path whatever their conditions: remove the condition of "
        "%(transition)s, or make the split an OR split (multi-choice)."
    ),
}


class CrmWorkflowProcess(models.Model):
    """A process definition: activities joined by transitions, run on records of one model.

    Definitions are versioned: editing one that has running instances makes a new
    version; the running instances finish on theirs, new instances take the new one.
    """

    _name = "crm.workflow.process"
    _description = "Workflow Process"
    _inherit = ["mail.thread", "crm.system.fields.mixin"]
    _order = "name, version desc"
    # moved by the buttons (activation validates first) and by versioning; the
    # automation rule is the engine's, written as superuser
    _crm_system_fields = ("state", "version", "previous_id", "automation_id")

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(
        required=True,
        copy=True,
        index=True,
        default=lambda self: self.env["ir.sequence"].next_by_code("crm.workflow.process") or "/",
        help="Shared by every version of the process.",
    )
    version = fields.Integer(required=True, default=1, copy=False, readonly=True)
    previous_id = fields.Many2one("crm.workflow.process", string="Previous Version", copy=False, readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("superseded", "Superseded"), ("archived", "Archived")],
        string="Status",
        required=True,
        default="draft",
        copy=False,
        tracking=True,
        index=True,
    )
    model_id = fields.Many2one(
        "ir.model",
        string="Runs On",
        required=True,
        ondelete="cascade",
        domain=[("transient", "=", False)],
        help="The kind of record the process runs on (leads, cases, events...).",
    )
    model = fields.Char(related="model_id.model", store=True, index=True, string="Model Name")
    company_id = fields.Many2one("res.company", index=True, help="Leave empty to share the process between companies.")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
        tracking=True,
        help="Performs the tasks whose performer resolves to nobody, unless the task names its own "
        "fallback performer, and is alerted about overdue tasks nobody else can be alerted about.",
    )
    description = fields.Html()
    activity_ids = fields.One2many("crm.workflow.activity", "process_id", string="Activities", copy=True)
    transition_ids = fields.One2many("crm.workflow.transition", "process_id", string="Transitions", copy=False)
    instance_ids = fields.One2many("crm.workflow.instance", "process_id", string="Instances")
    running_count = fields.Integer(string="Running", compute="_compute_instance_counts")
    instance_count = fields.Integer(string="Number of Instances", compute="_compute_instance_counts")
    trigger = fields.Selection(
        [("manual", "Manually"), ("on_create", "When a record is created"), ("on_write", "When a record is updated")],
        required=True,
        default="manual",
        help="Besides this, event rules may start the process.",
    )
    trigger_domain = fields.Char(
        string="Start Condition",
        default="[]",
        help="The process starts only on records that match this condition.",
    )
    allow_parallel = fields.Boolean(
        string="Parallel Runs",
        help="Start the process on a record even while an earlier instance of it still runs there.",
    )
    automation_id = fields.Many2one("base.automation", copy=False, readonly=True, ondelete="set null")

    _sql_constraints = [
        ("code_version_unique", "UNIQUE(code, version)", "A process has one definition per version."),
    ]

    def _compute_instance_counts(self):
        # The counts decide whether an edit makes a new version: they are the same for
        # every reader, whether or not the reader may see the instances themselves.
        instances = self.env["crm.workflow.instance"].sudo()
        counts = {
            (process.id, state): count
            for process, state, count in instances._read_group(
                [("process_id", "in", self.ids)], ["process_id", "state"], ["__count"]
            )
        }
        for process in self:
            by_state = {state: counts.get((process.id, state), 0) for state in ("running", "error", "done", "cancel")}
            process.running_count = by_state["running"] + by_state["error"]
            process.instance_count = sum(by_state.values())

    @api.constrains("trigger_domain", "model_id")
    def _check_trigger_domain(self):
        for process in self:
            process._parse_domain(process.trigger_domain, process.display_name)

    def _parse_domain(self, domain_text, owner):
        """Check that a condition is a literal domain on the process's model; return it
        for the current user."""
        self.ensure_one()
        try:
            domain = domains.evaluate(domain_text, uid=self.env.uid)
            # only builds the query: the field names are checked, nothing is read
            self.env[self.model].sudo()._search(domain)
        except Exception as error:
            raise ValidationError(
                self.env._("The condition of %(owner)s cannot be read: %(error)s", owner=owner, error=error)
            ) from error
        return domain

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            normalise_condition(self.env, vals, "trigger_domain", vals.get("name"))
        return super().create(vals_list)

    # Versioning ------------------------------------------------------------

    def write(self, vals):
        normalise_condition(self.env, vals, "trigger_domain", self[:1].display_name)
        if DEFINITION_FIELDS.intersection(vals):
            in_use = self.filtered(lambda process: process.running_count)
            if in_use:
                new_versions = in_use._new_version(vals)
                super(CrmWorkflowProcess, self - in_use).write(vals)
                return new_versions and True
        result = super().write(vals)
        if TRIGGER_FIELDS.intersection(vals):
            self.filtered(lambda process: process.state == "active")._sync_automation()
        return result

    def _new_version(self, vals=None):
        """Copy the definition into a new version (applying ``vals`` to the copy);
        the copy replaces this version for new instances once active."""
        new_versions = self.browse()
        self.check_access("write")
        for process in self:
            # sudo: the version and its link are set here, not by the designer
            copy = process.sudo().copy({"version": process._next_version(), "previous_id": process.id})
            copy = copy.with_env(self.env)
            mapping = dict(zip(process.activity_ids.ids, copy.activity_ids.ids, strict=True))
            copy.transition_ids = [
                Command.create(
                    {
                        "name": transition.name,
                        "sequence": transition.sequence,
                        "source_id": mapping[transition.source_id.id],
                        "target_id": mapping[transition.target_id.id],
                        "condition": transition.condition,
                    }
                )
                for transition in process.transition_ids
            ]
            if vals:
                copy.write(_remap_commands(vals, mapping, copy))
            # A change that leaves the definition complete takes over at once; an
            # unfinished one stays a draft to go on editing, the old version running.
            if process.state == "active" and not copy._problems():
                copy.action_activate()
            process.message_post(body=self.env._("Version %s was created from this one.", copy.version))
            new_versions |= copy
        return new_versions

    def _next_version(self):
        self.ensure_one()
        versions = self.with_context(active_test=False).search([("code", "=", self.code)]).mapped("version")
        return max(versions) + 1

    # Activation ------------------------------------------------------------

    def action_validate(self):
        """Raise a clear error naming every activity that keeps the process from running."""
        for process in self:
            messages = process._problems()
            if messages:
                raise ValidationError(
                    self.env._(
                        "The process %(process)s cannot run yet:\n%(problems)s",
                        process=process.display_name,
                        problems="\n".join(f"- {message}" for message in messages),
                    )
                )
        return True

    def _problems(self):
        self.ensure_one()
        activities = {activity.id: activity.kind for activity in self.activity_ids}
        transitions = [(t.id, t.source_id.id, t.target_id.id) for t in self.transition_ids]
        messages = []
        names = {activity.id: activity.name for activity in self.activity_ids}
        problems = graph.validate(activities, transitions)
        if not problems:
            problems = graph.soundness(
                {
                    activity.id: (activity.kind, activity.split_mode, activity.join_mode)
                    for activity in self.activity_ids
                },
                [
                    (t.id, t.source_id.id, t.target_id.id, (t.condition or "[]") != "[]")
                    for t in self.transition_ids.sorted(lambda t: (t.sequence, t.id))
                ],
            )
        transition_names = {transition.id: transition.display_name for transition in self.transition_ids}
        for problem in problems:
            message = self.env._(PROBLEM_MESSAGES[problem.code])
            if problem.activity_id:
                message %= {
                    "activity": names.get(problem.activity_id),
                    "transition": transition_names.get(problem.transition_id),
                }
            messages.append(message)
        for transition in self.transition_ids:
            try:
                self._parse_domain(transition.condition, transition.display_name)
            except ValidationError as error:
                messages.append(str(error))
        for activity in self.activity_ids:
            messages.extend(activity._performer_problems())
        return messages

    def action_activate(self):
        self.check_access("write")
        self.action_validate()
        for process in self:
            older = self.search(
                [("code", "=", process.code), ("state", "=", "active"), ("id", "!=", process.id)],
            )
            older._set_state("superseded")
        self._set_state("active")
        warnings = [warning for process in self for warning in process._warnings()]
        if not warnings:
            return True
        message = self.env._(
            "Active. Some tasks may find nobody to perform them; they will wait in error until " "someone is set:\n%s",
            "\n".join(f"- {warning}" for warning in warnings),
        )
        for process in self:
            process.message_post(body=message)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "warning", "sticky": True, "message": message},
        }

    def _warnings(self):
        """What activation lets through but the designer should know (tasks that may find nobody)."""
        self.ensure_one()
        return [warning for activity in self.activity_ids for warning in activity._performer_warnings()]

    def _notify_managers(self, message):
        """Tell the process's followers and responsible, and the workflow managers of its company."""
        self.ensure_one()
        managers = (
            self.env.ref("crm_workflow.group_crm_workflow_manager")
            .sudo()
            .users.filtered(lambda user: not self.company_id or self.company_id in user.company_ids)
        )
        # sudo: the engine tells them whoever moved the instance; a message on the process
        self.sudo().message_post(
            body=message,
            partner_ids=(managers | self.user_id).partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def action_archive_process(self):
        self.check_access("write")
        self._set_state("archived")

    def action_draft(self):
        self.ensure_one()
        self.check_access("write")
        if self.running_count:
            raise UserError(
                self.env._(
                    "The process %s has running instances: edit it directly and a new version is made.",
                    self.display_name,
                )
            )
        self._set_state("draft")

    def _set_state(self, state):
        # sudo: the state is a system field; the buttons checked the user's rights first
        self.sudo().write({"state": state})
        self._sync_automation()

    def _sync_automation(self):
        """Start on create/update through Odoo's automation rules, not a hook of our own."""
        self.check_access("write")
        for process in self:
            wanted = process.state == "active" and process.trigger != "manual"
            if not wanted:
                process.automation_id.sudo().unlink()
                continue
            domain = domains.parse(process.trigger_domain)
            values = {
                "name": self.env._("Start process %s", process.display_name),
                "model_id": process.model_id.id,
                "trigger": process.trigger,
                "filter_domain": domains.format(domain),
            }
            # Automation rules are configuration only administrators may write;
            # the process designer acts through this method, on this one rule.
            automation = process.automation_id.sudo()
            if automation:
                automation.action_server_ids.unlink()
                automation.write(values)
            else:
                automation = automation.create(values)
                process.sudo().automation_id = automation
            if process.trigger == "on_write" and domain:
                # Start when a record *enters* the condition: it did not match before the
                # update (Odoo's pre-domain), it does after, and a field of the condition changed.
                automation.write(
                    {
                        "filter_pre_domain": domains.format(["!", *domain]),
                        "trigger_field_ids": [Command.set(automation._get_filter_domain_fields().ids)],
                    }
                )
            # Server actions refuse x2many commands written as superuser (Odoo runs them
            # as the real user, _allow_sudo_commands): the action is created on its own.
            self.env["ir.actions.server"].sudo().create(
                {
                    "name": values["name"],
                    "model_id": process.model_id.id,
                    "usage": "base_automation",
                    "base_automation_id": automation.id,
                    "state": "code",
                    "code": f"env['crm.workflow.process'].browse({process.id})._start(records)",
                }
            )

    # Running -----------------------------------------------------------------

    def _start_manually(self, records):
        """Start the process on records by hand (from a record's form or a list): for
        workflow managers who may change the records."""
        self.ensure_one()
        user = self.env.user
        if not (self.env.su or user._is_superuser() or user.has_group("crm_workflow.group_crm_workflow_manager")):
            raise AccessError(self.env._("Only workflow managers start workflows by hand."))
        self.check_access("read")
        records.check_access("write")
        if self.state != "active":
            raise UserError(self.env._("The process %s is not active: activate it first.", self.display_name))
        return self._start(records)

    def _start(self, records):
        """Create one instance per record, at the start activity, and run it as far as it goes."""
        self.ensure_one()
        if not records:
            return self.env["crm.workflow.instance"]
        if records._name != self.model:
            raise UserError(
                self.env._(
                    "The process %(process)s runs on %(expected)s, not on %(given)s.",
                    process=self.display_name,
                    expected=self.model_id.name,
                    given=records._description,
                )
            )
        domain = domains.evaluate(self.trigger_domain, uid=self.env.uid)
        records = records.sudo().filtered_domain(domain) if domain else records
        if not self.allow_parallel:
            records -= self._records_running(records)
        return self.env["crm.workflow.instance"]._create_for(self, records)

    def _records_running(self, records):
        """Among ``records``, those on which an instance of this process (any version) runs."""
        self.ensure_one()
        groups = (
            self.env["crm.workflow.instance"]
            .sudo()
            ._read_group(
                [
                    ("process_code", "=", self.code),
                    ("res_model", "=", records._name),
                    ("res_id", "in", records.ids),
                    ("state", "in", ("running", "error")),
                ],
                ["res_id"],
            )
        )
        return records.browse([res_id for (res_id,) in groups])

    @api.model
    def _get_active(self, code):
        return self.search([("code", "=", code), ("state", "=", "active")], limit=1)

    # Diagram -----------------------------------------------------------------

    def diagram_data(self, instance_id=False):
        """The process as plain data for the diagram widget; given one of its instances,
        also the states of that instance's work items at each activity."""
        self.ensure_one()
        self.check_access("read")
        progress = self._diagram_progress(instance_id) if instance_id else {}
        return {
            "process": {
                "id": self.id,
                "name": self.name,
                "version": self.version,
                "state": self.state,
                "running_count": self.running_count,
            },
            "activities": [
                {
                    "id": activity.id,
                    "name": activity.name,
                    "kind": activity.kind,
                    "split_mode": activity.split_mode,
                    "join_mode": activity.join_mode,
                    "x": activity.x,
                    "y": activity.y,
                    "performer": _diagram_performer(activity),
                    "deadline_hours": activity.deadline_hours,
                    "workitem_states": sorted(progress.get(activity.id, ())),
                    "status": diagram.status(progress.get(activity.id, ())),
                }
                for activity in self.activity_ids
            ],
            "transitions": [
                {
                    "id": transition.id,
                    "source_id": transition.source_id.id,
                    "target_id": transition.target_id.id,
                    "name": transition.name or "",
                    "condition": transition.condition or "",
                    "has_condition": diagram.has_condition(transition.condition),
                }
                for transition in self.transition_ids
            ],
        }

    def _diagram_progress(self, instance_id):
        """``{activity_id: {work item states}}`` of one instance of this process."""
        instance = self.env["crm.workflow.instance"].browse(instance_id).exists()
        if not instance or instance.process_id != self:
            raise UserError(self.env._("This instance does not run on %s: reload the page.", self.display_name))
        instance.check_access("read")
        progress = {}
        # Whoever may read the instance sees where it stands, including at tasks that
        # are in other people's worklists: the states are read as superuser.
        for item in instance.sudo().workitem_ids:
            progress.setdefault(item.activity_id.id, set()).add(item.state)
        return progress

    def diagram_save(self, changes):
        """Apply the edits made in the diagram; return the id of the version that holds them.

        ``changes`` may hold ``move`` (``[[activity_id, x, y]]``), ``create_activities``
        (``[{kind, name, x, y}]``), ``update_activities`` (``[[id, values]]``),
        ``delete_activities`` (``[id]``) and the same three for transitions (created with
        ``source_id`` and ``target_id``). Moves are layout and stay on this version; the
        rest goes through :meth:`write`, which makes a new version when instances run.
        """
        self.ensure_one()
        self._diagram_check(changes)
        for activity_id, x, y in changes.get("move") or []:
            self.activity_ids.browse(activity_id).write({"x": max(int(x), 0), "y": max(int(y), 0)})
        kinds = dict(self.env["crm.workflow.activity"]._fields["kind"]._description_selection(self.env))
        creates = {
            "activities": [
                Command.create(dict(values, name=values.get("name") or kinds[values["kind"]]))
                for values in changes.get("create_activities") or []
            ],
            "transitions": [Command.create(values) for values in changes.get("create_transitions") or []],
        }
        vals = {}
        for field_name, key in (("activity_ids", "activities"), ("transition_ids", "transitions")):
            commands = [
                *creates[key],
                *(Command.update(record_id, values) for record_id, values in changes.get(f"update_{key}") or []),
                *(Command.delete(record_id) for record_id in changes.get(f"delete_{key}") or []),
            ]
            if commands:
                vals[field_name] = commands
        if not vals:
            return self.id
        # Whether write() changes this version or makes a new one is its own decision:
        # the new version, if any, is the one made from this one just now.
        older_versions = self.search([("previous_id", "=", self.id)])
        self.write(vals)
        new_version = self.search([("previous_id", "=", self.id), ("id", "not in", older_versions.ids)], limit=1)
        return new_version.id or self.id

    def _diagram_check(self, changes):
        """Refuse, before anything is written, changes that name what is not in this version."""
        self.ensure_one()
        try:
            if set(changes) - diagram.CHANGES:
                raise ValueError(changes)
            activity_ids, transition_ids, values_list = diagram.references(changes)
        except (TypeError, ValueError, AttributeError) as error:
            raise UserError(
                self.env._("The diagram sent changes it cannot make: reload the page and try again.")
            ) from error
        if any("process_id" in values for values in values_list):
            raise UserError(self.env._("An activity or transition cannot move to another process."))
        kinds = dict(self.env["crm.workflow.activity"]._fields["kind"]._description_selection(self.env))
        if any(values.get("kind") not in kinds for values in changes.get("create_activities") or []):
            raise UserError(self.env._("Choose the kind of the new activity among: %s.", ", ".join(kinds.values())))
        if any(
            not (values.get("source_id") and values.get("target_id"))
            for values in changes.get("create_transitions") or []
        ):
            raise UserError(self.env._("A transition needs an activity it leaves and one it leads to."))
        if any(
            len(move) != 3 or not all(isinstance(value, int | float) for value in move[1:])
            for move in changes.get("move") or []
        ):
            raise UserError(self.env._("A move of the diagram has no position: reload the page and try again."))
        for strangers, what in (
            (set(activity_ids) - set(self.activity_ids.ids), self.env._("activities")),
            (set(transition_ids) - set(self.transition_ids.ids), self.env._("transitions")),
        ):
            if strangers:
                raise UserError(
                    self.env._(
                        "The diagram refers to %(what)s that are not part of %(process)s (%(ids)s): "
                        "a process only links its own activities. Reload the page and try again.",
                        what=what,
                        process=self.display_name,
                        ids=", ".join(map(str, sorted(strangers, key=str))),
                    )
                )


def normalise_condition(env, vals, field_name, owner):
    """Store a condition written by a user as its normalised literal; refuse anything else."""
    if field_name not in vals:
        return
    try:
        vals[field_name] = domains.normalise(vals[field_name])
    except domains.ConditionError as error:
        raise ValidationError(
            env._(
                "The condition of %(owner)s must be a list of criteria such as [('stage_id.is_won', '=', False)]: "
                "%(error)s.",
                owner=owner or env._("the new record"),
                error=error,
            )
        ) from error


def _remap_commands(vals, mapping, copy):
    """Point x2many commands written for the old version at the copy's activities."""
    result = dict(vals)
    for field_name in ("activity_ids", "transition_ids"):
        commands = []
        for command in vals.get(field_name, []):
            operation = command[0]
            if operation in (Command.UPDATE, Command.DELETE, Command.UNLINK, Command.LINK):
                if field_name == "activity_ids":
                    commands.append((operation, mapping[command[1]], *command[2:]))
                else:
                    source = copy.env["crm.workflow.transition"].browse(command[1])
                    twin = copy.transition_ids.filtered(
                        lambda t, s=source: t.source_id.id == mapping[s.source_id.id]
                        and t.target_id.id == mapping[s.target_id.id]
                        and t.sequence == s.sequence
                    )[:1]
                    commands.append((operation, twin.id, *command[2:]))
            else:
                commands.append(command)
        if field_name in vals:
            result[field_name] = [_remap_activity_refs(command, mapping) for command in commands]
    return result


def _remap_activity_refs(command, mapping):
    if command[0] in (Command.CREATE, Command.UPDATE) and isinstance(command[2], dict):
        values = dict(command[2])
        for key in ("source_id", "target_id"):
            if values.get(key) in mapping:
                values[key] = mapping[values[key]]
        return (command[0], command[1], values)
    return command


# Diagram ---------------------------------------------------------------------


def _diagram_performer(activity):
    """Who performs a human task, in a few words; False when nobody is set."""
    if activity.kind != "human":
        return False
    # The performer's user, group, job or field name a configuration that readers of
    # the process may not read on its own (ir.model.fields): only its name is read.
    activity = activity.sudo()
    kind = activity.performer_type
    if kind in ("field", "manager"):
        field = activity.performer_field_id.field_description
        if field and kind == "manager":
            return activity.env._("Manager of %s", field)
        return field or False
    target = {
        "user": activity.performer_user_id,
        "group": activity.performer_group_id,
        "department": activity.performer_department_id,
        "job": activity.performer_job_id,
    }.get(kind)
    return target.display_name if target else False
