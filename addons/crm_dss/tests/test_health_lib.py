import os
import tempfile
from datetime import datetime, timedelta

from odoo.tests import BaseCase

from odoo.addons.crm_dss.lib import backup, health


class TestHealthLib(BaseCase):
    def test_threshold_state(self):
        self.assertEqual(health.threshold_state(None, 1, 5), health.UNKNOWN)
        self.assertEqual(health.threshold_state(0, 1, 5), health.OK)
        self.assertEqual(health.threshold_state(1, 1, 5), health.WARNING)
        self.assertEqual(health.threshold_state(4.9, 1, 5), health.WARNING)
        self.assertEqual(health.threshold_state(5, 1, 5), health.CRITICAL)

    def test_threshold_error(self):
        self.assertIsNone(health.threshold_error(0, 1))
        self.assertEqual(health.threshold_error(-1, 1), "negative")
        self.assertEqual(health.threshold_error(1, -1), "negative")
        self.assertEqual(health.threshold_error(5, 5), "order")
        self.assertEqual(health.threshold_error(6, 5), "order")

    def test_crossed(self):
        self.assertTrue(health.crossed("ok", "warning"))
        self.assertTrue(health.crossed("unknown", "critical"))
        self.assertTrue(health.crossed("warning", "critical"))
        self.assertFalse(health.crossed("warning", "warning"), "staying there is not news")
        self.assertFalse(health.crossed("critical", "warning"), "getting better is not news")
        self.assertFalse(health.crossed("warning", "ok"))
        self.assertFalse(health.crossed("ok", "unknown"))

    def test_count_log_errors(self):
        lines = [
            "2026-12-02 02:51:56,123 4242 INFO db odoo.modules: loading",
            "2026-12-02 02:51:57,123 4242 ERROR db odoo.http: boom",
            "Traceback (most recent call last): ERROR inside a traceback is not a log line",
            "2026-12-02 02:51:58,123 4242 CRITICAL db odoo.service: down",
            "2026-12-02 02:51:59,123 4242 WARNING db odoo.x: ERROR in the message",
        ]
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as log:
            log.write("\n".join(lines) + "\n")
        self.addCleanup(os.unlink, log.name)
        self.assertEqual(health.count_log_errors(log.name), 2)
        self.assertIsNone(health.count_log_errors("/nonexistent/odoo.log"))

    def test_count_log_errors_bounded(self):
        """Only the tail is read; the line cut by the window's start is not counted."""
        error = "2026-12-02 02:51:57,123 4242 ERROR db odoo.http: boom\n"
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as log:
            log.write(error * 100)
        self.addCleanup(os.unlink, log.name)
        self.assertEqual(health.count_log_errors(log.name, max_bytes=len(error) * 10 + 5), 10)
        self.assertEqual(health.count_log_errors(log.name), 100)


class TestBackupLib(BaseCase):
    def test_file_names(self):
        name = backup.file_name("prod", 3, datetime(2026, 12, 2, 3, 4, 5))
        self.assertEqual(name, "odoo-backup_prod_3_20261202_030405.zip")
        self.assertTrue(backup.is_own_file(name, "prod", 3))
        self.assertFalse(backup.is_own_file(name, "prod", 4), "another target's file")
        self.assertFalse(backup.is_own_file(name, "other", 3), "another database's file")
        self.assertFalse(backup.is_own_file("notes.zip", "prod", 3))
        self.assertFalse(backup.is_own_file(backup.temp_name(name), "prod", 3))
        self.assertTrue(backup.temp_name(name).startswith("."))

    def test_directory_error(self):
        self.assertEqual(backup.directory_error("relative/dir"), "relative")
        self.assertEqual(backup.directory_error(""), "relative")
        self.assertEqual(backup.directory_error("/nonexistent/backups"), "missing")
        with tempfile.TemporaryDirectory() as directory:
            self.assertIsNone(backup.directory_error(directory))
            path = os.path.join(directory, "file")
            with open(path, "w") as handle:
                handle.write("12345")
            self.assertEqual(backup.directory_error(path), "missing", "a file is not a directory")
            self.assertEqual(backup.directory_size(directory), 5)

    def test_space_needed(self):
        self.assertEqual(backup.space_needed(1000, 0), 1100)
        self.assertEqual(backup.space_needed(600, 400), 1100)

    def test_select_expired(self):
        now = datetime(2026, 12, 2)
        items = [(key, now - timedelta(days=key)) for key in range(6)]  # key 0 the newest
        self.assertEqual(sorted(backup.select_expired(items, keep_count=3, now=now)), [3, 4, 5])
        self.assertEqual(sorted(backup.select_expired(items, keep_days=2, now=now)), [3, 4, 5])
        self.assertEqual(sorted(backup.select_expired(items, keep_count=5, keep_days=1, now=now)), [2, 3, 4, 5])
        self.assertEqual(backup.select_expired(items, now=now), [], "no limit: keep everything")
        old = [(1, now - timedelta(days=100)), (2, now - timedelta(days=200))]
        self.assertEqual(backup.select_expired(old, keep_days=7, now=now), [2], "the newest is always kept")
