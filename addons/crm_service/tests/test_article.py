# Full-width punctuation and letters are what these tests feed the search with.
# ruff: noqa: RUF001
from uuid import uuid4

from markupsafe import Markup
from psycopg2 import OperationalError, errorcodes

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from ..lib import knowledge
from .common import CrmServiceCommon

ARTICLE = "crm.service.article"


class TestKnowledgeText(BaseCase):
    """Questions are normalised and cut into terms without a database."""

    def test_normalise_folds_case_width_and_punctuation(self):
        self.assertEqual(knowledge.normalise("  How do I reset my PASSWORD?? "), "how do i reset my password")
        self.assertEqual(knowledge.normalise("打印机无法连接？"), "打印机无法连接")
        self.assertEqual(knowledge.normalise("Ｗｉ－Ｆｉ doesn’t work"), "wi fi doesnt work")
        self.assertEqual(knowledge.normalise("x" * 300), "x" * knowledge.QUERY_MAX_LENGTH)
        self.assertEqual(knowledge.normalise(None), "")
        self.assertEqual(knowledge.normalise("?!…"), "")

    def test_chinese_is_cut_into_character_pairs(self):
        self.assertEqual(knowledge.search_terms("打印机无法连接"), ["打印", "印机", "机无", "无法", "法连", "连接"])
        self.assertEqual(knowledge.search_terms("灯"), ["灯"])

    def test_mixed_scripts_and_stop_words(self):
        self.assertEqual(
            knowledge.search_terms("HP打印机 cannot connect!"), ["hp", "打印", "印机", "cannot", "connect"]
        )
        self.assertEqual(knowledge.search_terms("How do I reset the router?"), ["reset", "router"])
        # stop words only: kept, rather than searching nothing
        self.assertEqual(knowledge.search_terms("how to"), ["how", "to"])
        self.assertEqual(knowledge.search_terms("怎么办"), ["怎么", "么办"])

    def test_terms_are_unique_letters_and_digits_and_bounded(self):
        self.assertEqual(knowledge.search_terms("error 404 error_404 100%"), ["error", "404", "100"])
        many = " ".join(f"word{index}" for index in range(50))
        self.assertEqual(len(knowledge.search_terms(many)), knowledge.MAX_TERMS)
        self.assertEqual(knowledge.search_terms("a ! ?"), [])

    def test_min_matches(self):
        self.assertEqual([knowledge.min_matches(count) for count in (1, 3, 4, 6, 7, 24)], [1, 1, 2, 2, 3, 3])

    def test_html_to_text_parts_blocks_not_inline(self):
        html = "<p>Check the <b>ca</b>ble.</p><ul><li>one</li><li>two&nbsp;&amp;</li></ul><script>x()</script>"
        self.assertEqual(knowledge.html_to_text(html), "Check the cable. one two &")
        self.assertEqual(knowledge.html_to_text(False), "")


class CrmServiceArticleCommon(CrmServiceCommon):
    """The organisation of :class:`CrmServiceCommon` with a small bilingual knowledge base.

    Headquarters: published on the portal (connection, router, two Chinese articles),
    published for agents only (admin password), agent A's and agent B's drafts, an archived
    article. The branch: one published portal article. Shared: one published portal
    article.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["crm.service.article.category"]
        cls.category_printers = Category.create({"name": "Printers", "company_id": False, "sequence": 1})
        cls.category_network = Category.create(
            {"name": "Network", "parent_id": cls.category_printers.id, "company_id": False}
        )
        cls.category_company_2 = Category.create({"name": "Branch", "company_id": cls.company_2.id})

        cls.article_connect = cls._article(
            "Printer connection fails",
            keywords="wifi, offline",
            answer=Markup("<p>Restart the <b>router</b>, then</p><ul><li>reconnect the printer</li></ul>"),
            category_id=cls.category_network.id,
        )
        cls.article_router = cls._article(
            "How to reboot the router", answer=Markup("<p>Unplug it for ten seconds.</p>")
        )
        cls.article_zh = cls._article(
            "打印机连接失败怎么办", keywords="网络 无线", answer=Markup("<p>检查网线，然后重启打印机。</p>")
        )
        cls.article_zh_power = cls._article("无法开机怎么办", answer=Markup("<p>检查电源线。</p>"))
        cls.article_internal = cls._article("Resetting the admin password of a printer", portal=False)
        cls.article_draft = cls._article("Printer makes noise", state="draft", author=cls.agent_a)
        cls.article_draft_b = cls._article("Printer paper jam", state="draft", author=cls.agent_b)
        cls.article_archived = cls._article("Old printer driver download", state="archived", author=cls.agent_a)
        cls.article_company_2 = cls._article(
            "Printer connection in the branch", company=cls.company_2, category_id=cls.category_company_2.id
        )
        cls.article_shared = cls._article("How do I contact support", company=False)
        cls.articles = (
            cls.article_connect
            | cls.article_router
            | cls.article_zh
            | cls.article_zh_power
            | cls.article_internal
            | cls.article_draft
            | cls.article_draft_b
            | cls.article_archived
            | cls.article_company_2
            | cls.article_shared
        )
        cls.portal_articles = (
            cls.article_connect | cls.article_router | cls.article_zh | cls.article_zh_power | cls.article_shared
        )

    @classmethod
    def _article(cls, name, state="published", portal=True, company=None, author=None, **values):
        """An article as superuser (system fields included), by the manager unless ``author``."""
        return cls.env[ARTICLE].create(
            {
                "name": name,
                "state": state,
                "is_published": portal and state == "published",
                "company_id": cls.company.id if company is None else company and company.id,
                "author_id": (author or cls.manager).id,
                **values,
            }
        )

    def _found(self, user, text, **kwargs):
        return self.env[ARTICLE].with_user(user)._crm_service_search(text, **kwargs)


class TestArticleSearch(CrmServiceArticleCommon):
    """Published articles found by their title, keywords and answer, in English and Chinese."""

    def test_answer_text_is_the_answer_without_markup(self):
        self.assertEqual(self.article_connect.answer_text, "Restart the router, then reconnect the printer")
        self.article_connect.answer = Markup("<p>Call us</p>")
        self.assertEqual(self.article_connect.answer_text, "Call us")

    def test_english_question_finds_the_article_first(self):
        found = self._found(self.agent_a, "Printer cannot connect")
        self.assertEqual(found[0], self.article_connect)
        self.assertIn(self.article_internal, found, "a published article for agents only is suggested to agents")
        self.assertFalse(found & (self.article_draft | self.article_archived | self.article_company_2))

    def test_chinese_question_finds_the_chinese_article(self):
        found = self._found(self.agent_a, "打印机无法连接")
        self.assertEqual(found, self.article_zh, "打印, 印机, 连接 found; 无法开机怎么办 shares only 无法")

    def test_chinese_keywords_and_answer_are_searched(self):
        self.assertEqual(self._found(self.agent_a, "无线"), self.article_zh)
        self.assertEqual(self._found(self.agent_a, "电源线"), self.article_zh_power)

    def test_keywords_and_answer_are_searched(self):
        self.assertEqual(self._found(self.agent_a, "wifi"), self.article_connect)
        self.assertEqual(self._found(self.agent_a, "Unplug"), self.article_router)

    def test_title_ranks_above_answer(self):
        self.assertEqual(self._found(self.agent_a, "router").ids, [self.article_router.id, self.article_connect.id])

    def test_misspelt_question_is_found_by_trigram_similarity(self):
        if not self.env.registry.has_trigram:
            self.skipTest("pg_trgm is not installed")
        self.assertEqual(self._found(self.agent_a, "printr conection")[:1], self.article_connect)

    def test_ties_go_to_the_article_that_helped_most(self):
        twin = self._article("How to reboot the router", answer=Markup("<p>Unplug it for ten seconds.</p>"))
        self.assertEqual(self._found(self.agent_a, "reboot router")[0], twin)
        self.article_router._crm_service_helped(self.case_a)
        self.assertEqual(self._found(self.agent_a, "reboot router")[0], self.article_router)

    def test_limit_and_nothing_to_search(self):
        self.assertEqual(len(self._found(self.agent_a, "printer", limit=1)), 1)
        for text in ("", None, "？！", "   "):
            with self.subTest(text=text):
                self.assertFalse(self._found(self.agent_a, text))

    def test_only_what_the_user_may_read_in_the_company_asked(self):
        self.assertEqual(self._found(self.agent_company_2, "printer connection"), self.article_company_2)
        self.assertEqual(
            self._found(self.executive, "printer connection", company=self.company_2), self.article_company_2
        )
        self.assertEqual(self._found(self.executive, "contact support", company=self.company_2), self.article_shared)
        with self.assertRaises(AccessError):
            self._found(self.employee, "printer")

    def test_portal_domain_leaves_agent_only_articles_out(self):
        found = self._found(self.agent_a, "printer", domain=[("is_published", "=", True)])
        self.assertNotIn(self.article_internal, found)
        self.assertIn(self.article_connect, found)
        self.assertEqual(self._found(self.portal_user, "admin password"), self.env[ARTICLE])

    def test_suggestions_for_a_case_record_its_question_when_asked(self):
        Article = self.env[ARTICLE].with_user(self.agent_a)
        Query = self.env["crm.service.article.query"]
        text = "Printer cannot connect to the wifi"
        self.assertEqual(Article._crm_service_suggest(text, self.company)[0], self.article_connect)
        self.assertFalse(Query.search([("name", "=", knowledge.normalise(text))]))
        Article._crm_service_suggest(text, self.company, record=True)
        query = Query.search([("name", "=", "printer cannot connect to the wifi")])
        self.assertRecordValues(query, [{"count": 1, "company_id": self.company.id, "found_count": 1}])


class TestArticleQuery(CrmServiceArticleCommon):
    """The questions asked, counted once per normalised text and company."""

    def test_same_question_counted_once_per_company(self):
        Query = self.env["crm.service.article.query"]
        Query._crm_service_record("打印机无法连接？", self.company, 2)
        Query._crm_service_record("打印机无法连接", self.company, 1)
        Query._crm_service_record(" 打印机无法连接！ ", self.company, 0)
        Query._crm_service_record("打印机无法连接", self.company_2, 1)
        Query._crm_service_record("How to print?", self.company, 3)
        Query._crm_service_record("?!", self.company, 0)
        rows = Query.search([("company_id", "in", (self.company | self.company_2).ids)])
        self.assertEqual(
            {(row.name, row.company_id, row.count, row.found_count) for row in rows},
            {
                ("打印机无法连接", self.company, 3, 0),
                ("打印机无法连接", self.company_2, 1, 1),
                ("how to print", self.company, 1, 3),
            },
        )
        self.assertEqual((rows[0].name, rows[0].company_id), ("打印机无法连接", self.company), "asked most first")
        self.assertTrue(rows[0].date_last)

    def test_managers_read_their_companies_questions_executives_delete(self):
        Query = self.env["crm.service.article.query"]
        Query._crm_service_record("paper jam", self.company, 1)
        Query._crm_service_record("paper jam", self.company_2, 1)
        rows = Query.search([("name", "=", "paper jam")])
        self.assertEqual(Query.with_user(self.manager).search([("id", "in", rows.ids)]).company_id, self.company)
        with self.assertRaises(AccessError):
            Query.with_user(self.agent_a).search([])
        with self.assertRaises(AccessError):
            rows.with_user(self.manager).unlink()
        rows.with_user(self.executive).unlink()
        self.assertFalse(rows.exists())


class TestArticleLifecycle(CrmServiceArticleCommon):
    """Drafts by agents, publication by managers, articles from cases, counters."""

    def test_agent_writes_a_draft_a_manager_publishes_it(self):
        article = self.env[ARTICLE].with_user(self.agent_a).create({"name": "Toner light blinks"})
        self.assertRecordValues(
            article,
            [{"state": "draft", "author_id": self.agent_a.id, "company_id": self.company.id, "is_published": False}],
        )
        article.write({"answer": Markup("<p>Replace the toner.</p>")})
        with self.assertRaises(AccessError):
            article.action_publish()
        article.with_user(self.manager).action_publish()
        self.assertEqual(article.state, "published")
        self.assertTrue(article.date_published)
        with self.assertRaises(AccessError):
            article.write({"name": "Published articles are edited by managers"})
        self.assertEqual(self._found(self.agent_b, "toner"), article)

    def test_portal_shows_published_articles_only(self):
        article = self.article_draft.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "Publish .* first"):
            article.action_portal_publish()
        article.action_publish()
        article.action_portal_publish()
        self.assertTrue(article.is_published)
        self.assertEqual(self.env[ARTICLE].with_user(self.portal_user).search([("id", "=", article.id)]), article)
        article.action_portal_unpublish()
        self.assertFalse(article.is_published)
        article.action_portal_publish()
        article.action_set_draft()
        self.assertRecordValues(article, [{"state": "draft", "is_published": False}])

    def test_archived_articles_leave_portal_and_suggestions(self):
        self.article_connect.with_user(self.manager).action_archive_article()
        self.assertRecordValues(self.article_connect, [{"state": "archived", "is_published": False}])
        self.assertNotIn(self.article_connect, self._found(self.agent_a, "printer connection"))
        with self.assertRaises(AccessError):
            self.article_connect.with_user(self.agent_b).read(["name"])
        self.article_connect.with_user(self.manager).action_publish()
        self.assertEqual(self.article_connect.state, "published")

    def test_manager_acts_on_their_companies_only_executive_deletes(self):
        draft_company_2 = self._article("Branch draft", state="draft", company=self.company_2)
        with self.assertRaises(AccessError):
            draft_company_2.with_user(self.manager).action_publish()
        with self.assertRaises(AccessError):
            self.article_draft.with_user(self.manager).unlink()
        self.article_draft.with_user(self.executive).unlink()
        draft_company_2.with_user(self.executive).action_publish()
        self.assertEqual(draft_company_2.state, "published")

    def test_article_created_from_a_solved_case(self):
        self.case_a.write({"resolution": Markup("<p>Reinstalled the driver.</p>"), "state": "solved"})
        action = self.env[ARTICLE].with_user(self.agent_a).action_create_from_case(self.case_a.id)
        article = self.env[ARTICLE].browse(action["res_id"])
        self.assertEqual(action["res_model"], ARTICLE)
        self.assertRecordValues(
            article,
            [
                {
                    "name": self.case_a.subject,
                    "answer_text": "Reinstalled the driver.",
                    "state": "draft",
                    "author_id": self.agent_a.id,
                    "company_id": self.case_a.company_id.id,
                    "source_case_id": self.case_a.id,
                }
            ],
        )

    def test_article_from_case_needs_a_resolution_and_access_to_the_case(self):
        Article = self.env[ARTICLE].with_user(self.agent_a)
        with self.assertRaisesRegex(UserError, "Write the resolution"):
            Article.action_create_from_case(self.case_a.id)
        self.case_b.resolution = Markup("<p>Done.</p>")
        with self.assertRaises(AccessError):
            Article.action_create_from_case(self.case_b.id)
        for wrong in (0, [self.case_a.id, self.case_unassigned.id], str(self.case_a.id), True):
            with self.subTest(case_id=wrong), self.assertRaisesRegex(UserError, "does not exist"):
                Article.action_create_from_case(wrong)

    def test_agent_duplicates_a_published_article_as_own_draft(self):
        copy = self.article_connect.with_user(self.agent_a).copy()
        self.assertRecordValues(
            copy,
            [
                {
                    "name": self.article_connect.name,
                    "state": "draft",
                    "is_published": False,
                    "author_id": self.agent_a.id,
                    "helped_count": 0,
                    "answer_text": self.article_connect.answer_text,
                }
            ],
        )

    def test_helped_and_viewed_counters_add_up(self):
        article = self.article_connect
        write_date = article.write_date
        article._crm_service_helped(self.case_a | self.case_b)
        article._crm_service_helped(self.case_unassigned)
        article._crm_service_helped(self.case_a.browse())
        (article | self.article_router)._crm_service_viewed()
        self.assertRecordValues(
            article | self.article_router,
            [
                {"helped_count": 3, "view_count": 1},
                {"helped_count": 0, "view_count": 1},
            ],
        )
        self.assertEqual(article.write_date, write_date, "counting is not editing")

    def test_categories_nest(self):
        self.assertEqual(self.category_network.complete_name, "Printers / Network")
        with self.assertRaises(UserError):  # the parent store's "Recursion Detected", or our constraint
            self.category_printers.parent_id = self.category_network
        Category = self.env["crm.service.article.category"]
        # the reader's articles in the category and its sub-categories
        self.assertEqual(self.category_printers.with_user(self.agent_a).article_count, 1)
        self._article("Paper tray", category_id=self.category_printers.id)
        Category.invalidate_model(["article_count"])
        self.assertEqual(self.category_printers.with_user(self.agent_a).article_count, 2)
        self.assertEqual(self.category_network.article_count, 1)
        action = self.category_printers.action_view_articles()
        self.assertEqual(
            self.env[ARTICLE].search(action["domain"]),
            self.article_connect | self.env[ARTICLE].search([("name", "=", "Paper tray")]),
        )

    def test_shared_article_stays_out_of_company_categories(self):
        with self.assertRaises(UserError):
            self._article("Shared in a branch category", company=False, category_id=self.category_company_2.id)
        with self.assertRaises(UserError):
            self.env[ARTICLE].with_user(self.agent_a).create(
                {"name": "Wrong category", "category_id": self.category_company_2.id}
            )

    def test_categories_kept_by_managers(self):
        Category = self.env["crm.service.article.category"]
        self.assertEqual(
            Category.with_user(self.agent_a).search([("id", "=", self.category_network.id)]).name, "Network"
        )
        with self.assertRaises(AccessError):
            Category.with_user(self.agent_a).create({"name": "Scanners"})
        Category.with_user(self.manager).create({"name": "Scanners"})
        self.assertFalse(Category.with_user(self.agent_a).search([("id", "=", self.category_company_2.id)]))


class TestArticleAccess(CrmServiceArticleCommon):
    """Who finds which articles, in both companies."""

    def _visible(self, user, companies=None):
        Article = self.env[ARTICLE].with_user(user)
        if companies:
            Article = Article.with_context(allowed_company_ids=companies.ids)
        return Article.search([("id", "in", self.articles.ids)])

    def test_agent_reads_published_and_own(self):
        published = self.portal_articles | self.article_internal
        self.assertEqual(self._visible(self.agent_a), published | self.article_draft | self.article_archived)
        self.assertEqual(self._visible(self.agent_b), published | self.article_draft_b)

    def test_agent_cannot_read_colleague_draft_nor_other_company(self):
        for article in (self.article_draft_b, self.article_company_2):
            with self.subTest(article=article.name), self.assertRaises(AccessError):
                article.with_user(self.agent_a).read(["name"])

    def test_branch_agent_reads_branch_and_shared(self):
        self.assertEqual(self._visible(self.agent_company_2), self.article_company_2 | self.article_shared)

    def test_manager_and_executive_read_everything_of_their_companies(self):
        self.assertEqual(self._visible(self.manager), self.articles - self.article_company_2)
        self.assertEqual(self._visible(self.executive), self.articles)
        self.assertEqual(self._visible(self.executive, self.company_2), self.article_company_2 | self.article_shared)

    def test_portal_reads_portal_articles_only(self):
        self.assertEqual(self._visible(self.portal_user), self.portal_articles)
        with self.assertRaises(AccessError):
            self.article_internal.with_user(self.portal_user).read(["name"])

    def test_employee_outside_service_has_no_access(self):
        with self.assertRaises(AccessError):
            self._visible(self.employee)


class TestArticleSecurityRpc(CrmServiceArticleCommon):
    """The knowledge base attacked through ``call_kw`` as the least-privileged user who could
    exploit each hole."""

    def test_public_methods_are_the_buttons(self):
        found = {item for item in public_methods(self.env, "crm_service") if item[0].startswith(ARTICLE)}
        self.assertEqual(
            found,
            {
                (ARTICLE, "action_publish"),
                (ARTICLE, "action_set_draft"),
                (ARTICLE, "action_archive_article"),
                (ARTICLE, "action_portal_publish"),
                (ARTICLE, "action_portal_unpublish"),
                (ARTICLE, "action_create_from_case"),
                ("crm.service.article.category", "action_view_articles"),
            },
        )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_portal_cannot_write_publish_nor_read_drafts(self):
        portal, published = self.portal_user, self.article_connect.id
        attacks = [
            ("write", [[published], {"name": "Defaced"}]),
            ("write", [[published], {"helped_count": 1000}]),
            ("create", [{"name": "Spam"}]),
            ("unlink", [[published]]),
            ("read", [[self.article_draft.id], ["name", "answer"]]),
            ("read", [[self.article_internal.id], ["name"]]),
            ("action_publish", [[self.article_draft.id]]),
            ("action_portal_publish", [[self.article_internal.id]]),
            ("action_create_from_case", [self.case_a.id]),
            ("_crm_service_helped", [[published], []]),
            ("_crm_service_search", ["printer"]),
        ]
        for method, args in attacks:
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(portal, ARTICLE, method, *args)
        found = call_kw(portal, ARTICLE, "search_read", [], ["name"])
        self.assertEqual({row["id"] for row in found} & set(self.articles.ids), set(self.portal_articles.ids))
        self.assertEqual(self.article_connect.name, "Printer connection fails")
        with self.assertRaises(AccessError):
            call_kw(portal, "crm.service.article.query", "search_read", [], ["name"])

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_agent_cannot_set_system_fields(self):
        agent, draft = self.agent_a, self.article_draft.id
        for values in (
            {"state": "published"},
            {"is_published": True},
            {"helped_count": 1000},
            {"view_count": 1000},
            {"author_id": self.agent_b.id},
            {"date_published": "2024-01-01 00:00:00"},
            {"source_case_id": self.case_b.id},
            {"answer_text": "hidden words"},
        ):
            with self.subTest(values=values), self.assertRaisesRegex(AccessError, "set by the system"):
                call_kw(agent, ARTICLE, "write", [draft], values)
            with self.subTest(create=values), self.assertRaisesRegex(AccessError, "set by the system"):
                call_kw(agent, ARTICLE, "create", [dict(values, name="Forged")])
        self.assertRecordValues(self.article_draft, [{"state": "draft", "is_published": False, "helped_count": 0}])

    def test_default_context_keys_do_not_publish(self):
        article_id = call_kw(
            self.agent_a,
            ARTICLE,
            "create",
            {"name": "Context attack"},
            context={"default_state": "published", "default_is_published": True, "default_helped_count": 9},
        )
        self.assertRecordValues(
            self.env[ARTICLE].browse(article_id), [{"state": "draft", "is_published": False, "helped_count": 0}]
        )

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_agent_cannot_publish_nor_edit_others(self):
        agent = self.agent_a
        attacks = [
            ("action_publish", [[self.article_draft.id]]),
            ("action_portal_publish", [[self.article_internal.id]]),
            ("action_archive_article", [[self.article_connect.id]]),
            ("write", [[self.article_connect.id], {"answer": "<p>Wrong</p>"}]),
            ("write", [[self.article_draft_b.id], {"name": "Mine now"}]),
            ("read", [[self.article_draft_b.id], ["name"]]),
            ("read", [[self.article_company_2.id], ["name"]]),
            ("action_create_from_case", [self.case_b.id]),
        ]
        for method, args in attacks:
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(agent, ARTICLE, method, *args)
        for method, args in (("create", [{"name": "forged", "company_id": self.company.id}]), ("search", [[]])):
            with self.subTest(model="query", method=method), self.assertRaises(AccessError):
                call_kw(agent, "crm.service.article.query", method, *args)
        self.assertEqual(self.article_draft.state, "draft")
        self.assertEqual(self.article_internal.is_published, False)

    def test_managers_use_the_buttons_too(self):
        for values in ({"state": "archived"}, {"helped_count": 5}, {"is_published": False}):
            with self.subTest(values=values), self.assertRaisesRegex(AccessError, "set by the system"):
                call_kw(self.manager, ARTICLE, "write", [self.article_connect.id], values)
        call_kw(self.manager, ARTICLE, "action_portal_publish", [self.article_internal.id])
        self.assertTrue(self.article_internal.is_published)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_managers_of_one_company_cannot_reach_the_other(self):
        for method in ("action_publish", "action_archive_article", "action_portal_unpublish"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                call_kw(self.manager, ARTICLE, method, [self.article_company_2.id])
        self.assertEqual(self.article_company_2.state, "published")


@tagged("post_install", "-at_install")
class TestFaqPortal(HttpCase, CrmServiceArticleCommon):
    """The FAQ pages, as a customer on the portal and as a visitor."""

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def test_portal_user_lists_and_opens_published_faq(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._get("/my/faq")
        self.assertEqual(response.status_code, 200)
        for article in self.portal_articles:
            self.assertIn(article.name, response.text)
        for article in self.articles - self.portal_articles:
            self.assertNotIn(article.name, response.text)
        self.assertIn("Printers / Network", response.text)

        response = self._get(f"/my/faq/{self.article_connect.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("reconnect the printer", response.text)
        self.assertEqual(self.article_connect.view_count, 1)

    def test_unpublished_articles_give_404(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        for article in self.articles - self.portal_articles:
            with self.subTest(article=article.name):
                self.assertEqual(self._get(f"/my/faq/{article.id}").status_code, 404)
        self.assertEqual(self._get("/my/faq/999999999").status_code, 404)
        self.assertEqual((self.articles - self.portal_articles).mapped("view_count"), [0] * 5)

    def test_search_records_the_question(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._get("/my/faq?search=打印机无法连接？")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.article_zh.name, response.text)
        self.assertNotIn(self.article_zh_power.name, response.text)
        self._get("/my/faq?search=打印机无法连接")
        self._get("/my/faq?search=quantum+teleporter")
        Query = self.env["crm.service.article.query"]
        self.assertRecordValues(
            Query.search([("name", "in", ["打印机无法连接", "quantum teleporter"])]),
            [
                {"name": "打印机无法连接", "count": 2, "found_count": 1, "company_id": self.company.id},
                {"name": "quantum teleporter", "count": 1, "found_count": 0, "company_id": self.company.id},
            ],
        )

    def test_category_filter_includes_sub_categories(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._get(f"/my/faq?category={self.category_printers.id}")
        self.assertIn(self.article_connect.name, response.text)
        self.assertNotIn(self.article_router.name, response.text)
        # another company's category is not one
        response = self._get(f"/my/faq?category={self.category_company_2.id}")
        self.assertIn(self.article_router.name, response.text)

    def test_portal_home_counts_the_faq(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["faq_count"]})
        self.assertEqual(
            counters["faq_count"],
            self.env[ARTICLE].search_count(
                [
                    ("state", "=", "published"),
                    ("is_published", "=", True),
                    ("company_id", "in", [False, self.company.id]),
                ]
            ),
        )

    def test_visitor_reads_published_faq(self):
        response = self._get("/faq")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.article_zh.name, response.text)
        self.assertNotIn(self.article_internal.name, response.text)
        self.assertNotIn(self.article_company_2.name, response.text)
        self.assertEqual(self._get(f"/faq/{self.article_shared.id}").status_code, 200)
        for article in self.articles - self.portal_articles:
            with self.subTest(article=article.name):
                self.assertEqual(self._get(f"/faq/{article.id}").status_code, 404)
        self.assertIn(self._get("/my/faq").status_code, (302, 303))

    def test_visitor_search_records_the_question(self):
        response = self._get("/faq?search=wifi")
        self.assertIn(self.article_connect.name, response.text)
        query = self.env["crm.service.article.query"].search([("name", "=", "wifi")])
        self.assertRecordValues(query, [{"count": 1, "found_count": 1, "company_id": self.company.id}])


@tagged("post_install", "-at_install")
class TestCounterConcurrency(BaseCase):
    """Two workers counting the same article at once: two real transactions (two cursors)
    on committed data."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            name = f"Concurrent counter {uuid4().hex[:8]}"  # committed: a name of this run only
            self.article_id = env[ARTICLE].create({"name": name, "company_id": False}).id
        self.addCleanup(self._delete_article)

    def _delete_article(self):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})[ARTICLE].browse(self.article_id).unlink()

    def test_no_count_is_lost(self):
        with self.registry.cursor() as cr_first, self.registry.cursor() as cr_second:
            first = api.Environment(cr_first, SUPERUSER_ID, {})[ARTICLE].browse(self.article_id)
            second = api.Environment(cr_second, SUPERUSER_ID, {})[ARTICLE].browse(self.article_id)
            self.assertEqual(second.helped_count, 0)  # the second worker's snapshot, taken first
            one_case = first.env["crm.service.case"].browse([1])  # counted, never read
            first._crm_service_helped(one_case)
            cr_first.commit()
            # the second worker's increment is refused, not applied to its stale snapshot...
            with self.assertRaises(OperationalError) as caught, mute_logger("odoo.sql_db"):
                second._crm_service_helped(one_case)
            self.assertEqual(caught.exception.pgcode, errorcodes.SERIALIZATION_FAILURE)
            cr_second.rollback()
            # ...and Odoo retries the request, which adds to the committed count
            second._crm_service_helped(one_case)
            cr_second.commit()
            second.invalidate_recordset()
            self.assertEqual(second.helped_count, 2)
