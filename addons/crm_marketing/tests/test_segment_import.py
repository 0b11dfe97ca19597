import base64
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.crm_marketing.lib import prospect_import
from odoo.addons.crm_marketing.models.crm_segment import CrmSegment

from .common_segment import CrmSegmentCommon

HEADER = ["Name", "Email", "Mobile", "Company", "City", "Country"]


@tagged("post_install", "-at_install")
class TestSegmentImport(CrmSegmentCommon):
    """Prospect files into a static list: preview, good rows imported, bad ones reported, all or nothing."""

    def _rows(self):
        return [
            HEADER,
            ["Zhang San", "zhang@example.cn", "138 1234 5678", "", "Shanghai", ""],
            ["", "", "", "ACME Trading", "Beijing", "CN"],
            ["Li Si", "not-an-email", "", "", "", ""],
            ["Zhang Again", "ZHANG@example.cn", "", "", "", ""],
            ["Known", "one@paris.example", "", "", "", ""],  # Paris One
            ["Known by phone", "", "+33 6 33 33 33 33", "", "", "FR"],  # Lyon
            ["", "", "", "", "", ""],  # an empty row is no row
            ["Nobody", "x@example.com", "12", "", "", ""],
        ]

    def _statuses(self, wizard):
        return [(line.row_number, line.status) for line in wizard.line_ids]

    def test_csv_preview_and_import(self):
        wizard = self.new_import(self.participant, self._rows(), segment_id=self.static.id)
        wizard.action_preview()
        self.assertEqual(
            self._statuses(wizard),
            [
                (2, "new"),
                (3, "new"),
                (4, "rejected"),
                (5, "duplicate"),
                (6, "existing"),
                (7, "existing"),
                (9, "rejected"),
            ],
        )
        self.assertEqual(
            (wizard.new_count, wizard.existing_count, wizard.duplicate_count, wizard.rejected_count), (2, 2, 1, 2)
        )
        lines = {line.row_number: line for line in wizard.line_ids}
        self.assertIn("not-an-email", lines[4].reason)
        self.assertIn("row 2", lines[5].reason)
        self.assertEqual(lines[2].phone_normalized, "+8613812345678")
        self.assertEqual((lines[6].partner_id, lines[7].partner_id), (self.paris_1, self.lyon))
        # the report of the rows left out
        report = base64.b64decode(wizard.report_file).decode("utf-8-sig").splitlines()
        self.assertEqual(len(report), 4)
        self.assertTrue(report[1].startswith("4,Rejected,"))
        self.assertTrue(wizard.action_download_report()["url"].endswith("?download=true"))
        # nothing written yet
        self.assertFalse(self.env["res.partner"].search([("email", "=", "zhang@example.cn")]))

        result = wizard.action_import()
        self.assertEqual(result["params"]["type"], "success")
        created = self.env["res.partner"].search([("name", "in", ("Zhang San", "ACME Trading"))])
        self.assertEqual(len(created), 2)
        zhang = created.filtered(lambda p: p.name == "Zhang San")
        self.assertEqual(
            (zhang.email, zhang.phone, zhang.country_id.code), ("zhang@example.cn", "+8613812345678", "CN")
        )
        self.assertTrue(created.filtered(lambda p: p.name == "ACME Trading").is_company)
        self.assertEqual(self.static.partner_ids, self.paris_1 | self.lyon | created)
        self.assertEqual(wizard.state, "done")
        with self.assertRaises(UserError):
            wizard.action_import()

    def test_xlsx_into_new_list_chinese_headers(self):
        rows = [
            ["姓名", "邮箱", "手机", "公司", "城市"],
            ["王五", "wang@example.cn", 13912345678, "", "深圳"],
            ["赵六", "zhao@example.cn", "", "六六公司", "广州"],
        ]
        wizard = self.new_import(
            self.participant, data=self.xlsx_file(rows), filename="名单.xlsx", segment_name="Fair 2025"
        )
        wizard.action_preview()
        self.assertEqual(self._statuses(wizard), [(2, "new"), (3, "new")])
        self.assertFalse(wizard.report_file)
        wizard.action_import()
        segment = wizard.segment_id
        self.assertEqual((segment.name, segment.kind, segment.user_id), ("Fair 2025", "static", self.participant))
        self.assertEqual(sorted(segment.partner_ids.mapped("name")), ["王五", "赵六"])
        self.assertEqual(segment.partner_ids.filtered(lambda p: p.name == "王五").phone, "+8613912345678")
        self.assertEqual(segment.partner_ids.filtered(lambda p: p.name == "赵六").company_name, "六六公司")

    def test_gbk_semicolon_csv(self):
        data = self.csv_file([["姓名", "电话"], ["陈七", "021-12345678"]], encoding="gbk", delimiter=";")
        wizard = self.new_import(self.participant, data=data, segment_id=self.static.id)
        wizard.action_preview()
        self.assertEqual((wizard.line_ids.name, wizard.line_ids.phone_normalized), ("陈七", "+862112345678"))

    def test_nothing_half_written_on_failure(self):
        wizard = self.new_import(self.participant, self._rows(), segment_id=self.static.id)
        wizard.action_preview()
        partners_before = self.env["res.partner"].search_count([])

        def fail(segment, partners):
            raise ValueError("disk full")

        with patch.object(CrmSegment, "_crm_segment_add_partners", fail), self.assertRaises(ValueError):
            wizard.action_import()
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
        self.assertEqual(self.static.partner_ids, self.paris_1 | self.lyon)
        self.assertEqual(wizard.state, "preview")
        # and once the cause is gone, the same import goes through
        wizard.action_import()
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before + 2)

    def test_import_into_new_list_rolled_back(self):
        wizard = self.new_import(self.participant, self._rows(), segment_name="Never")

        def fail(segment, partners):
            raise ValueError("disk full")

        wizard.action_preview()
        with patch.object(CrmSegment, "_crm_segment_add_partners", fail), self.assertRaises(ValueError):
            wizard.action_import()
        self.assertFalse(self.env["crm.segment"].search([("name", "=", "Never")]))

    def test_bad_files(self):
        cases = {
            "empty": b"",
            "header only": b"Name,Email\n",
            "no name column": b"Email,Phone\na@b.cn,1\n",
            "not text": b"Name\n" + bytes([0xFF, 0xFE, 0x81, 0x00, 0x81]),
            "broken xlsx": b"PK\x03\x04broken",
        }
        for label, data in cases.items():
            with self.subTest(label):
                wizard = self.new_import(
                    self.participant, data=base64.b64encode(data) or False, segment_id=self.static.id
                )
                with self.assertRaises(UserError):
                    wizard.action_preview()
                self.assertEqual((wizard.state, len(wizard.line_ids)), ("upload", 0))

    def test_limits(self):
        with patch.object(prospect_import, "MAX_ROWS", 3):
            wizard = self.new_import(
                self.participant, [HEADER] + [[f"P{i}"] for i in range(4)], segment_id=self.static.id
            )
            with self.assertRaisesRegex(UserError, "more than 3 rows"):
                wizard.action_preview()
        with patch.object(prospect_import, "MAX_BYTES", 10):
            wizard = self.new_import(self.participant, self._rows(), segment_id=self.static.id)
            with self.assertRaisesRegex(UserError, "larger than"):
                wizard.action_preview()

    def test_new_file_resets_the_check(self):
        wizard = self.new_import(self.participant, self._rows(), segment_id=self.static.id)
        wizard.action_preview()
        wizard.write({"file": self.csv_file([HEADER, ["Only One"]])})
        self.assertEqual((wizard.state, len(wizard.line_ids)), ("upload", 0))
        with self.assertRaises(UserError):
            wizard.action_import()
        wizard.action_preview()
        self.assertEqual(self._statuses(wizard), [(2, "new")])

    def test_into_dynamic_or_without_list_refused(self):
        wizard = self.new_import(self.participant, self._rows(), segment_id=self.dynamic.id)
        wizard.action_preview()
        with self.assertRaises(UserError):
            wizard.action_import()
        wizard = self.new_import(self.participant, self._rows())
        wizard.action_preview()
        with self.assertRaises(UserError):
            wizard.action_import()

    def test_company_of_the_list(self):
        rows = [HEADER, ["Second", "second@example.cn"]]
        wizard = self.new_import(self.company2_user, rows, segment_name="C2 list")
        self.company2_user.groups_id += self.env.ref("base.group_partner_manager")
        wizard.action_preview()
        wizard.action_import()
        self.assertEqual(wizard.segment_id.company_id, self.company_2)
        self.assertEqual(wizard.segment_id.partner_ids.company_id, self.company_2)
        # the first company's marketers do not see the contact nor the list
        self.assertFalse(self.env["res.partner"].with_user(self.participant).search([("name", "=", "Second")]))

    def test_contact_made_since_the_check_is_linked(self):
        wizard = self.new_import(
            self.participant, [["Name", "Email"], ["Late Twin", "late.twin@example.cn"]], segment_id=self.static.id
        )
        wizard.action_preview()
        self.assertEqual(self._statuses(wizard), [(2, "new")])
        twin = self.env["res.partner"].create({"name": "Late Twin", "email": "late.twin@example.cn"})
        wizard.action_import()
        self.assertEqual(self._statuses(wizard), [(2, "existing")])
        self.assertEqual(wizard.line_ids.partner_id, twin)
        self.assertEqual(self.env["res.partner"].search_count([("email", "=", "late.twin@example.cn")]), 1)
        self.assertIn(twin, self.static.partner_ids)
