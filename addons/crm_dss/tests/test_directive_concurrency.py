import uuid

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.crm_workflow.tests.common import race

MANAGER = "base.group_user,crm_dss.group_crm_dss_manager"
EXECUTIVE = "base.group_user,crm_dss.group_crm_dss_executive"


@tagged("post_install", "-at_install")
class TestDirectiveConcurrency(BaseCase):
    """Two users on the same directive at the same moment, in two real transactions on
    committed data: a directive is issued once, two acknowledgements both count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company = env.ref("base.main_company")
            # logins of their own: a run interrupted before its clean-up leaves its users behind
            suffix = uuid.uuid4().hex[:8]
            users = {
                login: new_test_user(env, login=f"{login}_{suffix}", groups=groups, company_id=company.id)
                for login, groups in (
                    ("dss_race_exec_1", EXECUTIVE),
                    ("dss_race_exec_2", EXECUTIVE),
                    ("dss_race_mgr_1", MANAGER),
                    ("dss_race_mgr_2", MANAGER),
                )
            }
            departments = env["hr.department"]
            for index, login in enumerate(("dss_race_mgr_1", "dss_race_mgr_2")):
                department = departments.create({"name": f"Race department {index}", "company_id": company.id})
                employee = env["hr.employee"].create(
                    {
                        "name": login,
                        "user_id": users[login].id,
                        "department_id": department.id,
                        "company_id": company.id,
                    }
                )
                department.manager_id = employee
                departments |= department
            values = {
                "deadline": fields.Date.add(fields.Date.today(), days=7),
                "department_ids": [Command.set(departments.ids)],
            }
            Directive = env["crm.dss.directive"].with_user(users["dss_race_exec_1"])
            draft = Directive.create(dict(values, name="Race to issue"))
            issued = Directive.create(dict(values, name="Race to acknowledge"))
            issued.action_issue()
            cls.user_ids = {login: user.id for login, user in users.items()}
            cls.department_ids = departments.ids
            cls.draft_id, cls.issued_id = draft.id, issued.id
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            directives = env["crm.dss.directive"].browse([cls.draft_id, cls.issued_id])
            # sudo writes of the system fields: drafts can be deleted, with their chatter and lines
            directives.write({"state": "draft"})
            directives.unlink()
            env["hr.department"].browse(cls.department_ids).unlink()
            users = env["res.users"].browse(list(cls.user_ids.values()))
            users.employee_ids.unlink()
            partners = users.partner_id
            try:
                with cr.savepoint():
                    env["mail.message"].search([("author_id", "in", partners.ids)]).unlink()
                    users.unlink()
                    partners.unlink()
            except Exception:  # noqa: BLE001 - still referenced somewhere: out of the way then
                users.write({"active": False})

    def _as(self, env, login):
        return env(user=self.user_ids[login])

    def test_two_executives_issue_the_same_directive(self):
        def issue(login):
            def body(env):
                self._as(env, login)["crm.dss.directive"].browse(self.draft_id).action_issue()
                env.flush_all()

            return body

        (errors_1, attempts_1), (errors_2, _attempts_2) = race(
            self.registry, issue("dss_race_exec_1"), issue("dss_race_exec_2")
        )
        self.assertEqual((errors_1, attempts_1), ([], [1]))
        self.assertEqual(len(errors_2), 1)
        self.assertIsInstance(errors_2[0], UserError)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            directive = env["crm.dss.directive"].browse(self.draft_id)
            self.assertEqual(directive.state, "issued")
            self.assertEqual(directive.issuer_id.id, self.user_ids["dss_race_exec_1"])
            self.assertEqual(len(directive.recipient_ids), 2)
            self.assertEqual(directive.recipient_count, 2)
            todo = env.ref("mail.mail_activity_data_todo")
            self.assertEqual(len(directive.activity_ids.filtered(lambda a: a.activity_type_id == todo)), 2)

    def test_two_managers_acknowledge_at_the_same_moment(self):
        def acknowledge(login):
            def body(env):
                self._as(env, login)["crm.dss.directive"].browse(self.issued_id).action_acknowledge(comment=login)
                env.flush_all()

            return body

        (errors_1, _attempts_1), (errors_2, attempts_2) = race(
            self.registry, acknowledge("dss_race_mgr_1"), acknowledge("dss_race_mgr_2")
        )
        self.assertEqual((errors_1, errors_2), ([], []))
        # a real race: the second met the first's update of the directive's figures and ran again
        self.assertGreater(len(attempts_2), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            directive = env["crm.dss.directive"].browse(self.issued_id)
            self.assertEqual(set(directive.recipient_ids.mapped("state")), {"acknowledged"})
            self.assertEqual(set(directive.recipient_ids.mapped("comment")), {"dss_race_mgr_1", "dss_race_mgr_2"})
            self.assertEqual((directive.read_count, directive.acknowledged_count), (2, 2))
