from odoo import fields, models

# What an automatic step may do to the record it runs on.
WORKFLOW_ACTION_KINDS = (
    "object_write",
    "object_create",
    "mail_post",
    "followers",
    "remove_followers",
    "next_activity",
    "code",
)


class IrActionsServer(models.Model):
    """Which server actions workflows may invoke.

    The engine runs an automatic step's action as superuser, for the process: only
    actions an administrator marked *Usable in Workflows* (server actions are theirs to
    write), of the process's own model and of the kinds above, and only on the record
    the instance runs on.
    """

    _inherit = "ir.actions.server"

    crm_workflow_usable = fields.Boolean(
        string="Usable in Workflows",
        help="Workflow designers may choose this action for the automatic steps of processes on its model; "
        "the workflow engine runs it as superuser on the process's records.",
    )

    def _crm_workflow_problem(self, model):
        """Why this action may not run in a workflow on records of ``model``; empty when it may."""
        self.ensure_one()
        if not self.crm_workflow_usable:
            return self.env._(
                "the server action %s is not marked Usable in Workflows: ask an administrator.", self.name
            )
        if self.model_id.model != model:
            return self.env._(
                "the server action %(action)s runs on %(its)s, not on the process's records (%(model)s).",
                action=self.name,
                its=self.model_id.model,
                model=model,
            )
        if self.state not in WORKFLOW_ACTION_KINDS:
            kinds = dict(self._fields["state"]._description_selection(self.env))
            return self.env._(
                "a workflow step cannot run server actions of the kind %s.", kinds.get(self.state, self.state)
            )
        return ""
