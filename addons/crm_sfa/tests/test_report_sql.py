from odoo.tests import TransactionCase
from odoo.tools import SQL

# each report's query, as the parts a module extends through super()
REPORT_PARTS = {
    "crm.sfa.report.funnel": [("_select", "_from", "_where")],
    "crm.sfa.report.forecast": [
        ("_select_opportunity", "_from_opportunity", "_where_opportunity"),
        ("_select_target", "_from_target", "_where_target"),
        ("_select_adjustment", "_from_adjustment", "_where_adjustment"),
    ],
    "crm.sfa.report.performance": [
        ("_with",),
        ("_select_order", "_from_order", "_where_order"),
        ("_select_lead", "_from_lead", "_where_lead"),
        ("_select_activity", "_from_activity", "_where_activity"),
        ("_select_plan", "_from_plan", "_where_plan"),
    ],
}


class TestReportQueries(TransactionCase):
    def test_report_views_are_built_from_extensible_parts(self):
        for model, branches in REPORT_PARTS.items():
            report = self.env[model]
            query = report._query()
            for names in branches:
                for name in names:
                    with self.subTest(model=model, part=name):
                        self.assertIn(getattr(report, name)().code, query.code)
            # the view in the database is that query
            self.env.flush_all()
            self.env.cr.execute(SQL("SELECT COUNT(*) FROM (%s) AS query", query))
            from_query = self.env.cr.fetchone()[0]
            self.env.cr.execute(SQL("SELECT COUNT(*) FROM %s", SQL.identifier(report._table)))
            self.assertEqual(self.env.cr.fetchone()[0], from_query, model)
