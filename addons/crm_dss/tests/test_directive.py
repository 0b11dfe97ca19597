import logging

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .common_directive import CrmDssDirectiveCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestDirectiveFlow(CrmDssDirectiveCommon):
    """The whole life of a directive, each step by the user who takes it."""

    def _assert_figures_after_flow(self, directive):
        """What the issuer reads once Sales is done: 1 of 3 lines read, acknowledged, done."""
        directive.invalidate_recordset()
        self.assertEqual(
            (directive.recipient_count, directive.read_count, directive.acknowledged_count, directive.done_count),
            (3, 1, 1, 1),
        )
        self.assertAlmostEqual(directive.progress, 100.0 / 3, places=2)
        self.assertEqual((directive.task_count, directive.task_done_count), (2, 2))
        self.assertEqual(set(directive.task_ids.mapped("state")), {"done"})
        self.assertEqual(directive.task_ids.user_id, self.staff)
        listed = (
            self.env["crm.dss.directive"]
            .with_user(self.executive)
            .search_read([("id", "=", directive.id)], ["progress", "read_count", "done_count"])
        )
        self.assertEqual((listed[0]["read_count"], listed[0]["done_count"]), (1, 1))

    def test_issue_read_acknowledge_tasks_done(self):
        attachment = self._attachment(self.executive)
        directive = self._directive(
            departments=self.dept_sales | self.dept_other,
            companies=self.company_2,
            attachment_ids=[Command.set(attachment.ids)],
        )
        self.assertEqual(directive.state, "draft")
        self.assertTrue(directive.reference.startswith("DIR/"))

        # the executive issues: one line per receiving manager, told and given a to-do
        directive.action_issue()
        self.assertEqual(directive.state, "issued")
        self.assertEqual(directive.issuer_id, self.executive)
        lines = directive.recipient_ids
        self.assertEqual(
            {(line.user_id, line.department_id, line.company_id, line.state) for line in lines},
            {
                (self.manager, self.dept_sales, self.company, "sent"),
                (self.support_manager, self.dept_other, self.company, "sent"),
                (self.company2_manager, self.dept_c2, self.company_2, "sent"),
            },
        )
        managers = self.manager | self.support_manager | self.company2_manager
        self.assertLessEqual(managers.partner_id, directive.message_partner_ids)
        notice = directive.message_ids.filtered(lambda message: message.partner_ids)
        self.assertEqual(notice.partner_ids, managers.partner_id)
        self.assertEqual(notice.attachment_ids, attachment)
        todo = self.env.ref("mail.mail_activity_data_todo")
        self.assertEqual(directive.activity_ids.filtered(lambda a: a.activity_type_id == todo).user_id, managers)

        # the manager opens it (first open recorded), acknowledges with a comment
        as_manager = directive.with_user(self.manager)
        as_manager.web_read({"name": {}, "body": {}, "my_recipient_state": {}})
        line = self._line(directive, self.manager)
        self.assertEqual(line.state, "read")
        self.assertTrue(line.read_date)
        as_manager.action_acknowledge(comment="We start on Monday.")
        self.assertEqual((line.state, line.comment), ("acknowledged", "We start on Monday."))
        self.assertTrue(line.acknowledged_date)
        self.assertNotIn(self.manager, directive.activity_ids.filtered(lambda a: a.activity_type_id == todo).user_id)

        # ...gives tasks to two of their staff
        tasks = self._give_tasks(directive, self.manager, self.staff)
        task_type = self.env.ref("crm_dss.mail_activity_type_crm_dss_directive_task")
        self.assertEqual(tasks.user_id, self.staff)
        self.assertEqual(tasks.activity_type_id, task_type)
        self.assertEqual((line.task_count, line.task_done_count), (2, 0))
        with self.assertRaises(UserError):
            as_manager.action_done()

        # the staff read the directive and mark their task done with a feedback
        for user in self.staff:
            self.assertEqual(self.env["crm.dss.directive"].with_user(user).search([]), directive.sudo(False))
            task = tasks.filtered(lambda task, user=user: task.user_id == user).with_user(user)
            task.action_feedback(feedback=f"Done by {user.name}")
        line.invalidate_recordset()
        self.assertEqual((line.task_count, line.task_done_count), (2, 2))
        self.assertTrue(
            directive.message_ids.filtered(lambda message: "Done by Suite Participant" in (message.body or ""))
        )

        # the manager marks their line done
        as_manager.action_done()
        self.assertEqual(line.state, "done")
        self.assertTrue(line.done_date)

        # the executive sees who has read, acknowledged and done what
        self._assert_figures_after_flow(directive)

        # and closes it; nothing changes on it afterwards
        directive.action_close()
        self.assertEqual(directive.state, "closed")
        with self.assertRaises(UserError):
            self._line(directive, self.support_manager).action_acknowledge()

    def test_every_role_opens_the_views(self):
        directive = self._issued()
        self._line(directive, self.manager).action_acknowledge()
        self._give_tasks(directive, self.manager, self.participant)
        views = [(False, "form"), (False, "list"), (False, "kanban"), (False, "search")]
        for user in (self.executive, self.manager, self.participant):
            with self.subTest(user=user.login):
                as_user = directive.with_user(user)
                as_user.get_views(views)
                form = Form(as_user)
                self.assertEqual(form.name, directive.name)
        # the executive writes a new one in the form, as the web client sends it
        new = Form(self.env["crm.dss.directive"].with_user(self.executive))
        new.name = "Written in the form"
        new.department_ids.add(self.dept_other)
        created = new.save()
        self.assertEqual((created.state, created.company_id), ("draft", self.company))
        # the wizard the manager's Create Tasks button opens
        action = directive.with_user(self.manager).action_open_task_wizard()
        wizard = Form(self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"]))
        self.assertEqual(wizard.directive_id, directive)
        self.assertIn(self.colleague, wizard.allowed_user_ids)
        self.assertNotIn(self.other_user, wizard.allowed_user_ids)

    def test_branch_manager_reads_and_acknowledges(self):
        directive = self._issued(departments=self.env["hr.department"], companies=self.company_2)
        line = self._line(directive, self.company2_manager)
        as_branch = directive.with_user(self.company2_manager).with_context(allowed_company_ids=self.company_2.ids)
        self.assertEqual(as_branch.search([("id", "=", directive.id)]), directive)
        as_branch.action_acknowledge()
        self.assertEqual(line.state, "acknowledged")
        self.assertTrue(line.read_date, "acknowledging without opening first counts as read")

    def test_a_manager_met_twice_receives_one_line(self):
        self.dept_sub.manager_id = self.employee_manager
        directive = self._issued(departments=self.dept_sales | self.dept_sub)
        self.assertEqual(directive.recipient_ids.user_id, self.manager)
        self.assertEqual(directive.recipient_ids.department_id, self.dept_sales)

    def test_cancel_removes_to_dos(self):
        directive = self._issued()
        directive.action_cancel()
        self.assertEqual(directive.state, "cancelled")
        self.assertFalse(directive.activity_ids)


@tagged("post_install", "-at_install")
class TestDirectiveBadInput(CrmDssDirectiveCommon):
    """Wrong input: a clear error and nothing written."""

    def _assert_nothing_issued(self, directive):
        directive.invalidate_recordset()
        self.assertEqual(directive.state, "draft")
        self.assertFalse(directive.sudo().recipient_ids)
        self.assertFalse(directive.issue_date)
        self.assertFalse(directive.activity_ids)

    def test_issue_without_target(self):
        directive = self._directive(departments=self.env["hr.department"])
        with self.assertRaisesRegex(UserError, "no target"):
            directive.action_issue()
        self._assert_nothing_issued(directive)

    def test_issue_with_past_deadline(self):
        directive = self._directive(deadline=fields.Date.to_date("2026-03-01"))
        with freeze_time("2026-03-02"), self.assertRaisesRegex(UserError, "in the past"):
            directive.action_issue()
        self._assert_nothing_issued(directive)

    def test_issue_to_department_without_manager_names_it(self):
        directive = self._directive(departments=self.dept_sales | self.dept_unmanaged)
        with self.assertRaisesRegex(UserError, "Unmanaged"):
            directive.action_issue()
        self._assert_nothing_issued(directive)

    def test_issue_to_branch_without_managed_department(self):
        self.dept_c2.manager_id = False
        directive = self._directive(companies=self.company_2)
        with self.assertRaisesRegex(UserError, self.company_2.name):
            directive.action_issue()
        self._assert_nothing_issued(directive)

    def test_issue_twice(self):
        directive = self._issued()
        with self.assertRaisesRegex(UserError, "already been issued"):
            directive.action_issue()
        self.assertEqual(len(directive.recipient_ids), 1)

    def test_tasks_for_someone_outside_the_department(self):
        directive = self._issued()
        self._line(directive, self.manager).action_acknowledge()
        with self.assertRaisesRegex(UserError, "Suite Other User"):
            self._give_tasks(directive, self.manager, self.participant | self.other_user)
        self.assertFalse(self._tasks(directive))
        self.assertFalse(directive.task_user_ids)

    def test_tasks_before_reading(self):
        directive = self._issued()
        with self.assertRaises(UserError):
            self._give_tasks(directive, self.manager, self.participant)
        self.assertFalse(self._tasks(directive))

    def test_task_with_past_deadline(self):
        directive = self._issued()
        self._line(directive, self.manager).action_acknowledge()
        wizard = (
            self.env["crm.dss.directive.task"]
            .with_user(self.manager)
            .create(
                {
                    "recipient_id": self._line(directive, self.manager).id,
                    "user_ids": [Command.set(self.participant.ids)],
                    "summary": "Too late",
                    "deadline": fields.Date.add(fields.Date.today(), days=-1),
                }
            )
        )
        with self.assertRaisesRegex(UserError, "in the past"):
            wizard.action_create_tasks()
        self.assertFalse(self._tasks(directive))

    def test_done_before_acknowledging(self):
        directive = self._issued()
        with self.assertRaisesRegex(UserError, "Acknowledge"):
            self._line(directive, self.manager).action_done()

    def test_issued_directive_cannot_be_deleted(self):
        directive = self._issued()
        with self.assertRaises(UserError):
            directive.unlink()
        self.assertTrue(directive.exists())


@tagged("post_install", "-at_install")
class TestDirectiveAccess(CrmDssDirectiveCommon):
    """Who reads and changes which directives, both ways."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Directive = cls.env["crm.dss.directive"].with_user(cls.executive)
        values = {"deadline": fields.Date.add(fields.Date.today(), days=14)}
        cls.to_sales = Directive.create(dict(values, name="To Sales", department_ids=[Command.set(cls.dept_sales.ids)]))
        cls.to_support = Directive.create(
            dict(values, name="To Support", department_ids=[Command.set(cls.dept_other.ids)])
        )
        cls.to_branch = Directive.create(
            dict(values, name="To the branch", target_company_ids=[Command.set(cls.company_2.ids)])
        )
        cls.draft = Directive.create(dict(values, name="Draft", department_ids=[Command.set(cls.dept_sales.ids)]))
        (cls.to_sales | cls.to_support | cls.to_branch).action_issue()
        cls.branch_own = (
            cls.env["crm.dss.directive"]
            .with_user(cls.executive_2)
            .create(dict(values, name="Branch's own", company_id=cls.company_2.id))
        )
        cls.directives = cls.to_sales | cls.to_support | cls.to_branch | cls.draft | cls.branch_own
        cls.to_sales.recipient_ids.with_user(cls.manager).action_acknowledge()
        cls.tasks = cls._give_tasks(cls.to_sales, cls.manager, cls.participant)

    def test_executive_reads_all_of_their_companies(self):
        self.assertVisible(
            self.executive, self.directives, self.directives, allowed_company_ids=(self.company | self.company_2).ids
        )
        self.assertVisible(
            self.executive, self.directives, self.directives - self.branch_own, allowed_company_ids=self.company.ids
        )

    def test_second_company_executive_reads_their_company_and_what_it_received(self):
        self.assertVisible(self.executive_2, self.directives, self.to_branch | self.branch_own)
        with self.assertRaises(AccessError):
            self.to_sales.with_user(self.executive_2).read(["name"])

    def test_second_company_executive_cannot_change_or_issue_hq_directives(self):
        with self.assertRaises(AccessError):
            self.to_branch.with_user(self.executive_2).write({"name": "Mine now"})
        with self.assertRaises(AccessError):
            self.to_branch.with_user(self.executive_2).action_close()
        self.assertEqual(self.to_branch.state, "issued")

    def test_manager_reads_what_they_received(self):
        self.assertVisible(self.manager, self.directives, self.to_sales)
        self.assertVisible(self.support_manager, self.directives, self.to_support)
        with self.assertRaises(AccessError):
            self.to_support.with_user(self.manager).read(["name"])
        with self.assertRaises(AccessError):
            self.draft.with_user(self.manager).read(["name"])

    def test_manager_sees_only_their_own_line(self):
        lines = self.env["crm.dss.directive.recipient"].search([("directive_id", "in", self.directives.ids)])
        self.assertVisible(self.manager, lines, self.to_sales.recipient_ids)
        self.assertVisible(self.executive, lines, lines)

    def test_branch_manager_reads_what_the_branch_received(self):
        self.assertVisible(self.company2_manager, self.directives, self.to_branch)

    def test_manager_cannot_create_change_or_issue(self):
        with self.assertRaises(AccessError):
            self.env["crm.dss.directive"].with_user(self.manager).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.to_sales.with_user(self.manager).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            self.draft.with_user(self.manager).action_issue()
        self.assertEqual(self.draft.state, "draft")

    def test_manager_cannot_act_on_another_managers_line(self):
        line = self.to_support.recipient_ids
        with self.assertRaises(AccessError):
            line.with_user(self.manager).action_acknowledge()
        with self.assertRaises(AccessError):
            line.with_user(self.executive).action_acknowledge()
        self.assertEqual(line.state, "sent")

    def test_staff_with_a_task_read_that_directive_only(self):
        self.assertVisible(self.participant, self.directives, self.to_sales)
        with self.assertRaises(AccessError):
            self.to_sales.with_user(self.participant).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            self.to_sales.recipient_ids.with_user(self.participant).read(["state"])

    def test_salesperson_without_a_task_reads_nothing(self):
        for user in (self.colleague, self.other_user, self.company2_user):
            self.assertVisible(user, self.directives, self.env["crm.dss.directive"])
            with self.assertRaises(AccessError):
                self.to_sales.with_user(user).read(["name"])

    def test_portal_reads_nothing(self):
        with self.assertRaises(AccessError):
            self.env["crm.dss.directive"].with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.env["crm.dss.directive.recipient"].with_user(self.portal).search([])

    def test_staff_cannot_delete_their_task(self):
        with self.assertRaises(AccessError):
            self.tasks.with_user(self.participant).unlink()
        self.assertTrue(self.tasks.exists())


@tagged("post_install", "-at_install")
class TestDirectiveRpc(CrmDssDirectiveCommon):
    """Attacks over RPC as a salesperson and a portal user, and system fields refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.directive = (
            cls.env["crm.dss.directive"]
            .with_user(cls.executive)
            .create({"name": "Target", "department_ids": [Command.set(cls.dept_sales.ids)]})
        )
        cls.directive.action_issue()
        cls.line = cls.directive.recipient_ids
        cls.line.with_user(cls.manager).action_acknowledge()
        cls.task = cls._give_tasks(cls.directive, cls.manager, cls.participant)

    MODELS = ("crm.dss.directive", "crm.dss.directive.recipient", "crm.dss.directive.task")

    def test_inventory_of_public_methods(self):
        found = {(model, method) for model, method in public_methods(self.env, "crm_dss") if model in self.MODELS}
        self.assertEqual(
            found,
            {
                ("crm.dss.directive", "create"),
                ("crm.dss.directive", "message_subscribe"),
                ("crm.dss.directive", "web_read"),
                ("crm.dss.directive", "action_issue"),
                ("crm.dss.directive", "action_close"),
                ("crm.dss.directive", "action_cancel"),
                ("crm.dss.directive", "action_acknowledge"),
                ("crm.dss.directive", "action_done"),
                ("crm.dss.directive", "action_open_task_wizard"),
                ("crm.dss.directive.recipient", "action_acknowledge"),
                ("crm.dss.directive.recipient", "action_done"),
                ("crm.dss.directive.recipient", "action_open_task_wizard"),
                ("crm.dss.directive.recipient", "action_open_directive"),
                ("crm.dss.directive.task", "action_create_tasks"),
            },
        )

    def _attacks(self):
        directive, line = self.directive.id, self.line.id
        return [
            ("crm.dss.directive", "create", [{"name": "Forged", "department_ids": [Command.set(self.dept_sales.ids)]}]),
            ("crm.dss.directive", "write", [directive], {"name": "Forged"}),
            ("crm.dss.directive", "unlink", [directive]),
            ("crm.dss.directive", "web_read", [directive], {"name": {}}),
            ("crm.dss.directive", "message_subscribe", [directive], [self.other_user.partner_id.id]),
            ("crm.dss.directive", "action_issue", [directive]),
            ("crm.dss.directive", "action_close", [directive]),
            ("crm.dss.directive", "action_cancel", [directive]),
            ("crm.dss.directive", "action_acknowledge", [directive]),
            ("crm.dss.directive", "action_done", [directive]),
            ("crm.dss.directive", "action_open_task_wizard", [directive]),
            ("crm.dss.directive.recipient", "read", [line], ["state"]),
            ("crm.dss.directive.recipient", "write", [line], {"state": "done"}),
            ("crm.dss.directive.recipient", "create", [{"directive_id": directive, "user_id": self.participant.id}]),
            ("crm.dss.directive.recipient", "action_acknowledge", [line]),
            ("crm.dss.directive.recipient", "action_done", [line]),
            ("crm.dss.directive.recipient", "action_open_task_wizard", [line]),
            ("crm.dss.directive.recipient", "action_open_directive", [line]),
            ("crm.dss.directive.task", "create", [{"recipient_id": line, "summary": "Forged"}]),
            ("mail.activity", "write", [self.task.id], {"crm_dss_recipient_id": False}),
        ]

    def test_salesperson_and_portal_are_refused_everything(self):
        for user in (self.other_user, self.portal):
            for model, method, *args in self._attacks():
                with self.subTest(user=user.login, method=f"{model}.{method}"), self.assertRaises(AccessError):
                    call_kw(user, model, method, *args)
        self.assertEqual(
            (self.directive.name, self.directive.state, self.line.state), ("Target", "issued", "acknowledged")
        )

    def test_staff_with_task_cannot_forge_a_task_or_the_wizard(self):
        attacks = [
            (
                "mail.activity",
                "create",
                [
                    {
                        "res_model_id": self.env["ir.model"]._get_id("crm.dss.directive"),
                        "res_id": self.directive.id,
                        "user_id": self.participant.id,
                        "crm_dss_recipient_id": self.line.id,
                    }
                ],
            ),
            ("mail.activity", "write", [self.task.id], {"crm_dss_recipient_id": False}),
            ("crm.dss.directive.task", "create", [{"recipient_id": self.line.id, "summary": "Forged"}]),
            ("crm.dss.directive.recipient", "action_done", [self.line.id]),
            ("crm.dss.directive", "action_done", [self.directive.id]),
        ]
        for model, method, *args in attacks:
            with self.subTest(method=f"{model}.{method}"), self.assertRaises(AccessError):
                call_kw(self.participant, model, method, *args)
        self.assertEqual(len(self._tasks(self.directive)), 1)

    def test_system_fields_are_refused_to_the_executive(self):
        for values in (
            {"state": "closed"},
            {"issuer_id": self.manager.id},
            {"issue_date": "2020-01-01 00:00:00"},
            {"task_user_ids": [Command.link(self.other_user.id)]},
            {"reference": "FAKE"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.executive, "crm.dss.directive", "write", [self.directive.id], values)
        with self.assertRaises(AccessError):
            call_kw(self.executive, "crm.dss.directive", "create", [{"name": "Pre-issued", "state": "issued"}])
        with self.assertRaises(AccessError):
            call_kw(self.executive, "crm.dss.directive.recipient", "write", [self.line.id], {"state": "done"})
        forged_line = {"user_id": self.other_user.id, "company_id": self.company.id, "state": "done"}
        with self.assertRaises(AccessError):
            call_kw(
                self.executive,
                "crm.dss.directive",
                "write",
                [self.directive.id],
                {"recipient_ids": [Command.create(forged_line)]},
            )
        self.assertEqual((self.directive.state, self.line.state), ("issued", "acknowledged"))

    def test_manager_cannot_write_their_line(self):
        for values in ({"state": "done"}, {"comment": "Rewritten"}, {"acknowledged_date": False}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                call_kw(self.manager, "crm.dss.directive.recipient", "write", [self.line.id], values)
        self.assertEqual(self.line.state, "acknowledged")


@tagged("post_install", "-at_install", "crm_dss_perf")
class TestDirectivePerformance(CrmDssDirectiveCommon):
    """Issuing to 50 departments, tracking on: a fixed number of queries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        departments = cls.env["hr.department"]
        for index in range(50):
            manager = cls._new_user(
                f"dss_perf_manager_{index}", "base.group_user,crm_dss.group_crm_dss_manager", cls.company
            )
            department = departments.create({"name": f"Perf department {index}", "company_id": cls.company.id})
            department.manager_id = cls._new_employee(manager, department)
            departments |= department
        cls.perf_departments = departments

    def _issue_counting(self, departments):
        directive = self._directive(departments=departments).with_context(
            tracking_disable=False, mail_create_nolog=False
        )
        directive.env.flush_all()
        directive.env.invalidate_all()
        before = self.cr.sql_log_count
        directive.action_issue()
        directive.env.flush_all()
        return directive, self.cr.sql_log_count - before

    def test_issue_to_fifty_departments(self):
        _small, queries_10 = self._issue_counting(self.perf_departments[:10])
        directive = self._directive(departments=self.perf_departments).with_context(
            tracking_disable=False, mail_create_nolog=False
        )
        directive.env.flush_all()
        directive.env.invalidate_all()
        # measured: 68 (62 warm), and 100 for 10 departments on cold caches: it does not grow per department
        with self.assertQueryCount(75):
            directive.action_issue()
            directive.env.flush_all()
        _again, queries_50 = self._issue_counting(self.perf_departments)
        _logger.info("issuing a directive: %s queries to 10 departments, %s to 50", queries_10, queries_50)
        self.assertEqual(len(directive.recipient_ids), 50)
        self.assertEqual(directive.read_count, 0)
