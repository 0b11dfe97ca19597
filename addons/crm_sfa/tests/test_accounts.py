from pathlib import Path

import polib

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.modules.module import get_module_path
from odoo.tests import Form, tagged, warmup

from .common_receivables import CrmSfaReceivablesCommon

# a salesperson as Odoo's default user template makes them: with the right to edit contacts
CONTACT_SELLER = "sales_team.group_sale_salesman,base.group_partner_manager"
ROLE_XMLIDS = [
    "crm_sfa.crm_contact_role_decision_maker",
    "crm_sfa.crm_contact_role_economic_buyer",
    "crm_sfa.crm_contact_role_influencer",
    "crm_sfa.crm_contact_role_technical_evaluator",
    "crm_sfa.crm_contact_role_user",
    "crm_sfa.crm_contact_role_champion",
    "crm_sfa.crm_contact_role_gatekeeper",
]


class AccountCase(CrmSfaReceivablesCommon):
    """An account with a sub-account and contacts, leads, orders, invoices and activities of two salespeople.

    Parent Corp (participant's)          lead (participant), invoice 1000 overdue 40 days (participant),
                                         activity (participant), draft invoice (ignored)
      Jane (contact, decision maker)     lead (colleague), cancelled order (ignored)
      Sub Corp (sub-account)             quotation (participant), invoice 500 due in 10 days (colleague)
        Joe (contact of Sub Corp)        lead (participant), with an activity (participant)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.decision_maker = cls.env.ref("crm_sfa.crm_contact_role_decision_maker")
        cls.account = Partner.create({"name": "Parent Corp", "is_company": True, "user_id": cls.participant.id})
        cls.subsidiary = Partner.create({"name": "Sub Corp", "is_company": True, "parent_id": cls.account.id})
        cls.contact = Partner.create(
            {
                "name": "Jane",
                "parent_id": cls.account.id,
                "function": "CFO",
                "crm_role_ids": [Command.set(cls.decision_maker.ids)],
            }
        )
        cls.sub_contact = Partner.create({"name": "Joe", "parent_id": cls.subsidiary.id})
        Lead = cls.env["crm.lead"]
        cls.lead_account = Lead.create(
            {"name": "Account deal", "type": "opportunity", "partner_id": cls.account.id, "user_id": cls.participant.id}
        )
        cls.lead_contact = Lead.create(
            {"name": "Jane's deal", "type": "opportunity", "partner_id": cls.contact.id, "user_id": cls.colleague.id}
        )
        cls.lead_sub_contact = Lead.create(
            {"name": "Joe's lead", "type": "lead", "partner_id": cls.sub_contact.id, "user_id": cls.participant.id}
        )
        Order = cls.env["sale.order"]
        line = [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})]
        cls.quotation = Order.create(
            {"partner_id": cls.subsidiary.id, "user_id": cls.participant.id, "order_line": line}
        )
        cancelled = Order.create({"partner_id": cls.contact.id, "user_id": cls.colleague.id, "order_line": line})
        cancelled.action_cancel()
        cls.invoice_overdue = cls._post_invoice(cls.account, 1000, 40, user=cls.participant)
        cls.invoice_not_due = cls._post_invoice(cls.subsidiary, 500, -10, user=cls.colleague)
        cls.env["account.move"].create({"move_type": "out_invoice", "partner_id": cls.account.id})
        cls.account.activity_schedule("mail.mail_activity_data_call", user_id=cls.participant.id)
        cls.lead_sub_contact.activity_schedule("mail.mail_activity_data_call", user_id=cls.participant.id)


class TestAccountHierarchy(AccountCase):
    def test_sub_accounts_are_child_companies(self):
        account = self.account.with_user(self.participant)
        self.assertEqual(account.crm_sfa_sub_account_ids, self.subsidiary)
        self.assertEqual(account.child_ids, self.subsidiary | self.contact)

    def test_salesperson_attaches_sub_account(self):
        seller = self._new_user("suite_contact_seller", CONTACT_SELLER, self.company)
        branch = self.env["res.partner"].with_user(seller).create({"name": "Corp Asia", "is_company": True})
        branch.parent_id = self.account
        self.assertEqual(self.account.crm_sfa_sub_account_ids, self.subsidiary | branch)
        self.assertEqual(branch.commercial_partner_id, branch)


class TestContactRoles(AccountCase):
    def test_roles_shipped(self):
        roles = self.env["crm.contact.role"]
        for xmlid in ROLE_XMLIDS:
            roles |= self.env.ref(xmlid)
        self.assertEqual(
            roles.mapped("name"),
            ["Decision Maker", "Economic Buyer", "Influencer", "Technical Evaluator", "User", "Champion", "Gatekeeper"],
        )

    def test_role_names_translate_to_chinese(self):
        self.assertTrue(self.env["crm.contact.role"]._fields["name"].translate)
        catalog = polib.pofile(str(Path(get_module_path("crm_sfa")) / "i18n" / "zh_CN.po"))
        translated = {entry.msgid: entry.msgstr for entry in catalog if entry.msgstr}
        for xmlid in ROLE_XMLIDS:
            self.assertTrue(translated.get(self.env.ref(xmlid).name), f"{xmlid} lacks a zh_CN translation")
        self.env["res.lang"]._activate_lang("zh_CN")
        self.decision_maker.update_field_translations("name", {"zh_CN": translated["Decision Maker"]})
        self.assertEqual(self.decision_maker.with_context(lang="zh_CN").name, "决策者")

    def test_salesperson_gives_contact_roles(self):
        influencer = self.env.ref("crm_sfa.crm_contact_role_influencer")
        gatekeeper = self.env.ref("crm_sfa.crm_contact_role_gatekeeper")
        seller = self._new_user("suite_contact_seller", CONTACT_SELLER, self.company)
        contact = (
            self.env["res.partner"]
            .with_user(seller)
            .create(
                {
                    "name": "Tom",
                    "parent_id": self.account.id,
                    "crm_role_ids": [Command.set((influencer | gatekeeper).ids)],
                }
            )
        )
        self.assertEqual(contact.crm_role_ids, influencer | gatekeeper)
        self.assertIn(contact, influencer.partner_ids)
        found = self.env["res.partner"].with_user(self.participant).search([("crm_role_ids", "in", gatekeeper.ids)])
        self.assertEqual(found, contact)

    def test_salesperson_reads_roles_but_cannot_change_them(self):
        roles = self.env["crm.contact.role"].with_user(self.participant).search([])
        self.assertIn(self.decision_maker, roles)
        with self.assertRaises(AccessError):
            self.decision_maker.with_user(self.participant).write({"name": "Boss"})
        with self.assertRaises(AccessError):
            self.env["crm.contact.role"].with_user(self.participant).create({"name": "Sponsor"})

    def test_manager_cannot_create_roles(self):
        with self.assertRaises(AccessError):
            self.env["crm.contact.role"].with_user(self.manager).create({"name": "Sponsor"})

    def test_sales_administrator_manages_roles(self):
        admin = self._new_user("suite_sales_admin", "sales_team.group_sale_manager", self.company)
        role = self.env["crm.contact.role"].with_user(admin).create({"name": "Sponsor"})
        role.write({"description": "Pays for the project"})
        role.unlink()
        self.assertFalse(role.exists())

    def test_second_company_user_reads_roles(self):
        roles = self.env["crm.contact.role"].with_user(self.company2_user).search([])
        self.assertIn(self.decision_maker, roles)

    def test_portal_cannot_read_roles(self):
        with self.assertRaises(AccessError):
            self.env["crm.contact.role"].with_user(self.portal).search([])


class TestSalesOverview(AccountCase):
    def test_executive_sees_everything_below_the_account(self):
        account = self.account.with_user(self.executive)
        self.assertRecordValues(
            account,
            [
                {
                    "crm_sfa_lead_count": 3,
                    "crm_sfa_order_count": 1,
                    "crm_sfa_invoice_count": 2,
                    "crm_sfa_activity_count": 2,
                }
            ],
        )
        self.assertRecordValues(
            self.subsidiary.with_user(self.executive),
            [{"crm_sfa_lead_count": 1, "crm_sfa_order_count": 1, "crm_sfa_invoice_count": 1}],
        )

    def test_counts_in_one_batch_for_account_and_children(self):
        partners = (self.account | self.subsidiary | self.contact | self.sub_contact).with_user(self.executive)
        self.assertEqual(partners.mapped("crm_sfa_lead_count"), [3, 1, 1, 1])
        self.assertEqual(partners.mapped("crm_sfa_activity_count"), [2, 1, 0, 1])

    def test_salesperson_counts_what_they_may_open(self):
        account = self.account.with_user(self.participant)
        # Jane's lead is the colleague's; the subsidiary's invoice too
        self.assertEqual(account.crm_sfa_lead_count, 2)
        self.assertEqual(account.crm_sfa_invoice_count, 1)
        self.assertEqual(account.crm_sfa_order_count, 1)

    def test_receivables_of_the_customer(self):
        account = self.account.with_user(self.participant)
        self.assertRecordValues(
            account,
            [{"crm_sfa_receivable": 1000, "crm_sfa_overdue_amount": 1000, "crm_sfa_overdue_days": 40}],
        )
        # a contact shows its company's receivables; a sub-account its own
        self.assertEqual(self.contact.with_user(self.participant).crm_sfa_overdue_days, 40)
        self.assertRecordValues(
            self.subsidiary.with_user(self.participant),
            [{"crm_sfa_receivable": 500, "crm_sfa_overdue_amount": 0, "crm_sfa_overdue_days": 0}],
        )

    def test_receivables_include_other_salespeople_invoices(self):
        """The salesperson may not open the colleague's invoice, but the customer owes it all the same."""
        self._post_invoice(self.account, 300, 70, user=self.colleague)
        account = self.account.with_user(self.participant)
        self.assertRecordValues(
            account,
            [{"crm_sfa_receivable": 1300, "crm_sfa_overdue_amount": 1300, "crm_sfa_overdue_days": 70}],
        )

    def test_partial_payment_lowers_overdue_amount(self):
        self._pay(self.invoice_overdue, 400)
        self.assertRecordValues(
            self.account.with_user(self.participant),
            [{"crm_sfa_receivable": 600, "crm_sfa_overdue_amount": 600, "crm_sfa_overdue_days": 40}],
        )

    def test_paid_invoice_is_not_overdue(self):
        self._pay(self.invoice_overdue)
        self.assertRecordValues(
            self.account.with_user(self.participant),
            [{"crm_sfa_receivable": 0, "crm_sfa_overdue_amount": 0, "crm_sfa_overdue_days": 0}],
        )

    def test_search_customers_overdue(self):
        Partner = self.env["res.partner"].with_user(self.participant)
        family = self.account | self.subsidiary | self.contact | self.sub_contact
        overdue = Partner.search([("id", "in", family.ids), ("crm_sfa_overdue_days", ">", 30)])
        self.assertEqual(overdue, self.account | self.contact)
        self.assertFalse(Partner.search([("id", "in", family.ids), ("crm_sfa_overdue_days", ">", 40)]))
        not_overdue = Partner.search([("id", "in", family.ids), ("crm_sfa_overdue_amount", "=", 0)])
        self.assertEqual(not_overdue, self.subsidiary | self.sub_contact)
        large = Partner.search([("id", "in", family.ids), ("crm_sfa_overdue_amount", ">=", 1000)])
        self.assertEqual(large, self.account | self.contact)

    def test_search_with_unsupported_operator_says_what_works(self):
        with self.assertRaisesRegex(UserError, "compared with"):
            self.env["res.partner"].search([("crm_sfa_overdue_days", "in", [1, 2])])

    def test_actions_open_the_account_documents(self):
        account = self.account.with_user(self.executive)
        leads = self.env["crm.lead"].search(account.action_crm_sfa_view_leads()["domain"])
        self.assertEqual(leads, self.lead_account | self.lead_contact | self.lead_sub_contact)
        orders = self.env["sale.order"].search(account.action_crm_sfa_view_orders()["domain"])
        self.assertEqual(orders, self.quotation)
        invoices = self.env["account.move"].search(account.action_crm_sfa_view_invoices()["domain"])
        self.assertEqual(invoices, self.invoice_overdue | self.invoice_not_due)
        overdue = self.env["account.move"].search(account.action_crm_sfa_view_overdue_invoices()["domain"])
        self.assertEqual(overdue, self.invoice_overdue)

    def test_account_form_opens_for_each_role(self):
        form = Form(self.account.with_user(self.participant))
        self.assertEqual(form.crm_sfa_lead_count, 2)
        self.assertEqual(form.crm_sfa_overdue_days, 40)
        self.assertEqual(Form(self.account.with_user(self.executive)).crm_sfa_lead_count, 3)
        contact_form = Form(self.contact.with_user(self.manager))
        self.assertEqual(contact_form.crm_role_ids[:], self.decision_maker)
        # an employee without Sales sees the roles, not the sales overview
        clerk = self._new_user("suite_clerk", "base.group_user", self.company)
        clerk_form = Form(self.contact.with_user(clerk))
        self.assertEqual(clerk_form.crm_role_ids[:], self.decision_maker)
        arch = self.env["res.partner"].with_user(clerk).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("crm_sfa_lead_count", arch)

    def test_portal_reads_no_overview(self):
        with self.assertRaises(AccessError):
            self.account.with_user(self.portal).read(["crm_sfa_lead_count"])


@tagged("is_query_count", "crm_sfa_perf")
class TestSalesOverviewPerformance(CrmSfaReceivablesCommon):
    """The overview of 50 accounts costs a fixed number of queries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.accounts = Partner.create(
            [{"name": f"Account {index}", "is_company": True, "user_id": cls.participant.id} for index in range(50)]
        )
        contacts = Partner.create(
            [{"name": f"Contact {index}", "parent_id": account.id} for index, account in enumerate(cls.accounts)]
        )
        cls.env["crm.lead"].create(
            [
                {
                    "name": f"Deal {index}",
                    "type": "opportunity",
                    "partner_id": contact.id,
                    "user_id": cls.participant.id,
                }
                for index, contact in enumerate(contacts)
            ]
        )
        cls.env["sale.order"].create(
            [
                {
                    "partner_id": account.id,
                    "user_id": cls.participant.id,
                    "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
                }
                for account in cls.accounts
            ]
        )
        for index, account in enumerate(cls.accounts[:10]):
            cls._post_invoice(account, 100 + index, 10 + index, user=cls.participant)
        contacts.activity_schedule("mail.mail_activity_data_call", user_id=cls.participant.id)

    @warmup
    def test_overview_of_50_accounts(self):
        accounts = self.accounts.with_user(self.participant)
        self.env.invalidate_all()
        with self.assertQueryCount(17):  # 15 measured
            rows = accounts.read(
                [
                    "crm_sfa_lead_count",
                    "crm_sfa_order_count",
                    "crm_sfa_invoice_count",
                    "crm_sfa_activity_count",
                    "crm_sfa_receivable",
                    "crm_sfa_overdue_amount",
                    "crm_sfa_overdue_days",
                ]
            )
        self.assertEqual({row["crm_sfa_lead_count"] for row in rows}, {1})
        self.assertEqual({row["crm_sfa_activity_count"] for row in rows}, {1})
        self.assertEqual(sum(row["crm_sfa_overdue_amount"] for row in rows), sum(range(100, 110)))
