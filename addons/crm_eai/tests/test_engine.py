import base64
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..lib import xmlsafe
from .engine_common import CrmEaiEngineCase, customer

# queries a page costs beyond Odoo's own create/write of the same records: see TestQueryCount
# (measured: 10 for 1 new record, 13 for 50; 29 for 1 changed record, and each further
# changed partner 4 more than in Odoo's own loop of writes, which finds the children of
# all of them at once)
PAGE_OVERHEAD = 30
PER_CHANGED_RECORD = 4


@tagged("post_install", "-at_install")
class TestPull(CrmEaiEngineCase):
    """Customers and credit limits from the MIS, as its administrator starts the sync."""

    def test_sync_pulls_every_page_and_moves_the_watermark(self):
        self.peer.entities = {"customer": self.customers_page(120)}
        self.sync()
        partners = self.partners()
        self.assertEqual(len(partners), 120)
        self.assertEqual(partners[0].name, "Customer 0")
        self.assertEqual(partners.with_company(self.backend.company_id)[0].credit_limit, 1000.0)
        self.assertEqual(partners[0].country_id, self.env.ref("base.cn"))
        pages = self.exchanges(kind="pull")
        self.assertEqual(len(pages), 3, "120 records in pages of 50")
        self.assertEqual(set(pages.mapped("state")), {"done"})
        self.assertEqual(len(set(pages.mapped("correlation_key"))), 1, "one sync, one correlation key")
        self.assertEqual(sum(pages.mapped("record_count")), 120)
        self.assertRecordValues(
            self.customers,
            [
                {
                    "sync_state": "idle",
                    "sync_done": 120,
                    "sync_total": 120,
                    "sync_progress": 100.0,
                    "watermark": self.start + timedelta(minutes=119),
                }
            ],
        )
        self.assertEqual(
            self.env["crm.eai.binding"].search_count(
                [("backend_id", "=", self.backend.id), ("model", "=", "res.partner")]
            ),
            120,
        )
        self.assertIn('"C0000"', pages[0].payload_text, "the page is kept, readable")
        self.assertLess(len(pages[0].payload), pages[0].payload_size, "and compressed")

    def test_next_sync_takes_only_the_changes(self):
        records = self.customers_page(10)
        self.peer.entities = {"customer": records}
        self.sync()
        later = self.start + timedelta(days=1)
        records[3] = customer("C0003", "Customer 3 renamed", later, credit_limit="5000")
        self.peer.entities = {"customer": [*records, customer("C0100", "Newcomer", later)]}
        self.sync()
        since = [params.get("since") for op, params in self.peer.calls if op == "ListRecords"][-1]
        self.assertEqual(since.replace(tzinfo=None), self.start + timedelta(minutes=9), "asked since the watermark")
        self.assertEqual(self.exchanges(kind="pull")[-1].record_count, 2)
        renamed = self.partners(["C0003"])
        self.assertEqual(renamed.name, "Customer 3 renamed")
        self.assertEqual(renamed.with_company(self.backend.company_id).credit_limit, 5000.0)
        self.assertEqual(len(self.partners()), 11)

    def test_a_page_delivered_twice_changes_the_data_once(self):
        records = self.customers_page(5)
        self.peer.entities = {"customer": records}
        self.sync()
        partner = self.partners(["C0002"])
        written = partner.write_date
        messages = len(partner.message_ids)
        self.env.flush_all()
        errors = self.customers.sudo()._crm_eai_import(records)
        self.assertEqual(errors, {})
        self.assertEqual(len(self.partners()), 5)
        self.assertEqual(partner.write_date, written, "nothing written again")
        self.assertEqual(len(partner.message_ids), messages)

    def test_odoo_is_the_source_of_truth_for_contact_details(self):
        self.peer.entities = {"customer": [customer("C0001", "Alpha", self.start, email="old@mis.example.com")]}
        self.sync()
        partner = self.partners(["C0001"])
        self.assertEqual(partner.email, "old@mis.example.com", "an empty field is filled from the system")
        partner.email = "sales@alpha.example.com"
        later = self.start + timedelta(hours=1)
        self.peer.entities = {"customer": [customer("C0001", "Alpha Ltd", later, email="new@mis.example.com")]}
        self.sync()
        self.assertEqual(partner.email, "sales@alpha.example.com", "Odoo's value kept")
        self.assertEqual(partner.name, "Alpha Ltd", "the system's value taken where the system is the source")

    def test_existing_customer_is_matched_on_its_code(self):
        existing = self.env["res.partner"].create({"name": "Alpha (typed by hand)", "ref": "C0001"})
        self.peer.entities = {"customer": [customer("C0001", "Alpha", self.start)]}
        self.sync()
        self.assertEqual(self.partners(["C0001"]), existing)
        self.assertEqual(existing.name, "Alpha")

    def test_full_resync_reads_everything_and_doubles_nothing(self):
        self.peer.entities = {"customer": self.customers_page(60)}
        self.sync()
        self.peer.calls.clear()
        self.sync(full=True)
        self.assertFalse([params for op, params in self.peer.calls if op == "ListRecords" and params.get("since")])
        self.assertEqual(len(self.partners()), 60)
        self.assertEqual(self.customers.sync_done, 60)

    def test_refused_records_fail_the_page_while_the_others_come_in(self):
        records = self.customers_page(4)
        records[1] = customer("C0001", "Bad limit", self.start, credit_limit="a lot")
        records[2] = customer("C0002", "Unknown country", self.start, country="XX")
        self.peer.entities = {"customer": records}
        self.sync()
        self.assertEqual(self.partners().mapped("ref"), ["C0000", "C0003"])
        page = self.exchanges(kind="pull")
        self.assertRecordValues(page, [{"state": "failed", "rejected_count": 2, "error_kind": "data", "attempts": 1}])
        self.assertIn("C0001: credit_limit: 'a lot' is not a number", page.error)
        self.assertIn("C0002", page.error)
        # the system corrects one record: the retry takes the stored page in again
        self.make_due(page)
        self.retry_due()
        self.assertEqual(page.attempts, 2)
        self.assertEqual(len(self.partners()), 2, "the good ones are not doubled")

    def test_products_and_attributes_from_pdm(self):
        pdm = (
            self.env["crm.eai.backend"]
            .with_user(self.administrator)
            .create({"name": "PDM", "kind": "pdm", "wsdl_url": self.peer.wsdl_url, "timeout": 2})
        )
        pdm.with_user(self.administrator).action_create_standard_flows()
        product = {
            "key": "P-100",
            "modified": self.start,
            "fields": {
                "code": "P-100",
                "name": "Pump",
                "price": "99.5",
                "attribute": ["Colour: Red, Blue", "Voltage: 220V"],
            },
        }
        self.peer.entities = {"product": [product]}
        self.sync(pdm.mapping_ids)
        template = self.env["product.template"].search([("default_code", "=", "P-100")])
        self.assertEqual(template.name, "Pump")
        self.assertEqual(template.list_price, 99.5)
        lines = {line.attribute_id.name: sorted(line.value_ids.mapped("name")) for line in template.attribute_line_ids}
        self.assertEqual(lines, {"Colour": ["Blue", "Red"], "Voltage": ["220V"]})
        product = {
            **product,
            "modified": self.start + timedelta(hours=1),
            "fields": {**product["fields"], "attribute": ["Colour: Red, Green", "Voltage: 220V"]},
        }
        self.peer.entities = {"product": [product]}
        self.sync(pdm.mapping_ids)
        colour = template.attribute_line_ids.filtered(lambda line: line.attribute_id.name == "Colour")
        self.assertEqual(sorted(colour.value_ids.mapped("name")), ["Green", "Red"])
        self.assertEqual(self.env["product.template"].search_count([("default_code", "=", "P-100")]), 1)


@tagged("post_install", "-at_install")
class TestFaults(CrmEaiEngineCase):
    """Every fault of the peer leaves the message failed, to be retried, and nothing lost."""

    def test_each_fault_is_retried_until_the_page_is_in(self):
        for kind, error_kind in (
            ("timeout", "timeout"),
            ("http500", "http_500"),
            ("soap_fault_server", "soap_fault"),
            ("malformed", "malformed"),
            ("drop", "connection"),
        ):
            with self.subTest(fault=kind):
                self.env["res.partner"].search([("ref", "like", "C%")]).unlink()
                self.env["crm.eai.binding"].search([]).unlink()
                self.peer.entities = {"customer": self.customers_page(3)}
                self.peer.inject(kind, "ListRecords")
                self.sync(full=True)
                page = self.exchanges(kind="pull")[-1]
                self.assertEqual(page.state, "failed")
                self.assertEqual(page.attempts, 1)
                self.assertTrue(page.error)
                self.assertEqual(page.error_kind, error_kind)
                self.assertGreater(page.next_retry, fields.Datetime.now() + timedelta(seconds=59))
                self.assertEqual(self.customers.sync_state, "running")
                self.assertFalse(self.partners())
                self.make_due(page)
                self.retry_due()
                self.assertEqual(page.state, "done")
                self.assertEqual(len(self.partners()), 3)
                self.assertEqual(self.customers.sync_state, "idle")

    def test_an_answer_with_an_external_entity_is_given_up_at_once(self):
        self.peer.entities = {"customer": self.customers_page(2)}
        self.peer.inject("xxe", "ListRecords")
        self.sync()
        page = self.exchanges(kind="pull")
        self.assertRecordValues(page, [{"state": "dead", "attempts": 1, "error_kind": "unsafe"}])
        self.assertNotIn("root:", page.error, "no local file leaks into the log")
        self.assertFalse(self.partners())
        self.assertTrue(self.backend.activity_ids, "the responsible is alerted")

    def test_connection_dropped_mid_sync(self):
        """The second of three pages is cut off: the first stays in, the sync resumes at
        the second page, and every customer is there once."""
        self.peer.entities = {"customer": self.customers_page(120)}
        with trap_jobs() as trap:
            self.customers.with_user(self.administrator).action_sync()
            self.run_jobs(trap, limit=1)  # page 1
            self.peer.inject("drop", "ListRecords")
            self.run_jobs(trap)  # page 2 fails
        pages = self.exchanges(kind="pull")
        self.assertEqual(pages.mapped("state"), ["done", "failed"])
        self.assertEqual(len(self.partners()), 50)
        self.make_due(pages[1])
        self.retry_due()
        pages = self.exchanges(kind="pull")
        self.assertEqual(pages.mapped("state"), ["done", "done", "done"])
        self.assertEqual(len(self.partners()), 120)
        self.assertEqual(len(set(self.partners().mapped("ref"))), 120)

    def test_old_done_messages_are_forgotten_the_others_kept(self):
        self.peer.entities = {"customer": self.customers_page(2)}
        self.peer.inject("http500", "ListRecords")
        self.sync()
        failed = self.exchanges(kind="pull")
        self.sync(full=True)
        done = self.exchanges(kind="pull", state="done")
        old = fields.Datetime.now() - timedelta(days=91)
        (failed | done).sudo().write({"date_done": old})
        self.assertEqual(self.env["crm.eai.exchange"]._cron_vacuum(), 1)
        self.assertFalse(done.exists())
        self.assertTrue(failed.exists(), "a message not done stays, whatever its age")

    def test_slow_answer_within_the_timeout_is_taken(self):
        self.peer.entities = {"customer": self.customers_page(2)}
        self.peer.inject("slow", "ListRecords", delay=0.5)
        self.sync()
        self.assertEqual(self.exchanges(kind="pull").state, "done")

    def test_given_up_after_the_attempts_alerts_and_an_operator_retries(self):
        self.peer.entities = {"customer": self.customers_page(2)}
        self.peer.inject("http500", "ListRecords", times=3)
        self.sync()
        page = self.exchanges(kind="pull")
        for _attempt in range(2):
            self.make_due(page)
            self.retry_due()
        self.assertRecordValues(page, [{"state": "dead", "attempts": 3, "next_retry": False}])
        self.assertEqual(self.customers.sync_state, "failed")
        activity = self.backend.activity_ids
        self.assertEqual(activity.user_id, self.administrator)
        self.assertIn(page.name, activity.note)
        self.assertIn(page.name, self.backend.message_ids[0].body)
        self.assertEqual(self.env["crm.eai.exchange"]._cron_retry(), 0, "a dead message is not retried by itself")
        with trap_jobs() as trap:
            page.with_user(self.operator).action_retry()
            self.assertEqual(page.state, "pending")
            self.run_jobs(trap)
        self.assertEqual(page.state, "done")
        self.assertEqual(len(self.partners()), 2)

    def test_a_lost_job_is_queued_again_by_the_watchdog(self):
        self.peer.entities = {"customer": self.customers_page(2)}
        with trap_jobs() as trap:
            self.customers.with_user(self.administrator).action_sync()
            trap.enqueued_jobs.clear()  # the worker died before it ran the job
        page = self.exchanges(kind="pull")
        self.assertEqual(page.state, "pending")
        self.assertEqual(self.env["crm.eai.exchange"]._cron_retry(), 0, "not before the watchdog delay")
        self.make_due(page)
        self.retry_due()
        self.assertEqual(page.state, "done")


@tagged("post_install", "-at_install")
class TestPush(CrmEaiEngineCase):
    """Confirmed orders to the MIS."""

    def _order(self):
        partner = self.env["res.partner"].create({"name": "Buyer", "ref": "C9000"})
        product = self.env["product.product"].create({"name": "Service hour", "list_price": 80.0})
        return (
            self.env["sale.order"]
            .with_user(self.administrator)
            .create(
                {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 2})]}
            )
        )

    def test_confirmed_order_is_sent_once(self):
        order = self._order()
        with trap_jobs() as trap:
            order.action_confirm()
            message = self.exchanges(kind="push")
            self.assertRecordValues(message, [{"state": "pending", "entity": "order", "record_count": 1}])
            self.run_jobs(trap)
        self.assertEqual(message.state, "done")
        self.assertTrue(message.receipt)
        sent = self.peer.received["order"]
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["fields"]["number"], order.name)
        self.assertEqual(sent[0]["fields"]["customer"], "C9000")
        self.assertEqual(float(sent[0]["fields"]["amount"]), order.amount_total)
        # the job runs again (queue_job requeued it): the message is done, nothing is sent
        self.assertEqual(message._crm_eai_run(), "taken by another worker or already done")
        self.assertEqual(self.peer.push_calls, 1)

    def test_sent_but_not_recorded_is_not_doubled_by_the_system(self):
        order = self._order()
        with trap_jobs() as trap:
            order.action_confirm()
            self.run_jobs(trap)
        message = self.exchanges(kind="push")
        # the worker was killed after the call, before its commit: the message is pending again
        message.sudo().write({"state": "pending", "receipt": False})
        message._crm_eai_run()
        self.assertEqual(self.peer.push_calls, 2)
        self.assertEqual(len(self.peer.received["order"]), 1, "the idempotency key made the second push count once")

    def test_unconfirmed_quotation_is_not_sent(self):
        with trap_jobs() as trap:
            self._order()
            self.assertFalse(trap.enqueued_jobs)
        self.assertFalse(self.exchanges(kind="push"))

    def test_scheduled_push_sends_what_changed_since_the_watermark(self):
        order = self._order()
        with trap_jobs():
            order.action_confirm()
        self.exchanges(kind="push").sudo().unlink()  # as if the confirmation had not queued it
        with trap_jobs() as trap:
            self.orders.with_user(self.administrator).action_sync()
            self.run_jobs(trap)
        self.assertEqual(len(self.peer.received["order"]), 1)
        self.assertTrue(self.orders.watermark)
        with trap_jobs() as trap:
            self.orders.with_user(self.administrator).action_sync()
            self.assertFalse(trap.enqueued_jobs, "nothing changed since")

    def test_failed_push_is_retried_with_the_same_key(self):
        order = self._order()
        self.peer.inject("timeout", "PushRecords")
        with trap_jobs() as trap:
            order.action_confirm()
            self.run_jobs(trap)
        message = self.exchanges(kind="push")
        self.assertEqual(message.state, "failed")
        key = message.idempotency_key
        self.make_due(message)
        self.retry_due()
        self.assertEqual(message.state, "done")
        self.assertEqual(message.idempotency_key, key)
        self.assertEqual(len(self.peer.received["order"]), 1)


@tagged("post_install", "-at_install")
class TestConnection(CrmEaiEngineCase):
    """How an administrator connects a system, and what the test button says."""

    def test_test_connection_names_the_version(self):
        action = self.backend.with_user(self.operator).action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn(self.peer.version, action["params"]["message"])

    def test_test_connection_says_what_failed(self):
        self.peer.inject("http500", "Ping")
        with self.assertRaisesRegex(UserError, "Group MIS did not answer: .*500"):
            self.backend.with_user(self.operator).action_test_connection()
        self.peer.require = ("basic", "odoo", "s3cret-pass")
        self.addCleanup(setattr, self.peer, "require", None)
        self.backend.with_user(self.administrator).write(
            {"auth": "basic", "username": "odoo", "password": "wrong-pass"}
        )
        with self.assertRaises(UserError) as caught:
            self.backend.with_user(self.operator).action_test_connection()
        self.assertNotIn("wrong-pass", str(caught.exception))
        self.backend.with_user(self.administrator).password = "s3cret-pass"
        self.assertEqual(self.backend.with_user(self.operator).action_test_connection()["params"]["type"], "success")

    def test_uploaded_wsdl_with_an_endpoint_override(self):
        wsdl = (Path(xmlsafe.SCHEMA_PATH).with_name("crm_exchange.wsdl")).read_bytes()
        self.backend.with_user(self.administrator).write(
            {
                "wsdl_url": False,
                "wsdl_file": base64.b64encode(wsdl),
                "wsdl_filename": "mis.wsdl",
                "endpoint": self.peer.url,
            }
        )
        self.peer.entities = {"customer": self.customers_page(3)}
        self.sync()
        self.assertEqual(len(self.partners()), 3, "the WSDL's own address (localhost) is overridden")

    def test_each_system_has_its_own_job_channel(self):
        other = self.env["crm.eai.backend"].with_user(self.administrator).create({"name": "Other", "kind": "pdm"})
        self.assertNotEqual(other.channel_id, self.backend.channel_id)
        self.assertEqual(self.backend.channel_id.complete_name, f"root.crm_eai.backend_{self.backend.id}")
        self.peer.entities = {"customer": self.customers_page(1)}
        with trap_jobs() as trap:
            self.customers.with_user(self.administrator).action_sync()
            trap.assert_jobs_count(1)
            self.assertEqual(trap.enqueued_jobs[0].channel, self.backend.channel_id.complete_name)
            # a sync queues its next page only when a page is done: one job per sync at a time
            self.customers.with_user(self.administrator).action_sync()
            trap.assert_jobs_count(1)

    def test_system_without_wsdl_is_explained(self):
        self.backend.with_user(self.administrator).wsdl_url = False
        with self.assertRaisesRegex(UserError, "has no WSDL"):
            self.backend.with_user(self.operator).action_test_connection()


@tagged("post_install", "-at_install", "crm_eai_perf")
class TestQueryCount(CrmEaiEngineCase):
    """What a page costs beyond what Odoo itself spends creating or writing the same
    partners (tracking on): a constant for new records, for 1 as for 50."""

    def _import(self, records):
        mapping = self.customers.sudo().with_company(self.backend.company_id)
        return mapping._crm_eai_import(records)

    def _queries(self, function):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        function()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _vals(self, records):
        country = self.env.ref("base.cn").id
        return [
            {"ref": r["key"], "name": r["fields"]["name"], "credit_limit": 1000.0, "country_id": country}
            for r in records
        ]

    def test_new_records(self):
        Partner = self.env["res.partner"].sudo().with_company(self.backend.company_id)
        self._import(self.customers_page(1, prefix="W"))  # warm the caches
        for count, prefix in ((1, "A"), (50, "B")):
            with self.subTest(count=count):
                twins, records = (
                    self.customers_page(count, prefix=f"O{prefix}"),
                    self.customers_page(count, prefix=prefix),
                )
                odoo = self._queries(lambda twins=twins: Partner.create(self._vals(twins)))
                ours = self._queries(lambda records=records: self.assertEqual(self._import(records), {}))
                self.assertLessEqual(
                    ours - odoo, PAGE_OVERHEAD, f"{ours} queries for {count} new records, Odoo's create {odoo}"
                )

    def test_changed_records(self):
        for count, prefix in ((1, "A"), (50, "B")):
            with self.subTest(count=count):
                records, twins = (
                    self.customers_page(count, prefix=prefix),
                    self.customers_page(count, prefix=f"O{prefix}"),
                )
                self._import(records + twins)  # both sets in the same state
                partners = self.partners([r["key"] for r in twins])
                renamed = [
                    customer(r["key"], f"{r['fields']['name']} (renamed)", r["modified"] + timedelta(days=1))
                    for r in records
                ]

                def write_like_odoo(partners=partners):
                    for partner in partners:
                        partner.write({"name": f"{partner.name} (renamed)"})

                odoo = self._queries(write_like_odoo)
                ours = self._queries(lambda renamed=renamed: self.assertEqual(self._import(renamed), {}))
                self.assertLessEqual(
                    ours - odoo,
                    PAGE_OVERHEAD + PER_CHANGED_RECORD * count,
                    f"{ours} queries for {count} changed records, Odoo's write {odoo}",
                )
