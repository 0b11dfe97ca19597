from odoo.tests import BaseCase

from ..lib.assignment import Lead, Member, assign, parse_zip_ranges, zip_in_range

FRANCE, BELGIUM = 1, 2
ILE_DE_FRANCE, RHONE = 10, 11


class TestZipRanges(BaseCase):
    """Zip ranges are read from text and compare on each bound's length."""

    def test_parse_ranges_and_single_values(self):
        self.assertEqual(
            parse_zip_ranges("75000-75999, 69;13\n sw1a - sw9"),
            (("75000", "75999"), ("69", "69"), ("13", "13"), ("SW1A", "SW9")),
        )

    def test_parse_nothing(self):
        self.assertEqual(parse_zip_ranges(""), ())
        self.assertEqual(parse_zip_ranges(None), ())
        self.assertEqual(parse_zip_ranges(" , ,"), ())

    def test_parse_refuses_what_is_not_a_range(self):
        for text in ("75000-", "75-76-77", "75#00", "76000-75000"):
            with self.subTest(text=text), self.assertRaises(ValueError) as caught:
                parse_zip_ranges(text)
            self.assertEqual(str(caught.exception), text)

    def test_full_length_bounds(self):
        self.assertTrue(zip_in_range("75001", "75000", "75999"))
        self.assertTrue(zip_in_range("75999", "75000", "75999"))
        self.assertFalse(zip_in_range("76000", "75000", "75999"))
        self.assertFalse(zip_in_range("74999", "75000", "75999"))

    def test_short_bounds_are_prefixes(self):
        self.assertTrue(zip_in_range("69003", "69", "69"))
        self.assertTrue(zip_in_range("77950", "75", "77"))
        self.assertFalse(zip_in_range("78000", "75", "77"))

    def test_letters_spaces_and_case(self):
        self.assertTrue(zip_in_range("sw1a 1aa", "SW1", "SW9"))
        self.assertFalse(zip_in_range("W1A 1AA", "SW1", "SW9"))

    def test_no_zip_is_in_no_range(self):
        self.assertFalse(zip_in_range("", "0", "9"))
        self.assertFalse(zip_in_range(None, "0", "9"))


class TestEligibility(BaseCase):
    """A member is eligible for a lead of their team, place, zip range and interests."""

    lead = Lead(id=1, team_id=7, country_id=FRANCE, state_id=ILE_DE_FRANCE, zip="75011", interests=frozenset({"crm"}))

    def test_member_without_criteria_takes_any_lead_of_their_team(self):
        self.assertTrue(Member(id=1, team_id=7).accepts(self.lead))
        self.assertFalse(Member(id=1, team_id=8).accepts(self.lead))
        self.assertTrue(Member(id=1, team_id=8).accepts(Lead(id=2)), "a lead without team goes to any team")

    def test_country_or_state(self):
        self.assertTrue(Member(id=1, team_id=7, country_ids=frozenset({FRANCE})).accepts(self.lead))
        self.assertFalse(Member(id=1, team_id=7, country_ids=frozenset({BELGIUM})).accepts(self.lead))
        self.assertTrue(Member(id=1, team_id=7, state_ids=frozenset({ILE_DE_FRANCE})).accepts(self.lead))
        self.assertFalse(Member(id=1, team_id=7, state_ids=frozenset({RHONE})).accepts(self.lead))
        either = Member(id=1, team_id=7, country_ids=frozenset({BELGIUM}), state_ids=frozenset({ILE_DE_FRANCE}))
        self.assertTrue(either.accepts(self.lead), "the states add to the countries")

    def test_zip_ranges_narrow_the_place(self):
        paris = Member(id=1, team_id=7, country_ids=frozenset({FRANCE}), zip_ranges=(("75000", "75999"),))
        self.assertTrue(paris.accepts(self.lead))
        lyon = Member(id=1, team_id=7, country_ids=frozenset({FRANCE}), zip_ranges=(("69", "69"),))
        self.assertFalse(lyon.accepts(self.lead))
        self.assertFalse(paris.accepts(Lead(id=2, team_id=7, country_id=FRANCE)), "no zip, not in a zip range")

    def test_interests(self):
        self.assertTrue(Member(id=1, team_id=7, interests=frozenset({"crm", "erp"})).accepts(self.lead))
        self.assertFalse(Member(id=1, team_id=7, interests=frozenset({"erp"})).accepts(self.lead))

    def test_allowed_leads(self):
        self.assertTrue(Member(id=1, team_id=7, allowed_lead_ids=frozenset({1})).accepts(self.lead))
        self.assertFalse(Member(id=1, team_id=7, allowed_lead_ids=frozenset()).accepts(self.lead))

    def test_has_criteria(self):
        self.assertFalse(Member(id=1).has_criteria)
        self.assertTrue(Member(id=1, zip_ranges=(("1", "2"),)).has_criteria)
        self.assertTrue(Member(id=1, interests=frozenset({"crm"})).has_criteria)


class TestAssign(BaseCase):
    """Round-robin among eligible members, within their capacity."""

    def _leads(self, count, **values):
        return [Lead(id=index, **values) for index in range(1, count + 1)]

    def test_round_robin_in_queue_order(self):
        members = [Member(id=3), Member(id=1), Member(id=2)]
        result = assign(self._leads(6), members)
        self.assertEqual(result.assigned, {1: 1, 2: 2, 3: 3, 4: 1, 5: 2, 6: 3})
        self.assertEqual(result.by_member(), {1: [1, 4], 2: [2, 5], 3: [3, 6]})

    def test_who_waited_longest_comes_first(self):
        members = [Member(id=1, last_assigned=20), Member(id=2, last_assigned=10), Member(id=3)]
        result = assign(self._leads(3), members)
        self.assertEqual(result.assigned, {1: 3, 2: 2, 3: 1}, "never assigned first, then the longest ago")

    def test_capacity(self):
        members = [Member(id=1, capacity=1), Member(id=2, capacity=2), Member(id=3, capacity=0)]
        result = assign(self._leads(5), members)
        self.assertEqual(result.by_member(), {1: [1], 2: [2, 3]})
        self.assertEqual(result.overflow, [4, 5])
        self.assertEqual(result.unmatched, [])

    def test_only_eligible_members(self):
        france = Member(id=1, country_ids=frozenset({FRANCE}))
        belgium = Member(id=2, country_ids=frozenset({BELGIUM}))
        anywhere = Member(id=3)
        leads = [
            Lead(id=1, country_id=FRANCE),
            Lead(id=2, country_id=FRANCE),
            Lead(id=3, country_id=BELGIUM),
            Lead(id=4, country_id=None),
        ]
        result = assign(leads, [france, belgium, anywhere])
        self.assertEqual(result.assigned, {1: 1, 2: 1, 3: 2, 4: 3}, "specialists first, whatever the queue")
        self.assertEqual(result.unmatched, [])

    def test_member_without_criteria_takes_what_specialists_cannot(self):
        anywhere = Member(id=1)
        france = Member(id=2, country_ids=frozenset({FRANCE}), capacity=1)
        leads = [Lead(id=1, country_id=FRANCE), Lead(id=2, country_id=FRANCE), Lead(id=3)]
        result = assign(leads, [anywhere, france])
        self.assertEqual(result.assigned, {1: 2, 2: 1, 3: 1})

    def test_specialists_alone_leave_other_leads_unmatched(self):
        france = Member(id=1, country_ids=frozenset({FRANCE}), capacity=1)
        result = assign([Lead(id=1, country_id=BELGIUM), Lead(id=2, country_id=FRANCE)], [france])
        self.assertEqual(result.assigned, {2: 1})
        self.assertEqual(result.unmatched, [1])

    def test_team_of_the_lead(self):
        members = [Member(id=1, team_id=7), Member(id=2, team_id=8)]
        leads = [Lead(id=1, team_id=8), Lead(id=2, team_id=8), Lead(id=3, team_id=9)]
        result = assign(leads, members)
        self.assertEqual(result.assigned, {1: 2, 2: 2})
        self.assertEqual(result.unmatched, [3])

    def test_ten_thousand_leads_twenty_members(self):
        members = [
            Member(id=index, capacity=500, country_ids=frozenset({index % 5}), zip_ranges=((str(index % 2),) * 2,))
            for index in range(20)
        ]
        leads = [Lead(id=index, country_id=index % 5, zip=f"{index % 2}{index:04d}") for index in range(10_000)]
        result = assign(leads, members)
        self.assertEqual(len(result.assigned), 10_000)
        self.assertEqual({len(ids) for ids in result.by_member().values()}, {500})
