"""Dashboard contract dicts written into an XLSX workbook with plain xlsxwriter.

The writer knows nothing of Odoo: it takes the dicts of the dashboard data contract
(sections of KPIs, charts and tables) and plain tables (``{"columns", "rows"}``) and
writes one sheet per section, its KPIs and tables as cell ranges and its charts as
native Excel charts fed by the figures written next to them.

Every sheet is written top to bottom, row after row, so that the workbook may be opened
in xlsxwriter's ``constant_memory`` mode (:func:`workbook_options`): each row is flushed
to a temporary file as soon as the next one starts, and a sheet of a million rows
(:meth:`DssWorkbook.write_rows` fed from a generator) costs the memory of one row.
"""

import re
from datetime import date, datetime

#: xlsxwriter chart type of each contract chart type ("bar" is drawn upright, as Chart.js does).
CHART_TYPES = {"bar": "column", "line": "line", "pie": "pie", "doughnut": "doughnut"}
#: Number formats of the contract's value formats ("percent" values are 0-100 numbers).
NUMBER_FORMATS = {
    "integer": "#,##0",
    "float": "#,##0.00",
    "percent": '0.0"%"',
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
SHEET_NAME_MAX = 31
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
#: Columns of the receivable lines sheet (decision reports; the benchmark writes the same).
RECEIVABLE_COLUMNS = (
    {"key": "company", "label": "Company", "format": "text"},
    {"key": "move", "label": "Document", "format": "text"},
    {"key": "partner", "label": "Customer", "format": "text"},
    {"key": "salesperson", "label": "Salesperson", "format": "text"},
    {"key": "date_maturity", "label": "Due Date", "format": "date"},
    {"key": "amount", "label": "Amount", "format": "monetary"},
    {"key": "residual", "label": "Outstanding", "format": "monetary"},
    {"key": "overdue", "label": "Overdue", "format": "monetary"},
    {"key": "days_overdue", "label": "Days Overdue", "format": "integer"},
    {"key": "ageing", "label": "Ageing", "format": "text"},
)

#: Where a section sheet's charts are drawn: the column right of its figures.
CHART_COLUMN = 5
CHART_ROWS = 16


def workbook_options(constant_memory=True):
    """xlsxwriter ``Workbook`` options of the decision reports."""
    return {"constant_memory": constant_memory, "strings_to_numbers": False, "strings_to_formulas": False}


def monetary_format(currency):
    """Number format of amounts in ``currency`` (the contract's ``{"symbol", "position", "digits"}``)."""
    currency = currency or {}
    digits = int(currency.get("digits", 2) or 0)
    symbol = (currency.get("symbol") or "").replace('"', "")
    number = "#,##0" + ("." + "0" * digits if digits else "")
    if not symbol:
        return number
    return f'"{symbol}"{number}' if currency.get("position", "before") == "before" else f'{number} "{symbol}"'


class DssWorkbook:
    """Writes contract dicts into an open xlsxwriter ``workbook`` (the caller closes it).

    ``rows_written`` counts the data rows written (KPIs, chart figures, table rows).
    """

    def __init__(self, workbook, currency=None):
        self.book = workbook
        self.currency = currency
        self.rows_written = 0
        self._names = set()
        self._formats = {}

    # formats and cells

    def _format(self, key):
        if key not in self._formats:
            if key == "title":
                properties = {"bold": True, "font_size": 14}
            elif key == "header":
                properties = {"bold": True, "bg_color": "#D9E1F2", "border": 1}
            elif key == "monetary":
                properties = {"num_format": monetary_format(self.currency)}
            elif key in NUMBER_FORMATS:
                properties = {"num_format": NUMBER_FORMATS[key]}
            else:
                return None
            self._formats[key] = self.book.add_format(properties)
        return self._formats[key]

    def _write(self, sheet, row, col, value, value_format="text"):
        cell_format = self._format(value_format)
        if value is None or value is False:
            sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, cell_format)
        elif isinstance(value, datetime | date):
            sheet.write_datetime(row, col, value, cell_format or self._format("date"))
        elif value_format in ("date", "datetime") and isinstance(value, str) and value:
            parse = date.fromisoformat if value_format == "date" else datetime.fromisoformat
            try:
                sheet.write_datetime(row, col, parse(value), cell_format)
            except ValueError:
                sheet.write_string(row, col, value)
        else:
            sheet.write_string(row, col, str(value))

    def _header(self, sheet, row, labels):
        for col, label in enumerate(labels):
            sheet.write_string(row, col, str(label), self._format("header"))

    def add_sheet(self, title):
        """A new worksheet named after ``title``: cut to 31 characters, without the characters
        Excel refuses, made unique with a number."""
        base = _BAD_SHEET_CHARACTERS.sub(" ", str(title or "Sheet")).strip().strip("'") or "Sheet"
        name, number = base[:SHEET_NAME_MAX], 1
        while name.lower() in self._names:
            number += 1
            suffix = f" ({number})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        self._names.add(name.lower())
        return self.book.add_worksheet(name)

    # sheets

    def write_summary(self, title, items):
        """A first sheet: ``title`` and ``(label, value)`` lines (period, companies...)."""
        sheet = self.add_sheet(self.book_title_sheet_name)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 48)
        sheet.write_string(0, 0, str(title), self._format("title"))
        for row, (label, value) in enumerate(items, start=2):
            sheet.write_string(row, 0, str(label), self._format("header"))
            self._write(sheet, row, 1, value)
        return sheet

    book_title_sheet_name = "Summary"

    def write_contract(self, contract):
        """One sheet per section of a dashboard ``contract`` dict; returns the sheets."""
        if contract.get("currency"):
            self.currency = contract["currency"]
        return [self.write_section(section) for section in contract.get("sections") or ()]

    def write_section(self, section):
        """A section's sheet: its title, its KPIs, each chart's figures with the native
        chart drawn beside them, then its tables, top to bottom."""
        sheet = self.add_sheet(section.get("title") or section.get("key"))
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, CHART_COLUMN - 1, 16)
        sheet.write_string(0, 0, str(section.get("title") or section.get("key") or ""), self._format("title"))
        row = 2
        kpis = section.get("kpis") or ()
        if kpis:
            self._header(sheet, row, ("Indicator", "Value"))
            for index, kpi in enumerate(kpis, start=row + 1):
                sheet.write_string(index, 0, str(kpi.get("label") or kpi.get("key") or ""))
                self._write(sheet, index, 1, kpi.get("value"), kpi.get("format") or "float")
            self.rows_written += len(kpis)
            row += len(kpis) + 2
        for chart in section.get("charts") or ():
            row = self._write_chart(sheet, row, chart)
        for table in section.get("tables") or ():
            sheet.write_string(row, 0, str(table.get("title") or table.get("key") or ""), self._format("title"))
            row = self._write_table(sheet, row + 1, table.get("columns") or (), table.get("rows") or ()) + 1
        return sheet

    def _write_chart(self, sheet, row, chart):
        labels = list(chart.get("labels") or ())
        datasets = list(chart.get("datasets") or ())
        sheet.write_string(row, 0, str(chart.get("title") or chart.get("key") or ""), self._format("title"))
        header_row = row + 1
        self._header(sheet, header_row, ["", *(dataset.get("label") or "" for dataset in datasets)])
        for index, label in enumerate(labels):
            sheet.write_string(header_row + 1 + index, 0, str(label))
            for col, dataset in enumerate(datasets, start=1):
                data = dataset.get("data") or ()
                self._write(sheet, header_row + 1 + index, col, data[index] if index < len(data) else None, "float")
        self.rows_written += len(labels)
        last_row = header_row + len(labels)
        chart_type = CHART_TYPES.get(chart.get("type"), "column")
        if labels and datasets:
            native = self.book.add_chart({"type": chart_type})
            series = datasets[:1] if chart_type in ("pie", "doughnut") else datasets
            for col in range(1, len(series) + 1):
                native.add_series(
                    {
                        "name": [sheet.name, header_row, col],
                        "categories": [sheet.name, header_row + 1, 0, last_row, 0],
                        "values": [sheet.name, header_row + 1, col, last_row, col],
                    }
                )
            native.set_title({"name": str(chart.get("title") or "")})
            if chart_type in ("column", "line"):
                native.set_legend({"position": "bottom"})
            sheet.insert_chart(row, CHART_COLUMN, native)
        # the next block starts below both the figures and the chart drawn beside them
        return max(last_row + 2, row + (CHART_ROWS if labels and datasets else 0))

    def _write_table(self, sheet, row, columns, rows):
        self._header(sheet, row, [column.get("label") or column.get("key") for column in columns])
        keys = [(column.get("key"), column.get("format") or "text") for column in columns]
        count = 0
        for count, record in enumerate(rows, start=1):
            values = record if isinstance(record, list | tuple) else [record.get(key) for key, _fmt in keys]
            for col, ((_key, value_format), value) in enumerate(zip(keys, values, strict=False)):
                self._write(sheet, row + count, col, value, value_format)
        self.rows_written += count
        return row + count + 1

    def write_table_sheet(self, title, table):
        """A sheet of one plain table ``{"columns": [...], "rows": [...]}``."""
        return self.write_rows(title, table.get("columns") or (), table.get("rows") or ())

    def write_rows(self, title, columns, rows):
        """A sheet ``title`` of a header and ``rows`` (dicts keyed by the columns' keys, or
        sequences in the columns' order), written in order as they come: ``rows`` may be a
        generator reading the database in batches. Returns the number of rows written."""
        sheet = self.add_sheet(title)
        sheet.set_column(0, max(len(columns) - 1, 0), 18)
        before = self.rows_written
        self._write_table(sheet, 0, columns, rows)
        if columns:
            sheet.freeze_panes(1, 0)
        return self.rows_written - before
