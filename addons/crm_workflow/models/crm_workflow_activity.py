from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .ir_actions_server import WORKFLOW_ACTION_KINDS


class CrmWorkflowActivity(models.Model):
    """One step of a process: a human task, an invoked application, or a routing node."""

    _name = "crm.workflow.activity"
    _description = "Workflow Activity"
    _order = "process_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    process_id = fields.Many2one("crm.workflow.process", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="process_id.company_id", store=True, index=True)
    model = fields.Char(related="process_id.model")
    kind = fields.Selection(
        [
            ("start", "Start"),
            ("human", "Human Task"),
            ("auto", "Automatic (Invoked Application)"),
            ("gateway", "Gateway"),
            ("end", "End"),
        ],
        required=True,
        default="human",
    )
    split_mode = fields.Selection(
        [
            ("xor", "XOR: the first path whose condition holds (exclusive choice)"),
            ("and", "AND: every path (parallel split)"),
            ("or", "OR: every path whose condition holds (multi-choice)"),
        ],
        string="Split",
        required=True,
        default="xor",
        help="Which outgoing transitions are followed when the activity is done.",
    )
    join_mode = fields.Selection(
        [
            ("xor", "XOR: at each arrival (simple merge)"),
            ("and", "AND: once every path arrived (synchronisation)"),
            ("or", "OR: once the paths taken arrived (synchronising merge)"),
        ],
        string="Join",
        required=True,
        default="xor",
        help="When the activity starts if several transitions lead to it.",
    )
    # Human tasks
    performer_type = fields.Selection(
        [
            ("user", "A user"),
            ("group", "Members of a group"),
            ("department", "Members of a department"),
            ("job", "Holders of a job position"),
            ("field", "The user in a field of the record"),
            ("manager", "The manager of the user in a field of the record"),
        ],
        string="Performer",
        default="user",
    )
    performer_user_id = fields.Many2one("res.users", string="User", domain=[("share", "=", False)])
    performer_group_id = fields.Many2one("res.groups", string="Group")
    performer_department_id = fields.Many2one("hr.department", string="Department")
    performer_job_id = fields.Many2one("hr.job", string="Job Position")
    performer_field_id = fields.Many2one(
        "ir.model.fields",
        string="User Field",
        domain="[('model', '=', model), ('relation', '=', 'res.users'), ('ttype', '=', 'many2one')]",
        ondelete="cascade",
        help="For example the case's assignee or the lead's salesperson.",
    )
    fallback_user_id = fields.Many2one(
        "res.users",
        string="Fallback Performer",
        domain=[("share", "=", False)],
        help="Who gets the task when its performer resolves to nobody (no such user on the record, "
        "a manager missing, an empty group or department); by default the process's responsible.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        default=lambda self: self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False),
        help="The Odoo activity the performers see on the record.",
    )
    note = fields.Html(string="Instructions")
    # Invoked applications
    action_id = fields.Many2one(
        "ir.actions.server",
        string="Application",
        domain=f"[('model_id.model', '=', model), ('crm_workflow_usable', '=', True), "
        f"('state', 'in', {list(WORKFLOW_ACTION_KINDS)})]",
        ondelete="restrict",
        help="The server action run when the activity is reached: send a mail, create an activity, "
        "update the record... Administrators choose which server actions workflows may use "
        "(Usable in Workflows, on the server action).",
    )
    # Deadlines
    deadline_hours = fields.Float(string="Deadline (hours)", help="Leave 0 for no deadline.")
    escalation_user_id = fields.Many2one(
        "res.users",
        string="Escalate To",
        domain=[("share", "=", False)],
        help="Who is alerted when the deadline passes; by default the performer's manager.",
    )
    # Diagram
    x = fields.Integer(default=40)
    y = fields.Integer(default=40)
    incoming_ids = fields.One2many("crm.workflow.transition", "target_id")
    outgoing_ids = fields.One2many("crm.workflow.transition", "source_id")

    _sql_constraints = [
        ("deadline_positive", "CHECK(deadline_hours >= 0)", "A deadline cannot be negative."),
    ]

    @api.constrains("action_id", "process_id")
    def _check_action_id(self):
        for activity in self.filtered("action_id"):
            problem = activity.action_id.sudo()._crm_workflow_problem(activity.model)
            if problem:
                raise ValidationError(
                    self.env._(
                        "The activity %(activity)s cannot run it: %(problem)s", activity=activity.name, problem=problem
                    )
                )

    @api.onchange("kind")
    def _onchange_kind(self):
        if self.kind != "human":
            self.performer_type = False

    def _performer_problems(self):
        """Why this activity could not be performed, in words naming it."""
        self.ensure_one()
        if self.kind == "auto" and not self.action_id:
            return [self.env._("The automatic activity %s has no application to invoke.", self.name)]
        if self.kind != "human":
            return []
        target = {
            "user": self.performer_user_id,
            "group": self.performer_group_id,
            "department": self.performer_department_id,
            "job": self.performer_job_id,
            "field": self.performer_field_id,
            "manager": self.performer_field_id,
        }.get(self.performer_type)
        if not target:
            return [self.env._("The human task %s has no performer.", self.name)]
        if not target.exists() or ("active" in target._fields and not target.active):
            return [self.env._("The performer of %s no longer exists.", self.name)]
        return []

    def _fallback_performer(self):
        """Who performs the task when its performer resolves to nobody: empty when nobody does."""
        self.ensure_one()
        return (self.fallback_user_id or self.process_id.user_id).filtered("active")

    def _performer_warnings(self):
        """Why this task may find nobody to perform it at run time, in words naming it (the
        process still runs: such tasks go to the fallback performer, or to an error)."""
        self.ensure_one()
        if self.kind != "human" or self._fallback_performer():
            return []
        kind = self.performer_type
        if kind == "field":
            return [
                self.env._(
                    "%(task)s finds nobody on records whose %(field)s is empty.",
                    task=self.name,
                    field=self.performer_field_id.field_description,
                )
            ]
        if kind == "manager":
            return [
                self.env._(
                    "%(task)s finds nobody when the user in %(field)s has no manager.",
                    task=self.name,
                    field=self.performer_field_id.field_description,
                )
            ]
        if not self._static_performers():
            return [self.env._("%s has no active user to perform it today.", self.name)]
        return []

    def _performers(self, records):
        """The users who may perform this human task on each record: ``{record_id: users}``."""
        self.ensure_one()
        kind = self.performer_type
        if kind not in ("field", "manager"):
            return dict.fromkeys(records.ids, self._static_performers())
        field_name = self.performer_field_id.name
        result = {}
        for record in records.sudo():
            user = record[field_name]
            if kind == "manager":
                user = user._crm_workflow_manager()
            result[record.id] = user.filtered("active")
        return result

    def _static_performers(self):
        """The active users a performer that does not depend on the record stands for."""
        kind = self.performer_type
        if kind == "user":
            users = self.performer_user_id
        elif kind == "group":
            users = self.performer_group_id.users
        elif kind == "department":
            users = self.performer_department_id.member_ids.user_id
        elif kind == "job":
            # sudo: the holders of a job, whatever employees the designer may read
            users = self.env["hr.employee"].sudo().search([("job_id", "=", self.performer_job_id.id)]).user_id
        else:
            users = self.env["res.users"]
        return users.filtered("active").with_env(self.env)

    def _check_editable(self):
        for process in self.process_id:
            if process.running_count:
                raise UserError(
                    self.env._(
                        "The process %s has running instances: change it from the process form "
                        "or the diagram, which make a new version.",
                        process.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        activities = super().create(vals_list)
        activities._check_editable()
        return activities

    def write(self, vals):
        layout_only = set(vals) <= {"x", "y", "sequence"}
        if not layout_only:
            self._check_editable()
        return super().write(vals)

    def unlink(self):
        self._check_editable()
        return super().unlink()
