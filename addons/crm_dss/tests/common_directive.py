import base64

from odoo import Command, fields

from odoo.addons.crm_workflow.tests.common import CrmSuiteOrgCase

SALESPERSON = "base.group_user,sales_team.group_sale_salesman"
MANAGER = "base.group_user,crm_dss.group_crm_dss_manager"
EXECUTIVE = "base.group_user,crm_dss.group_crm_dss_executive"


class CrmDssDirectiveCommon(CrmSuiteOrgCase):
    """The suite's organisation with decision-support roles and a manager per target::

    Sales (no company)       manager; staff participant, colleague
      Sales North            sub_user (staff of Sales through the tree)
    Support (HQ)             support_manager; other_user (salesperson, never a task)
    Unmanaged (HQ)           no manager
    Company 2 Sales (top)    company2_manager; company2_user
    -                        executive (both companies), executive_2 (second company),
                             portal
    """

    execution_groups = SALESPERSON
    management_groups = MANAGER
    decision_groups = EXECUTIVE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.support_manager = cls._new_user("dss_support_manager", MANAGER, cls.company)
        cls.dept_other.manager_id = cls._new_employee(cls.support_manager, cls.dept_other)
        cls.company2_manager = cls._new_user("dss_company2_manager", MANAGER, cls.company_2)
        cls.dept_c2.manager_id = cls._new_employee(cls.company2_manager, cls.dept_c2)
        cls.executive_2 = cls._new_user("dss_executive_2", EXECUTIVE, cls.company_2)
        cls.dept_unmanaged = cls.env["hr.department"].create({"name": "Unmanaged", "company_id": cls.company.id})
        cls.staff = cls.participant | cls.colleague

    def _attachment(self, user, name="memo.txt"):
        return (
            self.env["ir.attachment"]
            .with_user(user)
            .create(
                {
                    "name": name,
                    "datas": base64.b64encode(b"Collect every overdue invoice."),
                    "res_model": "crm.dss.directive",
                }
            )
        )

    def _directive(self, user=None, departments=None, companies=None, **values):
        """A draft directive written by ``user`` (the executive by default)."""
        return (
            self.env["crm.dss.directive"]
            .with_user(user or self.executive)
            .create(
                {
                    "name": "Collect overdue receivables",
                    "kind": "decision",
                    "body": "<p>Every manager collects the overdue invoices of their customers.</p>",
                    "deadline": fields.Date.add(fields.Date.today(), days=14),
                    "department_ids": [Command.set((departments if departments is not None else self.dept_sales).ids)],
                    "target_company_ids": [Command.set(companies.ids if companies else [])],
                    **values,
                }
            )
        )

    def _issued(self, departments=None, companies=None, **values):
        directive = self._directive(departments=departments, companies=companies, **values)
        directive.action_issue()
        return directive

    @classmethod
    def _line(cls, directive, user):
        return directive.sudo().recipient_ids.filtered(lambda line: line.user_id == user).with_user(user)

    @classmethod
    def _give_tasks(cls, directive, manager, users, summary="Call the customers"):
        wizard = (
            cls.env["crm.dss.directive.task"]
            .with_user(manager)
            .create(
                {
                    "recipient_id": cls._line(directive, manager).id,
                    "user_ids": [Command.set(users.ids)],
                    "summary": summary,
                    "deadline": fields.Date.add(fields.Date.today(), days=7),
                }
            )
        )
        wizard.action_create_tasks()
        return cls._tasks(directive, manager)

    @classmethod
    def _tasks(cls, directive, manager=None):
        domain = [("crm_dss_recipient_id.directive_id", "=", directive.id)]
        if manager:
            domain.append(("crm_dss_recipient_id.user_id", "=", manager.id))
        return cls.env["mail.activity"].with_context(active_test=False).sudo().search(domain)
