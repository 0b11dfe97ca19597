from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.osv import expression
from odoo.tools import is_html_empty, plaintext2html

from odoo.addons.crm_workflow.models.res_partner import CONTACT_CHANNELS
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..lib import public_forms

# what the customer's list filters on: the brief statuses of an open and of a finished case
OPEN_BRIEF_STATUSES = ("received", "in_progress", "waiting")
DONE_BRIEF_STATUSES = ("resolved", "closed")


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


class CrmServiceCasePortal(CustomerPortal):
    """The customer's service cases in the portal: ``/my/cases`` (their commercial
    entity's cases with the brief status), a case's page with the portal chatter and, once
    it is resolved or closed, its rating; ``/my/cases/new`` to open a case, and
    ``/my/preferences`` for the channels the customer may be reached by.

    Customers read the cases of their commercial entity (the portal record rule) and
    nothing of the staff's side. The list searches with the customer's own rights; a
    case's page passes ``_document_check_access`` (the rules, or the case's access token)
    and only then reads as superuser, to render the customer-safe fields: never the
    assignee, team, stage or internal notes, and the chatter shows public messages only.
    Another customer's case and a case that does not exist answer the same 404.
    Customers may neither create cases nor write partners: the forms write as superuser
    the values they clean, and nothing else.
    """

    _cases_per_page = 20

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "case_count" in counters:
            Case = request.env["crm.service.case"]
            values["case_count"] = Case.search_count(self._crm_service_case_domain()) if Case.has_access("read") else 0
        return values

    # The list ------------------------------------------------------------------------

    def _crm_service_case_domain(self):
        """The cases the portal lists: the customer's commercial entity's (the record rules
        bound them too: staff who open their own portal see their entity's cases only)."""
        return [("partner_id", "child_of", request.env.user.partner_id.commercial_partner_id.id)]

    def _crm_service_case_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "open": {"label": request.env._("Open"), "domain": [("brief_status", "in", OPEN_BRIEF_STATUSES)]},
            "done": {
                "label": request.env._("Resolved or Closed"),
                "domain": [("brief_status", "in", DONE_BRIEF_STATUSES)],
            },
        }

    def _crm_service_case_sortings(self):
        return {
            "date": {"label": request.env._("Newest"), "order": "date_open desc, id desc"},
            "subject": {"label": request.env._("Subject"), "order": "subject, id desc"},
            "status": {"label": request.env._("Status"), "order": "brief_status, date_open desc, id desc"},
        }

    @http.route(["/my/cases", "/my/cases/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_cases(self, page=1, search=None, filterby="all", sortby="date", **kw):
        filters, sortings = self._crm_service_case_filters(), self._crm_service_case_sortings()
        filterby = filterby if filterby in filters else "all"
        sortby = sortby if sortby in sortings else "date"
        search = (search or "").strip()
        domain = expression.AND([self._crm_service_case_domain(), filters[filterby]["domain"]])
        if search:
            number = search.replace(" ", "").replace("-", "")
            domain = expression.AND(
                [
                    domain,
                    [
                        "|",
                        "|",
                        ("subject", "ilike", search),
                        ("name", "ilike", search),
                        ("acceptance_number", "=", number),
                    ],
                ]
            )
        Case = request.env["crm.service.case"]
        readable = Case.has_access("read")
        pager = portal_pager(
            url="/my/cases",
            url_args={"search": search, "filterby": filterby, "sortby": sortby},
            total=Case.search_count(domain) if readable else 0,
            page=page,
            step=self._cases_per_page,
        )
        cases = (
            Case.search(domain, order=sortings[sortby]["order"], limit=self._cases_per_page, offset=pager["offset"])
            if readable
            else Case
        )
        request.session["my_cases_history"] = cases.ids
        values = {
            **self._prepare_portal_layout_values(),
            "page_name": "service_cases",
            "default_url": "/my/cases",
            # sudo: the cases were found with the customer's rights; their type is shown by
            # name, which customers may not read on their own
            "cases": cases.sudo(),
            "pager": pager,
            "search": search,
            "search_in": "all",
            "searchbar_inputs": {"all": {"input": "all", "label": request.env._("Search in subject and numbers")}},
            "searchbar_filters": filters,
            "filterby": filterby,
            "searchbar_sortings": sortings,
            "sortby": sortby,
        }
        return request.render("crm_service.crm_service_case_portal_list", values)

    # A case's page -------------------------------------------------------------------

    @http.route("/my/cases/<int:case_id>", type="http", auth="public", website=True)
    def portal_my_case(self, case_id, access_token=None, created=None, **kw):
        try:
            case_sudo = self._document_check_access("crm.service.case", case_id, access_token)
        except (AccessError, MissingError):
            if request.env.user._is_public() and not access_token:
                return request.redirect("/web/login?" + urlencode({"redirect": f"/my/cases/{case_id}"}))
            # another customer's case, or none: the same answer
            raise request.not_found() from None
        values = self._crm_service_case_page_values(case_sudo, access_token, created=bool(created), **kw)
        return request.render("crm_service.crm_service_case_portal_page", values)

    def _crm_service_case_page_values(self, case_sudo, access_token, created=False, **kwargs):
        values = {
            **self._prepare_portal_layout_values(),
            "page_name": "service_case",
            "case": case_sudo,
            "created": created,
            "has_description": not is_html_empty(case_sudo.description),
            **self._crm_service_rating_values(case_sudo),
        }
        values = self._get_page_view_values(case_sudo, access_token, values, "my_cases_history", False, **kwargs)
        # the portal chatter posts with the case's token: customers read cases, they do not write them
        values["token"] = case_sudo._portal_ensure_token()
        return values

    def _crm_service_rating_values(self, case_sudo):
        """The case's rating block once it is resolved or closed: the customer's last
        rating, or the token for Odoo's rating routes (``/rate/<token>/<score>``), of the
        rating the case keeps open for its customer."""
        if case_sudo.brief_status not in DONE_BRIEF_STATUSES or not case_sudo.partner_id:
            return {}
        # sudo: ratings are staff records; the case passed the access check
        rating = (
            request.env["rating.rating"]
            .sudo()
            .search(
                [("res_model", "=", case_sudo._name), ("res_id", "=", case_sudo.id), ("consumed", "=", True)],
                order="write_date desc, id desc",
                limit=1,
            )
        )
        if rating:
            return {"case_rating": rating}
        return {"case_rating_token": case_sudo._rating_get_access_token()}

    # A new case ----------------------------------------------------------------------

    def _crm_service_new_case_options(self):
        """The case types and the assets the customer may pick for a new case."""
        company = request.env.company
        entity = request.env.user.partner_id.commercial_partner_id
        return {
            # sudo: customers may not read the case types; the company's are offered by name
            "types": request.env["crm.service.case.type"].sudo().search([("company_id", "in", [company.id, False])]),
            # sudo: staff outside the service app may not read assets; the domain is the
            # portal rule written out (the customer's commercial entity), in the case's company
            "assets": request.env["crm.service.asset"]
            .sudo()
            .search([("commercial_partner_id", "=", entity.id), ("company_id", "=", company.id)]),
        }

    def _crm_service_form_errors(self, errors):
        messages = {
            "subject_required": request.env._("Say in a few words what the request is about."),
            "subject_long": request.env._(
                "The subject is too long: keep it under %s characters.", public_forms.SUBJECT_MAX_LENGTH
            ),
            "description_long": request.env._(
                "The description is too long: keep it under %s characters, or attach a file.",
                public_forms.DESCRIPTION_MAX_LENGTH,
            ),
            "files_many": request.env._("Attach at most %s files.", public_forms.MAX_FILES),
            "file_large": request.env._(
                "A file is larger than %s MB: send a smaller one.", public_forms.MAX_FILE_BYTES // (1024 * 1024)
            ),
            "file_empty": request.env._("A file is empty: choose it again."),
            "type_unknown": request.env._("Pick one of the request types offered."),
            "asset_unknown": request.env._("Pick one of your installed products, or none."),
            "channel_unknown": request.env._("Pick one of the channels offered."),
            "channel_not_allowed": request.env._(
                "Your preferred channel must be one you allow: tick it, or prefer another."
            ),
        }
        return {field: messages.get(code, code) for field, code in errors.items()}

    @http.route("/my/cases/new", type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_new_case(self, **post):
        options = self._crm_service_new_case_options()
        if request.httprequest.method != "POST":
            return self._crm_service_render_new_case(options, {}, {})
        uploads = [upload for upload in request.httprequest.files.getlist("attachments") if upload.filename]
        # one byte past the limit is enough to refuse a file
        files = [(upload.filename, upload.read(public_forms.MAX_FILE_BYTES + 1)) for upload in uploads]
        cleaned, errors = public_forms.clean_new_case(post, [(name, len(data)) for name, data in files])
        case_type = self._crm_service_pick(options["types"], post.get("type_id"))
        if case_type is None:
            errors["type_id"] = "type_unknown"
        asset = self._crm_service_pick(options["assets"], post.get("asset_id"))
        if asset is None:
            errors["asset_id"] = "asset_unknown"
        if not errors:
            try:
                with request.env.cr.savepoint():
                    case = self._crm_service_create_portal_case(cleaned, case_type, asset, files)
            except (UserError, ValidationError) as error:
                errors["form"] = error.args[0]
            else:
                return request.redirect(f"/my/cases/{case.id}?created=1")
        return self._crm_service_render_new_case(options, post, self._crm_service_form_errors(errors), status=400)

    @staticmethod
    def _crm_service_pick(records, value):
        """The record of ``records`` whose id the form sent, an empty recordset when it sent
        none, ``None`` when it sent another one."""
        if not value:
            return records.browse()
        picked = records.filtered(lambda record: str(record.id) == str(value))
        return picked or None

    def _crm_service_render_new_case(self, options, post, errors, status=200):
        values = {
            **self._prepare_portal_layout_values(),
            "page_name": "service_case_new",
            "case_types": options["types"],
            "assets": options["assets"],
            "post": post,
            "errors": errors,
            "max_file_mb": public_forms.MAX_FILE_BYTES // (1024 * 1024),
            "max_files": public_forms.MAX_FILES,
        }
        return request.render("crm_service.crm_service_case_portal_new", values, status=status)

    def _crm_service_create_portal_case(self, cleaned, case_type, asset, files):
        """The customer's new case, routed by the case's creation; the files come in the
        customer's first message, so that they show in the portal chatter."""
        partner = request.env.user.partner_id
        # sudo: customers may not create cases; the values are the cleaned form's, the
        # customer is the user's own partner, the type and asset ones offered to them
        case = (
            request.env["crm.service.case"]
            .sudo()
            .create(
                {
                    "subject": cleaned["subject"],
                    "description": plaintext2html(cleaned["description"]) if cleaned["description"] else False,
                    "partner_id": partner.id,
                    "channel": "portal",
                    "company_id": request.env.company.id,
                    "type_id": case_type.id,
                    "asset_id": asset.id,
                }
            )
        )
        case.message_subscribe(partner_ids=partner.ids)
        if files:
            case.message_post(
                author_id=partner.id,
                body=request.env._("Files sent with the request."),
                attachments=files,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return case

    # Contact preferences -------------------------------------------------------------

    @http.route("/my/preferences", type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_my_preferences(self, saved=None, **post):
        # sudo: customers may not write partners; only their own partner's preferences change
        partner = request.env.user.partner_id.sudo()
        channels = partner._fields["crm_preferred_channel"]._description_selection(request.env)
        status, error = 200, None
        if request.httprequest.method == "POST":
            allowed = {channel: bool(post.get(f"allow_{channel}")) for channel, _label in CONTACT_CHANNELS}
            preferred = post.get("preferred_channel") or ""
            code = public_forms.preference_error(allowed, preferred)
            if not code:
                partner.write(
                    {
                        **{f"crm_allow_{channel}": value for channel, value in allowed.items()},
                        "crm_preferred_channel": preferred or False,
                    }
                )
                return request.redirect("/my/preferences?saved=1")
            status, error = 400, self._crm_service_form_errors({"preferred_channel": code})["preferred_channel"]
        else:
            allowed = {channel: partner[f"crm_allow_{channel}"] for channel, _label in CONTACT_CHANNELS}
            preferred = partner.crm_preferred_channel or ""
        values = {
            **self._prepare_portal_layout_values(),
            "page_name": "service_preferences",
            "channels": channels,
            "allowed": allowed,
            "preferred": preferred,
            "error": error,
            "saved": bool(saved) and status == 200,
        }
        return request.render("crm_service.crm_service_portal_preferences", values, status=status)
