from odoo.exceptions import AccessError

from .common import CrmMarketingCommon

DEPARTMENT = ("participant", "colleague", "sub_user", "manager")
COMPANY = ("participant", "colleague", "sub_user", "other_user", "manager", "executive")


class TestCampaignRead(CrmMarketingCommon):
    """Who finds which campaigns."""

    def test_marketer_reads_own_campaigns(self):
        self.assertVisible(self.participant, self.all_campaigns, self.pick("participant"))

    def test_marketer_cannot_open_colleague_campaign(self):
        with self.assertRaises(AccessError):
            self.campaigns["colleague"].with_user(self.participant).read(["title"])

    def test_manager_reads_department_and_sub_department_campaigns(self):
        self.assertVisible(self.manager, self.all_campaigns, self.pick(*DEPARTMENT))

    def test_manager_cannot_open_other_department_campaign(self):
        with self.assertRaises(AccessError):
            self.campaigns["other_user"].with_user(self.manager).read(["title"])

    def test_executive_reads_campaigns_of_all_allowed_companies(self):
        companies = self.company | self.company_2
        self.assertVisible(self.executive, self.all_campaigns, self.all_campaigns, allowed_company_ids=companies.ids)

    def test_executive_reads_only_campaigns_of_active_company(self):
        self.assertVisible(
            self.executive, self.all_campaigns, self.pick(*COMPANY), allowed_company_ids=[self.company.id]
        )

    def test_second_company_marketer_reads_only_second_company_campaigns(self):
        self.assertVisible(self.company2_user, self.all_campaigns, self.pick("company2_user"))

    def test_executive_cannot_open_campaign_of_inactive_company(self):
        campaign = self.campaigns["company2_user"].with_user(self.executive)
        with self.assertRaises(AccessError):
            campaign.with_context(allowed_company_ids=[self.company.id]).read(["title"])

    def test_salesperson_reads_no_campaign_they_do_not_run(self):
        # Salespeople pick the UTM campaign on leads and orders; the marketing campaign, its
        # budget and plan, is for those who run it (see test_campaign_execution).
        self.assertVisible(self.salesperson, self.all_campaigns, self.all_campaigns.browse())

    def test_portal_cannot_read_campaigns(self):
        with self.assertRaises(AccessError):
            self.env["crm.marketing.campaign"].with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.campaigns["participant"].with_user(self.portal).read(["title"])


class TestCampaignWrite(CrmMarketingCommon):
    """Who may change, create and delete campaigns."""

    def test_marketer_writes_own_campaign(self):
        self.campaigns["participant"].with_user(self.participant).write({"budget": 1200})
        self.assertEqual(self.campaigns["participant"].budget, 1200)

    def test_marketer_renames_own_campaign(self):
        # the title lives on the utm.campaign the campaign inherits
        self.campaigns["participant"].with_user(self.participant).write({"title": "Spring fair"})
        self.assertEqual(self.campaigns["participant"].campaign_id.title, "Spring fair")

    def test_marketer_cannot_write_colleague_campaign(self):
        with self.assertRaises(AccessError):
            self.campaigns["colleague"].with_user(self.participant).write({"budget": 1200})

    def test_marketer_creates_own_campaign(self):
        campaign = self.env["crm.marketing.campaign"].with_user(self.participant).create({"title": "Newsletter"})
        self.assertEqual(campaign.user_id, self.participant)
        self.assertEqual(campaign.company_id, self.company)
        self.assertEqual(campaign.state, "draft")

    def test_marketer_cannot_create_campaign_for_colleague(self):
        Campaign = self.env["crm.marketing.campaign"].with_user(self.participant)
        with self.assertRaises(AccessError):
            Campaign.create({"title": "Newsletter", "user_id": self.colleague.id})

    def test_marketer_cannot_unlink_own_campaign(self):
        with self.assertRaises(AccessError):
            self.campaigns["participant"].with_user(self.participant).unlink()

    def test_manager_writes_sub_department_campaign(self):
        self.campaigns["sub_user"].with_user(self.manager).write({"budget": 9000})
        self.assertEqual(self.campaigns["sub_user"].budget, 9000)

    def test_manager_cannot_write_other_department_campaign(self):
        with self.assertRaises(AccessError):
            self.campaigns["other_user"].with_user(self.manager).write({"budget": 9000})

    def test_manager_unlinks_department_campaign(self):
        campaign = self.campaigns["colleague"]
        campaign.with_user(self.manager).unlink()
        self.assertFalse(campaign.exists())

    def test_manager_cannot_unlink_other_department_campaign(self):
        with self.assertRaises(AccessError):
            self.campaigns["other_user"].with_user(self.manager).unlink()

    def test_executive_writes_and_unlinks_any_campaign(self):
        executive = self.executive.with_context(allowed_company_ids=[self.company.id, self.company_2.id])
        campaigns = self.campaigns["other_user"] | self.campaigns["company2_user"]
        campaigns.with_user(executive).write({"state": "done"})
        self.assertEqual(set(campaigns.mapped("state")), {"done"})
        campaigns.with_user(executive).unlink()
        self.assertFalse(campaigns.exists())

    def test_salesperson_cannot_write_campaign(self):
        with self.assertRaises(AccessError):
            self.campaigns["participant"].with_user(self.salesperson).write({"budget": 1})

    def test_salesperson_cannot_create_campaign(self):
        with self.assertRaises(AccessError):
            self.env["crm.marketing.campaign"].with_user(self.salesperson).create({"title": "Own idea"})

    def test_second_company_marketer_cannot_write_first_company_campaign(self):
        self.campaigns["participant"].user_id = self.company2_user
        with self.assertRaises(AccessError):
            self.campaigns["participant"].with_user(self.company2_user).write({"budget": 1})

    def test_portal_cannot_create_campaign(self):
        with self.assertRaises(AccessError):
            self.env["crm.marketing.campaign"].with_user(self.portal).create({"title": "Portal idea"})


class TestCampaignDepartmentChange(CrmMarketingCommon):
    """The department rule follows the employees when they move."""

    def test_colleague_leaving_department_takes_campaign_out_of_manager_view(self):
        campaign = self.campaigns["colleague"]
        self.assertVisible(self.manager, campaign, campaign)
        self.employee_colleague.department_id = self.dept_other
        self.assertVisible(self.manager, campaign, campaign.browse())

    def test_manager_moving_to_other_department_sees_its_campaigns(self):
        self.assertVisible(self.manager, self.all_campaigns, self.pick(*DEPARTMENT))
        self.employee_manager.department_id = self.dept_other
        self.assertVisible(self.manager, self.all_campaigns, self.pick("other_user", "manager"))
