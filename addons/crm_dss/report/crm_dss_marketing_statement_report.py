from odoo import api, models
from odoo.exceptions import AccessError


class ReportCrmDssMarketingStatement(models.AbstractModel):
    """The marketing statement, as a QWeb PDF and as an XLSX workbook (one report name, two actions).

    Prints the ``crm.dss.marketing.statement`` wizards given: their teams and period, read
    through ``crm.dss.statement._dss_marketing_statement`` as the user who prints them.
    """

    _name = "report.crm_dss.marketing_statement"
    _inherit = "report.report_xlsx.abstract"
    _description = "Marketing Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["crm.dss.marketing.statement"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "crm.dss.marketing.statement",
            "docs": wizards,
            "statements": wizards._dss_statements(),
            "currency": self.env.company.currency_id,
        }

    def _get_objs_for_report(self, docids, data):
        # always the wizards, whatever the caller's context names as active model
        ids = docids or (data or {}).get("context", {}).get("active_ids", [])
        return self.env["crm.dss.marketing.statement"].browse(ids)

    def generate_xlsx_report(self, workbook, data, objs):
        if not isinstance(objs, models.BaseModel) or objs._name != "crm.dss.marketing.statement":
            # called over RPC with anything but the report's wizards
            raise AccessError(self.env._("Print the marketing statement from its wizard."))
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        write = self.env["report.crm_dss.customer_dossier"]._dss_write
        appraisal = workbook.add_worksheet(self.env._("Appraisal"))
        appraisal_columns = (
            (self.env._("Orders"), "orders"),
            (self.env._("Ordered"), "ordered"),
            (self.env._("Invoiced"), "invoiced"),
            (self.env._("Outstanding"), "outstanding"),
            (self.env._("Overdue"), "overdue"),
            (self.env._("Active Customers"), "active_customers"),
            (self.env._("New Customers"), "new_customers"),
            (self.env._("Leads"), "leads"),
        )
        appraisal.write_row(
            0,
            0,
            [self.env._("Sales Team"), self.env._("Salesperson"), *(label for label, _key in appraisal_columns)],
            bold,
        )
        sections = (
            (
                self.env._("Campaigns"),
                "campaigns",
                (
                    (self.env._("Campaign"), "name"),
                    (self.env._("Status"), "state"),
                    (self.env._("Start"), "date_start"),
                    (self.env._("End"), "date_end"),
                    (self.env._("Budget"), "budget"),
                    (self.env._("Actual Cost"), "actual_cost"),
                    (self.env._("Revenue"), "revenue"),
                    (self.env._("ROI (%)"), "roi"),
                    (self.env._("Leads"), "lead_count"),
                    (self.env._("Won"), "won_count"),
                ),
            ),
            (
                self.env._("Leads"),
                "leads_by_source",
                (
                    (self.env._("Source"), "source"),
                    (self.env._("Medium"), "medium"),
                    (self.env._("Leads"), "count"),
                    (self.env._("Expected Revenue"), "expected_revenue"),
                ),
            ),
            (
                self.env._("Customers"),
                "customers",
                (
                    (self.env._("Customer"), "customer"),
                    (self.env._("Salesperson"), "salesperson"),
                    (self.env._("Orders"), "orders"),
                    (self.env._("Amount"), "amount"),
                    (self.env._("First Order"), "first_order"),
                    (self.env._("New"), "new"),
                ),
            ),
            (
                self.env._("Receivables"),
                "receivables",
                (
                    (self.env._("Invoice"), "invoice"),
                    (self.env._("Customer"), "customer"),
                    (self.env._("Salesperson"), "salesperson"),
                    (self.env._("Due Date"), "date_maturity"),
                    (self.env._("Residual"), "residual"),
                    (self.env._("Days Overdue"), "days_overdue"),
                ),
            ),
        )
        sheets = {}
        for label, key, columns in sections:
            sheet = workbook.add_worksheet(label)
            sheet.write_row(0, 0, [self.env._("Sales Team"), *(name for name, _field in columns)], bold)
            sheet.set_column(0, len(columns), 18)
            sheets[key] = [sheet, 1]
        row = 1
        for wizard, statements in objs._dss_statements():
            for statement in statements:
                for person in statement["appraisal"]:
                    appraisal.write(row, 0, statement["name"])
                    appraisal.write(row, 1, person["salesperson"])
                    for column, (_label, key) in enumerate(appraisal_columns, start=2):
                        write(appraisal, row, column, float(person[key]), money, day)
                    row += 1
                appraisal.write(row, 0, statement["name"], bold)
                appraisal.write(row, 1, self.env._("Total"), bold)
                for column, (_label, key) in enumerate(appraisal_columns, start=2):
                    write(appraisal, row, column, float(statement["totals"][key]), money, day)
                row += 1
                for _label, key, columns in sections:
                    sheet, line = sheets[key]
                    for record in statement[key]:
                        sheet.write(line, 0, statement["name"])
                        for column, (_name, field) in enumerate(columns, start=1):
                            value = record[field]
                            if field == "new":
                                value = self.env._("Yes") if value else self.env._("No")
                            write(sheet, line, column, value, money, day)
                        line += 1
                    sheets[key][1] = line
            appraisal.write(row, 0, self.env._("Period"), bold)
            appraisal.write(row, 1, wizard._dss_period_label(wizard.date_from, wizard.date_to))
            row += 2
        appraisal.set_column(0, 1, 24)
        appraisal.set_column(2, 9, 14)
