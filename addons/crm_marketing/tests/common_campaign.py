from odoo import Command

from .common import CrmMarketingCommon


class CrmMarketingCampaignCommon(CrmMarketingCommon):
    """The marketing organisation with a branch that runs campaigns, and helpers to make
    the documents a campaign's figures come from.

    ``branch`` is a child company of ``company`` (Odoo branches are made with their
    parent, the hierarchy cannot change afterwards); ``branch_rep`` is a salesperson and
    ``branch_marketer`` a marketer of the branch only, without access to the planning
    company. ``team`` is a sales team of the planning company with ``sales_member``.
    """

    #: the classes that invoice need the accounts of a chart (a fresh database may have none)
    with_accounting = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.with_accounting and not cls.company.chart_template:
            cls.env["account.chart.template"].try_loading("generic_coa", company=cls.company, install_demo=False)
        cls.branch = cls.env["res.company"].create({"name": "North Branch", "parent_id": cls.company.id})
        cls.branch_rep = cls._new_user("suite_branch_rep", "sales_team.group_sale_salesman", cls.branch)
        cls.branch_marketer = cls._new_user("suite_branch_marketer", cls.execution_groups, cls.branch)
        cls.sales_member = cls._new_user("suite_team_member", "sales_team.group_sale_salesman", cls.company)
        cls.team = cls.env["crm.team"].create(
            {"name": "Trade Fair Team", "company_id": cls.company.id, "member_ids": [Command.link(cls.sales_member.id)]}
        )
        cls.segment = cls.env["crm.segment"].create({"name": "Warehouse operators", "company_id": cls.company.id})
        cls.medium_email = cls.env.ref("utm.utm_medium_email")
        cls.medium_direct = cls.env.ref("utm.utm_medium_direct")
        cls.medium_website = cls.env.ref("utm.utm_medium_website")
        cls.source_newsletter = cls.env.ref("utm.utm_source_newsletter")
        cls.source_search = cls.env.ref("utm.utm_source_search_engine")

    def _cost(self, campaign, actual=0.0, planned=0.0, medium=None, source=None, step=None, name="Cost"):
        return self.env["crm.marketing.cost.line"].create(
            {
                "campaign_id": campaign.id,
                "name": name,
                "actual_amount": actual,
                "planned_amount": planned,
                "medium_id": medium.id if medium else False,
                "source_id": source.id if source else False,
                "step_id": step.id if step else False,
            }
        )

    def _lead(self, campaign, won=False, lost=False, lead_type="opportunity", medium=None, source=None):
        lead = self.env["crm.lead"].create(
            {
                "name": "Campaign lead",
                "type": lead_type,
                "user_id": self.salesperson.id,
                "campaign_id": campaign.campaign_id.id,
                "medium_id": medium.id if medium else False,
                "source_id": source.id if source else False,
            }
        )
        if won:
            lead.action_set_won()
        if lost:
            lead.action_set_lost()
        return lead

    def _invoice(self, campaign, amount, paid=True, refund=False, medium=None, source=None):
        """A posted customer invoice (or refund) of the campaign, paid through a real payment."""
        move = self.env["account.move"].create(
            {
                "move_type": "out_refund" if refund else "out_invoice",
                "partner_id": self.customer.id,
                "campaign_id": campaign.campaign_id.id,
                "medium_id": medium.id if medium else False,
                "source_id": source.id if source else False,
                "invoice_line_ids": [
                    Command.create({"name": "Warehouse kit", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        if paid:
            self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
                {}
            )._create_payments()
        return move
