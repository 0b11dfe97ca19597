import base64
import csv
import io

import openpyxl

from odoo import Command

from .common import CrmMarketingCommon


class CrmSegmentCommon(CrmMarketingCommon):
    """The marketing organisation with contacts in both companies and segments of each
    owner: a dynamic segment on the city and a static list per case.

    ``participant`` may also send mailings and create contacts (what an importing
    marketer has in practice); the other users keep the rights of their role only.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.participant.groups_id += cls.env.ref("mass_mailing.group_mass_mailing_user") + cls.env.ref(
            "base.group_partner_manager"
        )
        Partner = cls.env["res.partner"]
        cls.paris_1, cls.paris_2, cls.lyon, cls.paris_c2 = Partner.create(
            [
                {"name": "Paris One", "city": "Paris", "email": "one@paris.example", "mobile": "+33611111111"},
                {"name": "Paris Two", "city": "Paris", "email": "two@paris.example", "mobile": "+33622222222"},
                {"name": "Lyon", "city": "Lyon", "email": "lyon@example.com", "mobile": "+33633333333"},
                {"name": "Paris C2", "city": "Paris", "email": "c2@paris.example", "company_id": cls.company_2.id},
            ]
        )
        Segment = cls.env["crm.segment"]
        cls.dynamic = Segment.create(
            {
                "name": "Paris",
                "kind": "dynamic",
                "domain": "[('city', '=', 'Paris')]",
                "user_id": cls.participant.id,
                "company_id": cls.company.id,
            }
        )
        cls.static = Segment.create(
            {
                "name": "Fair visitors",
                "kind": "static",
                "user_id": cls.participant.id,
                "company_id": cls.company.id,
                "partner_ids": [Command.set((cls.paris_1 | cls.lyon).ids)],
            }
        )
        cls.colleague_segment = Segment.create(
            {"name": "Colleague's", "kind": "static", "user_id": cls.colleague.id, "company_id": cls.company.id}
        )
        cls.shared = Segment.create(
            {"name": "Shared", "kind": "dynamic", "domain": "[]", "company_id": False, "user_id": False}
        )
        cls.segment_c2 = Segment.create(
            {"name": "Company 2", "kind": "static", "user_id": cls.company2_user.id, "company_id": cls.company_2.id}
        )
        cls.segments = cls.dynamic | cls.static | cls.colleague_segment | cls.shared | cls.segment_c2

    @staticmethod
    def csv_file(rows, encoding="utf-8", delimiter=","):
        output = io.StringIO()
        csv.writer(output, delimiter=delimiter).writerows(rows)
        return base64.b64encode(output.getvalue().encode(encoding))

    @staticmethod
    def xlsx_file(rows):
        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        output = io.BytesIO()
        workbook.save(output)
        return base64.b64encode(output.getvalue())

    def new_import(self, user, rows=None, data=None, filename="prospects.csv", **values):
        return (
            self.env["crm.segment.import"]
            .with_user(user)
            .create(
                {
                    "file": data if rows is None else self.csv_file(rows),
                    "filename": filename,
                    "country_id": self.env.ref("base.cn").id,
                    **values,
                }
            )
        )
