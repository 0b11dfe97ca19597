from odoo import Command
from odoo.tests import TransactionCase, new_test_user

OPERATOR = "crm_eai.group_crm_eai_user"
ADMINISTRATOR = "crm_eai.group_crm_eai_manager"


class CrmEaiCommon(TransactionCase):
    """Two companies, one user per integration role and the external systems of each company.

    Integration has no department level: operators follow the exchanges of their
    companies, administrators configure the systems of their companies.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_2 = cls.env["res.company"].create({"name": "Integration Branch"})

        cls.operator = cls._create_user("eai_operator", OPERATOR)
        cls.administrator = cls._create_user("eai_administrator", ADMINISTRATOR)
        cls.administrator_both = cls._create_user("eai_administrator_both", ADMINISTRATOR, cls.company + cls.company_2)
        cls.administrator_2 = cls._create_user("eai_administrator_branch", ADMINISTRATOR, cls.company_2)
        cls.employee = cls._create_user("eai_no_access", "base.group_user")
        cls.portal_user = cls._create_user("eai_portal", "base.group_portal")

        Backend = cls.env["crm.eai.backend"]
        cls.backend_mis, cls.backend_pdm = Backend.create(
            [
                {
                    "name": "Head office ERP",
                    "system_type": "mis",
                    "protocol": "soap",
                    "url": "https://mis.example.com/service?wsdl",
                    "company_id": cls.company.id,
                },
                {
                    "name": "Drawing vault",
                    "system_type": "pdm",
                    "protocol": "xml",
                    "url": "/srv/exchange/pdm",
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.backend_company_2 = Backend.create(
            {
                "name": "Branch ERP",
                "protocol": "soap",
                "url": "http://erp.branch.example.com/ws?wsdl",
                "company_id": cls.company_2.id,
            }
        )
        cls.company_backends = cls.backend_mis | cls.backend_pdm

    @classmethod
    def _create_user(cls, login, groups, companies=None):
        companies = companies or cls.company
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=companies[0].id,
            company_ids=[Command.set(companies.ids)],
        )

    def _search_backends(self, user, companies=None):
        """The external systems ``user`` finds in ``companies``, archived ones included."""
        Backend = self.env["crm.eai.backend"].with_user(user).with_context(active_test=False)
        if companies:
            Backend = Backend.with_context(allowed_company_ids=companies.ids)
        return Backend.search([])
