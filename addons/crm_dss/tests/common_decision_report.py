import base64
from contextlib import contextmanager
from io import BytesIO
from unittest.mock import patch

import openpyxl

from odoo import fields

from odoo.addons.crm_dss.report.crm_dss_decision_report_xlsx import CrmDssDecisionReportXlsx

from .common import CrmDssCommon


def fixture_board(report, board, company_ids, department_id, date_from, date_to):
    """A dashboard contract made of the fixtures' receivables, as the caller sees them:
    stands in for ``crm.dss.dashboard`` (another part of the add-on) so that the tests of
    the workbook know each figure. Resolves the scope like the real one (AccessError)."""
    scope = report.env["crm.dss.scope"]._dss_scope(company_ids, department_id)
    receivables = report.env["account.move.line"]._crm_dss_receivables(scope)
    companies = report.env["res.company"].browse(scope.company_ids).sudo()
    total = {key: sum(figures[key] for figures in receivables.values()) for key in ("outstanding", "overdue")}
    buckets = ("1_30", "31_60", "61_90", "91_plus")
    return {
        "title": "Executive Dashboard",
        "company_ids": list(scope.company_ids),
        "date_from": date_from,
        "date_to": date_to,
        "currency": {"symbol": "$", "position": "before", "digits": 2},
        "sections": [
            {
                "key": "receivables",
                "title": "Receivables",
                "kpis": [
                    {"key": "outstanding", "label": "Outstanding", "value": total["outstanding"], "format": "monetary"},
                    {"key": "overdue", "label": "Overdue", "value": total["overdue"], "format": "monetary"},
                ],
                "charts": [
                    {
                        "key": "ageing",
                        "title": "Overdue Ageing",
                        "type": "bar",
                        "labels": ["1-30", "31-60", "61-90", "91+"],
                        "datasets": [
                            {
                                "label": "Overdue",
                                "data": [sum(f[b] for f in receivables.values()) for b in buckets],
                            }
                        ],
                    }
                ],
                "tables": [
                    {
                        "key": "companies",
                        "title": "Per Company",
                        "columns": [
                            {"key": "name", "label": "Company", "format": "text"},
                            {"key": "overdue", "label": "Overdue", "format": "monetary"},
                        ],
                        "rows": [
                            {"name": company.name, "overdue": receivables.get(company.id, {}).get("overdue", 0.0)}
                            for company in companies
                        ],
                    }
                ],
            },
            {"key": "income", "title": "Income & Expenses", "kpis": [], "charts": [], "tables": []},
        ],
    }


class CrmDssDecisionReportCommon(CrmDssCommon):
    """The fixtures of ``CrmDssCommon`` and a monthly report template of both companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.external = cls.env["res.partner"].create({"name": "Board Member", "email": "board@example.cn"})
        cls.template = (
            cls.env["crm.dss.report.template"]
            .with_user(cls.executive)
            .with_context(allowed_company_ids=cls.companies.ids)
            .create(
                {
                    "name": "Monthly Board Report",
                    "period": "monthly",
                    "company_id": cls.company.id,
                    "company_ids": [fields.Command.set(cls.companies.ids)],
                    "recipient_user_ids": [fields.Command.set((cls.executive | cls.executive_2).ids)],
                    "partner_ids": [fields.Command.set(cls.external.ids)],
                }
            )
            .sudo()  # the tests read it as the fixtures' author, act on it with_user
        )
        cls.template_2 = (
            cls.env["crm.dss.report.template"]
            .with_user(cls.executive_2)
            .with_context(allowed_company_ids=cls.company_2.ids)
            .create(
                {
                    "name": "Branch Weekly",
                    "period": "weekly",
                    "company_id": cls.company_2.id,
                    "company_ids": [fields.Command.set(cls.company_2.ids)],
                }
            )
            .sudo()
        )

    @contextmanager
    def fixture_dashboard(self, side_effect=None):
        def board(report, *args):
            if side_effect:
                side_effect()
            return fixture_board(report, *args)

        with patch.object(CrmDssDecisionReportXlsx, "_dss_board", board):
            yield

    @staticmethod
    def read_workbook(content):
        if isinstance(content, str) or not content.startswith(b"PK"):
            content = base64.b64decode(content)  # an attachment's datas
        return openpyxl.load_workbook(BytesIO(content))

    @staticmethod
    def sheet_rows(sheet):
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    @staticmethod
    def kpi(sheet, label):
        for row in sheet.iter_rows(values_only=True):
            if row and row[0] == label:
                return row[1]
        raise AssertionError(f"no {label} in {sheet.title}")
