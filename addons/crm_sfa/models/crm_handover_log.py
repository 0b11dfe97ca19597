from markupsafe import Markup

from odoo import api, fields, models


class CrmHandoverLog(models.Model):
    """A handover of opportunities, customers, quotations and activities from one salesperson to another.

    Written by the handover wizard only (``crm.handover``), as superuser after its checks:
    no group may create or change a log. Its lines (``crm.handover.log.line``) name each
    record moved, as it was called then.
    """

    _name = "crm.handover.log"
    _description = "Sales Handover"
    _order = "date desc, id desc"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users", string="Handed Over By", required=True, readonly=True, default=lambda self: self.env.user
    )
    from_user_id = fields.Many2one("res.users", string="From", required=True, readonly=True, index=True)
    to_user_id = fields.Many2one("res.users", string="To", required=True, readonly=True, index=True)
    reason = fields.Text(required=True, readonly=True)
    scope = fields.Selection(
        [("selection", "Selected opportunities"), ("portfolio", "Whole portfolio")],
        required=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    lead_ids = fields.Many2many(
        "crm.lead", "crm_handover_log_crm_lead_rel", "log_id", "lead_id", string="Leads & Opportunities", readonly=True
    )
    partner_ids = fields.Many2many(
        "res.partner", "crm_handover_log_res_partner_rel", "log_id", "partner_id", string="Customers", readonly=True
    )
    order_ids = fields.Many2many(
        "sale.order", "crm_handover_log_sale_order_rel", "log_id", "order_id", string="Quotations", readonly=True
    )
    line_ids = fields.One2many(
        "crm.handover.log.line",
        "log_id",
        string="Records Moved",
        readonly=True,
        help="Each lead, customer, quotation and activity moved, by its name at the handover.",
    )
    lead_count = fields.Integer(string="Leads & Opportunities Moved", readonly=True)
    partner_count = fields.Integer(string="Customers Moved", readonly=True)
    order_count = fields.Integer(string="Quotations Moved", readonly=True)
    activity_count = fields.Integer(string="Activities Moved", readonly=True)

    @api.depends("from_user_id", "to_user_id", "date")
    def _compute_display_name(self):
        for log in self:
            log.display_name = self.env._(
                "%(from)s to %(to)s", **{"from": log.from_user_id.name or "", "to": log.to_user_id.name or ""}
            )

    def _notify_new_owner(self):
        """One message to the salesperson who takes over, instead of one per record moved."""
        for log in self:
            author = self.env.user.partner_id
            if not author.email:
                author = self.env.ref("base.partner_root")
            counts = self.env._(
                "%(leads)s leads and opportunities, %(partners)s customers, %(orders)s quotations "
                "and %(activities)s activities",
                leads=log.lead_count,
                partners=log.partner_count,
                orders=log.order_count,
                activities=log.activity_count,
            )
            self.env["mail.thread"].message_notify(
                partner_ids=log.to_user_id.partner_id.ids,
                author_id=author.id,
                subject=self.env._("%s handed over to you", log.from_user_id.name),
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "%(manager)s handed over to you %(counts)s of %(from)s.",
                        **{"manager": log.user_id.name, "counts": counts, "from": log.from_user_id.name},
                    ),
                    self.env._("Reason: %s", log.reason),
                ),
            )
