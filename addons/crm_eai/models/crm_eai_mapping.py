import logging
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import split_every

from odoo.addons.crm_workflow.lib import domains
from odoo.addons.crm_workflow.models.crm_workflow_process import normalise_condition

from ..components.mapper import mapper_for

_logger = logging.getLogger(__name__)

# The integration reads and writes a mapping's model as superuser: no mapping reaches the
# models that hold users, rights, settings, code or the integration's own records.
FORBIDDEN_MODELS = ("ir.", "res.users", "res.groups", "res.config", "base.", "bus.", "queue.", "crm.eai.", "mail.")


class CrmEaiMapping(models.Model):
    """What one flow exchanges: an entity of the system and an Odoo model, field by field.

    A pulling mapping reads the system's records modified since its watermark, page by
    page, one page per background job; the watermark moves only when the last page is
    in, so a sync cut short starts again where it stopped. A pushing mapping sends the
    records of its domain changed since its watermark (and at once when an order is
    confirmed), each batch an outgoing message with its own idempotency key.
    """

    _name = "crm.eai.mapping"
    _description = "Integration Mapping"
    _inherit = ["crm.system.fields.mixin"]
    _order = "backend_id, sequence, id"
    _crm_system_fields = (
        "watermark",
        "sync_state",
        "sync_started",
        "sync_finished",
        "sync_total",
        "sync_done",
        "sync_cursor",
        "sync_watermark",
        "sync_key",
    )

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    backend_id = fields.Many2one("crm.eai.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    direction = fields.Selection(
        [("pull", "From the system into Odoo"), ("push", "From Odoo to the system")], required=True, default="pull"
    )
    entity = fields.Char(required=True, help="The system's name for the records, e.g. customer, product, order.")
    model_id = fields.Many2one("ir.model", string="Odoo Model", required=True, ondelete="cascade")
    model_name = fields.Char(related="model_id.model", store=True, index=True)
    line_ids = fields.One2many("crm.eai.mapping.line", "mapping_id", string="Fields", copy=True)
    domain = fields.Char(
        default="[]", help="Pushing: which records are sent, as a list of criteria, e.g. [('state', '=', 'sale')]."
    )
    create_missing = fields.Boolean(
        string="Create New Records", default=True, help="Pulling: create the records no key matches."
    )
    auto_sync = fields.Boolean(string="Scheduled", default=True)
    interval = fields.Integer(string="Every (minutes)", default=60)

    watermark = fields.Datetime(readonly=True, copy=False, help="Changes up to this time are in.")
    sync_state = fields.Selection(
        [("idle", "Idle"), ("running", "Running"), ("failed", "Failing")], default="idle", readonly=True, copy=False
    )
    sync_started = fields.Datetime(readonly=True, copy=False)
    sync_finished = fields.Datetime(readonly=True, copy=False)
    sync_total = fields.Integer(readonly=True, copy=False, help="Records announced by the system for this sync.")
    sync_done = fields.Integer(readonly=True, copy=False, help="Records taken in by this sync so far.")
    sync_cursor = fields.Char(readonly=True, copy=False)
    sync_watermark = fields.Datetime(readonly=True, copy=False)
    sync_key = fields.Char(readonly=True, copy=False, help="Identifies the current sync: its pages share it.")
    sync_progress = fields.Float(compute="_compute_sync_progress", string="Progress (%)")

    _sql_constraints = [
        ("interval_positive", "CHECK(interval > 0)", "The schedule runs at least every minute."),
        ("entity_unique", "UNIQUE(backend_id, direction, entity)", "A system's entity has one mapping each way."),
    ]

    @api.depends("sync_total", "sync_done", "sync_state")
    def _compute_sync_progress(self):
        for mapping in self:
            if mapping.sync_state == "idle" and mapping.sync_finished:
                mapping.sync_progress = 100.0
            else:
                mapping.sync_progress = 100.0 * mapping.sync_done / mapping.sync_total if mapping.sync_total else 0.0

    @api.constrains("line_ids", "direction")
    def _check_key(self):
        for mapping in self:
            if not mapping.line_ids.filtered("is_key"):
                raise ValidationError(
                    self.env._(
                        "%(name)s needs a key field: mark the field that identifies a record on both sides.",
                        name=mapping.name,
                    )
                )

    @api.constrains("model_id", "direction", "line_ids")
    def _check_model_allowed(self):
        """What a mapping may reach is what its author may reach: the model with the rights
        its direction needs (pull: create and write; push: read), every field of its lines."""
        for mapping in self:
            # the mapping's own column: its author need not read ir.model
            model = mapping.model_name
            Model = self.env[model]
            if model.startswith(FORBIDDEN_MODELS) or Model._transient or Model._abstract:
                raise ValidationError(
                    self.env._("%(model)s cannot be exchanged with another system.", model=Model._description)
                )
            if not self._crm_eai_may_map(model, mapping.direction):
                raise ValidationError(
                    self.env._(
                        "You may not change %s yourself, so you may not have the integration change them.",
                        Model._description,
                    )
                    if mapping.direction == "pull"
                    else self.env._(
                        "You may not read %s yourself, so you may not have the integration send them.",
                        Model._description,
                    )
                )
            for line in mapping.line_ids:
                if not self._crm_eai_may_map_field(model, line.field_path):
                    raise ValidationError(
                        self.env._("The field %(path)s is not yours to exchange.", path=line.field_path)
                    )

    @api.model
    def _crm_eai_may_map(self, model, direction):
        """Whether the user may have the integration pull into ``model`` (create and
        write it) or push from it (read it)."""
        Model = self.env[model]
        if model.startswith(FORBIDDEN_MODELS) or Model._transient or Model._abstract:
            return False
        modes = ("create", "write") if direction == "pull" else ("read",)
        Access = self.env["ir.model.access"]
        return self.env.su or all(Access.check(model, mode, raise_exception=False) for mode in modes)

    @api.model
    def _crm_eai_may_map_field(self, model, path):
        """Whether the user may read every field along ``path`` and the records it leads to."""
        current, Access = self.env[model], self.env["ir.model.access"]
        for name in path.split("."):
            field = current._fields.get(name)
            if not field:
                return True  # the line's own check names the missing field
            if not field.is_accessible(self.env):
                return False
            if field.relational:
                current = self.env[field.comodel_name]
                if not self.env.su and not Access.check(current._name, "read", raise_exception=False):
                    return False
        return True

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            normalise_condition(self.env, vals, "domain", vals.get("name"))
        return super().create(vals_list)

    def write(self, vals):
        normalise_condition(self.env, vals, "domain", self[:1].name if len(self) == 1 else None)
        if "model_id" in vals and self.filtered(lambda m: m.line_ids and m.model_id.id != vals["model_id"]):
            raise ValidationError(self.env._("Remove the fields of a mapping before you change its Odoo model."))
        result = super().write(vals)
        if "backend_id" in vals:
            # record rules judge a mapping as it was: moved, it must still be the user's
            self.check_access("write")
        return result

    # actions -------------------------------------------------------------

    def action_sync(self):
        """Start an incremental sync now (pull: changes since the watermark; push: the
        records changed since the last push)."""
        self.check_access("write")
        self._crm_eai_start_sync(full=False)

    def action_full_resync(self):
        """Everything again, whatever the watermark: records that did not change are
        recognised by their key and left as they are."""
        self.check_access("write")
        self._crm_eai_start_sync(full=True)

    # scheduling ----------------------------------------------------------

    @api.model
    def _cron_sync(self):
        now = fields.Datetime.now()
        due = self.search([("auto_sync", "=", True), ("backend_id.active", "=", True), ("sync_state", "!=", "running")])
        due.filtered(
            lambda m: not m.sync_finished or (now - m.sync_finished).total_seconds() >= m.interval * 60
        )._crm_eai_start_sync(full=False)

    def _crm_eai_start_sync(self, full):
        Exchange = self.env["crm.eai.exchange"]
        now = fields.Datetime.now()
        for mapping in self:
            if mapping.direction == "push":
                mapping._crm_eai_push_changed(full=full)
                continue
            if mapping.sync_state == "running" and not full:
                continue  # one sync at a time: its next page is already on its way
            # sudo: the sync's own figures, set by the system for the user who started it
            mapping.sudo().write(
                {
                    "sync_state": "running",
                    "sync_key": f"sync:{mapping.id}:{uuid.uuid4().hex}",
                    "sync_started": now,
                    "sync_finished": False,
                    "sync_done": 0,
                    "sync_total": 0,
                    "sync_cursor": False,
                    "sync_watermark": False if full else mapping.watermark,
                    **({"watermark": False} if full else {}),
                }
            )
            Exchange._crm_eai_create_pull(mapping, since=False if full else mapping.watermark, cursor=False)

    # pulling -------------------------------------------------------------

    def _crm_eai_import(self, records):
        """Take in one page of the system's records; return ``{key: reason}`` of those
        refused. Records are recognised by their binding, else by the key fields; a
        record already taken in at this modification time is left alone, so a page
        delivered twice changes the data once."""
        self.ensure_one()
        mapper = mapper_for(self)
        Model = self.env[self.model_name]
        Binding = self.env["crm.eai.binding"]
        bindings = Binding._crm_eai_find(self.backend_id, self.model_name, [r["key"] for r in records])
        records = [r for r in records if not bindings.get(r["key"]) or not bindings[r["key"]]._crm_eai_is_current(r)]
        values, errors = mapper.to_odoo(records)
        matched = self._crm_eai_match(mapper, values, bindings)
        # iterated, the records share one prefetch: their fields are read in one query
        existing = {target.id: target for target in Model.browse(set(matched.values()))}
        to_write, to_create, created_keys = {}, [], []
        for record in records:
            key = record["key"]
            if key not in values:
                continue
            if key in matched:
                target = existing[matched[key]]
                vals = mapper.finalize(target, values[key])
                changed = {name: value for name, value in vals.items() if _differs(target, name, value)}
                if changed:
                    to_write[key] = (target, changed)
            elif self.create_missing:
                to_create.append(mapper.finalize(Model.browse(), values[key]))
                created_keys.append(key)
        self._crm_eai_write_batch(to_write, errors)
        created = self._crm_eai_create_batch(Model, to_create, created_keys, errors)
        matched.update(created)
        Binding._crm_eai_bind(
            self.backend_id,
            self.model_name,
            {
                r["key"]: (matched[r["key"]], r.get("modified"))
                for r in records
                if r["key"] in matched and r["key"] not in errors
            },
            bindings,
        )
        return errors

    def _crm_eai_match(self, mapper, values, bindings):
        """``{key: res_id}`` through the bindings, then one search per key field."""
        matched = {key: binding.res_id for key, binding in bindings.items() if binding.res_id}
        Model = self.env[self.model_name].with_context(active_test=False)
        for line in mapper.key_lines():
            wanted = {
                vals[line["path"]]: key for key, vals in values.items() if key not in matched and vals.get(line["path"])
            }
            if not wanted:
                continue
            for row in Model.search_read([(line["path"], "in", list(wanted))], [line["path"]]):
                key = wanted.get(row[line["path"]])
                if key and key not in matched:
                    matched[key] = row["id"]
        return matched

    def _crm_eai_write_batch(self, to_write, errors):
        """Write the page's changes together (the ORM flushes them as one UPDATE per set
        of columns); if one is refused, one by one, so the others still come in."""
        if not to_write:
            return
        try:
            with self.env.cr.savepoint():
                for target, changed in to_write.values():
                    target.write(changed)
                self.env.flush_all()
            return
        except (UserError, ValidationError, ValueError) as error:
            _logger.info("%s: a change was refused (%s), writing one by one", self.name, error)
        for key, (target, changed) in to_write.items():
            try:
                with self.env.cr.savepoint():
                    target.write(changed)
            except (UserError, ValidationError, ValueError) as error:
                errors[key] = str(error)

    def _crm_eai_create_batch(self, Model, vals_list, keys, errors):
        """Create the page's new records at once; if one is refused, one by one, so the
        others still come in and the refused one is named."""
        if not vals_list:
            return {}
        # no "created" note on each pulled record (the exchange log says where it came from);
        # the changes made to it later are tracked as usual
        Model = Model.with_context(mail_create_nolog=True)
        try:
            with self.env.cr.savepoint():
                return dict(zip(keys, Model.create(vals_list).ids, strict=False))
        except (UserError, ValidationError, ValueError) as error:
            _logger.info("%s: a new record was refused (%s), creating one by one", self.name, error)
        created = {}
        for key, vals in zip(keys, vals_list, strict=False):
            try:
                with self.env.cr.savepoint():
                    created[key] = Model.create(vals).id
            except (UserError, ValidationError, ValueError) as error:
                errors[key] = str(error)
        return created

    # pushing -------------------------------------------------------------

    def _crm_eai_push_records(self, records):
        """Queue the records for the system, in batches; a batch whose content was
        already sent (same records, same values) is not queued again."""
        Exchange = self.env["crm.eai.exchange"]
        for mapping in self.filtered(lambda m: m.direction == "push" and m.active):
            mapper = mapper_for(mapping)
            for batch in split_every(mapping.backend_id.batch_size, records.ids, records.browse):
                Exchange._crm_eai_create_push(mapping, batch._name, batch.ids, mapper.to_external(batch))

    def _crm_eai_push_changed(self, full=False):
        """The records of the domain changed since the watermark, oldest first."""
        for mapping in self:
            Model = self.env[mapping.model_name]
            domain = domains.parse(mapping.domain)
            if mapping.watermark and not full:
                # ">=": write dates have whole seconds; what was already sent with the same
                # content makes the same idempotency key and is not queued again
                domain.append(("write_date", ">=", mapping.watermark))
            records = Model.search(domain, order="write_date, id")
            vals = {"sync_finished": fields.Datetime.now()}
            if records:
                mapping._crm_eai_push_records(records)  # in batches, each read on its own
                vals["watermark"] = records[-1].write_date  # the newest: they are in that order
            # sudo: the watermark is the system's bookmark
            mapping.sudo().write(vals)

    @api.model
    def _crm_eai_notify(self, records):
        """Push ``records`` now to the systems with an active pushing mapping for them
        (called when an order is confirmed); the scheduled push is the safety net."""
        mappings = self.sudo().search(
            [("direction", "=", "push"), ("model_name", "=", records._name), ("backend_id.active", "=", True)]
        )
        # sudo: the mappings are configuration, read for whoever confirmed the order
        for mapping in mappings:
            domain = domains.parse(mapping.domain)
            if "company_id" in records._fields:
                domain = [*domain, ("company_id", "in", [mapping.company_id.id, False])]
            selected = records.filtered_domain(domain)
            if selected:
                mapping._crm_eai_push_records(selected)


def _differs(record, name, value):
    field = record._fields[name]
    if field.type in ("one2many", "many2many"):
        return bool(value)
    current = record[name]
    if field.type == "many2one":
        return current.id != (value or False)
    if field.type == "float":
        return abs((current or 0.0) - (value or 0.0)) > 1e-9
    return (current or False) != (value or False)
