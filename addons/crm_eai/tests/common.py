from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from ..lib import envelope

OPERATOR = "crm_eai.group_crm_eai_user"
ADMINISTRATOR = "crm_eai.group_crm_eai_manager"
# A mapping reaches only what its author may reach (create and write what it pulls, read
# what it pushes, every field of its lines): the administrators who set up the customer
# (with their credit limit), product and order flows are sales administrators and billing users too.
FLOWS = "sales_team.group_sale_manager,account.group_account_invoice"


class CrmEaiCommon(TransactionCase):
    """Two companies, one user per integration role and what each company's systems hold.

    Integration has no department level: operators follow the exchanges of their
    companies, administrators configure the systems of their companies::

        company    operator, administrator, administrator_both (both companies),
                   employee (no integration role), portal_user
                   backend_mis (SOAP, basic authentication, inbound service) with a pulling
                   mapping, a binding, a failed, a given-up and a done message;
                   backend_pdm (drop folder) with its active exchange key
        company_2  administrator_2
                   backend_company_2 (SOAP) with a mapping, a binding, a key and a failed message

    The records the users never create (messages, bindings) are made as superuser, as the
    integration's code makes them.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_2 = cls.env["res.company"].create({"name": "Integration Branch"})

        cls.operator = cls._create_user("eai_operator", OPERATOR)
        administrator = f"{ADMINISTRATOR},{FLOWS}"
        cls.administrator = cls._create_user("eai_administrator", administrator)
        cls.administrator_both = cls._create_user("eai_administrator_both", administrator, cls.company + cls.company_2)
        cls.administrator_2 = cls._create_user("eai_administrator_branch", administrator, cls.company_2)
        cls.employee = cls._create_user("eai_no_access", "base.group_user")
        cls.portal_user = cls._create_user("eai_portal", "base.group_portal")

        Backend = cls.env["crm.eai.backend"]
        cls.backend_mis, cls.backend_pdm = Backend.create(
            [
                {
                    "name": "Head office ERP",
                    "kind": "mis",
                    "protocol": "soap",
                    "wsdl_url": "https://mis.example.com/service?wsdl",
                    "auth": "basic",
                    "username": "crm",
                    "password": "mis-secret",
                    "inbound_enabled": True,
                    "inbound_username": "mis",
                    "inbound_password": "inbound-secret",
                    "peer_code": "hq-mis",
                    "company_id": cls.company.id,
                },
                {
                    "name": "Drawing vault",
                    "kind": "pdm",
                    "protocol": "folder",
                    "folder_in": "/srv/exchange/pdm/in",
                    "folder_out": "/srv/exchange/pdm/out",
                    "peer_code": "vault",
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.backend_company_2 = Backend.create(
            {
                "name": "Branch ERP",
                "kind": "erp",
                "protocol": "soap",
                "wsdl_url": "http://erp.branch.example.com/ws?wsdl",
                "company_id": cls.company_2.id,
            }
        )
        cls.company_backends = cls.backend_mis | cls.backend_pdm
        cls.backends = cls.company_backends | cls.backend_company_2

        cls.partner_model = cls.env["ir.model"]._get("res.partner")
        cls.mapping = cls._create_mapping(cls.backend_mis, "Customers from MIS")
        cls.mapping_company_2 = cls._create_mapping(cls.backend_company_2, "Customers from the branch")
        cls.mappings = cls.mapping | cls.mapping_company_2

        cls.peer_private_pem, cls.peer_public_pem = envelope.generate_signing_key()
        Key = cls.env["crm.eai.key"]
        cls.key = Key.create({"backend_id": cls.backend_pdm.id, "peer_public_key": cls.peer_public_pem.decode()})
        cls.key_company_2 = Key.create({"backend_id": cls.backend_company_2.id})
        cls.keys = cls.key | cls.key_company_2

        cls.customer = cls.env["res.partner"].create({"name": "Bound Customer", "ref": "C-1"})
        Binding = cls.env["crm.eai.binding"].sudo()
        cls.binding = Binding.create(cls._binding_values(cls.backend_mis))
        cls.binding_company_2 = Binding.create(cls._binding_values(cls.backend_company_2))
        cls.bindings = cls.binding | cls.binding_company_2

        cls.exchange_failed = cls._create_exchange(cls.backend_mis, "failed-1", state="failed", attempts=2)
        cls.exchange_dead = cls._create_exchange(
            cls.backend_mis,
            "dead-1",
            state="dead",
            attempts=8,
            error="The system refused the batch",
            error_kind="soap_client",
        )
        cls.exchange_done = cls._create_exchange(cls.backend_mis, "done-1", state="done", attempts=1)
        cls.exchange_company_2 = cls._create_exchange(cls.backend_company_2, "failed-2", state="failed", attempts=1)
        cls.company_exchanges = cls.exchange_failed | cls.exchange_dead | cls.exchange_done
        cls.exchanges = cls.company_exchanges | cls.exchange_company_2

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

    @classmethod
    def _create_mapping(cls, backend, name):
        return cls.env["crm.eai.mapping"].create(
            {
                "name": name,
                "backend_id": backend.id,
                "direction": "pull",
                "entity": "customer",
                "model_id": cls.partner_model.id,
                "line_ids": [
                    Command.create({"external_field": "code", "field_path": "ref", "is_key": True}),
                    Command.create({"external_field": "name", "field_path": "name"}),
                ],
            }
        )

    @classmethod
    def _binding_values(cls, backend):
        return {"backend_id": backend.id, "model": "res.partner", "res_id": cls.customer.id, "external_key": "C-1"}

    @classmethod
    def _create_exchange(cls, backend, key, **values):
        """A message as the integration records it (the model refuses anyone else)."""
        return (
            cls.env["crm.eai.exchange"]
            .sudo()
            .create({"backend_id": backend.id, "kind": "push", "direction": "out", "idempotency_key": key, **values})
        )

    def _search_backends(self, user, companies=None):
        """The external systems ``user`` finds in ``companies``, archived ones included."""
        Backend = self.env["crm.eai.backend"].with_user(user).with_context(active_test=False)
        if companies:
            Backend = Backend.with_context(allowed_company_ids=companies.ids)
        return Backend.search([])

    def assertVisible(self, user, records, expected, companies=None):
        """Among ``records``, ``user`` finds exactly ``expected`` in ``companies`` (their
        default company by default; the other data of the database are ignored)."""
        Model = records.with_user(user).with_context(active_test=False)
        if companies:
            Model = Model.with_context(allowed_company_ids=companies.ids)
        found = Model.search([("id", "in", records.ids)])
        self.assertEqual(
            found.sudo(),
            expected.sudo(),
            f"{user.login} should find {sorted(expected.sudo().mapped('display_name'))}, "
            f"not {sorted(found.sudo().mapped('display_name'))}",
        )
