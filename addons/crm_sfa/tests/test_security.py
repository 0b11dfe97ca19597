from odoo.exceptions import AccessError

from .common import CrmSfaCommon

# What each level finds among the documents of every owner (see CrmSfaCommon._owners)
OWN = ("participant", "unassigned")
DEPARTMENT = ("participant", "colleague", "sub_user", "branch_user", "manager", "unassigned")
DEPARTMENT_HQ = ("participant", "colleague", "sub_user", "manager", "unassigned")
EVERYTHING = (
    "participant",
    "colleague",
    "sub_user",
    "branch_user",
    "other_user",
    "manager",
    "executive",
    "company2_user",
    "unassigned",
)
HQ = ("participant", "colleague", "sub_user", "other_user", "manager", "executive", "unassigned")


class SalesDocumentAccessCases:
    """Access of each level to one kind of sales document; run for leads and for orders.

    A subclass gives ``_documents()`` (the fixture documents by owner) and the values to
    write and create.
    """

    model = None
    write_values = {}

    def _documents(self):
        raise NotImplementedError

    def _create_values(self, user):
        raise NotImplementedError

    def _expected(self, *keys):
        return self.pick(self._documents(), *keys)

    def _document(self, key):
        return self._documents()[key]

    def _all_documents(self):
        return self._expected(*EVERYTHING)

    # read

    def test_salesperson_reads_own_and_unassigned_documents(self):
        self.assertVisible(self.participant, self._all_documents(), self._expected(*OWN))

    def test_salesperson_cannot_open_colleague_document(self):
        with self.assertRaises(AccessError):
            self._document("colleague").with_user(self.participant).read(["name"])

    def test_manager_reads_department_sub_department_and_branch_documents(self):
        self.assertVisible(self.manager, self._all_documents(), self._expected(*DEPARTMENT), **self.hq_and_branch)

    def test_manager_reads_no_branch_document_while_branch_not_active(self):
        self.assertVisible(
            self.manager, self._all_documents(), self._expected(*DEPARTMENT_HQ), allowed_company_ids=[self.company.id]
        )

    def test_manager_cannot_open_other_department_document(self):
        with self.assertRaises(AccessError):
            self._document("other_user").with_user(self.manager).read(["name"])

    def test_executive_reads_documents_of_all_allowed_companies(self):
        companies = self.company | self.branch | self.company_2
        self.assertVisible(
            self.executive, self._all_documents(), self._all_documents(), allowed_company_ids=companies.ids
        )

    def test_executive_reads_only_documents_of_active_company(self):
        self.assertVisible(
            self.executive, self._all_documents(), self._expected(*HQ), allowed_company_ids=[self.company.id]
        )

    def test_branch_salesperson_reads_only_own_branch_documents(self):
        self.assertVisible(self.branch_user, self._all_documents(), self._expected("branch_user"))

    def test_second_company_user_reads_only_second_company_documents(self):
        self.assertVisible(self.company2_user, self._all_documents(), self._expected("company2_user"))

    def test_executive_cannot_open_document_of_inactive_company(self):
        with self.assertRaises(AccessError):
            self._document("company2_user").with_user(self.executive).with_context(
                allowed_company_ids=[self.company.id]
            ).read(["name"])

    def test_portal_cannot_open_document(self):
        with self.assertRaises(AccessError):
            self._document("unassigned").with_user(self.portal).read(["name"])

    # write

    def test_salesperson_writes_own_document(self):
        document = self._document("participant")
        document.with_user(self.participant).write(self.write_values)
        self.assertRecordValues(document, [self.write_values])

    def test_salesperson_cannot_write_colleague_document(self):
        with self.assertRaises(AccessError):
            self._document("colleague").with_user(self.participant).write(self.write_values)

    def test_manager_writes_branch_document_of_sub_department(self):
        document = self._document("branch_user")
        document.with_user(self.manager).with_context(**self.hq_and_branch).write(self.write_values)
        self.assertRecordValues(document, [self.write_values])

    def test_manager_cannot_write_other_department_document(self):
        with self.assertRaises(AccessError):
            self._document("other_user").with_user(self.manager).write(self.write_values)

    def test_executive_writes_other_department_document(self):
        document = self._document("other_user")
        document.with_user(self.executive).write(self.write_values)
        self.assertRecordValues(document, [self.write_values])

    def test_second_company_user_cannot_write_first_company_document(self):
        with self.assertRaises(AccessError):
            self._document("unassigned").with_user(self.company2_user).write(self.write_values)

    # create

    def test_salesperson_creates_own_document(self):
        document = self.env[self.model].with_user(self.participant).create(self._create_values(self.participant))
        self.assertEqual(document.user_id, self.participant)

    def test_salesperson_cannot_create_document_for_colleague(self):
        with self.assertRaises(AccessError):
            self.env[self.model].with_user(self.participant).create(self._create_values(self.colleague))

    def test_manager_creates_document_for_department_member(self):
        document = self.env[self.model].with_user(self.manager).create(self._create_values(self.sub_user))
        self.assertEqual(document.user_id, self.sub_user)

    def test_manager_cannot_create_document_for_other_department(self):
        with self.assertRaises(AccessError):
            self.env[self.model].with_user(self.manager).create(self._create_values(self.other_user))

    def test_portal_cannot_create_document(self):
        with self.assertRaises(AccessError):
            self.env[self.model].with_user(self.portal).create(self._create_values(self.portal))

    # unlink: Odoo keeps it for the Sales Administrator

    def test_salesperson_cannot_unlink_own_document(self):
        with self.assertRaises(AccessError):
            self._document("participant").with_user(self.participant).unlink()

    def test_manager_cannot_unlink_department_document(self):
        with self.assertRaises(AccessError):
            self._document("colleague").with_user(self.manager).unlink()

    def test_executive_cannot_unlink_document(self):
        with self.assertRaises(AccessError):
            self._document("other_user").with_user(self.executive).unlink()


class TestCrmLeadAccess(SalesDocumentAccessCases, CrmSfaCommon):
    allow_inherited_tests_method = True  # run the cases of SalesDocumentAccessCases
    model = "crm.lead"
    write_values = {"priority": "2"}

    def _documents(self):
        return self.leads

    def _create_values(self, user):
        return {"name": "New opportunity", "type": "opportunity", "partner_id": self.customer.id, "user_id": user.id}

    def test_portal_cannot_search_leads(self):
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.portal).search([])


class TestSaleOrderAccess(SalesDocumentAccessCases, CrmSfaCommon):
    allow_inherited_tests_method = True  # run the cases of SalesDocumentAccessCases
    model = "sale.order"
    write_values = {"client_order_ref": "PO-4711"}

    def _documents(self):
        return self.orders

    def _create_values(self, user):
        return {"partner_id": self.customer.id, "user_id": user.id}

    def test_portal_finds_no_order_of_another_customer(self):
        self.assertVisible(self.portal, self.all_orders, self.all_orders.browse())


class TestSalesAnalysisAccess(CrmSfaCommon):
    """The department rules on order lines, analyses and customer invoices."""

    def _orders(self, *keys):
        return self.pick(self.orders, *keys)

    def test_salesperson_reads_own_order_lines(self):
        lines = self.all_orders.order_line
        self.assertVisible(self.participant, lines, self._orders(*OWN).order_line)

    def test_manager_reads_department_order_lines(self):
        lines = self.all_orders.order_line
        self.assertVisible(self.manager, lines, self._orders(*DEPARTMENT).order_line, **self.hq_and_branch)

    def test_manager_cannot_write_other_department_order_line(self):
        line = self.orders["other_user"].order_line
        with self.assertRaises(AccessError):
            line.with_user(self.manager).write({"product_uom_qty": 5})

    def _sale_report_orders(self, user, **context):
        rows = (
            self.env["sale.report"]
            .with_user(user)
            .with_context(**context)
            .search([("name", "in", self.all_orders.mapped("name"))])
        )
        return set(rows.mapped("name"))

    def test_salesperson_analyses_own_sales(self):
        self.assertEqual(self._sale_report_orders(self.participant), set(self._orders(*OWN).mapped("name")))

    def test_manager_analyses_department_sales(self):
        self.assertEqual(
            self._sale_report_orders(self.manager, **self.hq_and_branch),
            set(self._orders(*DEPARTMENT).mapped("name")),
        )

    def test_executive_analyses_all_sales(self):
        companies = self.company | self.branch | self.company_2
        self.assertEqual(
            self._sale_report_orders(self.executive, allowed_company_ids=companies.ids),
            set(self.all_orders.mapped("name")),
        )

    def test_portal_cannot_analyse_sales(self):
        with self.assertRaises(AccessError):
            self.env["sale.report"].with_user(self.portal).search([])

    def _activity_report_leads(self, user, **context):
        call = self.env.ref("mail.mail_activity_data_call")
        self.env["mail.message"].create(
            [
                {
                    "model": "crm.lead",
                    "res_id": lead.id,
                    "message_type": "notification",
                    "mail_activity_type_id": call.id,
                    "body": "Called the customer",
                }
                for lead in self.all_leads
            ]
        )
        self.env.flush_all()
        Report = self.env["crm.activity.report"].with_user(user).with_context(**context)
        rows = Report.search([("lead_id", "in", self.all_leads.ids)])
        return rows.lead_id

    def test_salesperson_analyses_own_activities(self):
        self.assertEqual(self._activity_report_leads(self.participant), self.pick(self.leads, *OWN))

    def test_manager_analyses_department_activities(self):
        self.assertEqual(
            self._activity_report_leads(self.manager, **self.hq_and_branch), self.pick(self.leads, *DEPARTMENT)
        )

    def test_salesperson_reads_own_invoices(self):
        self.assertVisible(self.participant, self.all_invoices, self.pick(self.invoices, *OWN))

    def test_manager_reads_department_invoices(self):
        self.assertVisible(self.manager, self.all_invoices, self.pick(self.invoices, *DEPARTMENT_HQ))

    def test_manager_reads_department_invoice_lines(self):
        lines = self.all_invoices.line_ids
        self.assertVisible(self.manager, lines, self.pick(self.invoices, *DEPARTMENT_HQ).line_ids)

    def test_manager_cannot_open_other_department_invoice(self):
        with self.assertRaises(AccessError):
            self.invoices["other_user"].with_user(self.manager).read(["name"])

    def test_executive_reads_all_invoices(self):
        self.assertVisible(self.executive, self.all_invoices, self.all_invoices)

    def test_manager_does_not_read_department_vendor_bill(self):
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.customer.id,
                "invoice_user_id": self.colleague.id,
                "invoice_date": "2025-01-15",
                "invoice_line_ids": [(0, 0, {"name": "Paper", "quantity": 1, "price_unit": 10})],
            }
        )
        self.assertVisible(self.manager, bill, bill.browse())


class TestDepartmentChange(CrmSfaCommon):
    """The department rules follow the employees when they move."""

    def test_colleague_leaving_department_takes_orders_out_of_manager_view(self):
        order = self.orders["colleague"]
        self.assertVisible(self.manager, order, order)
        self.employee_colleague.department_id = self.dept_other
        self.assertVisible(self.manager, order, order.browse())

    def test_manager_moving_to_other_department_sees_its_leads(self):
        self.assertVisible(self.manager, self.all_leads, self.pick(self.leads, *DEPARTMENT_HQ))
        self.employee_manager.department_id = self.dept_other
        self.assertVisible(self.manager, self.all_leads, self.pick(self.leads, "other_user", "manager", "unassigned"))
