from odoo import Command

from .common import CrmSuiteOrgCase

# Keys of an activity's description that name its performer, and the performer type they set.
PERFORMER_TYPES = {
    "res.users": "user",
    "res.groups": "group",
    "hr.department": "department",
    "hr.job": "job",
}


class CrmWorkflowProcessCase(CrmSuiteOrgCase):
    """The organisation of :class:`CrmSuiteOrgCase`, plus processes built from a compact description.

    A process is described as a list of activities and a list of transitions::

        process = self._build_process(
            "CALLBACK",
            [
                ("Start", "start"),
                ("Call", "human", {"performer": self.participant, "deadline_hours": 4}),
                ("Notify", "auto", {"action": self._code_action("Notify", "records.action_start()")}),
                ("End", "end"),
            ],
            [("Start", "Call"), ("Call", "Notify", "[('severity', '=', 'high')]"), ("Notify", "End")],
        )

    ``performer`` is a user, a group, a department or a job (``hr.job``) record, or
    ``"field"`` (the event's responsible) or ``"manager"`` (the responsible's manager);
    ``action`` is the server action of an automatic activity; any other key is an
    activity field. Transitions are ``(source, target)`` or ``(source, target, condition)``
    by activity name, in priority order.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Process Customer", "email": "customer@example.com"})
        cls.event_model = cls.env["ir.model"]._get("crm.event")
        cls.field_event_user = cls.env["ir.model.fields"]._get("crm.event", "user_id")

    # Definitions -------------------------------------------------------------------

    @classmethod
    def _activity_values(cls, sequence, name, kind, options=None):
        options = dict(options or {})
        values = {"name": name, "kind": kind, "sequence": sequence, "x": 40 + 160 * sequence, "y": 80}
        performer = options.pop("performer", None)
        if isinstance(performer, str):
            values.update(performer_type=performer, performer_field_id=cls.field_event_user.id)
        elif performer is not None:
            performer_type = PERFORMER_TYPES[performer._name]
            values.update(performer_type=performer_type, **{f"performer_{performer_type}_id": performer.id})
        action = options.pop("action", None)
        if action is not None:
            values["action_id"] = action.id
        values.update(options)
        return values

    @classmethod
    def _build_process(cls, code, activities, transitions, activate=True, user=None, **values):
        """Create (as ``user``, the superuser by default) and activate the process described."""
        Process = cls.env["crm.workflow.process"]
        if user:
            Process = Process.with_user(user)
        process = Process.create(
            {
                "name": values.pop("name", code.title()),
                "code": code,
                "model_id": cls.event_model.id,
                "activity_ids": [
                    Command.create(cls._activity_values(sequence, *activity))
                    for sequence, activity in enumerate(activities, start=1)
                ],
                **values,
            }
        )
        by_name = {activity.name: activity for activity in process.activity_ids}
        process.transition_ids = [
            Command.create(
                {
                    "sequence": sequence,
                    "source_id": by_name[transition[0]].id,
                    "target_id": by_name[transition[1]].id,
                    "condition": transition[2] if len(transition) > 2 else "[]",
                }
            )
            for sequence, transition in enumerate(transitions, start=1)
        ]
        if activate:
            process.action_activate()
        return process

    @classmethod
    def _sequence(cls, code, performer, **task_options):
        """start -> "Task" (a human task of ``performer``) -> end, active."""
        return cls._build_process(
            code,
            [("Start", "start"), ("Task", "human", dict(task_options, performer=performer)), ("End", "end")],
            [("Start", "Task"), ("Task", "End")],
        )

    @classmethod
    def _code_action(cls, name, code):
        """A server action on customer events running ``code`` (``records`` are the events)."""
        return cls.env["ir.actions.server"].create(
            {"name": name, "model_id": cls.event_model.id, "state": "code", "code": code, "crm_workflow_usable": True}
        )

    @staticmethod
    def _activity(process, name):
        activity = process.activity_ids.filtered(lambda activity: activity.name == name)
        assert len(activity) == 1, f"{process.display_name} has no single activity {name!r}"
        return activity

    # Events and instances ----------------------------------------------------------

    @classmethod
    def _event(cls, name="Customer event", user=None, as_user=None, **values):
        """A customer event that starts no process through the shipped event rules."""
        Event = cls.env["crm.event"].with_context(crm_workflow_no_rules=True)
        if as_user:
            Event = Event.with_user(as_user)
        responsible = user if user is not None else cls.participant
        return Event.create(
            dict(
                {"name": name, "partner_id": cls.customer.id, "user_id": responsible.id, "company_id": cls.company.id},
                **values,
            )
        )

    @classmethod
    def _events(cls, count, **values):
        Event = cls.env["crm.event"].with_context(crm_workflow_no_rules=True)
        base = {"partner_id": cls.customer.id, "user_id": cls.participant.id, "company_id": cls.company.id}
        return Event.create([dict(base, name=f"Customer event {index}", **values) for index in range(count)])

    @staticmethod
    def _items(instances, activity_name=None, state=None):
        """The work items of ``instances`` (as superuser), at an activity and in a state if given."""
        items = instances.sudo().workitem_ids
        if activity_name:
            items = items.filtered(lambda item: item.activity_id.name == activity_name)
        if state:
            items = items.filtered(lambda item: item.state == state)
        return items.sorted("id")

    def _as(self, user, records):
        """``records`` as ``user`` acting in a new request: nothing read before is cached."""
        self.env.flush_all()
        self.env.invalidate_all()
        return records.with_user(user)

    @staticmethod
    def _log_actions(items):
        return items.sudo().log_ids.sorted("id").mapped("action")

    def _workflow_activities(self, records, users=None):
        """The Odoo activities the engine scheduled on ``records`` (for ``users`` if given)."""
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if users is not None:
            domain.append(("user_id", "in", users.ids))
        return self.env["mail.activity"].sudo().search(domain)
