from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common_market import TODAY, CrmMarketingMarketCommon


@tagged("post_install", "-at_install")
class TestMarketingDashboardTour(HttpCase, CrmMarketingMarketCommon):
    """The dashboard opens in the browser for a marketer, without console errors."""

    def test_dashboard_tour(self):
        with freeze_time(TODAY):
            self.env["crm.marketing.forecast"]._crm_recompute(self.company)
        self.start_tour(
            "/odoo/action-crm_marketing.crm_marketing_dashboard_action",
            "crm_marketing_dashboard_tour",
            login=self.participant.login,
        )
