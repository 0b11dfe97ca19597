from datetime import timedelta

from odoo import fields

from .common import MANAGER, CrmDssCommon

OVERDUE_RULE = "crm_dss.crm_dss_alert_rule_overdue_growing"


class CrmDssAlertCommon(CrmDssCommon):
    """The fixtures of :class:`CrmDssCommon` seen from a later month: ``cls.frozen`` is the
    15th of a month at least a month after the fixtures' invoices fell due. In that month
    new invoices fall due (500 at HQ, 900 at the branch), so overdue receivables grow on the
    previous month's end:

    ==========  ===============================  ========================
    company     overdue at the previous end      overdue at ``frozen``
    ==========  ===============================  ========================
    HQ          1 400 (500 + 700 + 200 of b)     1 900  (+35.7 %)
    branch        900                            1 800  (+100 %)
    ==========  ===============================  ========================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.customer)
        cls.frozen = (today + timedelta(days=62)).replace(day=15)
        cls.period_start = cls.frozen.replace(day=1)
        due = {
            "invoice_date": cls.period_start - timedelta(days=20),
            "invoice_date_due": cls.period_start + timedelta(days=1),
        }
        cls.invoice_new = cls._post_invoice(cls.sales_a, 500.0, **due)
        cls.invoice_new_branch = cls._post_invoice(cls.sales_branch, 900.0, cls.company_2, **due)
        cls.manager_other = cls._create_user("dss_manager_other", MANAGER, cls.other_department)
        cls.overdue_rule = cls.env.ref(OVERDUE_RULE).sudo()
        cls.overdue_rule.user_ids = cls.manager

    def _rule(self, **values):
        return (
            self.env["crm.dss.alert.rule"]
            .sudo()
            .create(
                {
                    "name": "Overdue up",
                    "indicator": "overdue_receivables",
                    "comparison": "change_up",
                    "threshold": 10.0,
                    "period": "month",
                    "company_ids": [(6, 0, self.companies.ids)],
                    "user_ids": [(6, 0, self.manager.ids)],
                    **values,
                }
            )
        )

    def _alerts(self, rules):
        return self.env["crm.dss.alert"].sudo().search([("rule_id", "in", rules.ids)])
