import io

import openpyxl

from odoo.tests import BaseCase

from ..lib import prospect_import as pi

CODES = {"CN": 86, "FR": 33, "US": 1}


class TestSegmentLib(BaseCase):
    """Reading and checking prospect files on plain data."""

    def test_csv_encodings_and_delimiters(self):
        for encoding in ("utf-8", "utf-8-sig", "gbk"):
            for delimiter in (",", ";", "\t"):
                with self.subTest(encoding=encoding, delimiter=delimiter):
                    text = delimiter.join(["姓名", "邮箱"]) + "\r\n" + delimiter.join(["张三", "z@example.cn"]) + "\r\n"
                    rows = pi.read_rows(text.encode(encoding), "a.csv")
                    self.assertEqual(rows, [["姓名", "邮箱"], ["张三", "z@example.cn"]])

    def test_xlsx(self):
        workbook = openpyxl.Workbook()
        workbook.active.append(["Name", "Phone"])
        workbook.active.append(["Ann", 13812345678])
        workbook.active.append([None, None])
        workbook.active.append(["Bob", None])
        output = io.BytesIO()
        workbook.save(output)
        rows = pi.read_rows(output.getvalue(), "list.XLSX")
        self.assertEqual(rows, [["Name", "Phone"], ["Ann", "13812345678"], ["", ""], ["Bob", ""]])
        # the empty row keeps its place: Bob is row 4 of the sheet
        self.assertEqual([row.number for row in pi.check_rows(rows, "CN", CODES)], [2, 4])

    def test_bad_files(self):
        for data, code in (
            (b"", "empty"),
            (b"Name\n", "no_data"),
            (b"\xff\xfe\x81", "encoding"),
            (b"PK\x03\x04 not a zip", "xlsx"),
        ):
            with self.subTest(code=code), self.assertRaises(pi.ProspectFileError) as caught:
                pi.read_rows(data, "a.csv")
            self.assertEqual(caught.exception.code, code)
            self.assertTrue(str(caught.exception))

    def test_headers(self):
        self.assertEqual(
            pi.map_headers(["Full Name", "E-mail", "手机", "公司", "City", "Country Code", "Notes"]),
            {"name": 0, "email": 1, "phone": 2, "company": 3, "city": 4, "country": 5},
        )
        # the first of two columns of the same meaning is read
        self.assertEqual(pi.map_headers(["电话", "Mobile", "Company"]), {"phone": 0, "company": 2})
        with self.assertRaises(pi.ProspectFileError):
            pi.map_headers(["Email", "Phone"])

    def test_phones(self):
        for number, country, expected in (
            ("138 1234 5678", "CN", "+8613812345678"),
            ("021-12345678", "CN", "+862112345678"),
            ("+33 6 12 34 56 78", "", "+33612345678"),
            ("0033612345678", "CN", "+33612345678"),
            ("06.12.34.56.78", "FR", "+33612345678"),
            ("(555) 123-4567", "US", "+15551234567"),
        ):
            with self.subTest(number=number):
                self.assertEqual(pi.normalise_phone(number, country, CODES), expected)
        for number, country in (("12", "CN"), ("138 abc", "CN"), ("+1234567890123456", ""), ("1381234", "")):
            with self.subTest(number=number), self.assertRaises(ValueError):
                pi.normalise_phone(number, country, CODES)

    def test_checks_and_duplicates(self):
        rows = [
            ["Name", "Email", "Phone", "Company", "Country"],
            ["A", "a@example.com", "", "", ""],
            ["", "", "", "Org", ""],
            ["", "b@example.com", "", "", ""],
            ["C", "broken@", "", "", ""],
            ["D", "", "13812345678", "", ""],
            ["E", "A@Example.com", "", "", ""],
            ["F", "", "+86 138 1234 5678", "", ""],
            ["G", "", "0612345678", "", "XX"],
            ["H", "", "0612345678", "", ""],
        ]
        checked = pi.check_rows(rows, "", CODES)
        self.assertEqual(
            [(row.number, row.status) for row in checked],
            [
                (2, "new"),
                (3, "new"),
                (4, "rejected"),
                (5, "rejected"),
                (6, "rejected"),
                (7, "duplicate"),
                (8, "new"),
                (9, "rejected"),
                (10, "rejected"),
            ],
        )
        reasons = {row.number: pi.row_reason(row) for row in checked}
        self.assertEqual(reasons[4], "a name or a company is required")
        self.assertEqual(reasons[5], "invalid email broken@")
        self.assertEqual(reasons[6], "phone 13812345678 has no country code and the row no country")
        self.assertEqual(reasons[7], "same email or phone as row 2")
        self.assertIn("unknown country code XX", reasons[9])
        # with a default country the national numbers read, and F repeats D
        checked = pi.check_rows(rows, "CN", CODES)
        self.assertEqual(checked[4].phone, "+8613812345678")
        self.assertEqual((checked[6].status, checked[6].duplicate_of), ("duplicate", 6))
        # a translation function writes the reasons
        self.assertEqual(
            pi.row_reason(checked[2], lambda text, *args: text.upper() % args), "A NAME OR A COMPANY IS REQUIRED"
        )

    def test_link_existing(self):
        rows = pi.check_rows(
            [
                ["Name", "Email", "Phone"],
                ["A", "a@x.cn", ""],
                ["B", "", "+8613812345678"],
                ["C", "c@x.cn", ""],
                ["", "", ""],
            ],
            "CN",
            CODES,
        )
        pi.link_existing(rows, {"a@x.cn": 7}, {"+8613812345678": 9})
        self.assertEqual([(row.status, row.partner_id) for row in rows], [("existing", 7), ("existing", 9), ("new", 0)])
        self.assertEqual(pi.row_reason(rows[0]), "already a contact")

    def test_report_is_safe_to_open(self):
        report = pi.report_csv(
            [(3, "Rejected", "invalid email", {"name": "=HYPERLINK(1)", "email": "@x"})], ["Row", "Status", "Reason"]
        )
        text = report.decode("utf-8-sig")
        self.assertTrue(report.startswith(b"\xef\xbb\xbf"))
        self.assertEqual(text.splitlines()[1], "3,Rejected,invalid email,'=HYPERLINK(1),'@x,,,,")

    def test_limits(self):
        rows = "Name\n" + "x\n" * (pi.MAX_ROWS + 1)
        with self.assertRaises(pi.ProspectFileError) as caught:
            pi.read_rows(rows.encode(), "a.csv")
        self.assertEqual(caught.exception.code, "too_many_rows")
        with self.assertRaises(pi.ProspectFileError) as caught:
            pi.read_rows(b"Name\n" + b"x" * pi.MAX_BYTES, "a.csv")
        self.assertEqual(caught.exception.code, "too_large")
