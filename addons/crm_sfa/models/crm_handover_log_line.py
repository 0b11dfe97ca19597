from odoo import api, fields, models

KINDS = [
    ("lead", "Lead / Opportunity"),
    ("partner", "Customer"),
    ("order", "Quotation"),
    ("activity", "Activity"),
]


class CrmHandoverLogLine(models.Model):
    """One record a handover moved: what it was, what it was called then and, for an
    activity, what it was planned on and when.

    Created with its log by the handover wizard only (``crm.handover``), as superuser
    after its checks: no group may create or change a line. The names are kept as they
    were at the handover, so that the log still tells what moved once a record is
    renamed or deleted, or an activity is done (Odoo deletes done activities).
    """

    _name = "crm.handover.log.line"
    _description = "Sales Handover: Record Moved"
    _order = "log_id, id"
    _log_access = False

    log_id = fields.Many2one("crm.handover.log", required=True, readonly=True, index=True, ondelete="cascade")
    kind = fields.Selection(KINDS, string="Moved", required=True, readonly=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", required=True, readonly=True)
    name = fields.Char(string="Record", readonly=True, help="Its name when it was handed over.")
    activity_on = fields.Char(
        string="Planned On", readonly=True, help="For an activity: the record it was planned on, by its name then."
    )
    date_deadline = fields.Date(string="Due Date", readonly=True, help="For an activity: its due date then.")
    record_ref = fields.Reference(
        selection="_selection_record_ref",
        string="Open",
        compute="_compute_record_ref",
        help="The record, while it exists and you may read it.",
    )

    @api.model
    def _selection_record_ref(self):
        return [
            (model, self.env["ir.model"]._get(model).name)
            for model in ("crm.lead", "res.partner", "sale.order", "mail.activity")
        ]

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        ids_by_model = {}
        for line in self:
            ids_by_model.setdefault(line.res_model, set()).add(line.res_id)
        readable = {
            model: set(self.env[model].browse(ids).exists()._filtered_access("read").ids)
            for model, ids in ids_by_model.items()
            if model in self.env
        }
        for line in self:
            line.record_ref = (
                f"{line.res_model},{line.res_id}" if line.res_id in readable.get(line.res_model, ()) else False
            )
