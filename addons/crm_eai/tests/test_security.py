from odoo.exceptions import AccessError

from .common import CrmEaiCommon


class TestCrmEaiBackendAccess(CrmEaiCommon):
    """Operators read the external systems, administrators configure them, per company."""

    def _new_backend_values(self):
        return {"name": "Quality system", "protocol": "soap", "url": "https://qms.example.com/ws?wsdl"}

    # Operator: read only -------------------------------------------------------

    def test_operator_reads_systems_of_their_company(self):
        self.assertEqual(self._search_backends(self.operator), self.company_backends)

    def test_operator_cannot_write_system(self):
        with self.assertRaises(AccessError):
            self.backend_mis.with_user(self.operator).write({"timeout": 60})

    def test_operator_cannot_create_system(self):
        with self.assertRaises(AccessError):
            self.env["crm.eai.backend"].with_user(self.operator).create(self._new_backend_values())

    def test_operator_cannot_delete_system(self):
        with self.assertRaises(AccessError):
            self.backend_pdm.with_user(self.operator).unlink()

    # Administrator: full control within their companies -----------------------

    def test_administrator_writes_system(self):
        self.backend_mis.with_user(self.administrator).write({"timeout": 60})
        self.assertEqual(self.backend_mis.timeout, 60)

    def test_administrator_creates_system_in_their_company(self):
        backend = self.env["crm.eai.backend"].with_user(self.administrator).create(self._new_backend_values())
        self.assertEqual(backend.company_id, self.company)

    def test_administrator_archives_system(self):
        self.backend_pdm.with_user(self.administrator).action_archive()
        self.assertFalse(self.backend_pdm.active)

    def test_administrator_deletes_system(self):
        self.backend_pdm.with_user(self.administrator).unlink()
        self.assertFalse(self.backend_pdm.exists())

    def test_administrator_cannot_create_system_in_other_company(self):
        values = dict(self._new_backend_values(), company_id=self.company_2.id)
        with self.assertRaises(AccessError):
            self.env["crm.eai.backend"].with_user(self.administrator).create(values)

    # Companies ------------------------------------------------------------------

    def test_administrator_cannot_read_system_of_other_company(self):
        with self.assertRaises(AccessError):
            self.backend_company_2.with_user(self.administrator).read(["url"])

    def test_administrator_cannot_write_system_of_other_company(self):
        with self.assertRaises(AccessError):
            self.backend_company_2.with_user(self.administrator).write({"timeout": 60})

    def test_second_company_administrator_reads_only_their_company_systems(self):
        self.assertEqual(self._search_backends(self.administrator_2), self.backend_company_2)

    def test_second_company_administrator_cannot_read_first_company_system(self):
        with self.assertRaises(AccessError):
            self.backend_mis.with_user(self.administrator_2).read(["url"])

    def test_administrator_of_both_companies_reads_all_systems(self):
        self.assertEqual(
            self._search_backends(self.administrator_both, self.company + self.company_2),
            self.company_backends | self.backend_company_2,
        )

    def test_administrator_of_both_companies_reads_only_systems_of_active_company(self):
        self.assertEqual(self._search_backends(self.administrator_both, self.company_2), self.backend_company_2)

    # Users without an integration role ----------------------------------------

    def test_employee_without_integration_role_cannot_read_systems(self):
        with self.assertRaises(AccessError):
            self._search_backends(self.employee)

    def test_portal_user_cannot_read_systems(self):
        with self.assertRaises(AccessError):
            self._search_backends(self.portal_user)

    def test_portal_user_cannot_create_system(self):
        with self.assertRaises(AccessError):
            self.env["crm.eai.backend"].with_user(self.portal_user).create(self._new_backend_values())
