from odoo import api, fields, models
from odoo.tools import create_index


class CrmWorkflowInstance(models.Model):
    """One run of a process on one record."""

    _name = "crm.workflow.instance"
    _description = "Workflow Instance"
    _order = "date_start desc, id desc"

    process_id = fields.Many2one("crm.workflow.process", required=True, ondelete="restrict", index=True, readonly=True)
    process_code = fields.Char(related="process_id.code", store=True, index=True, string="Process Code")
    version = fields.Integer(related="process_id.version", store=True)
    res_model = fields.Char(string="Model", required=True, index=True, readonly=True)
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", required=True, readonly=True)
    res_name = fields.Char(string="Record", readonly=True)
    event_id = fields.Many2one("crm.event", index="btree_not_null", readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("error", "Error"), ("done", "Done"), ("cancel", "Cancelled")],
        string="Status",
        required=True,
        default="running",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    date_start = fields.Datetime(string="Started", required=True, default=fields.Datetime.now, readonly=True)
    date_end = fields.Datetime(string="Ended", readonly=True)
    cycle_hours = fields.Float(string="Cycle Time (hours)", readonly=True, aggregator="avg")
    workitem_ids = fields.One2many("crm.workflow.workitem", "instance_id", string="Work Items", readonly=True)
    current_activities = fields.Char(string="Where It Stands", compute="_compute_current_activities")

    def init(self):
        create_index(self.env.cr, "crm_workflow_instance_res_idx", self._table, ["res_model", "res_id"])

    @api.depends("process_id", "res_name")
    def _compute_display_name(self):
        for instance in self:
            instance.display_name = f"{instance.process_id.name}: {instance.res_name or instance.res_id}"

    @api.depends("workitem_ids.state")
    def _compute_current_activities(self):
        for instance in self:
            open_items = instance.workitem_ids.filtered(lambda item: item.state in ("offered", "taken", "error"))
            instance.current_activities = ", ".join(open_items.activity_id.mapped("name"))

    # Engine --------------------------------------------------------------------

    @api.model
    def _create_for(self, process, records):
        """Start ``process`` on every record of ``records``: the engine's entry point."""
        start = process.activity_ids.filtered(lambda activity: activity.kind == "start")[:1]
        has_company = "company_id" in records._fields
        event_ids = records.ids if records._name == "crm.event" else []
        # The engine creates instances for whoever triggered them; participants may
        # not create instances themselves, so it writes as superuser.
        instances = (
            self.sudo()
            .create(
                [
                    {
                        "process_id": process.id,
                        "res_model": records._name,
                        "res_id": record.id,
                        "res_name": record.display_name,
                        "event_id": record.id if event_ids else False,
                        "company_id": (has_company and record.company_id.id)
                        or process.company_id.id
                        or self.env.company.id,
                    }
                    for record in records.sudo()
                ]
            )
            .with_env(self.env)
        )
        workitems = self.env["crm.workflow.workitem"]._spawn(
            [{"instance_id": instance.id, "activity_id": start.id} for instance in instances]
        )
        workitems._run()
        return instances

    def _records(self):
        """The records the instances run on, as superuser, keyed by instance."""
        by_model = {}
        for instance in self:
            by_model.setdefault(instance.res_model, []).append(instance.res_id)
        records = {model: self.env[model].sudo().browse(ids) for model, ids in by_model.items()}
        return {instance: records[instance.res_model].browse(instance.res_id) for instance in self}

    def _check_finished(self):
        """Close the instances that have no open work left."""
        open_states = ("waiting", "active", "offered", "taken", "error")
        for instance in self.sudo():
            if instance.state != "running":
                continue
            if not any(item.state in open_states for item in instance.workitem_ids):
                now = fields.Datetime.now()
                instance.write(
                    {
                        "state": "done",
                        "date_end": now,
                        "cycle_hours": (now - instance.date_start).total_seconds() / 3600.0,
                    }
                )

    def action_cancel(self):
        # Cancelling writes as superuser: only who may change the instances may do it.
        self.check_access("write")
        open_items = self.sudo().workitem_ids.filtered(lambda item: item.state not in ("done", "cancel"))
        open_items._cancel(self.env._("Instance cancelled"))
        self.sudo().write({"state": "cancel", "date_end": fields.Datetime.now()})

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
