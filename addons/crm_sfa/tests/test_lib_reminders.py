from datetime import datetime

from odoo.tests import BaseCase

from ..lib.reminders import local_time, reminder_due


class TestReminders(BaseCase):
    def test_local_time_of_each_zone(self):
        utc = datetime(2025, 3, 3, 23, 30)
        self.assertEqual(local_time(utc, "Asia/Shanghai"), datetime(2025, 3, 4, 7, 30))
        self.assertEqual(local_time(utc, "Europe/Paris"), datetime(2025, 3, 4, 0, 30))
        self.assertEqual(local_time(datetime(2025, 7, 1, 5, 0), "Europe/Paris"), datetime(2025, 7, 1, 7, 0), "summer")

    def test_no_or_unknown_zone_is_utc(self):
        utc = datetime(2025, 3, 3, 23, 30)
        self.assertEqual(local_time(utc, False), utc)
        self.assertEqual(local_time(utc, "Mars/Olympus_Mons"), utc)

    def test_due_from_the_hour_to_the_end_of_the_day(self):
        self.assertFalse(reminder_due(datetime(2025, 3, 4, 6, 59), 7))
        self.assertTrue(reminder_due(datetime(2025, 3, 4, 7, 0), 7))
        self.assertTrue(reminder_due(datetime(2025, 3, 4, 23, 59), 7))
