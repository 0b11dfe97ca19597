from odoo import Command

from odoo.addons.crm_workflow.tests.common import CrmSuiteOrgCase


class CrmMarketingCommon(CrmSuiteOrgCase):
    """The suite's organisation with the marketing levels and a campaign per marketer.

    On top of :class:`CrmSuiteOrgCase`: a salesperson of the Sales department who is no
    marketer, a customer and a product to sell, and one campaign owned by each user
    (``campaigns[key]``; a campaign always has a responsible).
    """

    execution_groups = "crm_marketing.group_crm_marketing_user"
    management_groups = "crm_marketing.group_crm_marketing_manager"
    decision_groups = "crm_marketing.group_crm_marketing_executive"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Campaign Customer"})
        cls.product = cls.env["product.product"].create({"name": "Trade fair stand", "list_price": 1500})
        owners = {
            "participant": (cls.participant, cls.company),
            "colleague": (cls.colleague, cls.company),
            "sub_user": (cls.sub_user, cls.company),
            "other_user": (cls.other_user, cls.company),
            "manager": (cls.manager, cls.company),
            "executive": (cls.executive, cls.company),
            "company2_user": (cls.company2_user, cls.company_2),
        }
        campaigns = cls.env["crm.marketing.campaign"].create(
            [
                {
                    "title": f"Campaign of {key}",
                    "user_id": user.id,
                    "company_id": company.id,
                    "budget": 5000,
                    "date_start": "2025-03-01",
                    "date_end": "2025-03-31",
                }
                for key, (user, company) in owners.items()
            ]
        )
        cls.campaigns = dict(zip(owners, campaigns, strict=True))
        cls.all_campaigns = campaigns

    @classmethod
    def _setup_users(cls):
        users = super()._setup_users()
        cls.salesperson = cls._new_user("suite_salesperson", "sales_team.group_sale_salesman", cls.company)
        return users | cls.salesperson

    @classmethod
    def _setup_employees(cls):
        employees = super()._setup_employees()
        cls.employee_salesperson = cls._new_employee(cls.salesperson, cls.dept_sales)
        return employees | cls.employee_salesperson

    @classmethod
    def pick(cls, *keys):
        """The campaigns of the given owners."""
        result = cls.all_campaigns.browse()
        for key in keys:
            result |= cls.campaigns[key]
        return result

    def _sell(self, campaign, quantity=1, confirm=True, salesperson=None):
        """A sales order of the campaign (as superuser: the seller is anyone)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": (salesperson or self.salesperson).id,
                "campaign_id": campaign.campaign_id.id,
                "order_line": [
                    Command.create({"product_id": self.product.id, "product_uom_qty": quantity, "price_unit": 1500})
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order
