"""Mappers: records of the exchange contract to Odoo values and back, for one mapping.

A mapping's lines cover the usual case without code (field, converter, key, source of
truth). A system whose data needs more registers its own mapper for its kind and model
(``register``), as OCA connector does with its mapper components; ``PdmProductMapper``
(product attributes) is the example shipped.
"""

from ..lib import converters

MAPPERS = {}


def register(kind, model):
    """Class decorator: use this mapper for mappings of ``model`` on backends of ``kind``."""

    def decorator(cls):
        MAPPERS[(kind, model)] = cls
        return cls

    return decorator


def mapper_for(mapping):
    cls = MAPPERS.get((mapping.backend_id.kind, mapping.model_name), Mapper)
    return cls(mapping)


class RecordError(ValueError):
    """One record that cannot be mapped; the exchange names its key and the reason."""


class Mapper:
    """Map with the mapping's lines; subclasses add what lines cannot say."""

    def __init__(self, mapping):
        self.mapping = mapping
        self.env = mapping.env
        self.model = self.env[mapping.model_name]
        self.lines = [
            {
                "external": line.external_field,
                "path": line.field_path,
                "converter": line.converter,
                "key": line.is_key,
                "truth": line.source_of_truth,
                "ref_field": line.ref_field or "name",
            }
            for line in mapping.line_ids
        ]

    # external -> Odoo ----------------------------------------------------

    def key_lines(self):
        return [line for line in self.lines if line["key"]]

    def to_odoo(self, records):
        """``{key: vals}`` for the records that map, ``{key: reason}`` for those that don't."""
        refs = self._resolve_refs(records)
        values, errors = {}, {}
        for record in records:
            try:
                values[record["key"]] = self._record_values(record, refs)
            except (converters.ConversionError, RecordError) as error:
                errors[record["key"]] = str(error)
        return values, errors

    def _record_values(self, record, refs):
        vals = {}
        for line in self.lines:
            if line["converter"] not in converters.CONVERTERS or line["external"] not in record["fields"]:
                continue
            text = record["fields"][line["external"]]
            if isinstance(text, list):
                text = text[-1]
            try:
                value = converters.to_odoo(line["converter"], text)
            except converters.ConversionError as error:
                raise RecordError(f"{line['external']}: {error}") from None
            if line["converter"] == "ref" and value:
                if value not in refs[line["path"]]:
                    raise RecordError(
                        f"{line['external']}: no {self.model._fields[line['path']].comodel_name} {value!r}"
                    )
                value = refs[line["path"]][value]
            vals[line["path"]] = value
        return vals

    def _resolve_refs(self, records):
        """One search per reference line for the whole page: ``{path: {text: id}}``."""
        refs = {}
        for line in self.lines:
            if line["converter"] != "ref":
                continue
            texts = {record["fields"].get(line["external"]) for record in records} - {None, ""}
            comodel = self.env[self.model._fields[line["path"]].comodel_name].with_context(active_test=False)
            refs[line["path"]] = {
                row[line["ref_field"]]: row["id"]
                for row in comodel.search_read([(line["ref_field"], "in", list(texts))], [line["ref_field"]])
            }
        return refs

    def finalize(self, record, vals):
        """The values to write on ``record`` (empty for a new one): the fields Odoo is the
        source of truth for keep the value they have."""
        kept = dict(vals)
        if record:
            for line in self.lines:
                if line["truth"] == "odoo" and line["path"] in kept and record[line["path"]]:
                    del kept[line["path"]]
        return kept

    # Odoo -> external ----------------------------------------------------

    def to_external(self, records):
        """The contract's records for Odoo ``records`` (key from the key line)."""
        key_line = next(iter(self.key_lines()), None)
        result = []
        for record in records:
            fields_ = {}
            for line in self.lines:
                value = record
                for name in line["path"].split("."):
                    value = value[name] if value else False
                if hasattr(value, "_name"):
                    value = value[line["ref_field"]] if value else False
                fields_[line["external"]] = converters.to_text(
                    line["converter"] if line["converter"] in converters.CONVERTERS else "text", value
                )
            key = fields_.get(key_line["external"]) if key_line else None
            result.append(
                {"key": key or f"{record._name}:{record.id}", "modified": record.write_date, "fields": fields_}
            )
        return result
