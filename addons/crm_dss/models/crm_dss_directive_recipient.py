from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL


class CrmDssDirectiveRecipient(models.Model):
    """One receiving manager of an issued directive: what they have done with it.

    ``sent`` (issued) -> ``read`` (first open of the directive by that manager, recorded by
    :meth:`_crm_mark_read`) -> ``acknowledged`` (their button, with an optional comment)
    -> ``done`` (their button, once every task they gave their staff is done). Lines are
    written by the code only; each button checks that the caller is the line's manager.
    """

    _name = "crm.dss.directive.recipient"
    _description = "Directive Recipient"
    _inherit = ["crm.system.fields.mixin"]
    _order = "directive_id desc, id"
    _rec_name = "user_id"
    _crm_system_fields = (
        "directive_id",
        "department_id",
        "company_id",
        "user_id",
        "state",
        "read_date",
        "acknowledged_date",
        "done_date",
        "comment",
    )

    directive_id = fields.Many2one("crm.dss.directive", required=True, readonly=True, ondelete="cascade", index=True)
    directive_state = fields.Selection(related="directive_id.state", string="Directive Status")
    issuer_id = fields.Many2one(related="directive_id.issuer_id")
    deadline = fields.Date(related="directive_id.deadline")
    department_id = fields.Many2one("hr.department", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Manager", required=True, readonly=True, index=True)
    state = fields.Selection(
        [("sent", "Sent"), ("read", "Read"), ("acknowledged", "Acknowledged"), ("done", "Done")],
        default="sent",
        required=True,
        readonly=True,
        index=True,
    )
    read_date = fields.Datetime(readonly=True)
    acknowledged_date = fields.Datetime(readonly=True)
    done_date = fields.Datetime(readonly=True)
    comment = fields.Text(readonly=True)
    task_ids = fields.One2many(
        "mail.activity",
        "crm_dss_recipient_id",
        string="Tasks",
        readonly=True,
        context={"active_test": False},
        domain=[("active", "in", (True, False))],
    )
    task_count = fields.Integer(string="Tasks Total", compute="_compute_task_figures")
    task_done_count = fields.Integer(string="Tasks Done", compute="_compute_task_figures")

    _sql_constraints = [
        (
            "directive_user_unique",
            "UNIQUE(directive_id, user_id)",
            "A manager receives a directive once.",
        ),
    ]

    def _compute_task_figures(self):
        figures = self._crm_task_figures(recipients=self)
        for recipient in self:
            recipient.task_count, recipient.task_done_count = figures.get(recipient.id, (0, 0))

    @api.model
    def _crm_task_figures(self, recipients=None, directives=None):
        """``{recipient id (or directive id): (tasks, tasks done)}`` in one grouped query.

        A task is a *Directive Task* activity linked to a line; a done one is archived (the
        activity type keeps done activities) and keeps its feedback.
        """
        if directives is not None:
            domain = [("crm_dss_recipient_id.directive_id", "in", directives.ids)]
        else:
            domain = [("crm_dss_recipient_id", "in", recipients.ids)]
        # sudo: counts only, of the lines the caller already reads
        groups = (
            self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(domain, ["crm_dss_recipient_id", "active"], ["__count"])
        )
        figures = {}
        for recipient, active, count in groups:
            key = recipient.directive_id.id if directives is not None else recipient.id
            total, done = figures.get(key, (0, 0))
            figures[key] = (total + count, done + (0 if active else count))
        return figures

    # Resolution of the receiving managers ------------------------------------

    @api.model
    def _crm_resolve_recipients(self, directive):
        """The values of the lines ``directive`` makes: one per receiving manager.

        A target department is received by its manager; a target branch by the managers of
        its top departments (the departments of that company without a parent in it). A
        manager met twice receives one line (the first department). Raises ``UserError``
        naming a department without a manager or a branch without a managed top department.
        """
        # sudo: the department tree and its managers decide who receives; not shown to the issuer
        Department = self.env["hr.department"].sudo()
        targets = []  # (department, company)
        for department in directive.department_ids.sudo():
            if not department.manager_id.user_id:
                raise UserError(
                    self.env._(
                        "Department %s has no manager with a user: set its manager before issuing the directive.",
                        department.display_name,
                    )
                )
            targets.append((department, department.company_id or directive.company_id))
        branches = directive.target_company_ids.sudo()
        tops = Department.search([("company_id", "in", branches.ids)]) if branches else Department
        tops = tops.filtered(lambda department: department.parent_id.company_id != department.company_id)
        for branch in branches:
            managed = tops.filtered(lambda department, branch=branch: department.company_id == branch)
            managed = managed.filtered("manager_id.user_id")
            if not managed:
                raise UserError(
                    self.env._(
                        "Branch %s has no top department with a manager: set the managers of its departments "
                        "before issuing the directive.",
                        branch.display_name,
                    )
                )
            targets.extend((department, branch) for department in managed)
        values, seen = [], set()
        for department, company in targets:
            user = department.manager_id.user_id
            if user.id in seen:
                continue
            seen.add(user.id)
            values.append({"department_id": department.id, "company_id": company.id, "user_id": user.id})
        return values

    # What the managers do ---------------------------------------------------

    @api.model
    def _crm_mark_read(self, directives):
        """The current user opened ``directives``: their lines still *sent* turn *read*."""
        # sudo: a lookup of the caller's own lines, written by the system
        lines = self.sudo().search(
            [("directive_id", "in", directives.ids), ("user_id", "=", self.env.uid), ("state", "=", "sent")]
        )
        if lines:
            lines.write({"state": "read", "read_date": fields.Datetime.now()})
        return lines

    def _crm_check_own(self, action):
        for recipient in self:
            if recipient.user_id != self.env.user:
                raise AccessError(
                    self.env._(
                        "Only %(manager)s may %(action)s this directive.", manager=recipient.user_id.name, action=action
                    )
                )
            if recipient.directive_id.state != "issued":
                raise UserError(
                    self.env._(
                        "Directive %s is not open any more: nothing can be changed on it.",
                        recipient.directive_id.display_name,
                    )
                )

    def action_acknowledge(self, comment=None):
        """Acknowledge the directive, with an optional comment; the manager's to-do is done."""
        self._crm_check_own(self.env._("acknowledge"))
        if comment is not None and not isinstance(comment, str):
            raise UserError(self.env._("The comment of an acknowledgement is a text."))
        # two clicks at once: the second waits for the first and then finds the line acknowledged
        self.env.cr.execute(
            SQL("SELECT id FROM %s WHERE id IN %s FOR UPDATE", SQL.identifier(self._table), tuple(self.ids))
        )
        self.invalidate_recordset(["state"])
        for recipient in self:
            if recipient.state not in ("sent", "read"):
                raise UserError(
                    self.env._("You have already acknowledged directive %s.", recipient.directive_id.display_name)
                )
        now = fields.Datetime.now()
        for recipient in self:
            # sudo: states and dates are system-set; the caller is the line's manager (checked above)
            recipient.sudo().write(
                {
                    "state": "acknowledged",
                    "read_date": recipient.read_date or now,
                    "acknowledged_date": now,
                    "comment": comment or False,
                }
            )
        todo = self.env.ref("mail.mail_activity_data_todo")
        # sudo: the manager's own to-dos on the directives, found to be marked done
        todos = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "crm.dss.directive"),
                    ("res_id", "in", self.directive_id.ids),
                    ("user_id", "=", self.env.uid),
                    ("activity_type_id", "=", todo.id),
                ]
            )
        )
        if todos:
            todos.sudo(False).action_feedback(feedback=comment or "")
        return True

    def action_done(self):
        """Mark the line done: the manager has acknowledged and every task is done."""
        self._crm_check_own(self.env._("mark done"))
        figures = self._crm_task_figures(recipients=self)
        for recipient in self:
            if recipient.state != "acknowledged":
                raise UserError(
                    self.env._("Acknowledge directive %s before marking it done.", recipient.directive_id.display_name)
                )
            total, done = figures.get(recipient.id, (0, 0))
            if done < total:
                raise UserError(
                    self.env._(
                        "%(left)s of the %(total)s tasks of directive %(name)s are not done yet: wait until your "
                        "staff have done them.",
                        left=total - done,
                        total=total,
                        name=recipient.directive_id.display_name,
                    )
                )
        # sudo: states and dates are system-set; the caller is the line's manager (checked above)
        self.sudo().write({"state": "done", "done_date": fields.Datetime.now()})
        return True

    def action_open_task_wizard(self):
        self.ensure_one()
        self._crm_check_own(self.env._("turn into tasks"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Create Tasks"),
            "res_model": "crm.dss.directive.task",
            "view_mode": "form",
            "target": "new",
            "context": {"default_recipient_id": self.id},
        }

    def action_open_directive(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.dss.directive",
            "res_id": self.directive_id.id,
            "view_mode": "form",
        }
