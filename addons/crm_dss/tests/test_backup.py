import os
import shutil
import tempfile
import zipfile
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.service import db as db_service
from odoo.tests import tagged
from odoo.tools import SQL, config, mute_logger

from odoo.addons.crm_dss.lib import backup as backup_lib
from odoo.addons.crm_dss.models.crm_dss_backup_target import BACKUP_LOCK
from odoo.addons.crm_workflow.tests.common import race

from .test_operations_common import OperationsCommon

TARGET_LOGGER = "odoo.addons.crm_dss.models.crm_dss_backup_target"


class BackupCommon(OperationsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.directory = tempfile.mkdtemp(prefix="crm_dss_backup_")
        cls.addClassCleanup(shutil.rmtree, cls.directory, ignore_errors=True)
        cls.target = cls.env["crm.dss.backup.target"].create(
            {"name": "Test target", "directory": cls.directory, "keep_count": 3}
        )

    def _files(self):
        return sorted(os.listdir(self.directory))


@tagged("post_install", "-at_install")
class TestBackupRestore(BackupCommon):
    """One real dump (in setUpClass) and one real restore into a scratch database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a file of the filestore the dump must carry
        cls.env["ir.attachment"].create({"name": "dss_backup_probe.txt", "raw": b"backup probe"})
        cls.backup = cls.target.with_user(cls.admin).action_backup()
        cls.backup = cls.env["crm.dss.backup"].browse(cls.backup["res_id"])

    def test_backup_written(self):
        backup = self.backup
        self.assertEqual(backup.state, "done", backup.error)
        self.assertEqual(self._files(), [backup.name], "the backup only, no temporary file left")
        path = os.path.join(self.directory, backup.name)
        self.assertEqual(backup.file_size, os.path.getsize(path))
        self.assertTrue(backup_lib.is_own_file(backup.name, self.env.cr.dbname, self.target.id))
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            self.assertIn("dump.sql", names)
            self.assertIn("manifest.json", names)
            self.assertTrue(any(name.startswith("filestore/") for name in names), "the filestore is in the zip")
            self.assertIsNone(archive.testzip())
        self.assertEqual(self.target.last_backup_state, "done")
        self.assertTrue(self.target.last_backup_date)

    def test_restore_check(self):
        # the scratch database is loaded by restore_db: not as a module update, nor tested
        # again by the test run this test is part of
        with patch.dict(config.options, {"test_enable": False, "init": {}, "update": {}}):
            self.backup.with_user(self.admin).action_restore_check()
        self.assertEqual(self.backup.state, "restore_ok", self.backup.restore_detail)
        self.assertIn("modules installed", self.backup.restore_detail)
        self.assertTrue(self.backup.checked_on)
        # the scratch database and its filestore are gone
        prefix = f"{self.env.cr.dbname}_restore_check_{self.backup.id}_"
        self.env.cr.execute(SQL("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", prefix))
        self.assertEqual(self.env.cr.fetchall(), [])
        filestores = os.path.dirname(config.filestore(self.env.cr.dbname))
        self.assertFalse([name for name in os.listdir(filestores) if name.startswith(prefix)])

    @mute_logger("odoo.addons.crm_dss.models.crm_dss_backup")
    def test_restore_of_a_broken_file(self):
        """A damaged file is reported restore_failed, and no scratch database is left."""
        broken = self.env["crm.dss.backup"].create({"target_id": self.target.id, "name": "broken.zip", "state": "done"})
        with open(os.path.join(self.directory, "broken.zip"), "wb") as handle:
            handle.write(b"not a zip")
        self.addCleanup(os.unlink, os.path.join(self.directory, "broken.zip"))
        broken.with_user(self.admin).action_restore_check()
        self.assertEqual(broken.state, "restore_failed")
        self.assertIn("could not be restored", broken.restore_detail)
        self.env.cr.execute(
            SQL(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                f"{self.env.cr.dbname}_restore_check_{broken.id}_",
            )
        )
        self.assertEqual(self.env.cr.fetchall(), [])


@tagged("post_install", "-at_install")
class TestBackupRefused(BackupCommon):
    """Targets that cannot take a backup: nothing written, the reason said (no real dump)."""

    def setUp(self):
        super().setUp()
        for name in os.listdir(self.directory):  # files are not rolled back with the test
            os.unlink(os.path.join(self.directory, name))

    def _backups(self, target=None):
        return self.env["crm.dss.backup"].search([("target_id", "=", (target or self.target).id)])

    def test_missing_directory(self):
        target = self.target.copy({"directory": os.path.join(self.directory, "missing")})
        with self.assertRaisesRegex(UserError, "does not exist"):
            target.with_user(self.admin).action_backup()
        self.assertFalse(self._backups(target))
        self.target.active = False  # the cron backs up the broken target only
        with mute_logger(TARGET_LOGGER):
            self.env["crm.dss.backup.target"]._cron_backup()
        backup = self._backups(target)
        self.assertEqual(backup.state, "failed")
        self.assertIn("does not exist", backup.error)
        self.assertFalse(os.path.exists(target.directory))

    def test_relative_directory(self):
        with self.assertRaisesRegex(ValidationError, "absolute path"):
            self.target.with_user(self.admin).write({"directory": "backups"})

    def test_not_writable(self):
        with (
            patch.object(backup_lib.os, "access", return_value=False),
            self.assertRaisesRegex(UserError, "cannot write"),
        ):
            self.target.with_user(self.admin).action_backup()
        self.assertFalse(self._backups())
        self.assertEqual(self._files(), [])

    def test_full_directory(self):
        with patch.object(backup_lib, "free_space", return_value=10):
            with self.assertRaisesRegex(UserError, "Not enough free space"):
                self.target.with_user(self.admin).action_backup()
            self.assertFalse(self._backups())
            with patch.object(db_service, "dump_db") as dump:
                self.env["crm.dss.backup.target"]._cron_backup()
                dump.assert_not_called()
        backup = self._backups()
        self.assertEqual(backup.state, "failed")
        self.assertIn("Not enough free space", backup.error)
        self.assertEqual(self._files(), [], "no file, no half file")

    def test_database_management_disabled(self):
        with patch.dict(config.options, {"list_db": False}), self.assertRaisesRegex(UserError, "list_db"):
            self.target.with_user(self.admin).action_backup()
        self.assertFalse(self._backups())

    def test_failure_half_way(self):
        """The dump fails after writing part of the file: the temporary file is removed and
        the backup says why."""

        def half_dump(db_name, stream, backup_format):
            stream.write(b"PK half a zip")
            raise OSError("No space left on device")

        with patch.object(db_service, "dump_db", side_effect=half_dump), mute_logger(TARGET_LOGGER):
            action = self.target.with_user(self.admin).action_backup()
        backup = self.env["crm.dss.backup"].browse(action["res_id"])
        self.assertEqual(backup.state, "failed")
        self.assertIn("No space left on device", backup.error)
        self.assertEqual(self._files(), [], "no file, no half file")
        self.assertEqual(self.target.last_backup_state, "failed")

    def test_retention(self):
        """The 3 newest are kept; older files of this target go, other files stay."""
        Backup = self.env["crm.dss.backup"]
        db_name = self.env.cr.dbname
        backups = Backup
        for day in range(1, 6):
            started = f"2026-11-0{day} 01:00:00"
            name = backup_lib.file_name(db_name, self.target.id, Backup._fields["started"].to_datetime(started))
            with open(os.path.join(self.directory, name), "wb") as handle:
                handle.write(b"zip")
            backups |= Backup.create({"target_id": self.target.id, "name": name, "state": "done", "started": started})
        failed = Backup.create(
            {"target_id": self.target.id, "name": "failed.zip", "state": "failed", "started": "2026-10-01 01:00:00"}
        )
        foreign = "odoo-backup_other_db_1_20261101_010000.zip"
        for name in (foreign, "notes.txt"):
            with open(os.path.join(self.directory, name), "wb") as handle:
                handle.write(b"keep me")
        self.target._apply_retention()
        kept = backups[2:]
        self.assertEqual(self._backups(), kept | failed)
        self.assertEqual(self._files(), sorted([foreign, "notes.txt", *kept.mapped("name")]))

    def test_second_backup_refused_while_one_runs(self):
        """Another transaction holds the target's lock (a backup running): the button refuses,
        the cron records the refusal, nothing is written."""
        with self.registry.cursor() as other:
            other.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", BACKUP_LOCK, self.target.id))
            self.assertTrue(other.fetchone()[0])
            with patch.object(db_service, "dump_db") as dump:
                with self.assertRaisesRegex(UserError, "already running"):
                    self.target.with_user(self.admin).action_backup()
                backup = self.target._run_backup()
                dump.assert_not_called()
            other.rollback()
        self.assertEqual(backup.state, "failed")
        self.assertIn("already running", backup.error)
        self.assertEqual(self._files(), [])

    def test_race(self):
        """Two workers back up one target at the same moment: the second is refused."""
        target_id = self.target.id
        got = []

        def first(env):
            got.append(("first", env["crm.dss.backup.target"].browse(target_id)._lock()))

        def second(env):
            got.append(("second", env["crm.dss.backup.target"].browse(target_id)._lock()))

        (errors_1, _attempts_1), (errors_2, _attempts_2) = race(self.registry, first, second)
        self.assertEqual(errors_1 + errors_2, [])
        self.assertEqual(got, [("first", True), ("second", False)])
