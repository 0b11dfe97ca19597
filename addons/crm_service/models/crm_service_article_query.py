from odoo import api, fields, models
from odoo.tools import SQL, create_index

from ..lib import knowledge


class CrmServiceArticleQuery(models.Model):
    """One row per question asked in a company: on the portal's FAQ search and when a
    case is logged (its subject), with how often and when it was last asked and how many
    articles it found then — the questions asked most, and those without an answer.

    A narrow fact table without the ORM's log columns, written by one ``INSERT ... ON
    CONFLICT DO UPDATE`` per question: two customers asking at the same moment add two to
    the count, neither fails on the unique key, and nobody needs write access to it.
    """

    _name = "crm.service.article.query"
    _description = "Knowledge Base Question"
    _order = "count desc, date_last desc, id desc"
    _log_access = False

    name = fields.Char(string="Question", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    count = fields.Integer(string="Times Asked", required=True, readonly=True, default=1)
    found_count = fields.Integer(
        string="Articles Found", readonly=True, help="How many articles answered the question the last time."
    )
    date_last = fields.Datetime(string="Last Asked", required=True, readonly=True)

    _sql_constraints = [
        ("name_company_uniq", "UNIQUE(company_id, name)", "A question is counted once per company."),
    ]

    def init(self):
        # "Questions Asked Most": a company's rows by count, read from the index
        create_index(
            self.env.cr,
            "crm_service_article_query_count_index",
            self._table,
            ["company_id", "count DESC", "date_last DESC"],
        )

    @api.model
    def _crm_service_record(self, text, company, found_count):
        """Count ``text`` (normalised) as asked once more in ``company``, which found
        ``found_count`` articles. Empty questions are not counted."""
        name = knowledge.normalise(text)
        if not name or not company:
            return
        self.env.execute_query(
            SQL(
                """
                INSERT INTO %(table)s (name, company_id, count, found_count, date_last)
                VALUES (%(name)s, %(company)s, 1, %(found)s, %(now)s)
                ON CONFLICT (company_id, name) DO UPDATE
                   SET count = %(table)s.count + 1,
                       found_count = EXCLUDED.found_count,
                       date_last = EXCLUDED.date_last
                """,
                table=SQL.identifier(self._table),
                name=name,
                company=company.id,
                found=found_count,
                now=fields.Datetime.now(),
            )
        )
        self.invalidate_model(["count", "found_count", "date_last"])
