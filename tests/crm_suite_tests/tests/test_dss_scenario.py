from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_workflow.tests.common import new_staff_user


@tagged("post_install", "-at_install")
class TestDecisionSupportScenario(TransactionCase):
    """One customer's story through the whole suite, and what the decision level sees of it.

    A salesperson qualifies a lead, quotes and sells; accounting invoices; the invoice falls
    overdue; the early warning on overdue receivables raises a critical alert and an event
    the workflow answers; the customer complains and the complaint flow starts; the
    executive dashboard shows each of these figures, and every figure is checked against
    the records that make it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        if not cls.company.chart_template:
            cls.env["account.chart.template"].try_loading("generic_coa", cls.company, install_demo=False)
        department = cls.env["hr.department"].create({"name": "Scenario Sales", "company_id": cls.company.id})
        cls.salesperson = new_staff_user(cls.env, "scenario_sales", "sales_team.group_sale_salesman", department)
        cls.manager = new_staff_user(cls.env, "scenario_manager", "crm_dss.group_crm_dss_manager", department)
        department.manager_id = cls.manager.employee_ids
        cls.agent = new_staff_user(cls.env, "scenario_agent", "crm_service.group_crm_service_user", department)
        # the chairman reads the books: the receivables' drill-down opens journal items
        cls.executive = new_staff_user(
            cls.env, "scenario_ceo", "crm_dss.group_crm_dss_executive,account.group_account_readonly"
        )
        cls.product = cls.env["product.product"].create({"name": "Water Pump", "list_price": 4000.0, "type": "consu"})

    def _sell(self):
        """The salesperson's part: lead, opportunity, quotation, order."""
        Lead = self.env["crm.lead"].with_user(self.salesperson)
        lead = Lead.create(
            {
                "name": "Pumps for the new plant",
                "contact_name": "Li Wei",
                "partner_name": "Hengda Water",
                "email_from": "li.wei@hengda.example",
                "type": "lead",
            }
        )
        self.env["crm.lead2opportunity.partner"].with_user(self.salesperson).with_context(
            active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
        ).create({"name": "convert", "action": "create"}).action_apply()
        order = (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": lead.partner_id.id,
                    "opportunity_id": lead.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": 2, "tax_id": [Command.clear()]}
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        return lead, order

    def _invoice(self, order, today):
        """Accounting's part: the invoice of the order, 75 days ago and due 45 days ago, and
        a first payment of 3,000 ten days ago."""
        invoice = order._create_invoices()
        invoice.write(
            {
                "invoice_date": today - timedelta(days=75),
                "invoice_date_due": today - timedelta(days=45),
                "invoice_payment_term_id": False,
            }
        )
        invoice.action_post()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": 3000.0, "payment_date": today - timedelta(days=10)}
        )._create_payments()
        return invoice

    def test_lead_to_dashboard(self):
        today = fields.Date.context_today(self.executive)
        lead, order = self._sell()
        invoice = self._invoice(order, today)
        customer = order.partner_id.commercial_partner_id
        self.assertEqual((order.state, lead.partner_id), ("sale", order.partner_id))
        self.assertEqual((invoice.amount_total, invoice.amount_residual), (8000.0, 5000.0))

        # the early warning: any overdue receivable, critical, answered by the workflow
        rule = (
            self.env["crm.dss.alert.rule"]
            .with_user(self.executive)
            .create(
                {
                    "name": "Any overdue receivable",
                    "indicator": "overdue_receivables",
                    "comparison": "above",
                    "threshold": 0.0,
                    "period": "month",
                    "severity": "critical",
                    "company_ids": [Command.set(self.company.ids)],
                    "user_ids": [Command.set(self.manager.ids)],
                    "raise_event": True,
                }
            )
        )
        rule._dss_evaluate(today)
        alert = rule.alert_ids
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.value, invoice.amount_residual, "the overdue instalment's residual")
        self.assertEqual(alert.event_id.severity, "critical")
        Instance = self.env["crm.workflow.instance"]
        self.assertTrue(Instance.search([("event_id", "=", alert.event_id.id)]), "the critical-event flow answers")
        alert.with_user(self.manager).action_acknowledge()
        self.assertEqual((alert.state, alert.acknowledged_by_id), ("acknowledged", self.manager))

        # the customer complains: the complaint flow starts
        case = (
            self.env["crm.service.case"]
            .with_user(self.agent)
            .create(
                {
                    "subject": "Pump leaks since delivery",
                    "partner_id": customer.id,
                    "type_id": self.env.ref("crm_service.crm_service_case_type_complaint").id,
                }
            )
        )
        self.assertEqual(case.event_id.event_type, "complaint")
        self.assertTrue(Instance.search([("event_id", "=", case.event_id.id)]), "the complaint flow answers")

        # what the executive sees, figure by figure, against the records
        board = (
            self.env["crm.dss.dashboard"]
            .with_user(self.executive)
            .get_executive_dashboard(self.company.ids, (today - timedelta(days=90)).isoformat(), today.isoformat())
        )
        kpis = {(section["key"], kpi["key"]): kpi for section in board["sections"] for kpi in section["kpis"]}

        def figure(section, key):
            return kpis[(section, key)]["value"]

        def drilled(section, key):
            drill = kpis[(section, key)]["action"]
            return self.env[drill["res_model"]].with_user(self.executive).search(drill["domain"])

        self.assertIn(customer, drilled("customers", "new_customers"))
        self.assertEqual(figure("customers", "new_customers"), len(drilled("customers", "new_customers")))
        self.assertEqual(figure("customers", "signed_customers"), 1)
        self.assertEqual(figure("receivables", "invoiced"), invoice.amount_total_signed)
        self.assertEqual(figure("receivables", "collected"), 3000.0)
        self.assertEqual(figure("receivables", "outstanding"), invoice.amount_residual)
        self.assertEqual(figure("receivables", "overdue"), invoice.amount_residual)
        self.assertEqual(drilled("receivables", "overdue").move_id, invoice)
        self.assertEqual(figure("finance", "income"), invoice.amount_untaxed_signed)
        self.assertEqual(figure("finance", "profit"), figure("finance", "income") - figure("finance", "expenses"))
