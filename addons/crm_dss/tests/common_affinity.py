from odoo import Command

from .common import SALESPERSON, CrmDssCommon

SALES_MANAGER = "sales_team.group_sale_manager"


class CrmDssAffinityCommon(CrmDssCommon):
    """Orders with products bought together, on top of ``CrmDssCommon``.

    Headquarters' confirmed orders (besides the four of ``product_a``), 8 in all:

    ======  ==========================  ==========
    order   products                    customer
    ======  ==========================  ==========
    O1      pen, ink                    Northwind
    O2      pen, ink, paper, pen again  Northwind
    O3      pen, paper                  Contoso (of sales_a)
    O4      ink                         Northwind (sales_b)
    ======  ==========================  ==========

    so pen 3, ink 3, paper 2 of 8 orders; pen+ink 2, pen+paper 2, ink+paper 1. The
    branch has one order of pen and ink; a quotation of pen and ink does not count.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.pen = Product.create({"name": "Pen", "sale_ok": True, "list_price": 2.0})
        cls.ink = Product.create({"name": "Ink", "sale_ok": True, "list_price": 5.0})
        cls.paper = Product.create({"name": "Paper", "sale_ok": True, "list_price": 1.0})
        cls.customer_c = cls.env["res.partner"].create({"name": "Contoso", "company_id": False})
        cls.sales_manager = cls._create_user("dss_sales_manager", SALES_MANAGER, cls.department)
        cls.sales_manager_2 = cls._create_user(
            "dss_sales_manager_branch", SALES_MANAGER, cls.department_2, cls.company_2
        )
        cls.o1 = cls._order_of(cls.sales_a, [cls.pen, cls.ink], confirm=True)
        cls.o2 = cls._order_of(cls.sales_a, [cls.pen, cls.ink, cls.paper, cls.pen], confirm=True)
        cls.o3 = cls._order_of(cls.sales_a, [cls.pen, cls.paper], confirm=True, partner=cls.customer_c)
        cls.o4 = cls._order_of(cls.sales_b, [cls.ink], confirm=True)
        cls.quotation_ignored = cls._order_of(cls.sales_b, [cls.pen, cls.ink])
        cls.branch_order = cls._order_of(cls.sales_branch, [cls.pen, cls.ink], confirm=True, company=cls.company_2)
        cls.env["ir.config_parameter"].set_param("crm_dss.affinity_min_support", "0.01")
        cls.env["ir.config_parameter"].set_param("crm_dss.affinity_top", "10")
        cls.Affinity = cls.env["crm.dss.product.affinity"]
        cls.Affinity._crm_dss_mine(cls.companies.ids)

    @classmethod
    def _order_of(cls, user, products, confirm=False, partner=None, company=None):
        company = company or cls.company
        order = (
            cls.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": (partner or cls.customer).id,
                    "user_id": user.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 1.0, "tax_id": [Command.clear()]})
                        for product in products
                    ],
                }
            )
        )
        if confirm:
            order.action_confirm()
        return order

    def _pairs(self, company=None):
        """``{(product, other): (orders, support, confidence, lift)}`` of a company's pairs."""
        pairs = self.Affinity.search([("company_id", "=", (company or self.company).id)])
        return {
            (pair.product_id, pair.other_product_id): (
                pair.order_count,
                round(pair.support, 4),
                round(pair.confidence, 4),
                round(pair.lift, 4),
            )
            for pair in pairs
        }


__all__ = ["SALESPERSON", "SALES_MANAGER", "CrmDssAffinityCommon"]
