from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import converters


class CrmEaiMappingLine(models.Model):
    """One field of a mapping: the system's field, the Odoo field (a path such as
    ``partner_id.ref`` when pushing), how the value is converted, and which side wins
    when both changed it."""

    _name = "crm.eai.mapping.line"
    _description = "Integration Mapping Field"
    _order = "mapping_id, sequence, id"

    mapping_id = fields.Many2one("crm.eai.mapping", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    external_field = fields.Char(string="System Field", required=True)
    field_path = fields.Char(string="Odoo Field", required=True)
    converter = fields.Selection(
        [
            ("text", "Text"),
            ("integer", "Whole number"),
            ("float", "Number"),
            ("boolean", "Yes/No"),
            ("date", "Date"),
            ("datetime", "Date and time"),
            ("ref", "Reference to another record"),
            ("attributes", "Product attributes (PDM)"),
        ],
        required=True,
        default="text",
    )
    ref_field = fields.Char(
        string="Matched On", help="Reference: the field of the other record the value is, e.g. code for a country."
    )
    is_key = fields.Boolean(string="Key", help="Identifies the record on both sides (matched before creating).")
    source_of_truth = fields.Selection(
        [("external", "The system"), ("odoo", "Odoo")],
        required=True,
        default="external",
        help="Pulling: when Odoo is the source of truth, the system only fills the field while it is empty.",
    )

    @api.constrains("field_path", "converter", "ref_field", "mapping_id")
    def _check_field_path(self):
        for line in self:
            Model = self.env[line.mapping_id.model_name]
            names = line.field_path.split(".")
            if line.mapping_id.direction == "pull" and len(names) > 1:
                raise ValidationError(
                    self.env._(
                        "%(path)s: pulled values go into a field of the record itself, not through a path.",
                        path=line.field_path,
                    )
                )
            for name in names:
                field = Model._fields.get(name)
                if not field:
                    raise ValidationError(
                        self.env._(
                            "%(model)s has no field %(name)s (in %(path)s).",
                            model=Model._description,
                            name=name,
                            path=line.field_path,
                        )
                    )
                if field.relational:
                    Model = self.env[field.comodel_name]
            if line.converter == "ref" and line.ref_field and line.ref_field not in Model._fields:
                raise ValidationError(
                    self.env._(
                        "%(model)s has no field %(name)s to match references on.",
                        model=Model._description,
                        name=line.ref_field,
                    )
                )
            if line.converter not in converters.CONVERTERS and line.converter != "attributes":
                raise ValidationError(self.env._("Unknown converter %s.", line.converter))

    def write(self, vals):
        result = super().write(vals)
        if "mapping_id" in vals:
            # record rules judge a field as it was: moved, it must still be the user's
            self.check_access("write")
        return result
