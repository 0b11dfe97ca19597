from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmWorkflowActivity(models.Model):
    """One step of a process: a human task, an invoked application, or a routing node."""

    _name = "crm.workflow.activity"
    _description = "Workflow Activity"
    _order = "process_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    process_id = fields.Many2one("crm.workflow.process", required=True, ondelete="cascade", index=True)
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
        [("xor", "XOR: first matching path"), ("and", "AND: every matching path")],
        string="Split",
        required=True,
        default="xor",
        help="Which outgoing transitions are followed when the activity is done.",
    )
    join_mode = fields.Selection(
        [("xor", "XOR: on the first arrival"), ("and", "AND: once every path arrived")],
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
        domain="[('model_id.model', '=', model)]",
        ondelete="restrict",
        help="The server action run when the activity is reached: send a mail, create an activity, "
        "update the record...",
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

    def _performers(self, records):
        """The users who may perform this human task on each record: ``{record_id: users}``."""
        self.ensure_one()
        Users = self.env["res.users"]
        kind = self.performer_type
        if kind in ("field", "manager"):
            field_name = self.performer_field_id.name
            result = {}
            for record in records.sudo():
                user = record[field_name]
                if kind == "manager":
                    user = user._crm_workflow_manager()
                result[record.id] = user
            return result
        if kind == "user":
            users = self.performer_user_id
        elif kind == "group":
            users = self.performer_group_id.users
        elif kind == "department":
            users = self.performer_department_id.member_ids.user_id
        else:
            users = self.env["hr.employee"].sudo().search([("job_id", "=", self.performer_job_id.id)]).user_id
        users = (users or Users).filtered("active")
        return dict.fromkeys(records.ids, users)

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
