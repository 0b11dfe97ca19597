from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class CrmCreditOverrideConfirm(models.TransientModel):
    """A sales manager confirms an order the credit check blocks, saying why."""

    _name = "crm.credit.override.confirm"
    _description = "Confirm Order Despite the Credit Check"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    # read with the user's rights (related fields read as superuser by default): the order is
    # one the user may open, and the message names only the figures the user may see
    block_reason = fields.Text(
        related="order_id.crm_sfa_credit_block_reason", compute_sudo=False, string="Why It Is Blocked"
    )
    reason = fields.Text(help="Why the order may be confirmed anyway: kept in the override log and on the order.")

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("crm_sfa.group_crm_sfa_manager"):
            raise AccessError(
                self.env._("Only sales managers may confirm an order despite the credit check: ask your sales manager.")
            )
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why this order may be confirmed anyway: the reason is logged."))
        self.order_id._crm_sfa_confirm_with_override(reason)
        return {"type": "ir.actions.act_window_close"}
