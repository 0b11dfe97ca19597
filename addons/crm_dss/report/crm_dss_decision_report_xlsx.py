from io import BytesIO

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.crm_workflow.lib.receivables import AGEING_LABELS, ageing_bucket, days_overdue, is_overdue

from ..lib.scope import EXECUTIVE
from ..lib.workbook import RECEIVABLE_COLUMNS, DssWorkbook, workbook_options

#: Journal items read per query for the receivable lines sheet.
LINE_BATCH = 5000


class CrmDssDecisionReportXlsx(models.AbstractModel):
    """The decision report workbook: the dashboard export on demand and the periodic report.

    On demand (``crm_dss.crm_dss_dashboard_xlsx_action``, ``data`` = ``{"board",
    "company_ids", "department_id", "date_from", "date_to"}``) the dashboard is read as the
    calling user, so their scope applies; the periodic report (``crm.dss.report.run``)
    calls :meth:`_dss_periodic_xlsx` as the template's owner. Both write the dashboard
    data contract with ``lib.workbook`` in constant memory.
    """

    _name = "report.crm_dss.decision_report_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Decision Report (XLSX)"

    def _get_objs_for_report(self, docids, data):
        # the workbook is made of the dashboard's figures, not of records
        return self.env["res.company"]

    def get_workbook_options(self):
        return workbook_options(constant_memory=True)

    def generate_xlsx_report(self, workbook, data, objs):
        data = data if isinstance(data, dict) else {}
        board = data.get("board") or "executive"
        if not isinstance(board, str):
            raise UserError(self.env._("Choose a dashboard to export."))
        company_ids = self._dss_company_ids(data.get("company_ids"))
        department_id = data.get("department_id") or None
        if department_id is not None and not isinstance(department_id, int):
            raise UserError(self.env._("Choose the department to export by its id."))
        date_from, date_to = (self._dss_date(data.get(key)) for key in ("date_from", "date_to"))
        # the caller's reach first: nothing is read for someone who may not see it
        scope = self.env["crm.dss.scope"]._dss_scope(company_ids)
        contract = self._dss_board(board, company_ids, department_id, date_from, date_to)
        writer = DssWorkbook(workbook, contract.get("currency"))
        self._dss_write_summary(writer, contract, contract.get("title") or board)
        writer.write_contract(contract)
        if board == "executive" and scope.level == EXECUTIVE:
            self._dss_write_receivable_lines(writer, scope)
        return writer

    # readers

    @api.model
    def _dss_company_ids(self, company_ids):
        if company_ids in (None, False, []):
            return None
        if not isinstance(company_ids, list | tuple) or not all(isinstance(cid, int) for cid in company_ids):
            raise UserError(self.env._("Choose the companies to export by their ids."))
        return list(company_ids)

    @api.model
    def _dss_date(self, value):
        if not value:
            return None
        try:
            return fields.Date.to_string(fields.Date.to_date(value))
        except (TypeError, ValueError):
            raise UserError(self.env._("%s is not a date: give dates as YYYY-MM-DD.", value)) from None

    @api.model
    def _dss_board(self, board, company_ids, department_id, date_from, date_to):
        """The contract dict of ``board`` as the current user sees it (their scope applies)."""
        if board == "executive":
            return self.env["crm.dss.dashboard"].get_executive_dashboard(company_ids, date_from, date_to)
        if board == "analysis":
            return self.env["crm.dss.analysis"].get_analysis(company_ids, date_from, date_to)
        return self.env["crm.dss.dashboard"].get_department_dashboard(
            board, company_ids, department_id, date_from, date_to
        )

    @api.model
    def _dss_receivable_lines(self, scope, today=None):
        """Open receivable lines of ``scope``, one dict per line, read in batches of
        :data:`LINE_BATCH` (keyset on the id) so that the sheet streams them.

        Read as superuser, filtered by the scope, as the dashboards' receivables figures
        are; overdue and ageing follow the suite's one rule (``lib.receivables``).
        """
        today = today or fields.Date.context_today(self)
        domain = [
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            *self.env["crm.dss.scope"]._dss_domain(scope, user_field="move_id.invoice_user_id"),
        ]
        # sudo: the figures of the caller's scope, as the dashboards read them
        Line = self.env["account.move.line"].sudo()
        names = ["company_id", "move_id", "move_name", "partner_id", "date_maturity", "balance", "amount_residual"]
        last_id = 0
        while True:
            lines = Line.search_fetch([*domain, ("id", ">", last_id)], names, order="id", limit=LINE_BATCH)
            if not lines:
                return
            for line in lines:
                residual = line.amount_residual
                overdue = is_overdue(line.date_maturity, residual, today)
                days = days_overdue(line.date_maturity, today) if overdue else 0
                yield {
                    "company": line.company_id.name,
                    "move": line.move_name,
                    "partner": line.partner_id.display_name or "",
                    "salesperson": line.move_id.invoice_user_id.name or "",
                    "date_maturity": line.date_maturity,
                    "amount": line.balance,
                    "residual": residual,
                    "overdue": residual if overdue else 0.0,
                    "days_overdue": days,
                    "ageing": AGEING_LABELS.get(ageing_bucket(days), "") if overdue else "",
                }
            last_id = lines[-1].id
            self.env.invalidate_all()  # keep the cache to one batch

    # writers

    def _dss_write_summary(self, writer, contract, title, extra=()):
        companies = self.env["res.company"].browse(contract.get("company_ids") or []).sudo()  # sudo: names only
        writer.write_summary(
            title,
            [
                (self.env._("Companies"), ", ".join(companies.mapped("name"))),
                (self.env._("From"), contract.get("date_from") or ""),
                (self.env._("To"), contract.get("date_to") or ""),
                *extra,
                (self.env._("Prepared for"), self.env.user.name),
                (self.env._("Generated on"), fields.Datetime.to_string(fields.Datetime.now()) + " UTC"),
            ],
        )

    def _dss_write_receivable_lines(self, writer, scope):
        return writer.write_rows(self.env._("Receivable Lines"), RECEIVABLE_COLUMNS, self._dss_receivable_lines(scope))

    def _dss_write_analysis(self, writer, scope, date_from, date_to, include_satisfaction, include_appraisal):
        """The satisfaction rates and appraisal figures per branch and department, when the
        analysis readers exist (``crm.dss.analysis``)."""
        if "crm.dss.analysis" not in self.env:
            return
        Analysis = self.env["crm.dss.analysis"]
        sheets = []
        if include_satisfaction and hasattr(Analysis, "_dss_satisfaction"):
            sheets += [
                (self.env._("Satisfaction by Branch"), Analysis._dss_satisfaction, "company"),
                (self.env._("Satisfaction by Department"), Analysis._dss_satisfaction, "department"),
            ]
        if include_appraisal and hasattr(Analysis, "_dss_appraisal"):
            sheets += [
                (self.env._("Appraisal by Branch"), Analysis._dss_appraisal, "company"),
                (self.env._("Appraisal by Department"), Analysis._dss_appraisal, "department"),
            ]
        for title, reader, group_by in sheets:
            table = reader(scope, fields.Date.to_date(date_from), fields.Date.to_date(date_to), group_by=group_by)
            writer.write_table_sheet(title, table or {})

    @api.model
    def _dss_periodic_xlsx(self, template, company_ids, date_from, date_to):
        """``(xlsx bytes, data rows, sheets)`` of a periodic report of ``template`` over
        ``date_from``..``date_to``, as the current user (the template's owner) sees it."""
        date_from, date_to = fields.Date.to_string(date_from), fields.Date.to_string(date_to)
        contract = self._dss_board("executive", list(company_ids), None, date_from, date_to)
        keys = {key.strip() for key in (template.section_keys or "").split(",") if key.strip()}
        if keys:
            contract = dict(contract, sections=[s for s in contract.get("sections") or () if s.get("key") in keys])
        buffer = BytesIO()
        workbook = xlsxwriter.Workbook(buffer, self.get_workbook_options())
        try:
            writer = DssWorkbook(workbook, contract.get("currency"))
            period = dict(template._fields["period"]._description_selection(self.env)).get(template.period)
            self._dss_write_summary(writer, contract, template.name, [(self.env._("Period"), period)])
            writer.write_contract(contract)
            scope = self.env["crm.dss.scope"]._dss_scope(list(company_ids))
            self._dss_write_analysis(
                writer, scope, date_from, date_to, template.include_satisfaction, template.include_appraisal
            )
            if template.include_receivable_lines:
                self._dss_write_receivable_lines(writer, scope)
        finally:
            workbook.close()
        return buffer.getvalue(), writer.rows_written, len(workbook.worksheets())
