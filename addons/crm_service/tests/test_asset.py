from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user

from odoo.addons.crm_workflow.tests.common import call_kw

from .common import CrmServiceCommon


class TestAsset(CrmServiceCommon):
    """The installed base, as the agent who registers it and the customer who looks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.printer = cls.env["product.product"].create({"name": "Office printer P-200"})
        cls.contact = cls.env["res.partner"].create({"name": "Mei Lin", "parent_id": cls.customer.id})
        cls.customer_portal = new_test_user(
            cls.env, login="asset_portal", groups="base.group_portal", partner_id=cls.contact.id
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Customer"})
        Asset = cls.env["crm.service.asset"]
        cls.asset = Asset.create(
            {
                "product_id": cls.printer.id,
                "serial": "P200-0001",
                "partner_id": cls.customer.id,
                "date_installed": date(2026, 1, 10),
                "warranty_end": fields.Date.today() + timedelta(days=30),
            }
        )
        cls.other_asset = Asset.create(
            {"product_id": cls.printer.id, "serial": "P200-0002", "partner_id": cls.other_customer.id}
        )
        cls.asset_company_2 = Asset.create(
            {
                "product_id": cls.printer.id,
                "serial": "P200-0003",
                "partner_id": cls.customer.id,
                "company_id": cls.company_2.id,
            }
        )

    def test_agent_registers_an_asset_with_its_readings(self):
        asset = (
            self.env["crm.service.asset"]
            .with_user(self.agent_a)
            .create(
                {
                    "product_id": self.printer.id,
                    "serial": "P200-0100",
                    "partner_id": self.contact.id,
                    "date_installed": date(2026, 3, 1),
                    "warranty_end": date(2027, 3, 1),
                    "configuration": "<p>Duplex unit, tray 3</p>",
                    "reading_ids": [
                        (0, 0, {"date": date(2026, 6, 1), "value": 1200, "unit": "pages"}),
                        (0, 0, {"date": date(2026, 9, 1), "value": 5400, "unit": "pages"}),
                    ],
                }
            )
        )
        self.assertEqual(asset.name, "Office printer P-200 / P200-0100")
        self.assertEqual(asset.commercial_partner_id, self.customer)
        self.assertEqual((asset.last_reading, asset.last_reading_date), (5400, date(2026, 9, 1)))
        with self.assertRaises(ValidationError) as refused:  # in a savepoint, as a request would roll back
            asset.write({"reading_ids": [(0, 0, {"date": date(2026, 10, 1), "value": 100})]})
        self.assertIn("cannot be lower", str(refused.exception))
        self.assertEqual(len(asset.reading_ids), 2)

    def test_bad_dates_and_doubles_are_refused(self):
        Asset = self.env["crm.service.asset"].with_user(self.agent_a)
        with self.assertRaises(ValidationError) as refused:
            Asset.create(
                {
                    "product_id": self.printer.id,
                    "serial": "P200-0200",
                    "partner_id": self.customer.id,
                    "date_installed": date(2026, 5, 1),
                    "warranty_end": date(2026, 4, 1),
                }
            )
        self.assertIn("cannot end before its installation", str(refused.exception))
        self.assertFalse(self.env["crm.service.asset"].search([("serial", "=", "P200-0200")]))

    def test_warranty_filter(self):
        Asset = self.env["crm.service.asset"].with_user(self.agent_a)
        covered = Asset.search([("under_warranty", "=", True), ("serial", "like", "P200-")])
        self.assertEqual(covered, self.asset)
        self.assertIn(self.other_asset, Asset.search([("under_warranty", "=", False)]))
        with self.assertRaises(ValidationError):
            Asset.search([("under_warranty", ">", 1)])

    def test_who_sees_which_asset(self):
        Asset = self.env["crm.service.asset"]
        agent = Asset.with_user(self.agent_a).search([("serial", "like", "P200-")])
        self.assertEqual(agent, self.asset | self.other_asset, "the agent's company, whoever the customer")
        both = Asset.with_user(self.executive).with_context(allowed_company_ids=(self.company | self.company_2).ids)
        self.assertIn(self.asset_company_2, both.search([("serial", "like", "P200-")]))
        portal = Asset.with_user(self.customer_portal).search([])
        self.assertEqual(portal, self.asset, "the customer's own commercial entity only")
        with self.assertRaises(AccessError):
            self.other_asset.with_user(self.customer_portal).read(["serial"])
        for user in (self.employee, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.asset.with_user(user).read(["serial"])

    def test_agent_of_the_other_company_cannot_open_it(self):
        with self.assertRaises(AccessError):
            self.asset.with_user(self.agent_company_2).read(["serial"])

    def test_portal_customer_cannot_change_an_asset_over_rpc(self):
        for method, args in (
            ("write", ([self.asset.id], {"serial": "HACKED"})),
            ("create", ({"product_id": self.printer.id, "serial": "X", "partner_id": self.contact.id},)),
            ("unlink", ([self.asset.id],)),
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.customer_portal, "crm.service.asset", method, *args)
        self.assertEqual(self.asset.serial, "P200-0001")
        with self.assertRaises(AccessError):
            call_kw(self.agent_a, "crm.service.asset", "unlink", [self.asset.id])
        self.assertTrue(self.asset.exists())


class TestCaseKnowledge(CrmServiceCommon):
    """While logging a case the agent sees matching articles; the one that helped counts it."""

    def test_suggestions_and_the_article_that_helped(self):
        article = self.env["crm.service.article"].create(
            {"name": "Printer does not connect to Wi-Fi", "answer": "<p>Restart the router, then the printer.</p>"}
        )
        article.action_publish()
        case = (
            self.env["crm.service.case"]
            .with_user(self.agent_a)
            .create({"subject": "Printer does not connect", "partner_id": self.customer.id, "user_id": self.agent_a.id})
        )
        self.assertIn(article, case.article_suggestion_ids)
        case.write({"article_id": article.id, "resolution": "<p>Router restarted.</p>"})
        case.action_solve()
        self.assertEqual(article.helped_count, 1)
        case.action_solve()  # already solved: not counted twice
        self.assertEqual(article.helped_count, 1)
        action = case.action_create_article()
        draft = self.env["crm.service.article"].browse(action["res_id"])
        self.assertEqual(draft.state, "draft")
