from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from .common import CrmMarketingCommon

TODAY = date(2026, 6, 30)  # the period of 12 months starts on 2025-07-01


class CrmMarketingRfmCommon(CrmMarketingCommon):
    """The marketing organisation with charts of accounts in both companies, an employee
    without sales rights, and helpers that post invoices and confirm orders."""

    @classmethod
    def _setup_companies(cls):
        companies = super()._setup_companies()
        for company in companies:
            # as crm_sfa's tests do: a database installed with its tests has no chart yet
            if not company.chart_template:
                cls.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        return companies

    @classmethod
    def _setup_users(cls):
        users = super()._setup_users()
        cls.employee = new_test_user(cls.env, login="suite_rfm_employee", groups="base.group_user")
        return users | cls.employee

    @classmethod
    def _invoices(cls, specs, company=None):
        """Posted invoices of ``(partner, day, amount)`` (a negative amount: a credit note), untaxed."""
        company = company or cls.company
        moves = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                [
                    {
                        "move_type": "out_invoice" if amount >= 0 else "out_refund",
                        "partner_id": partner.id,
                        "invoice_date": day,
                        "company_id": company.id,
                        "invoice_line_ids": [
                            Command.create({"name": "Service", "price_unit": abs(amount), "tax_ids": []})
                        ],
                    }
                    for partner, day, amount in specs
                ]
            )
        )
        moves.action_post()
        return moves

    @classmethod
    def _orders(cls, specs, company=None):
        """Confirmed sales orders of ``(partner, day, amount)``, untaxed."""
        company = company or cls.company
        orders = (
            cls.env["sale.order"]
            .with_company(company)
            .create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "order_line": [
                            Command.create(
                                {"product_id": cls.product.id, "price_unit": amount, "tax_id": [], "product_uom_qty": 1}
                            )
                        ],
                    }
                    for partner, _day, amount in specs
                ]
            )
        )
        orders.action_confirm()
        for order, (_partner, day, _amount) in zip(orders, specs, strict=True):
            order.date_order = f"{day} 10:00:00"
        return orders

    def _recompute(self, companies=None, today=TODAY):
        self.env["crm.marketing.rfm.score"]._crm_recompute(companies or self.company, today)

    def _scores(self, partners, company=None):
        """``{partner: score}`` of the current classification in ``company``."""
        rows = self.env["crm.marketing.rfm.score"].search(
            [("partner_id", "in", partners.ids), ("company_id", "=", (company or self.company).id)]
        )
        return {row.partner_id: row for row in rows}
