from odoo import api, models
from odoo.exceptions import AccessError


class CrmSystemFieldsMixin(models.AbstractModel):
    """Fields that only the code sets: states moved by the model's buttons, figures it
    computes, the user who acted, links to technical records.

    ``readonly`` in a view does not stop a caller of ``create`` or ``write`` over RPC:
    the fields named in ``_crm_system_fields`` are refused there unless the code writes
    them in superuser mode, which it does after its own checks (and says so).
    """

    _name = "crm.system.fields.mixin"
    _description = "Fields Set by the System"

    _crm_system_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.su:
            return super().create(vals_list)
        # nor through the caller's context (``default_state``...): the fields' own defaults apply
        context = {
            key: value
            for key, value in self.env.context.items()
            if not (key.startswith("default_") and key[8:] in self._crm_system_fields)
        }
        records = self.with_context(context)  # pylint: disable=context-overridden
        # the web client sends the defaults of the fields its form shows: those are let through
        names = {name for vals in vals_list for name in vals}.intersection(self._crm_system_fields)
        defaults = records.default_get(list(names)) if names else {}
        records._crm_check_system_fields(
            {name for vals in vals_list for name in names.intersection(vals) if vals[name] != defaults.get(name, False)}
        )
        return super(CrmSystemFieldsMixin, records).create(vals_list)

    def write(self, vals):
        self._crm_check_system_fields(vals)
        return super().write(vals)

    def _crm_check_system_fields(self, names):
        if self.env.su:
            return
        forbidden = sorted(set(names).intersection(self._crm_system_fields))
        if forbidden:
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s are set by the system, not by hand: use the buttons of the form.",
                    fields=", ".join(self._fields[name].string for name in forbidden),
                    model=self._description,
                )
            )
