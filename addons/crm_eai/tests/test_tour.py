from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "is_tour")
class TestTour(HttpCase):
    def test_administrator_connects_an_external_system(self):
        administrator = new_test_user(
            self.env,
            login="eai_tour_administrator",
            groups="base.group_system,crm_eai.group_crm_eai_manager",
        )

        self.start_tour("/odoo/action-crm_eai.crm_eai_backend_action", "crm_eai_tour", login=administrator.login)

        backend = self.env["crm.eai.backend"].search([("name", "=", "Tour PDM")])
        self.assertRecordValues(
            backend,
            [
                {
                    "system_type": "pdm",
                    "protocol": "soap",
                    "url": "https://pdm.example.com/service?wsdl",
                    "company_id": self.env.ref("base.main_company").id,
                }
            ],
        )
