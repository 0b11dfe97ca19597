import os
import tempfile
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from .test_operations_common import OperationsCommon

DIRECTORY = tempfile.gettempdir()
MODELS = ("crm.dss.health.check", "crm.dss.backup.target", "crm.dss.backup")


@tagged("post_install", "-at_install")
class TestHealthChecks(OperationsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Check = cls.env["crm.dss.health.check"]
        cls.checks = Check.search([])
        cls.check = {check.code: check for check in cls.checks}
        # a quiet database to start from: no cron late nor failing
        cls.now = fields.Datetime.now()
        cls.env["ir.cron"].search([]).write({"nextcall": cls.now + timedelta(hours=1), "failure_count": 0})
        cls.cron = cls.env.ref("crm_dss.crm_dss_health_check_cron")

    def _run(self, *codes, user=None):
        checks = self.checks.filtered(lambda c: c.code in codes) if codes else self.checks
        checks.with_user(user or self.admin).action_check_now()
        return checks

    def _notifications(self, check):
        activities = self.env["mail.activity"].search([("res_model", "=", check._name), ("res_id", "=", check.id)])
        messages = check.message_ids.filtered(lambda m: self.admin.partner_id in m.partner_ids)
        return activities, messages

    def test_data_checks(self):
        self.assertEqual(
            set(self.check),
            {
                "cron_lag",
                "cron_failures",
                "job_backlog",
                "job_failures",
                "eai_backlog",
                "eai_failures",
                "mail_queue",
                "mail_failures",
                "database_size",
                "long_queries",
                "log_errors",
            },
        )

    def test_all_checks_measure(self):
        self._run()
        for check in self.checks:
            self.assertTrue(check.last_checked, check.code)
        self.assertEqual(self.check["cron_lag"].state, "ok")
        self.assertEqual(self.check["cron_failures"].state, "ok")
        self.assertGreater(self.check["database_size"].last_value, 1.0, "a database is more than 1 MB")
        self.assertIn(self.check["long_queries"].state, ("ok", "warning", "critical"))
        for code, model in (("job_backlog", "queue.job"), ("eai_backlog", "crm.eai.exchange")):
            if model not in self.env:
                self.assertEqual(self.check[code].state, "unknown", f"{model} is not installed")
                self.assertIn("not installed", self.check[code].detail)

    def test_late_cron_notified_on_crossing_only(self):
        check = self.check["cron_lag"]
        self._run("cron_lag")
        self.assertEqual((check.state, check.last_value), ("ok", 0))
        self.cron.nextcall = self.now - timedelta(minutes=check.parameter + 10)
        self._run("cron_lag")
        self.assertEqual((check.state, check.last_value), ("warning", 1))
        self.assertIn(self.cron.cron_name, check.detail)
        activities, messages = self._notifications(check)
        self.assertIn(self.admin, activities.user_id, "each administrator gets an activity")
        self.assertEqual(len(activities.filtered(lambda a: a.user_id == self.admin)), 1)
        self.assertEqual(len(messages), 1, "one mail to the administrators")
        self.assertTrue(self.env["mail.mail"].search([("mail_message_id", "in", messages.ids)]) or messages)
        # still late at the next run: no new notification
        self.env["crm.dss.health.check"]._cron_check()
        self.assertEqual(check.state, "warning")
        self.assertEqual(self._notifications(check)[1], messages)
        # critical: notified again
        check.with_user(self.admin).write({"warning_threshold": 0.5, "critical_threshold": 1})
        self._run("cron_lag")
        self.assertEqual(check.state, "critical")
        self.assertEqual(len(self._notifications(check)[1]), 2)
        # not late any more: back to ok, no notification
        self.cron.nextcall = self.now + timedelta(hours=1)
        self._run("cron_lag")
        self.assertEqual(check.state, "ok")
        self.assertEqual(len(self._notifications(check)[1]), 2)

    def test_check_now_without_selection(self):
        """The header button of the kanban sends no ids: every check is measured."""
        self.env["crm.dss.health.check"].with_user(self.admin).action_check_now()
        self.assertTrue(all(self.checks.mapped("last_checked")))

    def test_failed_cron(self):
        self.cron.write({"failure_count": 2, "first_failure_date": self.now - timedelta(hours=1)})
        self._run("cron_failures")
        check = self.check["cron_failures"]
        self.assertEqual((check.state, check.last_value), ("warning", 1))
        self.assertIn(self.cron.cron_name, check.detail)

    def test_failed_mail(self):
        check = self.check["mail_failures"]
        self._run("mail_failures")
        before = check.last_value
        check.with_user(self.admin).write({"warning_threshold": before + 1, "critical_threshold": before + 3})
        self._run("mail_failures")
        self.assertEqual(check.state, "ok")
        self.env["mail.mail"].create(
            {
                "subject": "Undeliverable",
                "email_to": "nobody@example.com",
                "state": "exception",
                "failure_reason": "550",
            }
        )
        self._run("mail_failures")
        self.assertEqual((check.state, check.last_value), ("warning", before + 1))
        self.assertEqual(len(self._notifications(check)[1]), 1)

    def test_log_errors(self):
        check = self.check["log_errors"]
        with patch.dict(config.options, {"logfile": None}):
            self._run("log_errors")
            before = check.last_value
            self.env["ir.logging"].create(
                {
                    "name": "odoo.http",
                    "type": "server",
                    "level": "ERROR",
                    "message": "boom",
                    "path": "x.py",
                    "func": "f",
                    "line": "1",
                }
            )
            old = self.env["ir.logging"].create(
                {
                    "name": "odoo.http",
                    "type": "server",
                    "level": "ERROR",
                    "message": "old",
                    "path": "x.py",
                    "func": "f",
                    "line": "1",
                }
            )
            self.env.cr.execute("UPDATE ir_logging SET create_date = now() - interval '2 days' WHERE id = %s", [old.id])
            self._run("log_errors")
            self.assertEqual(check.last_value, before + 1, "the last 24 hours only")
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as log:
            log.write("2026-12-02 02:51:57,123 42 ERROR db odoo.http: boom\n" * 3)
        self.addCleanup(os.unlink, log.name)
        with patch.dict(config.options, {"logfile": log.name}):
            self._run("log_errors")
        self.assertEqual(check.last_value, before + 4)
        self.assertIn("log file", check.detail)
        with patch.dict(config.options, {"logfile": "/nonexistent/odoo.log"}):
            self._run("log_errors")
        self.assertEqual(check.last_value, before + 1)
        self.assertIn("cannot be read", check.detail)

    def test_thresholds_validated(self):
        check = self.check["mail_queue"].with_user(self.admin)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            check.write({"warning_threshold": 10, "critical_threshold": 5})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            check.write({"warning_threshold": -1})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            check.write({"parameter": -5})
        check.write({"warning_threshold": 3, "critical_threshold": 30})
        self.assertEqual((check.warning_threshold, check.critical_threshold), (3, 30))

    def test_system_fields_refused(self):
        check = self.check["mail_queue"]
        for values in ({"state": "ok"}, {"last_value": 0}, {"last_checked": self.now}, {"code": "x"}):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                call_kw(self.admin, check._name, "write", check.ids, values)
        with self.assertRaises(AccessError):
            call_kw(self.admin, check._name, "create", {"name": "Mine", "code": "mine"})


@tagged("post_install", "-at_install")
class TestOperationsAccess(OperationsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.checks = cls.env["crm.dss.health.check"].search([])
        cls.target = cls.env["crm.dss.backup.target"].create({"name": "Access", "directory": "/nonexistent/ops"})
        cls.backup = cls.env["crm.dss.backup"].create({"target_id": cls.target.id, "name": "x.zip", "state": "done"})
        cls.records = {
            "crm.dss.health.check": cls.checks[:1],
            "crm.dss.backup.target": cls.target,
            "crm.dss.backup": cls.backup,
        }

    def test_admin_reaches_everything(self):
        for model, records in self.records.items():
            found = self.env[model].with_user(self.admin).search([("id", "in", records.ids)])
            self.assertEqual(found, records.with_user(self.admin), model)
        target = (
            self.env["crm.dss.backup.target"].with_user(self.admin).create({"name": "Admin's", "directory": DIRECTORY})
        )
        target.write({"keep_count": 3})
        target.unlink()
        menu = self.env.ref("crm_dss.crm_dss_operations_menu")
        self.assertEqual(
            menu.group_ids if "group_ids" in menu._fields else menu.groups_id, self.env.ref("base.group_system")
        )

    def test_others_refused(self):
        for user in self.outsiders:
            for model, records in self.records.items():
                with self.assertRaises(AccessError, msg=f"{user.login} reads {model}"):
                    self.env[model].with_user(user).search([])
                with self.assertRaises(AccessError, msg=f"{user.login} reads {model}"):
                    records.with_user(user).read(["name"])
            with self.assertRaises(AccessError, msg=user.login):
                self.env["crm.dss.backup.target"].with_user(user).create({"name": "X", "directory": DIRECTORY})

    def test_backups_read_only_for_admins(self):
        Backup = self.env["crm.dss.backup"].with_user(self.admin)
        with self.assertRaises(AccessError):
            Backup.create({"target_id": self.target.id, "name": "forged.zip"})
        with self.assertRaises(AccessError):
            self.backup.with_user(self.admin).write({"state": "restore_ok"})
        with self.assertRaises(AccessError):
            self.backup.with_user(self.admin).unlink()
        with self.assertRaises(AccessError):
            call_kw(self.admin, "crm.dss.backup.target", "write", self.target.ids, {"last_backup_state": "done"})

    @mute_logger("odoo.addons.crm_dss.models.crm_dss_backup_target")
    def test_call_kw_attacks(self):
        methods = {(m, name) for m, name in public_methods(self.env, "crm_dss") if m in MODELS}
        self.assertEqual(
            methods,
            {
                ("crm.dss.health.check", "action_check_now"),
                ("crm.dss.backup.target", "action_backup"),
                ("crm.dss.backup", "action_restore_check"),
            },
            "new public methods must be added to this attack",
        )
        standard = [("read", (["name"],)), ("write", ({"name": "pwned"},)), ("unlink", ())]
        for user in (self.salesperson, self.portal):
            for model, method in methods:
                with self.assertRaises(AccessError, msg=f"{user.login}: {model}.{method}"):
                    call_kw(user, model, method, self.records[model].ids)
            for model, records in self.records.items():
                for method, args in standard:
                    with self.assertRaises(AccessError, msg=f"{user.login}: {model}.{method}"):
                        call_kw(user, model, method, records.ids, *args)
                with self.assertRaises(AccessError):
                    call_kw(user, model, "search_read", [], ["name"])
                with self.assertRaises(AccessError):
                    call_kw(user, "crm.dss.backup.target", "create", {"name": "x", "directory": DIRECTORY})
        for model, method in (("crm.dss.health.check", "_cron_check"), ("crm.dss.backup.target", "_cron_backup")):
            with self.assertRaises(AccessError, msg="private: not callable over RPC"):
                call_kw(self.admin, model, method)
