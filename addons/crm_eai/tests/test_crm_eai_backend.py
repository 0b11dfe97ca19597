from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common import CrmEaiCommon


class TestCrmEaiBackend(CrmEaiCommon):
    """The checks on an external system's address and timeout, as its administrator."""

    def _create_backend(self, **values):
        return (
            self.env["crm.eai.backend"]
            .with_user(self.administrator)
            .create({"name": "Quality system", "protocol": "soap", **values})
        )

    def _backends_named(self, name):
        return self.env["crm.eai.backend"].with_context(active_test=False).search([("name", "=", name)])

    def test_soap_system_accepts_web_addresses(self):
        for url in ("https://qms.example.com/ws?wsdl", "http://10.0.0.5:8080/ws"):
            with self.subTest(url=url):
                self.assertEqual(self._create_backend(url=url).url, url)

    def test_soap_system_without_address_is_allowed(self):
        self.assertFalse(self._create_backend(url=False).url)

    def test_soap_system_with_bad_address_is_not_created(self):
        for url in ("qms.example.com/ws?wsdl", "ftp://qms.example.com/ws", "https://", "/srv/exchange"):
            with self.subTest(url=url):
                with self.assertRaises(ValidationError):
                    self._create_backend(url=url)
                self.assertFalse(self._backends_named("Quality system"))

    def test_bad_address_on_soap_system_is_not_written(self):
        with self.assertRaises(ValidationError):
            self.backend_mis.with_user(self.administrator).write({"url": "mis.example.com"})
        self.assertEqual(self.backend_mis.url, "https://mis.example.com/service?wsdl")

    def test_xml_system_accepts_a_folder(self):
        backend = self._create_backend(protocol="xml", url="/srv/exchange/qms")
        self.assertEqual(backend.url, "/srv/exchange/qms")

    def test_switching_folder_system_to_soap_is_rejected(self):
        with self.assertRaises(ValidationError):
            self.backend_pdm.with_user(self.administrator).write({"protocol": "soap"})
        self.assertEqual(self.backend_pdm.protocol, "xml")

    @mute_logger("odoo.sql_db")
    def test_non_positive_timeout_is_rejected(self):
        for timeout in (0, -5):
            with self.subTest(timeout=timeout):
                with self.assertRaises(IntegrityError):
                    self._create_backend(url="https://qms.example.com/ws", timeout=timeout)
                    self.env.flush_all()
                self.assertFalse(self._backends_named("Quality system"))
