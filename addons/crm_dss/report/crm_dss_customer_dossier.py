from odoo import api, models
from odoo.exceptions import AccessError


class ReportCrmDssCustomerDossier(models.AbstractModel):
    """The customer dossier, as a QWeb PDF and as an XLSX workbook (one report name, two actions).

    Both print ``crm.dss.statement._dss_customer_dossier`` of the chosen partners, read as
    the user who prints it: salespeople on customers they may read.
    """

    _name = "report.crm_dss.customer_dossier"
    _inherit = "report.report_xlsx.abstract"
    _description = "Customer Dossier"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "dossiers": self.env["crm.dss.statement"]._dss_customer_dossier(partners),
            "currency": self.env.company.currency_id,
        }

    def _get_objs_for_report(self, docids, data):
        # always partners, whatever the caller's context names as active model
        return self.env["res.partner"].browse(docids or (data or {}).get("context", {}).get("active_ids", []))

    def generate_xlsx_report(self, workbook, data, objs):
        if not isinstance(objs, models.BaseModel) or objs._name != "res.partner":
            # called over RPC with anything but the report's partners
            raise AccessError(self.env._("Print the customer dossier from the customer's Print menu."))
        dossiers = self.env["crm.dss.statement"]._dss_customer_dossier(objs)
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        summary = workbook.add_worksheet(self.env._("Customers"))
        headers = [
            self.env._("Customer"),
            self.env._("Salesperson"),
            self.env._("Pipeline"),
            self.env._("Quotations"),
            self.env._("Purchased"),
            self.env._("Invoiced"),
            self.env._("Paid"),
            self.env._("Outstanding"),
            self.env._("Overdue"),
            self.env._("Complaints"),
        ]
        summary.write_row(0, 0, headers, bold)
        for row, dossier in enumerate(dossiers, start=1):
            summary.write(row, 0, dossier["name"])
            summary.write(row, 1, dossier["salesperson"])
            for column, value in enumerate(
                (
                    dossier["pipeline"]["expected_revenue"],
                    dossier["quotations"]["amount"],
                    dossier["purchased"],
                    dossier["invoiced"],
                    dossier["paid"],
                    dossier["receivable"]["outstanding"],
                    dossier["receivable"]["overdue"],
                ),
                start=2,
            ):
                summary.write_number(row, column, value, money)
            summary.write_number(row, 9, dossier["complaints"]["count"])
        summary.set_column(0, 1, 28)
        summary.set_column(2, 9, 14)
        sheets = (
            (
                self.env._("Purchases"),
                (self.env._("Year"), self.env._("Category"), self.env._("Quantity"), self.env._("Amount")),
                "purchases",
                ("year", "category", "quantity", "amount"),
            ),
            (
                self.env._("Needs"),
                (
                    self.env._("Opportunity"),
                    self.env._("Stage"),
                    self.env._("Salesperson"),
                    self.env._("Expected Revenue"),
                    self.env._("Probability"),
                    self.env._("Description"),
                ),
                "needs",
                ("name", "stage", "salesperson", "expected_revenue", "probability", "description"),
            ),
            (
                self.env._("Quotations"),
                (self.env._("Quotation"), self.env._("Date"), self.env._("Salesperson"), self.env._("Amount")),
                "quotation_list",
                ("name", "date", "salesperson", "amount"),
            ),
            (
                self.env._("Orders"),
                (self.env._("Order"), self.env._("Date"), self.env._("Salesperson"), self.env._("Amount")),
                "order_list",
                ("name", "date", "salesperson", "amount"),
            ),
            (
                self.env._("Invoices"),
                (
                    self.env._("Invoice"),
                    self.env._("Date"),
                    self.env._("Due Date"),
                    self.env._("Total"),
                    self.env._("Residual"),
                    self.env._("Payment"),
                ),
                "invoice_list",
                ("name", "date", "date_due", "total", "residual", "payment_state"),
            ),
            (
                self.env._("Complaints"),
                (self.env._("Case"), self.env._("Subject"), self.env._("Opened"), self.env._("Status")),
                "complaint_list",
                ("name", "subject", "date", "state"),
            ),
        )
        for title, columns, section, keys in sheets:
            sheet = workbook.add_worksheet(title)
            sheet.write_row(0, 0, [self.env._("Customer"), *columns], bold)
            row = 1
            for dossier in dossiers:
                for record in dossier[section]:
                    sheet.write(row, 0, dossier["name"])
                    for column, key in enumerate(keys, start=1):
                        self._dss_write(sheet, row, column, record[key], money, day)
                    row += 1
            sheet.set_column(0, len(keys), 18)

    @api.model
    def _dss_write(self, sheet, row, column, value, money, day):
        """One cell: numbers as money, dates as dates, the rest as text."""
        if isinstance(value, bool) or value is None:
            sheet.write_blank(row, column, None)
        elif isinstance(value, float):
            sheet.write_number(row, column, value, money)
        elif isinstance(value, int):
            sheet.write_number(row, column, value)
        elif hasattr(value, "year") and hasattr(value, "month"):
            if hasattr(value, "tzinfo"):
                value = value.replace(tzinfo=None)
            sheet.write_datetime(row, column, value, day)
        else:
            sheet.write_string(row, column, str(value))
