"""The customer portal's service cases and the public service pages, over HTTP as a
customer or a visitor uses them; the forms' checks on plain data; the rate limit's log,
who may read it, and two attempts at the same moment."""

import re
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch
from uuid import uuid4

import pytz
from psycopg2 import OperationalError, errorcodes

from odoo import SUPERUSER_ID, api, fields
from odoo.api import Transaction
from odoo.exceptions import AccessError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, HttpCase, get_db_name, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.crm_workflow.tests.common import call_kw, public_methods

from ..lib import public_forms
from .common import CrmServiceCommon

LOOKUP = "crm.service.status.lookup"
CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
STATUS_RESULT = re.compile(r'<div id="crm_service_status_result">.*?</div>\s*</div>', re.S)
PHONE = "+86 138 0013 8000"


class TestPublicForms(BaseCase):
    """lib/public_forms.py: what the forms accept, on plain data."""

    NOW = datetime(2025, 3, 14, 8, 0, 30)  # naive UTC, as the ORM gives it

    def _callback(self, tz="UTC", **values):
        return public_forms.clean_callback({"name": "Li Wei", "phone": PHONE, **values}, self.NOW, tz)

    def test_callback_is_cleaned_and_its_time_read_in_the_company_zone(self):
        cleaned, errors = self._callback(
            tz="Asia/Shanghai", name="  Li Wei ", preferred_time="2025-03-14T18:30", message=" The printer "
        )
        self.assertEqual(errors, {})
        self.assertEqual(
            cleaned,
            {
                "name": "Li Wei",
                "phone": PHONE,
                "callback_date": datetime(2025, 3, 14, 10, 30),
                "message": "The printer",
            },
        )

    def test_callback_time_is_optional(self):
        cleaned, errors = self._callback(preferred_time="")
        self.assertEqual(errors, {})
        self.assertIsNone(cleaned["callback_date"])

    def test_callback_needs_a_name_and_a_number_of_six_digits(self):
        self.assertEqual(
            self._callback(name=" ", phone="12 34 5")[1], {"name": "name_required", "phone": "phone_short"}
        )
        self.assertEqual(self._callback(phone="")[1], {"phone": "phone_required"})
        self.assertEqual(self._callback(phone="call 123456")[1], {"phone": "phone_invalid"})
        self.assertEqual(self._callback(phone="1" * 21)[1], {"phone": "phone_invalid"})
        self.assertEqual(self._callback(phone="(010) 12.34-56")[1], {})

    def test_callback_time_is_neither_past_far_nor_malformed(self):
        self.assertEqual(self._callback(preferred_time="2025-03-14T08:00")[1], {}, "the current minute is not past")
        self.assertEqual(self._callback(preferred_time="2025-03-14T07:59")[1], {"preferred_time": "time_past"})
        self.assertEqual(self._callback(preferred_time="2025-07-01T10:00")[1], {"preferred_time": "time_far"})
        self.assertEqual(self._callback(preferred_time="tomorrow")[1], {"preferred_time": "time_invalid"})
        self.assertEqual(self._callback(preferred_time="2025-03-15T10:00+02:00")[1], {"preferred_time": "time_invalid"})

    def test_callback_refuses_long_texts(self):
        errors = self._callback(name="x" * 101, message="y" * 2001)[1]
        self.assertEqual(errors, {"name": "name_long", "message": "message_long"})

    def test_unknown_time_zone_reads_utc(self):
        self.assertEqual(
            public_forms.parse_local_datetime("2025-03-14T10:00", "Mars/Olympus"), datetime(2025, 3, 14, 10, 0)
        )

    def test_new_case_needs_a_subject_and_small_files(self):
        clean = public_forms.clean_new_case
        self.assertEqual(
            clean({"subject": " Jam ", "description": " paper "}, [("a.pdf", 10)]),
            ({"subject": "Jam", "description": "paper"}, {}),
        )
        self.assertEqual(clean({"subject": ""}, [])[1], {"subject": "subject_required"})
        self.assertEqual(clean({"subject": "x" * 201}, [])[1], {"subject": "subject_long"})
        self.assertEqual(
            clean({"subject": "Jam", "description": "y" * 20001}, [])[1], {"description": "description_long"}
        )
        too_big = public_forms.MAX_FILE_BYTES + 1
        self.assertEqual(
            clean({"subject": "Jam"}, [("a.pdf", 10), ("b.pdf", too_big)])[1], {"attachments": "file_large"}
        )
        self.assertEqual(clean({"subject": "Jam"}, [("a.pdf", 0)])[1], {"attachments": "file_empty"})
        many = [(f"{n}.pdf", 10) for n in range(public_forms.MAX_FILES + 1)]
        self.assertEqual(clean({"subject": "Jam"}, many)[1], {"attachments": "files_many"})

    def test_preferred_channel_must_be_allowed(self):
        allowed = {"email": True, "sms": False, "phone": True, "post": False}
        self.assertIsNone(public_forms.preference_error(allowed, ""))
        self.assertIsNone(public_forms.preference_error(allowed, "phone"))
        self.assertEqual(public_forms.preference_error(allowed, "sms"), "channel_not_allowed")
        self.assertEqual(public_forms.preference_error(allowed, "pigeon"), "channel_unknown")

    def test_limits_are_positive_integers(self):
        self.assertEqual(public_forms.positive_int(" 7 ", 5), 7)
        for bad in (None, "", "many", "0", "-3", "2.5"):
            self.assertEqual(public_forms.positive_int(bad, 5), 5, bad)

    def test_attempts_are_counted_in_a_fixed_window(self):
        window, opened = timedelta(minutes=10), self.NOW - timedelta(minutes=9)
        count = public_forms.count_attempt
        self.assertEqual(count(opened, 4, 0, self.NOW, 5, window), (opened, 5, 0, True))
        self.assertEqual(count(opened, 5, 0, self.NOW, 5, window), (opened, 5, 1, False))
        self.assertEqual(count(opened, 5, 7, self.NOW, 5, window), (opened, 5, 8, False))
        over = self.NOW - window
        self.assertEqual(count(over, 5, 7, self.NOW, 5, window), (self.NOW, 1, 0, True), "a new window")


class TestStatusLookupLog(CrmServiceCommon):
    """The rate limit's rows: hashed addresses, the window, the vacuum, and who may touch them."""

    IP = "198.51.100.7"

    def setUp(self):
        super().setUp()
        self.Lookup = self.env[LOOKUP]
        self.env["ir.config_parameter"].set_param("crm_service.status_lookup_limit", "3")
        self.env["ir.config_parameter"].set_param("crm_service.status_lookup_window", "10")

    def _register(self, kind="status", ip=IP):
        return self.Lookup._crm_service_register(kind, ip)

    def test_address_is_kept_as_a_keyed_hash(self):
        client, _refused = self._register()
        self.assertNotIn(self.IP, client.ip_hash)
        self.assertEqual(len(client.ip_hash), 64)
        self.assertEqual(self._register()[0], client, "one row per client and page")
        self.assertNotEqual(self._register(ip="198.51.100.8")[0].ip_hash, client.ip_hash)

    def test_attempts_past_the_limit_are_refused_and_counted(self):
        self.assertEqual([self._register()[1] for _ in range(5)], [False, False, False, True, True])
        client = self._register()[0]
        self.assertRecordValues(client, [{"kind": "status", "attempt_count": 3, "refused_count": 3}])
        self.assertFalse(self._register("callback")[1], "each page counts apart")
        self.assertFalse(self._register(ip="198.51.100.8")[1], "each address counts apart")

    def test_success_is_the_last_attempt_let_through(self):
        client, _refused = self._register()
        client._crm_service_succeeded()
        self.assertTrue(client.success)
        self._register()
        self.assertFalse(client.success)

    def test_a_new_window_opens_once_the_last_one_is_over(self):
        for _ in range(4):
            client, _refused = self._register()
        client.window_start -= timedelta(minutes=11)
        self.assertFalse(self._register()[1])
        self.assertRecordValues(client, [{"attempt_count": 1, "refused_count": 0}])

    def test_unusable_configuration_falls_back_to_the_defaults(self):
        self.env["ir.config_parameter"].set_param("crm_service.status_lookup_limit", "lots")
        self.env["ir.config_parameter"].set_param("crm_service.status_lookup_window", "-1")
        self.assertEqual(
            self.Lookup._crm_service_limits(),
            (public_forms.DEFAULT_LIMIT, timedelta(minutes=public_forms.DEFAULT_WINDOW_MINUTES)),
        )
        self.assertEqual(self.Lookup._crm_service_retry_minutes(), public_forms.DEFAULT_WINDOW_MINUTES)

    def test_vacuum_forgets_clients_idle_for_a_week(self):
        idle, recent = self._register()[0], self._register(ip="198.51.100.8")[0]
        idle.date = fields.Datetime.now() - timedelta(days=8)
        recent.date = fields.Datetime.now() - timedelta(days=6)
        self.env.flush_all()
        self.assertEqual(self.Lookup._cron_vacuum(), 1)
        self.env.invalidate_all()
        self.assertFalse(idle.exists())
        self.assertTrue(recent.exists())

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule")
    def test_only_managers_read_the_rows_and_nobody_writes_them(self):
        client, _refused = self._register()
        public = self.env.ref("base.public_user")
        for user in (public, self.portal_user, self.employee, self.agent_a, self.agent_company_2):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call_kw(user, LOOKUP, "search_read", [("id", "=", client.id)], ["ip_hash"])
        for user in (self.manager, self.executive):
            with self.subTest(user=user.login):
                self.assertEqual(len(call_kw(user, LOOKUP, "search_read", [("id", "=", client.id)], ["kind"])), 1)
                with self.assertRaises(AccessError):
                    call_kw(user, LOOKUP, "write", [client.id], {"attempt_count": 0})
                with self.assertRaises(AccessError):
                    call_kw(user, LOOKUP, "create", [{"kind": "status", "ip_hash": "x"}])
                with self.assertRaises(AccessError):
                    call_kw(user, LOOKUP, "unlink", [client.id])
        self.assertEqual(client.attempt_count, 1)

    def test_rows_offer_no_public_method(self):
        self.assertFalse({item for item in public_methods(self.env, "crm_service") if item[0] == LOOKUP})


@tagged("post_install", "-at_install")
class TestStatusLookupConcurrency(BaseCase):
    """Two attempts of the same address at the same moment, in two real transactions
    (two cursors, two threads) retried on serialization failures as Odoo retries a
    request: the limit holds, and no attempt is lost."""

    HOLD_SECONDS = 1.0
    MAX_TRIES = 5

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.run_id = uuid4().hex[:8]  # committed rows: addresses of this run only
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.registry.cursor() as cr:
            Lookup = api.Environment(cr, SUPERUSER_ID, {})[LOOKUP]
            Lookup.search([("ip_hash", "in", [Lookup._crm_service_hash(ip) for ip in cls._ips()])]).unlink()

    @classmethod
    def _ips(cls):
        return [f"203.0.113.1-{cls.run_id}", f"203.0.113.2-{cls.run_id}"]

    @contextmanager
    def _env(self):
        """A transaction of its own, committed at the end; it is given its registry: looking
        it up by name would wait for the lock the test runner holds during post-install tests."""
        with self.registry.cursor() as cr:
            cr.transaction = Transaction(self.registry)
            yield api.Environment(cr, SUPERUSER_ID, {})

    def _race(self, ip):
        """A first attempt that keeps its transaction open a moment, and a second one that
        starts meanwhile, retried as Odoo retries a request: ``(first refused, second
        refused, tries of the second, errors)``."""
        registered, results, errors = threading.Event(), {}, []

        def first():
            try:
                with self._env() as env:
                    results["first"] = env[LOOKUP]._crm_service_register("status", ip)[1]
                    registered.set()
                    time.sleep(self.HOLD_SECONDS)  # the second attempt starts before this one commits
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
            finally:
                registered.set()

        def second():
            registered.wait(10)
            try:
                with self._env() as env:
                    for tries in range(1, self.MAX_TRIES + 1):
                        try:
                            results["second"] = env[LOOKUP]._crm_service_register("status", ip)[1]
                            results["tries"] = tries
                            break
                        except OperationalError as error:
                            if error.pgcode != errorcodes.SERIALIZATION_FAILURE or tries == self.MAX_TRIES:
                                raise
                            env.cr.rollback()
                            env.transaction.clear()
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        with mute_logger("odoo.sql_db"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        return results.get("first"), results.get("second"), results.get("tries"), errors

    def _client(self, ip):
        with self._env() as env:
            Lookup = env[LOOKUP]
            client = Lookup.search([("kind", "=", "status"), ("ip_hash", "=", Lookup._crm_service_hash(ip))])
            return client.attempt_count, client.refused_count

    def test_the_last_free_attempt_goes_to_one_of_two_at_once(self):
        ip = self._ips()[0]
        with self._env() as env:
            limit = env[LOOKUP]._crm_service_limits()[0]
            for _ in range(limit - 1):
                env[LOOKUP]._crm_service_register("status", ip)
        first, second, tries, errors = self._race(ip)
        self.assertEqual(errors, [])
        self.assertEqual((first, second), (False, True))
        self.assertEqual(tries, 2, "the second attempt failed once the first committed, and was retried")
        self.assertEqual(self._client(ip), (limit, 1))

    def test_two_first_attempts_at_once_both_count(self):
        ip = self._ips()[1]
        first, second, tries, errors = self._race(ip)
        self.assertEqual(errors, [])
        self.assertEqual((first, second, tries), (False, False, 2))
        self.assertEqual(self._client(ip), (2, 0))


class PortalHttpCase(CrmServiceCommon, HttpCase):
    """Two customer entities with a portal user each: Alice, a contact of the fixtures'
    customer (whose cases she sees), and Bob of a rival company with a case of his own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.is_company = True
        cls.alice = new_test_user(
            cls.env, login="service_portal_alice", groups="base.group_portal", company_id=cls.company.id
        )
        cls.alice.partner_id.parent_id = cls.customer
        cls.rival = cls.env["res.partner"].create({"name": "Rival Copiers Inc", "is_company": True})
        cls.bob = new_test_user(
            cls.env, login="service_portal_bob", groups="base.group_portal", company_id=cls.company.id
        )
        cls.bob.partner_id.parent_id = cls.rival
        cls.rival_case = cls.env["crm.service.case"].create(
            {"subject": "Rival toner leak", "partner_id": cls.rival.id, "company_id": cls.company.id}
        )

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def url_open(self, *args, **kwargs):
        response = super().url_open(*args, **kwargs)
        # what the request wrote is read anew
        self.env.invalidate_all()
        return response

    def _csrf(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return CSRF.search(response.text).group(1)

    def _get(self, url, status=200):
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, status, url)
        return response


@tagged("post_install", "-at_install")
class TestCasePortal(PortalHttpCase):
    """/my/cases, a case's page, its chatter and its rating, over HTTP."""

    @contextmanager
    def _queries(self):
        counter = {"before": self.cr.sql_log_count}
        yield counter
        counter["count"] = self.cr.sql_log_count - counter["before"]

    def test_home_shows_the_cases_with_their_count(self):
        self._login(self.alice)
        html = self._get("/my").text
        self.assertIn('href="/my/cases"', html)
        self.assertIn('href="/my/cases/new"', html)
        self.assertIn('href="/my/preferences"', html)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["case_count"]})
        self.assertEqual(counters, {"case_count": len(self.company_cases)})

    def test_list_shows_the_entity_cases_with_their_brief_status(self):
        self.case_a.action_solve()
        self._login(self.alice)
        html = self._get("/my/cases").text
        for case in self.company_cases:
            self.assertIn(f'href="/my/cases/{case.id}"', html)
        for case in self.company_2_cases | self.rival_case:
            self.assertNotIn(f'href="/my/cases/{case.id}"', html)
        self.assertIn('data-brief_status="received"', html)
        self.assertIn('data-brief_status="resolved"', html)
        self.assertIn("Resolved", html)

    def test_list_searches_filters_and_pages(self):
        self.case_a.action_solve()
        self._login(self.alice)
        html = self._get("/my/cases?search=service_agent_b").text
        self.assertIn(f'href="/my/cases/{self.case_b.id}"', html)
        self.assertNotIn(f'href="/my/cases/{self.case_a.id}"', html)
        html = self._get(f"/my/cases?search={self.case_sub.acceptance_number}").text
        self.assertEqual(html.count("o_crm_service_case_row"), 1)
        html = self._get("/my/cases?filterby=done").text
        self.assertIn(f'href="/my/cases/{self.case_a.id}"', html)
        self.assertNotIn(f'href="/my/cases/{self.case_b.id}"', html)
        self._get("/my/cases?filterby=nonsense&sortby=nonsense")
        self.env["crm.service.case"].create(
            [{"subject": f"Extra {n}", "partner_id": self.customer.id} for n in range(20)]
        )
        html = self._get("/my/cases/page/2").text
        total = len(self.company_cases) + 20
        self.assertEqual(html.count("o_crm_service_case_row"), total - 20, "20 cases a page")

    def test_list_reads_a_page_of_cases_in_a_constant_number_of_queries(self):
        case_type = self.env["crm.service.case.type"].create({"name": "Toner", "kind": "service"})
        self.rival_case.type_id = case_type
        self._login(self.bob)
        self._get("/my/cases")  # compiles the templates
        with self._queries() as one:
            self._get("/my/cases")
        self.env["crm.service.case"].create(
            [{"subject": f"Rival {n}", "partner_id": self.rival.id, "type_id": case_type.id} for n in range(19)]
        )
        self._get("/my/cases")
        with self._queries() as twenty:
            html = self._get("/my/cases").text
        self.assertEqual(html.count("o_crm_service_case_row"), 20)
        self.assertEqual(twenty["count"], one["count"])

    @mute_logger("odoo.http")
    def test_another_customers_case_answers_404(self):
        self._login(self.bob)
        self._get(f"/my/cases/{self.case_a.id}", 404)
        self._get(f"/my/cases/{self.case_company_2.id}", 404)
        self._get(f"/my/cases/{self.case_a.id}?access_token=wrong", 404)
        missing = self.env["crm.service.case"].search([], order="id desc", limit=1).id + 1000
        self._get(f"/my/cases/{missing}", 404)
        self._get(f"/my/cases/{self.rival_case.id}")
        self._login(self.alice)
        self._get(f"/my/cases/{self.rival_case.id}", 404)
        self._get(f"/my/cases/{self.case_a.id}")

    @mute_logger("odoo.http")
    def test_visitor_is_sent_to_login_or_comes_with_the_token(self):
        response = self._get(f"/my/cases/{self.case_a.id}", 303)
        self.assertIn("/web/login", response.headers["Location"])
        self._get(f"/my/cases/{self.case_a.id}?access_token=wrong", 404)
        token = self.case_a._portal_ensure_token()
        self.assertIn(self.case_a.subject, self._get(f"/my/cases/{self.case_a.id}?access_token={token}").text)

    def test_case_page_shows_what_the_customer_may_see_only(self):
        stage = self.env["crm.service.stage"].create(
            {"name": "Bench Diagnosis Zeta", "state": "in_progress", "brief_status": "in_progress", "sequence": 1}
        )
        team = self.env["crm.service.team"].create({"name": "Escalation Squad Omega", "member_ids": self.agent_a.ids})
        self.case_a.write({"stage_id": stage.id, "team_id": team.id, "description": "<p>Paper jams on tray 2</p>"})
        self.case_a.message_post(body="Internal remark: customer is difficult", subtype_xmlid="mail.mt_note")
        self.case_a.message_post(
            body="We are looking at your printer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self._login(self.alice)
        html = self._get(f"/my/cases/{self.case_a.id}").text
        for shown in (self.case_a.subject, self.case_a.acceptance_number, self.case_a.name, "Paper jams on tray 2"):
            self.assertIn(shown, html)
        self.assertIn('data-brief_status="in_progress"', html)
        for hidden in ("Bench Diagnosis Zeta", "Escalation Squad Omega", self.agent_a.name, "Internal remark"):
            self.assertNotIn(hidden, html)
        self.assertIn('class="d-print-none o_portal_chatter', html)

        token = self.case_a.access_token
        self.assertIn(f'data-token="{token}"', html)
        fetched = self.make_jsonrpc_request(
            "/mail/chatter_fetch", {"thread_model": "crm.service.case", "thread_id": self.case_a.id, "token": token}
        )
        bodies = " ".join(str(message["body"]) for message in fetched["data"]["mail.message"])
        self.assertIn("We are looking at your printer", bodies)
        self.assertNotIn("Internal remark", bodies)
        self.assertNotIn("Bench Diagnosis Zeta", bodies)

    def test_customer_replies_with_a_file_through_the_portal_chatter(self):
        self._login(self.alice)
        self._get(f"/my/cases/{self.case_a.id}")
        csrf = self._csrf("/my/cases/new")
        token = self.case_a.access_token
        response = self.url_open(
            "/mail/attachment/upload",
            data={
                "csrf_token": csrf,
                "thread_id": self.case_a.id,
                "thread_model": "crm.service.case",
                "is_pending": "true",
                "token": token,
            },
            files={"ufile": ("meter.txt", b"page count 12345", "text/plain")},
        )
        self.assertEqual(response.status_code, 200)
        uploaded = response.json()["data"]["ir.attachment"][0]
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "crm.service.case",
                "thread_id": self.case_a.id,
                "post_data": {
                    "body": "Here is the meter",
                    "attachment_ids": [uploaded["id"]],
                    "message_type": "comment",
                },
                "attachment_tokens": [uploaded["access_token"]],
                "token": token,
            },
        )
        message = self.case_a.message_ids.filtered(lambda m: m.author_id == self.alice.partner_id)
        self.assertEqual(len(message), 1)
        self.assertIn("Here is the meter", message.body)
        self.assertEqual(message.attachment_ids.mapped("name"), ["meter.txt"])
        self.assertEqual(
            (message.attachment_ids.res_model, message.attachment_ids.res_id), ("crm.service.case", self.case_a.id)
        )

    @mute_logger("odoo.http")
    def test_another_customer_cannot_post_on_the_case(self):
        self._login(self.bob)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {"thread_model": "crm.service.case", "thread_id": self.case_a.id, "post_data": {"body": "Hi"}},
            )
        self.assertFalse(self.case_a.message_ids.filtered(lambda m: m.author_id == self.bob.partner_id))

    def test_customer_rates_a_resolved_case(self):
        self._login(self.alice)
        self.assertNotIn("/rate/", self._get(f"/my/cases/{self.case_a.id}").text, "an open case is not rated")
        self.case_a.action_solve()
        html = self._get(f"/my/cases/{self.case_a.id}").text
        token = re.search(r'href="/rate/([^/"]+)/5"', html).group(1)
        page = self._get(f"/rate/{token}/5").text
        csrf = CSRF.search(page).group(1)
        response = self.url_open(
            f"/rate/{token}/submit_feedback", data={"csrf_token": csrf, "rate": "5", "feedback": "Quick and kind"}
        )
        self.assertEqual(response.status_code, 200)
        rating = self.env["rating.rating"].search(
            [("res_model", "=", "crm.service.case"), ("res_id", "=", self.case_a.id), ("consumed", "=", True)]
        )
        self.assertRecordValues(rating, [{"rating": 5.0, "feedback": "Quick and kind", "partner_id": self.customer.id}])
        html = self._get(f"/my/cases/{self.case_a.id}").text
        self.assertIn("o_crm_service_case_rated", html)
        self.assertIn("Satisfied", html)
        self.assertIn("Quick and kind", html)
        self.assertNotIn("/rate/", html)

    def test_another_customer_cannot_rate_the_case(self):
        self.case_a.action_solve()
        token = self.case_a.sudo()._rating_get_access_token()
        self._login(self.bob)
        self.assertNotIn('name="rate"', self._get(f"/rate/{token}/5").text)
        self.assertFalse(self.env["rating.rating"].search([("access_token", "=", token)]).consumed)


@tagged("post_install", "-at_install")
class TestNewCasePortal(PortalHttpCase):
    """/my/cases/new: the customer opens a case, with files."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Type = cls.env["crm.service.case.type"]
        cls.toner_type = Type.create({"name": "Toner Delivery", "kind": "service", "company_id": cls.company.id})
        cls.branch_type = Type.create({"name": "Branch Only Audit", "kind": "service", "company_id": cls.company_2.id})
        product = cls.env["product.product"].create({"name": "Laser Printer X9"})
        Asset = cls.env["crm.service.asset"]
        cls.asset = Asset.create({"product_id": product.id, "serial": "LPX9-001", "partner_id": cls.customer.id})
        cls.rival_asset = Asset.create({"product_id": product.id, "serial": "LPX9-666", "partner_id": cls.rival.id})

    def _post(self, values, files=None):
        csrf = self._csrf("/my/cases/new")
        return self.url_open(
            "/my/cases/new", data={"csrf_token": csrf, **values}, files=files, allow_redirects=False, timeout=60
        )

    def _alice_cases(self):
        return self.env["crm.service.case"].search([("partner_id", "=", self.alice.partner_id.id)])

    def test_form_offers_the_company_types_and_the_customer_assets(self):
        self._login(self.alice)
        html = self._get("/my/cases/new").text
        self.assertIn("Toner Delivery", html)
        self.assertIn("LPX9-001", html)
        self.assertNotIn("Branch Only Audit", html)
        self.assertNotIn("LPX9-666", html)

    def test_customer_opens_a_case_with_files(self):
        self._login(self.alice)
        response = self._post(
            {
                "subject": "Toner empty",
                "description": "The black toner is empty.\nPlease send two.",
                "type_id": self.toner_type.id,
                "asset_id": self.asset.id,
                "partner_id": self.rival.id,  # not a field of the form: ignored
                "channel": "phone",
            },
            files=[
                ("attachments", ("photo.jpg", b"\xff\xd8 jpeg bytes", "image/jpeg")),
                ("attachments", ("meter.txt", b"12345", "text/plain")),
            ],
        )
        self.assertEqual(response.status_code, 303)
        case = self._alice_cases()
        self.assertEqual(len(case), 1)
        self.assertIn(f"/my/cases/{case.id}?created=1", response.headers["Location"])
        self.assertRecordValues(
            case,
            [{"subject": "Toner empty", "channel": "portal", "type_id": self.toner_type.id, "asset_id": self.asset.id}],
        )
        self.assertIn("Please send two.", case.description)
        self.assertIn(self.alice.partner_id, case.message_partner_ids)
        message = case.message_ids.filtered("attachment_ids")
        self.assertEqual(message.author_id, self.alice.partner_id)
        self.assertEqual(sorted(message.attachment_ids.mapped("name")), ["meter.txt", "photo.jpg"])
        html = self._get(f"/my/cases/{case.id}?created=1").text
        self.assertIn(case.acceptance_number, html)

    def test_a_file_over_the_limit_is_refused_and_nothing_created(self):
        self._login(self.alice)
        big = b"x" * (public_forms.MAX_FILE_BYTES + 1)
        response = self._post({"subject": "Huge scan"}, files=[("attachments", ("scan.tif", big, "image/tiff"))])
        self.assertEqual(response.status_code, 400)
        self.assertIn("larger than 10 MB", response.text)
        self.assertIn('value="Huge scan"', response.text)
        self.assertFalse(self._alice_cases())

    def test_another_customers_asset_or_type_is_refused(self):
        self._login(self.alice)
        response = self._post({"subject": "Their printer", "asset_id": self.rival_asset.id})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Pick one of your installed products", response.text)
        response = self._post({"subject": "Their audit", "type_id": self.branch_type.id})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Pick one of the request types offered", response.text)
        response = self._post({"subject": "  "})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._alice_cases())

    @mute_logger("odoo.http")
    def test_form_needs_the_csrf_token(self):
        self._login(self.alice)
        response = self.url_open("/my/cases/new", data={"subject": "No token"}, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._alice_cases())


@tagged("post_install", "-at_install")
class TestPreferencesPortal(PortalHttpCase):
    """/my/preferences: the customer's own contact preferences."""

    def _post(self, values):
        csrf = self._csrf("/my/preferences")
        return self.url_open("/my/preferences", data={"csrf_token": csrf, **values}, allow_redirects=False)

    def test_customer_sets_the_channels_and_the_preferred_one(self):
        self._login(self.alice)
        html = self._get("/my/preferences").text
        self.assertIn('name="allow_email"', html)
        self.assertIn('href="/my/account"', html)
        response = self._post(
            {"allow_email": "1", "allow_phone": "1", "preferred_channel": "phone", "partner_id": self.bob.partner_id.id}
        )
        self.assertEqual(response.status_code, 303)
        self.assertRecordValues(
            self.alice.partner_id,
            [
                {
                    "crm_allow_email": True,
                    "crm_allow_sms": False,
                    "crm_allow_phone": True,
                    "crm_allow_post": False,
                    "crm_preferred_channel": "phone",
                }
            ],
        )
        self.assertRecordValues(self.bob.partner_id, [{"crm_allow_sms": True, "crm_preferred_channel": False}])
        self.assertRecordValues(self.customer, [{"crm_allow_sms": True}])
        self.assertIn("Your preferences are saved", self._get("/my/preferences?saved=1").text)

    def test_preferred_channel_must_be_allowed(self):
        self._login(self.alice)
        response = self._post({"allow_email": "1", "preferred_channel": "sms"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Your preferred channel must be one you allow", response.text)
        self.assertRecordValues(self.alice.partner_id, [{"crm_allow_sms": True, "crm_preferred_channel": False}])


@tagged("post_install", "-at_install")
class TestPublicStatus(PortalHttpCase):
    """/service/status: the brief status by acceptance number and phone, rate-limited."""

    def setUp(self):
        super().setUp()
        self.case_a.partner_phone = PHONE
        self.env["ir.config_parameter"].set_param("crm_service.status_lookup_limit", "3")

    def _lookup(self, number, phone):
        csrf = self._csrf("/service/status")
        return self.url_open("/service/status", data={"csrf_token": csrf, "number": number, "phone": phone})

    def _result(self, response):
        return STATUS_RESULT.search(response.text).group(0)

    def _client(self):
        """The row of the test's client (every request comes from the same address)."""
        return self.env[LOOKUP].search([("kind", "=", "status")])

    def test_right_number_and_phone_give_the_brief_status_and_the_day_received_only(self):
        response = self._lookup(self.case_a.acceptance_number, "13800138000")
        self.assertEqual(response.status_code, 200)
        result = self._result(response)
        self.assertIn('data-brief_status="received"', result)
        self.assertIn("Received on", result)
        for hidden in (self.case_a.subject, self.case_a.name, self.customer.name, self.agent_a.name):
            self.assertNotIn(hidden, response.text)
        self.assertRecordValues(self._client(), [{"attempt_count": 1, "success": True}])

    def test_wrong_number_and_wrong_phone_give_the_same_neutral_answer(self):
        other = self.case_b.acceptance_number
        wrong_number = self._lookup(other, PHONE)
        wrong_phone = self._lookup(self.case_a.acceptance_number, "+86 139 9999 0000")
        malformed = self._lookup("12-ab", PHONE)
        for response in (wrong_number, wrong_phone, malformed):
            self.assertEqual(response.status_code, 200)
            self.assertNotIn("data-brief_status", response.text)
        self.assertEqual(self._result(wrong_number), self._result(wrong_phone))
        self.assertEqual(self._result(wrong_number), self._result(malformed))
        self.assertIn("We found no request", self._result(wrong_number))
        self.assertRecordValues(self._client(), [{"attempt_count": 3, "success": False}])

    def test_lookups_past_the_limit_answer_429_whatever_the_numbers(self):
        self._lookup(self.case_b.acceptance_number, PHONE)
        self._lookup("1234567890", PHONE)
        self._lookup(self.case_a.acceptance_number, PHONE)
        response = self._lookup(self.case_a.acceptance_number, PHONE)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many attempts", response.text)
        self.assertEqual(response.headers["Retry-After"], "600")
        self.assertNotIn("data-brief_status", response.text)
        client = self._client()
        self.assertRecordValues(client, [{"attempt_count": 3, "refused_count": 1, "success": True}])
        self.assertNotIn("127.0.0.1", client.ip_hash)
        self.assertEqual(self._lookup(self.case_a.acceptance_number, PHONE).status_code, 429)
        self.assertEqual(client.refused_count, 2)
        # the call-back form counts its own attempts
        csrf = self._csrf("/service/callback")
        response = self.url_open("/service/callback", data={"csrf_token": csrf, "name": "Li Wei", "phone": PHONE})
        self.assertEqual(response.status_code, 200)

    def test_the_limit_lifts_once_the_window_has_passed(self):
        for _ in range(3):
            self._lookup("1234567890", PHONE)
        self.assertEqual(self._lookup(self.case_a.acceptance_number, PHONE).status_code, 429)
        self._client().window_start -= timedelta(minutes=11)
        self.assertEqual(self._lookup(self.case_a.acceptance_number, PHONE).status_code, 200)
        self.assertRecordValues(self._client(), [{"attempt_count": 1, "refused_count": 0, "success": True}])

    @mute_logger("odoo.http")
    def test_lookup_needs_the_csrf_token(self):
        self.url_open("/service/status")
        response = self.url_open("/service/status", data={"number": self.case_a.acceptance_number, "phone": PHONE})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._client())


@tagged("post_install", "-at_install")
class TestPublicCallback(PortalHttpCase):
    """/service/callback: a visitor's call-back request becomes a routed case with a call activity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "Asia/Shanghai"
        (cls.agent_a | cls.agent_b).tz = "Asia/Shanghai"
        cls.team = cls.env["crm.service.team"].create(
            {"name": "Call Centre", "leader_id": cls.agent_b.id, "member_ids": (cls.agent_a | cls.agent_b).ids}
        )

    @contextmanager
    def _routed_to(self, **values):
        """New cases routed as the routing rules would: to ``values`` (team, agent)."""

        def route(cases):
            cases.write(values)

        with patch.object(type(self.env["crm.service.case"]), "_crm_service_route", route):
            yield

    def _tomorrow_at_ten(self):
        """Tomorrow 10:00 in Shanghai: (form value, naive UTC, local day)."""
        zone = pytz.timezone("Asia/Shanghai")
        local = (datetime.now(zone) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        return local.strftime("%Y-%m-%dT%H:%M"), local.astimezone(pytz.utc).replace(tzinfo=None), local.date()

    def _request(self, **values):
        csrf = self._csrf("/service/callback")
        form = {"name": "Li Wei", "phone": "138 0013 8000", "preferred_time": "", "message": "", **values}
        return self.url_open("/service/callback", data={"csrf_token": csrf, **form})

    def _callback_cases(self):
        return self.env["crm.service.case"].search([("channel", "=", "web")])

    def test_visitor_request_becomes_a_case_with_a_call_for_the_agent(self):
        existing = self.env["res.partner"].create({"name": "Li Wei", "mobile": PHONE})
        namesake = self.env["res.partner"].create({"name": "Other Person", "phone": "0138 0013 8000"})
        value, when, day = self._tomorrow_at_ten()
        with self._routed_to(team_id=self.team.id, user_id=self.agent_a.id):
            response = self._request(preferred_time=value, message="My printer is broken")
        self.assertEqual(response.status_code, 200)
        case = self._callback_cases()
        self.assertEqual(len(case), 1)
        self.assertIn(f'id="crm_service_callback_number">{case.acceptance_number}<', response.text)
        self.assertRecordValues(
            case,
            [
                {
                    "subject": "Call-back request: Li Wei",
                    "partner_id": existing.id,
                    "partner_phone": "138 0013 8000",
                    "callback_date": when,
                    "company_id": self.company.id,
                    "user_id": self.agent_a.id,
                }
            ],
        )
        self.assertNotEqual(case.partner_id, namesake)
        self.assertIn("My printer is broken", case.description)
        activity = case.activity_ids
        self.assertRecordValues(
            activity,
            [
                {
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "user_id": self.agent_a.id,
                    "date_deadline": day,
                    "summary": "Call back Li Wei",
                }
            ],
        )
        self.assertIn("138 0013 8000", activity.note)
        self.assertRecordValues(self.env[LOOKUP].search([("kind", "=", "callback")]), [{"success": True}])

    def test_unassigned_case_gives_the_call_to_the_team_leader(self):
        with self._routed_to(team_id=self.team.id):
            self.assertEqual(self._request(name="New Caller", phone="021-5555-0101").status_code, 200)
        case = self._callback_cases()
        self.assertFalse(case.user_id)
        self.assertRecordValues(case.activity_ids, [{"user_id": self.agent_b.id}])
        self.assertEqual(case.activity_ids.date_deadline, datetime.now(pytz.timezone("Asia/Shanghai")).date())
        self.assertRecordValues(case.partner_id, [{"name": "New Caller", "phone": "021-5555-0101"}])
        self.assertFalse(case.callback_date)

    def test_case_nobody_has_waits_in_the_queue(self):
        self.assertEqual(self._request(name="Queue Caller").status_code, 200)
        case = self._callback_cases()
        self.assertEqual(len(case), 1)
        self.assertFalse(case.activity_ids)

    def test_bad_input_is_refused_clearly_and_creates_nothing(self):
        partners = self.env["res.partner"].search_count([])
        response = self._request(phone="12345")
        self.assertEqual(response.status_code, 400)
        self.assertIn("give at least 6 digits", response.text)
        self.assertIn('value="Li Wei"', response.text)
        past = (datetime.now(pytz.timezone("Asia/Shanghai")) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        response = self._request(preferred_time=past)
        self.assertEqual(response.status_code, 400)
        self.assertIn("The time you picked is past", response.text)
        self.assertEqual(self._request(name="").status_code, 400)
        self.assertFalse(self._callback_cases())
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_requests_past_the_limit_answer_429(self):
        self.env["ir.config_parameter"].set_param("crm_service.status_lookup_limit", "2")
        self.assertEqual(self._request(name="First").status_code, 200)
        self.assertEqual(self._request(phone="1").status_code, 400, "a refused request counts too")
        response = self._request(name="Third")
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many attempts", response.text)
        self.assertEqual(self._callback_cases().mapped("subject"), ["Call-back request: First"])

    @mute_logger("odoo.http")
    def test_request_needs_the_csrf_token(self):
        self.url_open("/service/callback")
        response = self.url_open("/service/callback", data={"name": "Li Wei", "phone": PHONE})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._callback_cases())
