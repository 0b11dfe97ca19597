from odoo import http
from odoo.http import request
from odoo.osv import expression

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class CrmServiceFaqPortal(CustomerPortal):
    """The knowledge base's FAQ: ``/my/faq`` in the customer's portal, ``/faq`` for visitors.

    Both show the same articles: published, shown on the portal, of the reader's
    companies or shared (``_crm_service_faq_domain``). Customers and agents read them with
    their own rights, which the portal record rule restricts the same way; visitors (and
    employees outside the service app) have no access to the model, so their pages read as
    superuser — always inside that domain: an id from the URL is searched within it, never
    browsed.
    """

    _faq_per_page = 20

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "faq_count" in counters:
            values["faq_count"] = self._crm_service_faq_model("crm.service.article").search_count(
                self._crm_service_faq_domain()
            )
        return values

    @http.route(["/my/faq", "/my/faq/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_faq(self, page=1, search=None, category=None, **kw):
        return self._crm_service_faq_list("/my/faq", page, search, category)

    @http.route("/my/faq/<int:article_id>", type="http", auth="user", website=True)
    def portal_my_faq_article(self, article_id, **kw):
        return self._crm_service_faq_article("/my/faq", article_id)

    @http.route(["/faq", "/faq/page/<int:page>"], type="http", auth="public", website=True)
    def faq(self, page=1, search=None, category=None, **kw):
        return self._crm_service_faq_list("/faq", page, search, category)

    @http.route("/faq/<int:article_id>", type="http", auth="public", website=True)
    def faq_article(self, article_id, **kw):
        return self._crm_service_faq_article("/faq", article_id)

    # Reading -------------------------------------------------------------------------

    def _crm_service_faq_model(self, model):
        records = request.env[model]
        if records.has_access("read"):
            return records
        # sudo: visitors (and employees outside the service app) may not read the
        # knowledge base; every search through it is bounded by _crm_service_faq_domain
        return records.sudo()

    def _crm_service_faq_companies(self):
        return [False, *request.env.user.company_ids.ids]

    def _crm_service_faq_domain(self):
        """What the FAQ shows: the portal rule, and the multi-company rule written out
        for the pages that read as superuser."""
        return [
            ("state", "=", "published"),
            ("is_published", "=", True),
            ("company_id", "in", self._crm_service_faq_companies()),
        ]

    def _crm_service_faq_category(self, category):
        if not category or not str(category).isdigit():
            return request.env["crm.service.article.category"]
        Category = self._crm_service_faq_model("crm.service.article.category")
        return Category.search(
            [("id", "=", int(category)), ("company_id", "in", self._crm_service_faq_companies())], limit=1
        )

    def _crm_service_faq_values(self, faq_url, **values):
        return {
            **self._prepare_portal_layout_values(),
            "page_name": "faq",
            "faq_url": faq_url,
            # the portal's breadcrumbs lead to /my, which visitors cannot open
            "no_breadcrumbs": faq_url == "/faq",
            **values,
        }

    def _crm_service_faq_list(self, faq_url, page, search, category):
        Article = self._crm_service_faq_model("crm.service.article")
        domain = self._crm_service_faq_domain()
        category = self._crm_service_faq_category(category)
        categories = Article._read_group(domain, ["category_id"], ["__count"], order="category_id")
        if category:
            domain = expression.AND([domain, [("category_id", "child_of", category.id)]])
        search = (search or "").strip()
        pager = None
        if search:
            articles = Article._crm_service_search(search, limit=self._faq_per_page, domain=domain)
            request.env["crm.service.article.query"]._crm_service_record(
                search, request.env.user.company_id, len(articles)
            )
        else:
            pager = portal_pager(
                url=faq_url,
                url_args={"category": category.id} if category else None,
                total=Article.search_count(domain),
                page=page,
                step=self._faq_per_page,
            )
            articles = Article.search(
                domain, order="category_id, sequence, id desc", limit=self._faq_per_page, offset=pager["offset"]
            )
        values = self._crm_service_faq_values(
            faq_url,
            faq_articles=articles,
            faq_categories=[(category, count) for category, count in categories if category],
            faq_category=category,
            search=search,
            pager=pager,
        )
        return request.render("crm_service.crm_service_article_portal_list", values)

    def _crm_service_faq_article(self, faq_url, article_id):
        Article = self._crm_service_faq_model("crm.service.article")
        article = Article.search(expression.AND([self._crm_service_faq_domain(), [("id", "=", article_id)]]), limit=1)
        if not article:
            raise request.not_found()
        article._crm_service_viewed()
        # sudo: the article passed the FAQ domain above; its category and products are
        # shown by name, which customers may not read on their own
        values = self._crm_service_faq_values(faq_url, faq_article=article.sudo())
        return request.render("crm_service.crm_service_article_portal_page", values)
