from odoo.tests import BaseCase

from ..lib import roi
from ..lib.roi import ChannelResult


class TestLibRoi(BaseCase):
    """The campaign figures and the cheapest channel on plain numbers."""

    def test_roi_percent(self):
        self.assertAlmostEqual(roi.roi_percent(3000, 1000), 200.0)
        self.assertAlmostEqual(roi.roi_percent(0, 1000), -100.0)
        self.assertEqual(roi.roi_percent(3000, 0), 0.0)

    def test_cost_per(self):
        self.assertAlmostEqual(roi.cost_per(1000, 4), 250.0)
        self.assertEqual(roi.cost_per(1000, 0), 0.0)
        self.assertEqual(roi.cost_per(0, 3), 0.0)

    def test_share_percent(self):
        self.assertAlmostEqual(roi.share_percent(1, 4), 25.0)
        self.assertEqual(roi.share_percent(0, 0), 0.0)
        self.assertEqual(roi.share_percent(3, 3), 100.0)

    def test_cheapest_channel_is_lowest_cost_per_won_deal(self):
        rows = [
            ChannelResult(1, 10, 3000.0, 2),  # 1500 per won deal
            ChannelResult(2, 20, 1000.0, 1),  # 1000 per won deal
            ChannelResult(3, False, 500.0, 0),  # cheap, but won nothing
        ]
        self.assertEqual(roi.cheapest_channel(rows), (2, 20, 1000.0))

    def test_rows_of_one_channel_are_summed_before_comparing(self):
        rows = [
            ChannelResult(1, False, 900.0, 1),
            ChannelResult(1, False, 2100.0, 1),  # medium 1 together: 3000 for 2 = 1500
            ChannelResult(2, False, 1200.0, 1),
        ]
        self.assertEqual(roi.cheapest_channel(rows), (2, False, 1200.0))

    def test_channels_without_win_cost_or_channel_do_not_compete(self):
        rows = [
            ChannelResult(1, False, 0.0, 5),  # wins without recorded cost
            ChannelResult(False, False, 100.0, 3),  # no channel at all
            ChannelResult(2, 5, 800.0, 0),
        ]
        self.assertIsNone(roi.cheapest_channel(rows))
        self.assertIsNone(roi.cheapest_channel([]))

    def test_tie_goes_to_more_won_deals_then_smaller_ids(self):
        rows = [ChannelResult(4, False, 1000.0, 1), ChannelResult(3, False, 2000.0, 2)]
        self.assertEqual(roi.cheapest_channel(rows), (3, False, 1000.0))
        rows = [ChannelResult(4, False, 1000.0, 1), ChannelResult(3, False, 1000.0, 1)]
        self.assertEqual(roi.cheapest_channel(rows), (3, False, 1000.0))
