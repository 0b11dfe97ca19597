"""Products from a PDM: attributes and their values become the template's attribute lines."""

from odoo import Command

from .mapper import Mapper, RecordError, register


def parse_attribute(text):
    """``"Colour: Red, Blue"`` -> ``("Colour", ["Red", "Blue"])``."""
    name, sep, values = text.partition(":")
    values = [value.strip() for value in values.split(",") if value.strip()]
    if not sep or not name.strip() or not values:
        raise RecordError(f"attribute {text!r} is not written as 'Name: value, value'")
    return name.strip(), values


@register("pdm", "product.template")
class PdmProductMapper(Mapper):
    """The ``attribute`` fields of a PDM product (repeated, one per attribute)."""

    def _record_values(self, record, refs):
        vals = super()._record_values(record, refs)
        line = next((line for line in self.lines if line["converter"] == "attributes"), None)
        if line and line["external"] in record["fields"]:
            texts = record["fields"][line["external"]]
            texts = texts if isinstance(texts, list) else [texts]
            vals["attribute_line_ids"] = dict(parse_attribute(text) for text in texts if text.strip())
        return vals

    def to_odoo(self, records):
        values, errors = super().to_odoo(records)
        self._ensure_attributes(values.values())
        return values, errors

    def _ensure_attributes(self, all_vals):
        """Find or create the attributes and values of the page, in one go."""
        wanted = {}
        for vals in all_vals:
            for name, names in vals.get("attribute_line_ids", {}).items():
                wanted.setdefault(name, set()).update(names)
        Attribute = self.env["product.attribute"]
        attributes = {a.name: a for a in Attribute.search([("name", "in", list(wanted))])}
        missing = [name for name in wanted if name not in attributes]
        for attribute in Attribute.create([{"name": name, "create_variant": "no_variant"} for name in missing]):
            attributes[attribute.name] = attribute
        Value = self.env["product.attribute.value"]
        existing = {
            (value.attribute_id.name, value.name): value
            for value in Value.search([("attribute_id", "in", [a.id for a in attributes.values()])])
        }
        new = [
            {"attribute_id": attributes[name].id, "name": value}
            for name, names in wanted.items()
            for value in sorted(names)
            if (name, value) not in existing
        ]
        for value in Value.create(new):
            existing[(value.attribute_id.name, value.name)] = value
        self._attributes, self._values = attributes, existing

    def finalize(self, record, vals):
        vals = super().finalize(record, vals)
        wanted = vals.pop("attribute_line_ids", None)
        if wanted is None:
            return vals
        current = {line.attribute_id.name: line for line in record.attribute_line_ids} if record else {}
        commands = []
        for name, names in wanted.items():
            value_ids = [self._values[(name, value)].id for value in names]
            line = current.get(name)
            if not line:
                commands.append(Command.create({"attribute_id": self._attributes[name].id, "value_ids": value_ids}))
            elif set(line.value_ids.ids) != set(value_ids):
                commands.append(Command.update(line.id, {"value_ids": [Command.set(value_ids)]}))
        if commands:
            vals["attribute_line_ids"] = commands
        return vals
