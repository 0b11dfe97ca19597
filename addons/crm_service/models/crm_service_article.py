from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL, is_html_empty

from ..lib import knowledge

MANAGER_GROUP = "crm_service.group_crm_service_manager"

# the fields searched, with what a term found in each is worth
SEARCHED_FIELDS = (
    ("name", knowledge.TITLE_WEIGHT),
    ("keywords", knowledge.KEYWORDS_WEIGHT),
    ("answer_text", knowledge.ANSWER_WEIGHT),
)


class CrmServiceArticle(models.Model):
    """A question and its answer in the knowledge base.

    Written by agents as drafts (by hand, or from a solved case's resolution), published
    by department managers: a published article is read by the agents of its company (of
    every company when it has none) and suggested on their cases; managers also show it on
    the portal's FAQ (``is_published``), where customers and visitors read it. The state,
    the portal flag, the author and the counters are set by the code only
    (``_crm_system_fields``): the buttons check the user's rights, then write them.
    """

    _name = "crm.service.article"
    _description = "Knowledge Base Article"
    _inherit = ["mail.thread", "crm.system.fields.mixin"]
    _order = "sequence, id desc"
    _check_company_auto = True
    # moved by the buttons after their checks; counted by the code; the link to the case
    # is set when the article is made from it
    _crm_system_fields = (
        "state",
        "is_published",
        "date_published",
        "author_id",
        "source_case_id",
        "helped_count",
        "view_count",
        "answer_text",
    )

    name = fields.Char(string="Question", required=True, index="trigram", tracking=True)
    answer = fields.Html()
    answer_text = fields.Text(
        string="Answer (plain text)",
        compute="_compute_answer_text",
        store=True,
        index="trigram",
        help="The answer's words without their formatting, for the search.",
    )
    keywords = fields.Char(
        index="trigram",
        help="Other words customers use for this question (synonyms, product codes, error messages).",
    )
    category_id = fields.Many2one(
        "crm.service.article.category",
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    product_ids = fields.Many2many("product.template", string="Products", check_company=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
        help="Leave empty to share the article with every company.",
    )
    sequence = fields.Integer(default=10)
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published"), ("archived", "Archived")],
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    is_published = fields.Boolean(
        string="On the Portal",
        readonly=True,
        copy=False,
        tracking=True,
        help="Published articles shown to customers on the portal's FAQ (/my/faq) and to visitors (/faq).",
    )
    date_published = fields.Datetime(string="Published On", readonly=True, copy=False)
    author_id = fields.Many2one(
        "res.users",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: self.env.user,
        ondelete="restrict",
    )
    source_case_id = fields.Many2one(
        "crm.service.case",
        string="Created from Case",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    helped_count = fields.Integer(
        string="Helped", default=0, readonly=True, copy=False, help="How many cases this article helped to close."
    )
    view_count = fields.Integer(
        string="Portal Views", default=0, readonly=True, copy=False, help="How often it was opened on the portal."
    )

    _sql_constraints = [
        ("counts_positive", "CHECK(helped_count >= 0 AND view_count >= 0)", "Counters cannot be negative."),
    ]

    @api.depends("answer")
    def _compute_answer_text(self):
        for article in self:
            article.answer_text = knowledge.html_to_text(article.answer)

    # Buttons ---------------------------------------------------------------------

    def action_publish(self):
        """Managers publish drafts (or archived articles again) for the agents."""
        self._crm_service_check_manager()
        self._crm_service_set({"state": "published", "date_published": fields.Datetime.now()})

    def action_set_draft(self):
        """Back to draft for a rewrite: the article leaves the suggestions and the portal."""
        self._crm_service_check_manager()
        self._crm_service_set({"state": "draft", "is_published": False})

    def action_archive_article(self):
        """Out of date: kept with its counters, no longer suggested nor shown."""
        self._crm_service_check_manager()
        self._crm_service_set({"state": "archived", "is_published": False})

    def action_portal_publish(self):
        self._crm_service_check_manager()
        unpublished = self.filtered(lambda article: article.state != "published")
        if unpublished:
            raise UserError(
                self.env._(
                    "Publish %s first: only published articles are shown on the portal.",
                    ", ".join(unpublished.mapped("display_name")),
                )
            )
        self._crm_service_set({"is_published": True})

    def action_portal_unpublish(self):
        self._crm_service_check_manager()
        self._crm_service_set({"is_published": False})

    @api.model
    def action_create_from_case(self, case_id):
        """A draft article answering a case's question with its resolution, opened in its
        form: for the agents who may read the case (the id comes from the caller)."""
        valid = isinstance(case_id, int) and not isinstance(case_id, bool)
        case = self.env["crm.service.case"].browse(case_id if valid else ()).exists()
        if len(case) != 1:
            raise UserError(self.env._("This case does not exist any more: open another one."))
        case.check_access("read")
        if is_html_empty(case.resolution):
            raise UserError(
                self.env._("Write the resolution of %s first: it becomes the article's answer.", case.display_name)
            )
        article = self.create({"name": case.subject, "answer": case.resolution, "company_id": case.company_id.id})
        # sudo: the link to the case is a system field; the user may read the case (above)
        # and has just created the article
        article.sudo().source_case_id = case
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": article.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def _crm_service_check_manager(self):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only service department managers publish and archive articles."))
        self.check_access("write")

    def _crm_service_set(self, values):
        # sudo: state, portal flag and publication date are system fields; the buttons
        # checked that the user is a manager who may change these articles
        self.sudo().write(values)

    # Search ----------------------------------------------------------------------

    @api.model
    def _crm_service_search(self, text, limit=5, company=None, domain=None):
        """The published articles the current user may read that answer ``text`` best.

        Terms (words, or character pairs in Chinese: see ``lib/knowledge.py``) are looked
        for in the title, the keywords and the answer by ``ILIKE``, which the trigram
        indexes serve; an article must hold enough of them (``knowledge.min_matches``),
        unless its title is close to the question as a whole (``word_similarity`` above
        pg_trgm's threshold, when the database has pg_trgm). Ranked by the weighted share
        of terms found, the whole question found in the title, then the trigram
        similarity of the question with the title and the keywords; ties go to the article
        that helped most.

        :param company: only articles of this company and shared ones (default: those of
            the user's companies, by the record rules)
        :param domain: more conditions (the portal asks for ``is_published``)
        """
        terms = knowledge.search_terms(text)
        if not terms:
            return self.browse()
        phrase = knowledge.normalise(text)
        conditions = [[("state", "=", "published")], domain or []]
        if company is not None:
            conditions.append([("company_id", "in", [False, *company.ids])])
        query = self._search(expression.AND(conditions))
        alias = query.table
        unaccent = self.env.registry.unaccent
        columns = {fname: self._field_to_sql(alias, fname, query) for fname, _weight in SEARCHED_FIELDS}

        def contains(fname, value):
            return SQL("%s ILIKE %s", unaccent(columns[fname]), unaccent(SQL("%s", f"%{value}%")))

        found = SQL(" OR ").join(contains(fname, term) for term in terms for fname, _weight in SEARCHED_FIELDS)
        matched = SQL(" + ").join(
            SQL(
                "(CASE WHEN %s THEN 1 ELSE 0 END)",
                SQL(" OR ").join(contains(fname, term) for fname, _weight in SEARCHED_FIELDS),
            )
            for term in terms
        )
        weighted = SQL(" + ").join(
            SQL("(CASE WHEN %s THEN %s ELSE 0 END)", contains(fname, term), weight)
            for term in terms
            for fname, weight in SEARCHED_FIELDS
        )
        score = SQL(
            "(%s)::float / %s + (CASE WHEN %s THEN %s ELSE 0 END)",
            weighted,
            len(terms),
            contains("name", phrase),
            knowledge.PHRASE_WEIGHT,
        )
        enough = SQL("(%s) >= %s", matched, knowledge.min_matches(len(terms)))
        if self.env.registry.has_trigram:
            title, keywords = columns["name"], columns["keywords"]
            # pg_trgm's word-similarity operator, which its index serves (a literal
            # "%" in code without arguments stays escaped for the driver)
            close = SQL("%s %s %s", phrase, SQL("<%%"), title)
            found = SQL("%s OR %s", found, close)
            enough = SQL("%s OR %s", enough, close)
            score = SQL(
                "%s + %s * (word_similarity(%s, %s) + word_similarity(%s, COALESCE(%s, '')))",
                score,
                knowledge.SIMILARITY_WEIGHT,
                phrase,
                title,
                phrase,
                keywords,
            )
        query.add_where(SQL("(%s) AND (%s)", found, enough))
        query.order = SQL(
            "%s DESC, COALESCE(%s, 0) DESC, %s DESC",
            score,
            self._field_to_sql(alias, "helped_count", query),
            SQL.identifier(alias, "id"),
        )
        query.limit = limit
        return self.browse([row[0] for row in self.env.execute_query(query.select())])

    @api.model
    def _crm_service_suggest(self, text, company, limit=5, record=False):
        """Articles for a case being logged: ``text`` is its subject and description,
        ``company`` its company. ``record``: count ``text`` among the questions asked (once
        per case, when it is created, rather than at each change of the form)."""
        articles = self._crm_service_search(text, limit=limit, company=company)
        if record:
            self.env["crm.service.article.query"]._crm_service_record(text, company, len(articles))
        return articles

    # Counters --------------------------------------------------------------------

    def _crm_service_helped(self, cases):
        """These articles helped close ``cases``: each one's count grows by their number."""
        self._crm_service_increment("helped_count", len(cases))

    def _crm_service_viewed(self):
        """These articles were opened on the portal."""
        self._crm_service_increment("view_count", 1)

    def _crm_service_increment(self, fname, step):
        # One UPDATE adding to the stored value, not a read then a write: nothing is lost
        # when two workers count the same article at once (the row lock orders them, and
        # under Odoo's repeatable-read isolation the later one is retried), no write access
        # is needed to count a view, and the article's write date does not move.
        if not self or not step:
            return
        self.flush_recordset([fname])
        self.env.execute_query(
            SQL(
                "UPDATE %s SET %s = COALESCE(%s, 0) + %s WHERE id IN %s",
                SQL.identifier(self._table),
                SQL.identifier(fname),
                SQL.identifier(fname),
                step,
                tuple(self.ids),
            )
        )
        self.invalidate_recordset([fname])
