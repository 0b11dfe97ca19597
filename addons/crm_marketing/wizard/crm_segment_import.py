import base64
import binascii
from types import SimpleNamespace

import psycopg2
import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import prospect_import
from .crm_segment_import_line import LINE_STATUSES


class CrmSegmentImport(models.TransientModel):
    """Import a file of prospects (CSV or XLSX) into a static segment.

    Two steps: *Check* reads the file and shows each row with what will be done to it
    (a new contact, a link to an existing contact with the same email or phone, a
    duplicate of an earlier row, or rejected with the reason) and a report of the rows
    left out; *Import* creates the new contacts and adds them and the existing ones to
    the list, in one go: if anything fails, nothing of the import is written.

    The rules (headers, checks, duplicates) are in ``lib/prospect_import.py``; this
    wizard reads the file, looks the contacts up in batch and writes once. Contacts are
    created as the user, with their rights on contacts.
    """

    _name = "crm.segment.import"
    _description = "Prospect Import"

    segment_id = fields.Many2one(
        "crm.segment",
        string="Static List",
        domain="[('kind', '=', 'static')]",
        help="The list the contacts are added to; leave empty to create one.",
    )
    segment_name = fields.Char(string="New List Name")
    file = fields.Binary(attachment=False)
    filename = fields.Char()
    country_id = fields.Many2one(
        "res.country",
        string="Default Country",
        default=lambda self: self.env.company.country_id,
        help="The country of rows without one, to read their national phone numbers.",
    )
    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Imported")], default="upload", readonly=True
    )
    line_ids = fields.One2many("crm.segment.import.line", "import_id", string="Rows", readonly=True)
    new_count = fields.Integer(string="New Contacts", compute="_compute_counts")
    existing_count = fields.Integer(string="Existing Contacts", compute="_compute_counts")
    duplicate_count = fields.Integer(string="Duplicates", compute="_compute_counts")
    rejected_count = fields.Integer(string="Rejected", compute="_compute_counts")
    report_file = fields.Binary(string="Rejected Rows", attachment=False, readonly=True)
    report_filename = fields.Char(readonly=True)

    @api.depends("line_ids.status")
    def _compute_counts(self):
        counts = {
            (wizard, status): count
            for wizard, status, count in self.env["crm.segment.import.line"]._read_group(
                [("import_id", "in", self.ids)], ["import_id", "status"], ["__count"]
            )
        }
        for wizard in self:
            for status, __ in LINE_STATUSES:
                wizard[f"{status}_count"] = counts.get((wizard, status), 0)

    def write(self, vals):
        if "file" in vals and not self.env.context.get("crm_marketing_import_checked"):
            # another file: the rows checked before no longer stand
            self.sudo().line_ids.unlink()  # sudo: the lines are written by the check only
            vals = dict(vals, state="upload", report_file=False, report_filename=False)
        return super().write(vals)

    def action_preview(self):
        """Check the file and show what the import will do."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("This file is already imported: start a new import."))
        rows = self._crm_read_rows()
        phone_codes = {country.code: country.phone_code for country in self.env["res.country"].search([])}
        try:
            checked = prospect_import.check_rows(rows, self.country_id.code or "", phone_codes)
        except prospect_import.ProspectFileError as error:
            raise UserError(prospect_import.file_error_message(error, self.env._)) from error
        by_email, by_phone = self._crm_existing_partners(checked)
        prospect_import.link_existing(checked, by_email, by_phone)
        # sudo: the lines are the result of the check, which users may read, not write
        self.sudo().line_ids.unlink()
        self.env["crm.segment.import.line"].sudo().create(
            [
                {
                    "import_id": self.id,
                    "row_number": row.number,
                    "status": row.status,
                    "reason": prospect_import.row_reason(row, self.env._),
                    "name": row.values.get("name"),
                    "email": row.values.get("email"),
                    "phone": row.values.get("phone"),
                    "company_name": row.values.get("company"),
                    "city": row.values.get("city"),
                    "country_code": row.country_code,
                    "email_normalized": row.email,
                    "phone_normalized": row.phone,
                    "partner_id": row.partner_id or False,
                }
                for row in checked
            ]
        )
        left_out = [row for row in checked if row.status in ("rejected", "duplicate")]
        labels = dict(self.env["crm.segment.import.line"]._fields["status"]._description_selection(self.env))
        report = (
            prospect_import.report_csv(
                [
                    (row.number, labels[row.status], prospect_import.row_reason(row, self.env._), row.values)
                    for row in left_out
                ],
                [self.env._("Row"), self.env._("Status"), self.env._("Reason")],
            )
            if left_out
            else False
        )
        self.with_context(crm_marketing_import_checked=True).write(
            {
                "state": "preview",
                "report_file": base64.b64encode(report) if report else False,
                "report_filename": f"{(self.filename or 'prospects').rsplit('.', 1)[0]}-rejected.csv"
                if report
                else False,
            }
        )
        return self._crm_reopen()

    def action_import(self):
        """Create the new contacts and add them and the existing ones to the list, all or nothing."""
        self.ensure_one()
        if self.state != "preview":
            raise UserError(self.env._("Check the file before importing it."))
        if not self.segment_id and not self.segment_name:
            raise UserError(self.env._("Choose the static list to import into, or name a new one."))
        try:
            with self.env.cr.savepoint():
                to_create, to_link = self._crm_lines_to_write()
                segment = self.segment_id or self.env["crm.segment"].create(
                    {"name": self.segment_name, "kind": "static"}
                )
                if segment.kind != "static":
                    raise UserError(
                        self.env._("Prospects are imported into a static list: %s is dynamic.", segment.display_name)
                    )
                segment.check_access("write")
                countries = {c.code: c.id for c in self.env["res.country"].search([])}
                created = self.env["res.partner"].create(
                    [self._crm_partner_values(line, segment, countries) for line in to_create]
                )
                members = created | to_link.partner_id
                segment._crm_segment_add_partners(members)
                for line, partner in zip(to_create, created, strict=True):
                    # sudo: the lines are written by the import only
                    line.sudo().partner_id = partner
                self.with_context(crm_marketing_import_checked=True).write({"state": "done", "segment_id": segment.id})
        except psycopg2.errors.SerializationFailure:
            raise  # another import of the same prospects committed first: Odoo retries this one
        except (ValidationError, psycopg2.Error) as error:
            raise UserError(
                self.env._("The import failed and nothing was written: %s", error.args[0] if error.args else error)
            ) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(created)s contacts created and %(linked)s existing contacts added to %(list)s.",
                    created=len(created),
                    linked=len(to_link),
                    list=segment.display_name,
                ),
                "next": segment._get_records_action(),
            },
        }

    def _crm_lines_to_write(self):
        """``(to_create, to_link)``: the lines of new contacts and of existing ones, as of now.

        Two imports of the same prospects at the same moment would both create them: the
        rows' emails and phones are locked first (``crm.campaign.response.lock``, the keys
        the intake of responses uses), so that the second import fails once the first
        commits and is retried; then the new lines are matched again with the contacts
        made since the check (by the first import, or anyone), which are linked instead.
        """
        lines = self.line_ids
        to_create = lines.filtered(lambda line: line.status == "new")
        company = (self.segment_id.company_id or self.env.company).id
        keys = [f"responder:{company}:email:{line.email_normalized}" for line in to_create if line.email_normalized]
        keys += [f"import:{company}:phone:{line.phone_normalized}" for line in to_create if line.phone_normalized]
        self.env["crm.campaign.response.lock"]._crm_lock(keys)
        rows = [SimpleNamespace(email=line.email_normalized, phone=line.phone_normalized) for line in to_create]
        by_email, by_phone = self._crm_existing_partners(rows)
        for line in to_create:
            partner_id = by_email.get(line.email_normalized) or by_phone.get(line.phone_normalized)
            if partner_id:
                # sudo: the lines are written by the import only
                line.sudo().write(
                    {"status": "existing", "partner_id": partner_id, "reason": self.env._("already a contact")}
                )
        return lines.filtered(lambda line: line.status == "new"), lines.filtered(lambda line: line.status == "existing")

    def action_download_report(self):
        """The CSV of the rejected and duplicate rows."""
        self.ensure_one()
        if not self.report_file:
            raise UserError(self.env._("Every row of the file can be imported: there is no row to report."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/crm.segment.import/{self.id}/report_file/{self.report_filename}?download=true",
            "target": "self",
        }

    def _crm_read_rows(self):
        if not self.file:
            raise UserError(self.env._("Choose a CSV or XLSX file to import."))
        try:
            data = base64.b64decode(self.file, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(self.env._("The file could not be read: upload it again.")) from error
        try:
            return prospect_import.read_rows(data, self.filename)
        except prospect_import.ProspectFileError as error:
            raise UserError(prospect_import.file_error_message(error, self.env._)) from error

    def _crm_existing_partners(self, rows):
        """``(by_email, by_phone)``: the contacts the user sees with the rows' emails and phones."""
        emails = list({row.email for row in rows if row.email})
        phones = list({row.phone for row in rows if row.phone})
        Partner = self.env["res.partner"]
        by_email, by_phone = {}, {}
        if emails:
            for partner in Partner.search_fetch([("email_normalized", "in", emails)], ["email_normalized"], order="id"):
                by_email.setdefault(partner.email_normalized, partner.id)
        if phones:
            # phone_sanitized is the E.164 form when the phonenumbers library is installed;
            # the raw fields match the numbers an import of ours wrote
            domain = ["|", "|", ("phone_sanitized", "in", phones), ("phone", "in", phones), ("mobile", "in", phones)]
            for partner in Partner.search_fetch(domain, ["phone_sanitized", "phone", "mobile"], order="id"):
                for number in (partner.phone_sanitized, partner.phone, partner.mobile):
                    if number:
                        by_phone.setdefault(number, partner.id)
        return by_email, by_phone

    def _crm_partner_values(self, line, segment, countries):
        person = line.name
        return {
            "name": person or line.company_name,
            "is_company": not person,
            "company_name": line.company_name if person else False,
            "email": line.email_normalized or False,
            "phone": line.phone_normalized or False,
            "city": line.city or False,
            "country_id": countries.get(line.country_code, False),
            "company_id": segment.company_id.id,
        }

    def _crm_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Prospects"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
