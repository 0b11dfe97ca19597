from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, mute_logger

EXECUTIVE = "crm_dss.group_crm_dss_executive"


class CrmDssDirective(models.Model):
    """A decision, document or notice the decision level issues to departments and branches.

    Issuing (:meth:`action_issue`) resolves the receiving managers, writes one
    ``crm.dss.directive.recipient`` per manager, subscribes and notifies them. The managers
    read, acknowledge, turn the directive into tasks for their staff
    (``crm.dss.directive.task``) and mark their line done; the progress figures here sum
    their lines. Everything past the draft is set by the code (``_crm_system_fields``).
    """

    _name = "crm.dss.directive"
    _description = "Directive"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.system.fields.mixin"]
    _order = "issue_date desc, id desc"
    # recipients and staff with a task read the directive: they may discuss it in its chatter
    _mail_post_access = "read"
    _crm_system_fields = (
        "reference",
        "state",
        "issuer_id",
        "issue_date",
        # recipient_ids is not listed: the web client sends it empty when it creates a
        # directive, and its lines cannot be written by anyone (no write or create access)
        "task_user_ids",
    )

    name = fields.Char(string="Subject", required=True, tracking=True)
    reference = fields.Char(readonly=True, copy=False, default="/", index="trigram")
    kind = fields.Selection(
        [("decision", "Decision"), ("document", "Document"), ("notice", "Notice")],
        required=True,
        default="decision",
        tracking=True,
    )
    body = fields.Html(sanitize_style=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "crm_dss_directive_attachment_rel",
        "directive_id",
        "attachment_id",
        string="Attachments",
    )
    company_id = fields.Many2one(
        "res.company", string="Issuing Company", required=True, default=lambda self: self.env.company, index=True
    )
    issuer_id = fields.Many2one("res.users", string="Issued By", readonly=True, copy=False, tracking=True)
    issue_date = fields.Datetime(readonly=True, copy=False, tracking=True)
    deadline = fields.Date(tracking=True)
    priority = fields.Selection([("0", "Normal"), ("1", "High"), ("2", "Urgent")], default="0", tracking=True)
    department_ids = fields.Many2many(
        "hr.department",
        "crm_dss_directive_department_rel",
        "directive_id",
        "department_id",
        string="Target Departments",
    )
    target_company_ids = fields.Many2many(
        "res.company",
        "crm_dss_directive_company_rel",
        "directive_id",
        "company_id",
        string="Target Branches",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("issued", "Issued"), ("closed", "Closed"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    recipient_ids = fields.One2many("crm.dss.directive.recipient", "directive_id", string="Recipients", readonly=True)
    task_user_ids = fields.Many2many(
        "res.users",
        "crm_dss_directive_task_user_rel",
        "directive_id",
        "user_id",
        string="Staff with Tasks",
        readonly=True,
        copy=False,
    )
    recipient_count = fields.Integer(string="Recipients Count", compute="_compute_progress", store=True)
    read_count = fields.Integer(string="Read", compute="_compute_progress", store=True)
    acknowledged_count = fields.Integer(string="Acknowledged", compute="_compute_progress", store=True)
    done_count = fields.Integer(string="Done", compute="_compute_progress", store=True)
    progress = fields.Float(string="Progress (%)", compute="_compute_progress", store=True, aggregator="avg")
    task_count = fields.Integer(string="Tasks", compute="_compute_task_figures")
    task_done_count = fields.Integer(string="Tasks Done", compute="_compute_task_figures")
    task_ids = fields.One2many(
        "mail.activity", string="Task Activities", compute="_compute_task_ids", context={"active_test": False}
    )
    my_recipient_id = fields.Many2one("crm.dss.directive.recipient", string="My Line", compute="_compute_my_recipient")
    my_recipient_state = fields.Selection(
        [("sent", "Sent"), ("read", "Read"), ("acknowledged", "Acknowledged"), ("done", "Done")],
        string="My Status",
        compute="_compute_my_recipient",
    )

    @api.depends("recipient_ids.state")
    def _compute_progress(self):
        # a line read is also counted once acknowledged or done: "who has read" never shrinks
        reached = {"sent": 0, "read": 1, "acknowledged": 2, "done": 3}
        for directive in self:
            levels = [reached[state] for state in directive.recipient_ids.mapped("state")]
            directive.recipient_count = len(levels)
            directive.read_count = sum(1 for level in levels if level >= 1)
            directive.acknowledged_count = sum(1 for level in levels if level >= 2)
            directive.done_count = sum(1 for level in levels if level >= 3)
            directive.progress = 100.0 * directive.done_count / len(levels) if levels else 0.0

    def _compute_task_figures(self):
        figures = self.env["crm.dss.directive.recipient"]._crm_task_figures(directives=self)
        for directive in self:
            directive.task_count, directive.task_done_count = figures.get(directive.id, (0, 0))

    def _compute_task_ids(self):
        # sudo: the tasks (done ones are archived) of directives the caller reads; shown to
        # the issuer and the managers, whose read access to an activity follows the directive
        tasks = (
            self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search([("crm_dss_recipient_id.directive_id", "in", self.ids)], order="date_deadline, id")
        )
        for directive in self:
            mine = tasks.filtered(lambda task, directive=directive: task.res_id == directive.id)
            directive.task_ids = mine

    def _compute_my_recipient(self):
        # sudo: the caller's own lines
        lines = (
            self.env["crm.dss.directive.recipient"]
            .sudo()
            .search([("directive_id", "in", self.ids), ("user_id", "=", self.env.uid)])
        )
        line_of = {line.directive_id.id: line for line in lines}
        for directive in self:
            line = line_of.get(directive.id)
            directive.my_recipient_id = line.id if line else False
            directive.my_recipient_state = line.state if line else False

    @api.model_create_multi
    def create(self, vals_list):
        directives = super().create(vals_list)
        for directive in directives:
            # sudo: the reference comes from the module's sequence, whoever creates the directive
            sequence = self.env["ir.sequence"].sudo().with_company(directive.company_id)
            directive.sudo().reference = sequence.next_by_code("crm.dss.directive") or "/"
        return directives

    @api.ondelete(at_uninstall=False)
    def _unlink_except_issued(self):
        if any(directive.state != "draft" for directive in self):
            raise UserError(self.env._("Only draft directives can be deleted: cancel an issued directive instead."))

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for directive in self:
            reference = directive.reference if directive.reference and directive.reference != "/" else ""
            directive.display_name = f"{reference} {directive.name or ''}".strip()

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """Issuing subscribes every manager at once; the activities created next subscribe
        their assignee one by one again. Partners already following with the default
        subtypes have nothing to add: skip the lookup the stock method would make for each."""
        self.check_access("read")
        # sudo: the followers of a directive the caller reads (checked above), compared only
        if (
            partner_ids
            and not subtype_ids
            and len(self) == 1
            and set(partner_ids) <= set(self.sudo().message_partner_ids.ids)
        ):
            return True
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    def web_read(self, specification):
        """The form opening the directive: the first open by a receiving manager is recorded
        (their line turns *read*). On a read-only cursor Odoo retries the request on a
        read/write one, which happens once per manager and directive."""
        result = super().web_read(specification)
        if len(self) == 1 and not self.env.su:
            self.env["crm.dss.directive.recipient"]._crm_mark_read(self)
        return result

    # Actions ---------------------------------------------------------------

    def _crm_check_executive(self):
        if not self.env.user.has_group(EXECUTIVE):
            raise AccessError(self.env._("Only executives issue, close or cancel directives."))
        # the caller must be allowed to change these very directives (their companies')
        self.check_access("write")

    def _crm_lock(self):
        """Lock the directives' rows for this transaction, or tell the user someone else is on them."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id IN %s FOR UPDATE NOWAIT",
                        SQL.identifier(self._table),
                        tuple(self.ids),
                    )
                )
        except errors.LockNotAvailable:
            raise UserError(
                self.env._("Someone else is changing this directive right now: reload it and try again.")
            ) from None
        self.invalidate_recordset(["state"])

    def action_issue(self):
        """Issue draft directives: one recipient line per receiving manager, who is subscribed,
        told by mail and given a to-do. Nothing is written when a check fails."""
        self._crm_check_executive()
        self._crm_lock()
        for directive in self:
            if directive.state != "draft":
                raise UserError(
                    self.env._(
                        "Directive %s has already been issued: only a draft can be issued.", directive.display_name
                    )
                )
            if not directive.department_ids and not directive.target_company_ids:
                raise UserError(
                    self.env._(
                        "Directive %s has no target: choose the departments or branches it is addressed to.",
                        directive.display_name,
                    )
                )
            if directive.deadline and directive.deadline < fields.Date.context_today(directive):
                raise UserError(
                    self.env._(
                        "The deadline of directive %s is in the past: set a date from today on.", directive.display_name
                    )
                )
        Recipient = self.env["crm.dss.directive.recipient"]
        plans = {directive: Recipient._crm_resolve_recipients(directive) for directive in self}
        now = fields.Datetime.now()
        # sudo: the executive's checks are done above; lines and states are system-set
        self.sudo().write({"state": "issued", "issuer_id": self.env.uid, "issue_date": now})
        Recipient.sudo().create(
            [dict(values, directive_id=directive.id) for directive, plan in plans.items() for values in plan]
        )
        for directive in self:
            directive._crm_notify_recipients()
        return True

    def _crm_notify_recipients(self):
        self.ensure_one()
        users = self.recipient_ids.user_id
        # sudo: recipients' partners may belong to a company the issuer cannot read
        partners = users.sudo().partner_id
        self.message_subscribe(partner_ids=partners.ids)
        self.message_post(
            body=self.env._(
                "Directive %(name)s has been issued to you. Open it to read it, then acknowledge it.",
                name=self.display_name,
            ),
            partner_ids=partners.ids,
            subtype_xmlid="mail.mt_comment",
            attachment_ids=self.attachment_ids.ids,
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        # quick update: the message above already told them; no second mail per activity
        # sudo: the to-dos are assigned to managers of other companies than the issuer's
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": self.env["ir.model"]._get_id(self._name),
                    "res_id": self.id,
                    "activity_type_id": todo.id,
                    "user_id": user.id,
                    "summary": self.env._("Acknowledge directive %s", self.display_name),
                    "date_deadline": self.deadline or fields.Date.context_today(self),
                }
                for user in users
            ]
        )

    def action_close(self):
        self._crm_check_executive()
        self._crm_lock()
        if any(directive.state != "issued" for directive in self):
            raise UserError(self.env._("Only issued directives can be closed."))
        # sudo: the state is system-set, the executive was checked above
        self.sudo().write({"state": "closed"})
        return True

    def action_cancel(self):
        self._crm_check_executive()
        self._crm_lock()
        if any(directive.state not in ("draft", "issued") for directive in self):
            raise UserError(self.env._("Only draft or issued directives can be cancelled."))
        # sudo: the state is system-set, the executive was checked above
        self.sudo().write({"state": "cancelled"})
        todo = self.env.ref("mail.mail_activity_data_todo")
        # sudo: the recipients' open to-dos are removed with the directive they were about
        self.sudo().activity_ids.filtered(lambda activity: activity.activity_type_id == todo).unlink()
        return True

    def action_open_task_wizard(self):
        """The receiving manager's *Create Tasks* button: the wizard on their line."""
        return self._crm_my_line().action_open_task_wizard()

    def _crm_my_line(self):
        self.ensure_one()
        line = self.my_recipient_id.sudo(False)
        if not line:
            raise AccessError(self.env._("Only a manager who received directive %s can do this.", self.display_name))
        return line

    def action_acknowledge(self, comment=None):
        """The receiving manager's *Acknowledge* button on the directive's form."""
        return self._crm_my_line().action_acknowledge(comment=comment)

    def action_done(self):
        """The receiving manager's *Mark Done* button on the directive's form."""
        return self._crm_my_line().action_done()
