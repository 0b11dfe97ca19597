import logging

from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.tools import SQL, create_index, mute_logger
from odoo.tools.sql import index_exists

from ..lib import graph

OPEN_STATES = ("waiting", "active", "offered", "taken", "error")

_logger = logging.getLogger(__name__)


class CrmWorkflowInstance(models.Model):
    """One run of a process on one record."""

    _name = "crm.workflow.instance"
    _description = "Workflow Instance"
    _inherit = ["crm.system.fields.mixin"]
    _order = "date_start desc, id desc"
    # The engine sets everything: what a manager may do to an instance is cancel it.
    _crm_system_fields = (
        "process_id",
        "res_model",
        "res_id",
        "res_name",
        "event_id",
        "state",
        "company_id",
        "user_id",
        "date_start",
        "date_end",
        "cycle_hours",
        "workitem_ids",
        "exclusive_key",
    )

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
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        index="btree_not_null",
        readonly=True,
        help="Whose record the instance runs on (its responsible or salesperson when it has one, else "
        "who started it): they and their department's managers see the instance.",
    )
    date_start = fields.Datetime(string="Started", required=True, default=fields.Datetime.now, readonly=True)
    date_end = fields.Datetime(string="Ended", readonly=True)
    cycle_hours = fields.Float(string="Cycle Time (hours)", readonly=True, aggregator="avg")
    workitem_ids = fields.One2many("crm.workflow.workitem", "instance_id", string="Work Items", readonly=True)
    current_activities = fields.Char(string="Where It Stands", compute="_compute_current_activities")
    exclusive_key = fields.Char(
        readonly=True,
        help="The process code while the process allows one run at a time on a record: the database "
        "refuses a second running instance, even from another worker at the same moment.",
    )

    def init(self):
        create_index(self.env.cr, "crm_workflow_instance_res_idx", self._table, ["res_model", "res_id"])
        # one running instance of a process per record, unless the process allows parallel runs
        if not index_exists(self.env.cr, "crm_workflow_instance_exclusive_idx"):
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX crm_workflow_instance_exclusive_idx ON %s (exclusive_key, res_model, res_id) "
                    "WHERE exclusive_key IS NOT NULL AND state IN ('running', 'error')",
                    SQL.identifier(self._table),
                )
            )

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
        owners = self._owners(records)
        starter = False if self.env.user._is_superuser() else self.env.uid
        vals_list = [
            {
                "process_id": process.id,
                "res_model": records._name,
                "res_id": record.id,
                "res_name": record.display_name,
                "event_id": record.id if event_ids else False,
                "company_id": (has_company and record.company_id.id) or process.company_id.id or self.env.company.id,
                "exclusive_key": False if process.allow_parallel else process.code,
                "user_id": owners.get(record.id, starter),
            }
            for record in records.sudo()
        ]
        instances = self._create_exclusive(vals_list)
        workitems = self.env["crm.workflow.workitem"]._spawn(
            [{"instance_id": instance.id, "activity_id": start.id} for instance in instances]
        )
        workitems._run()
        return instances

    @api.model
    def _owners(self, records):
        """``{record id: user id}``: the user a record belongs to, by its ``user_id`` field."""
        field = records._fields.get("user_id")
        if not (field and field.type == "many2one" and field.comodel_name == "res.users"):
            return {}
        return {record.id: record.user_id.id for record in records.sudo() if record.user_id}

    @api.model
    def _create_exclusive(self, vals_list):
        """Create the instances, leaving out those that another worker started on the same
        record a moment ago (the unique index on ``exclusive_key`` refuses them)."""
        # The engine creates instances for whoever triggered them; participants may
        # not create instances themselves, so it writes as superuser.
        Instance = self.sudo()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                return Instance.create(vals_list).with_env(self.env)
        except UniqueViolation:
            _logger.info("workflow %s: started elsewhere meanwhile on some records", vals_list[0]["process_id"])
        instances = Instance.browse()
        for vals in vals_list:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    instances |= Instance.create(vals)
            except UniqueViolation:
                continue
        return instances.with_env(self.env)

    def _records(self):
        """The records the instances run on, as superuser, keyed by instance."""
        by_model = {}
        for instance in self:
            by_model.setdefault(instance.res_model, []).append(instance.res_id)
        records = {model: self.env[model].sudo().browse(ids) for model, ids in by_model.items()}
        # each record keeps the others in its prefetch: reading one reads them all
        return {
            instance: records[instance.res_model]
            .browse(instance.res_id)
            .with_prefetch(records[instance.res_model]._prefetch_ids)
            for instance in self
        }

    def _ready_or_joins(self):
        """The OR joins (synchronising merges) of these instances that no running path can
        still reach: made active and returned, to run next."""
        waiting = self.workitem_ids.filtered(
            lambda item: item.state == "waiting" and item.activity_id.join_mode == "or"
        )
        if not waiting:
            return waiting
        open_items = self.workitem_ids.filtered(lambda item: item.state in OPEN_STATES)
        forward = {}
        for activity in waiting.process_id.activity_ids:
            forward[activity.id] = activity.outgoing_ids.target_id.ids
        ready = waiting.browse()
        for join in waiting:
            others = open_items.filtered(lambda item, join=join: item.instance_id == join.instance_id and item != join)
            if not graph.can_reach(forward, others.activity_id.ids, join.activity_id.id):
                ready |= join
        ready.write({"state": "active"})
        return ready

    def _check_finished(self):
        """Close the instances that have no open work left."""
        for instance in self.sudo():
            if instance.state != "running":
                continue
            if not any(item.state in OPEN_STATES for item in instance.workitem_ids):
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
