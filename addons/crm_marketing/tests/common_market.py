from datetime import date

from odoo import Command

from .common_rfm import CrmMarketingRfmCommon

TODAY = date(2026, 4, 15)  # the last twelve complete months: April 2025 to March 2026


class CrmMarketingMarketCommon(CrmMarketingRfmCommon):
    """Invoiced customers for the market analysis and the forecast.

    Company 1: *Alpha* (an industry, Belgium, Flanders) buys in January through a
    contact (1,000), directly (500), gets a credit note (200), and in March pays an invoice
    of 100 in a foreign currency worth two of the company's (200); *Beta* (nothing set) buys 300 in March; a draft
    invoice does not count. Company 2: *Alpha* buys 700 in January. Both companies are
    classified on :data:`TODAY`.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.industry = env["res.partner.industry"].create({"name": "Logistics"})
        cls.belgium = env.ref("base.be")
        cls.flanders = env["res.country.state"].create(
            {"name": "Flanders", "code": "VLG", "country_id": cls.belgium.id}
        )
        cls.alpha = env["res.partner"].create(
            {
                "name": "Alpha Logistics",
                "is_company": True,
                "industry_id": cls.industry.id,
                "country_id": cls.belgium.id,
                "state_id": cls.flanders.id,
            }
        )
        cls.alpha_contact = env["res.partner"].create({"name": "Alpha Buyer", "parent_id": cls.alpha.id})
        cls.beta = env["res.partner"].create({"name": "Beta Trading", "is_company": True})
        # a foreign currency worth two of the company's
        cls.foreign = env.ref("base.EUR") if cls.company.currency_id != env.ref("base.EUR") else env.ref("base.USD")
        cls.foreign.active = True
        env["res.currency.rate"].create(
            {"name": "2025-01-01", "currency_id": cls.foreign.id, "company_id": cls.company.id, "rate": 0.5}
        )
        cls.invoices = cls._invoices(
            [
                (cls.alpha_contact, "2026-01-10", 1000),
                (cls.alpha, "2026-01-20", 500),
                (cls.alpha, "2026-01-25", -200),
                (cls.beta, "2026-03-10", 300),
            ]
        )
        cls.foreign_invoice = (
            env["account.move"]
            .with_company(cls.company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.alpha.id,
                    "invoice_date": "2026-03-05",
                    "currency_id": cls.foreign.id,
                    "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 100, "tax_ids": []})],
                }
            )
        )
        cls.foreign_invoice.action_post()
        cls.draft = (
            env["account.move"]
            .with_company(cls.company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.beta.id,
                    "invoice_date": "2026-03-11",
                    "invoice_line_ids": [Command.create({"name": "Draft", "price_unit": 9999, "tax_ids": []})],
                }
            )
        )
        cls.invoices_2 = cls._invoices([(cls.alpha, "2026-01-15", 700)], company=cls.company_2)
        env["crm.marketing.rfm.score"]._crm_recompute(cls.company | cls.company_2, TODAY)
        cls.customers = cls.alpha | cls.beta
        cls.sale_manager = cls._new_user("suite_sale_manager", "sales_team.group_sale_manager", cls.company)

    def _score(self, partner, company=None):
        return (
            self.env["crm.marketing.rfm.score"]
            .search([("partner_id", "=", partner.id), ("company_id", "=", (company or self.company).id)])
            .rfm_class
        )
