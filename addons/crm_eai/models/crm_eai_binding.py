from odoo import api, fields, models


class CrmEaiBinding(models.Model):
    """Which Odoo record a system's record is (OCA connector's binder): the system's key,
    the Odoo id and the modification time last taken in, so a page delivered twice, or a
    stale one after a newer, changes nothing."""

    _name = "crm.eai.binding"
    _description = "Integration Binding"
    _order = "backend_id, model, external_key"
    _rec_name = "external_key"

    backend_id = fields.Many2one("crm.eai.backend", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    model = fields.Char(required=True, readonly=True)
    res_id = fields.Many2oneReference(string="Record", model_field="model", required=True, readonly=True)
    external_key = fields.Char(required=True, readonly=True)
    external_modified = fields.Datetime(readonly=True)
    sync_date = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("key_unique", "UNIQUE(backend_id, model, external_key)", "A system's record is bound to one Odoo record."),
    ]

    def _crm_eai_is_current(self, record):
        """Was this version of the system's record (or a newer one) already taken in?"""
        modified = record.get("modified")
        return bool(modified and self.external_modified and modified <= self.external_modified)

    @api.model
    def _crm_eai_find(self, backend, model, keys):
        found = self.search([("backend_id", "=", backend.id), ("model", "=", model), ("external_key", "in", keys)])
        return {binding.external_key: binding for binding in found}

    @api.model
    def _crm_eai_bind(self, backend, model, targets, bindings):
        """Record ``{key: (res_id, modified)}``: update the known bindings, create the rest."""
        now = fields.Datetime.now()
        new = []
        for key, (res_id, modified) in targets.items():
            binding = bindings.get(key)
            if binding:
                binding.write(
                    {"res_id": res_id, "external_modified": modified or binding.external_modified, "sync_date": now}
                )
            else:
                new.append(
                    {
                        "backend_id": backend.id,
                        "model": model,
                        "res_id": res_id,
                        "external_key": key,
                        "external_modified": modified,
                        "sync_date": now,
                    }
                )
        self.create(new)
