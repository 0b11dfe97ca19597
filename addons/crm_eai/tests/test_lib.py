import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit
from uuid import uuid4

from lxml import etree
from zeep import Transport

from odoo.tests import BaseCase
from odoo.tests.common import _super_send

from ..lib import backoff, converters, records, soap, xmlsafe
from .peer import Peer, sample_records

SECRET = "TOP-SECRET-4f1c"
PASSWORD = "s3cr3t-Pa55"


def _entity_bomb(levels=9):
    """The "billion laughs": each entity ten of the one before, 10**9 "lol" in the end."""
    declarations = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels + 1):
        references = f"&lol{level - 1};" * 10
        declarations.append(f'<!ENTITY lol{level} "{references}">')
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(declarations)}]><lolz a="&lol{levels};">&lol{levels};</lolz>'
    ).encode()


def _secret_file(case):
    folder = tempfile.TemporaryDirectory()
    case.addCleanup(folder.cleanup)
    path = Path(folder.name) / "secret.txt"
    path.write_text(SECRET)
    return path


class CountingTransport(Transport):
    """zeep's transport, noting the address of each POST."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.posts = []

    def post(self, address, message, headers):
        self.posts.append(address)
        return super().post(address, message, headers)


class TestXmlSafe(BaseCase):
    """What other systems send is parsed without trusting it."""

    def assertUnsafe(self, data, **kwargs):
        with self.assertRaises(xmlsafe.UnsafeXmlError) as caught:
            xmlsafe.parse(data, **kwargs)
        self.assertNotIn(SECRET, str(caught.exception))
        return caught.exception

    def test_external_entity_to_a_local_file(self):
        uri = _secret_file(self).as_uri()
        for data in (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{uri}">]><r>&x;</r>',
            f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{uri}"> %p;]><r/>',
            f'<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "{uri}">]><r>&x;</r>',
        ):
            with self.subTest(data=data):
                encoding = "utf-16" if "utf-16" in data else "utf-8"
                error = self.assertUnsafe(data.encode(encoding))
                self.assertIn("DOCTYPE", str(error))

    def test_entity_bomb(self):
        self.assertUnsafe(_entity_bomb())

    def test_external_dtd_is_not_fetched(self):
        with Peer() as peer:
            self.assertUnsafe(f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{peer.wsdl_url}"><r/>'.encode())
            self.assertUnsafe(f'<!DOCTYPE r [<!ENTITY x SYSTEM "{peer.wsdl_url}">]><r>&x;</r>'.encode())
            self.assertEqual(peer.wsdl_requests, 0, "nothing is loaded from the network")

    def test_oversize(self):
        error = self.assertUnsafe(b"<r>" + b"<a/>" * 100 + b"</r>", max_bytes=100)
        self.assertEqual(str(error), "The XML document is 407 bytes long, more than the 100 bytes accepted.")
        self.assertEqual(xmlsafe.parse(b"<r/>", max_bytes=4).tag, "r")

    def test_not_well_formed(self):
        for data in (b"", b"not xml", b"<r>\n<a></r>", b"<r>&undeclared;</r>"):
            with self.subTest(data=data), self.assertRaises(xmlsafe.InvalidXmlError) as caught:
                xmlsafe.parse(data)
            self.assertIn("not well-formed XML", str(caught.exception))
        self.assertEqual(caught.exception.line, 1)
        with self.assertRaises(TypeError):
            xmlsafe.parse("<r/>")

    def test_comments_and_processing_instructions_dropped(self):
        root = xmlsafe.parse(b"<?xml version='1.0'?><!-- a --><r><!-- b --><?pi x?><a>1</a></r>")
        self.assertEqual(etree.tostring(root), b"<r><a>1</a></r>")

    def test_schema_error_names_its_line(self):
        self.assertIs(xmlsafe.schema(), xmlsafe.schema(), "one schema per thread")
        root = xmlsafe.parse(
            b'<batch xmlns="urn:crm-suite:eai:exchange:1" entity="partner" created="2025-01-01T00:00:00Z">\n'
            b"  <record><key>C-1</key></record>\n"
            b"  <record><key></key></record>\n"
            b"</batch>"
        )
        with self.assertRaises(xmlsafe.InvalidXmlError) as caught:
            xmlsafe.validate(root)
        self.assertEqual(caught.exception.line, 3)
        self.assertRegex(str(caught.exception), r"^The XML does not follow the exchange schema \(line 3: .*key.*\)\.$")

    def test_zeep_settings(self):
        settings = xmlsafe.zeep_settings()
        self.assertTrue(
            settings.strict and settings.forbid_dtd and settings.forbid_entities and settings.forbid_external
        )
        self.assertFalse(settings.xml_huge_tree)


class TestRecords(BaseCase):
    """The contract's records to and from plain Python, for SOAP and for batch files."""

    records = [
        {
            "key": "C-1",
            "modified": datetime(2025, 3, 1, 8, 30, 15, 250000),
            "fields": {"name": "Société Générale 上海", "tag": ["a", "b", ""], "note": ""},
        },
        {"key": "C-2", "modified": None, "fields": {}},
        {"key": "C-3", "modified": datetime(2025, 3, 1, 9, 0), "fields": {"x": "<&>\"'"}},
    ]

    def test_batch_round_trip(self):
        created = datetime(2025, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=8)))
        data = records.batch_xml("partner", self.records, created)
        self.assertTrue(data.startswith(b"<?xml version='1.0' encoding='utf-8'?>"))
        self.assertIn(b'created="2025-03-02T02:00:00+00:00"', data)
        entity, read_created, read = records.parse_batch(data)
        self.assertEqual(entity, "partner")
        self.assertEqual(read_created, datetime(2025, 3, 2, 2, 0), "naive UTC")
        self.assertEqual(read, self.records)

    def test_batch_of_aware_times(self):
        record = {"key": "K", "modified": datetime(2025, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))}
        _entity, _created, read = records.parse_batch(records.batch_xml("lead", [record], datetime(2025, 3, 1)))
        self.assertEqual(read, [{"key": "K", "modified": datetime(2025, 3, 1, 8, 0), "fields": {}}])

    def test_batch_xml_refuses_what_the_schema_refuses(self):
        for entity, record in (
            ("partner", {"key": ""}),
            ("partner", {"key": "K" * 129}),
            ("partner", {"key": "K", "fields": {"bad name": "x"}}),
            ("no spaces", {"key": "K"}),
        ):
            with self.subTest(entity=entity, record=record), self.assertRaises(xmlsafe.InvalidXmlError):
                records.batch_xml(entity, [record], datetime(2025, 1, 1))
        with self.assertRaisesRegex(TypeError, "Field 'n' of record 'K' must be text, not int"):
            records.batch_xml("partner", [{"key": "K", "fields": {"n": 1}}], datetime(2025, 1, 1))

    def test_parse_batch_refuses_other_documents(self):
        with self.assertRaisesRegex(xmlsafe.InvalidXmlError, "'PingResponse' element, not a batch"):
            records.parse_batch(
                b'<PingResponse xmlns="urn:crm-suite:eai:exchange:1"><version>1</version></PingResponse>'
            )
        with self.assertRaises(xmlsafe.InvalidXmlError):
            records.parse_batch(b'<batch xmlns="urn:crm-suite:eai:exchange:1" entity="partner"/>')
        with self.assertRaises(xmlsafe.UnsafeXmlError):
            records.parse_batch(_entity_bomb())

    def test_from_zeep(self):
        record = {
            "key": "K",
            "modified": datetime(2025, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=-5))),
            "field": [{"_value_1": "1", "name": "a"}, {"_value_1": None, "name": "b"}, {"_value_1": "2", "name": "a"}],
        }
        expected = {"key": "K", "modified": datetime(2025, 1, 1, 17, 0), "fields": {"a": ["1", "2"], "b": ""}}
        self.assertEqual(records.from_zeep(None), [])
        self.assertEqual(records.from_zeep(record), [expected])
        self.assertEqual(
            records.from_zeep({"record": [record, {"key": "L"}]})[1], {"key": "L", "modified": None, "fields": {}}
        )
        self.assertEqual(records.from_zeep({"records": {"record": [record]}, "cursor": None, "total": 1}), [expected])

    def test_to_zeep_records(self):
        self.assertEqual(
            records.to_zeep_records(self.records[:2]),
            {
                "record": [
                    {
                        "key": "C-1",
                        "modified": datetime(2025, 3, 1, 8, 30, 15, 250000, tzinfo=timezone.utc),
                        "field": [
                            {"name": "name", "_value_1": "Société Générale 上海"},
                            {"name": "tag", "_value_1": "a"},
                            {"name": "tag", "_value_1": "b"},
                            {"name": "tag", "_value_1": ""},
                            {"name": "note", "_value_1": ""},
                        ],
                    },
                    {"key": "C-2", "modified": None, "field": []},
                ]
            },
        )


class TestSoapClient(BaseCase):
    """The SOAP adapter against a real service on loopback: the contract, credentials, faults."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Let requests to the peer keep their timeout (Odoo's tests raise any below 10 s)."""
        if urlsplit(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        self.peer = Peer().start()
        self.addCleanup(self.peer.stop)
        self.peer.entities = {"partner": sample_records(250), "product": []}

    def endpoint(self, **values):
        values = {"wsdl": self.peer.wsdl_url, "timeout": 5.0, "cache_key": f"test-{uuid4().hex}", **values}
        self.addCleanup(soap.forget, values["cache_key"])
        return soap.Endpoint(**values)

    def client(self, **values):
        return soap.client(self.endpoint(**values))

    def assertFails(self, error_class, kind, call, *args, **kwargs):
        with self.assertRaises(soap.SoapError) as caught:
            call(*args, **kwargs)
        self.assertIs(type(caught.exception), error_class, str(caught.exception))
        self.assertEqual(caught.exception.kind, kind, str(caught.exception))
        return caught.exception

    def test_ping(self):
        self.assertEqual(self.client().ping(), "1.0")
        self.assertEqual(self.peer.calls, [("Ping", {})])

    def test_list_records_in_pages(self):
        client = self.client()
        pages, cursor = [], None
        while True:
            answer = client.call("ListRecords", entity="partner", cursor=cursor, limit=100)
            self.assertEqual(answer["total"], 250)
            pages.append(records.from_zeep(answer))
            cursor = answer["cursor"]
            if not cursor:
                break
        self.assertEqual([len(page) for page in pages], [100, 100, 50])
        self.assertEqual([record["key"] for page in pages for record in page], [r["key"] for r in sample_records(250)])
        self.assertEqual(pages[0][0], sample_records(1)[0])
        cursors = [params.get("cursor") for _operation, params in self.peer.calls]
        self.assertIsNone(cursors[0])
        self.assertEqual(len(set(cursors)), 3, "a new cursor for each page")

    def test_list_records_since(self):
        since = sample_records(240)[-1]["modified"].replace(tzinfo=timezone.utc)
        answer = self.client().call("ListRecords", entity="partner", since=since)
        self.assertEqual(answer["total"], 10)
        self.assertIsNone(answer["cursor"])
        self.assertEqual(records.from_zeep(answer)[0]["key"], "R000241")
        self.assertEqual(
            self.client().call("ListRecords", entity="product"), {"records": None, "cursor": None, "total": 0}
        )

    def test_get_record(self):
        client = self.client()
        answer = client.call("GetRecord", entity="partner", key="R000007")
        self.assertEqual(records.from_zeep(answer), [sample_records(7)[-1]])
        self.assertEqual(client.call("GetRecord", entity="partner", key="nope"), {"record": None})
        self.assertFails(soap.PermanentError, "soap_fault", client.call, "GetRecord", entity="nothing", key="K")

    def test_push_records_once_per_idempotency_key(self):
        client = self.client()
        pushed = sample_records(3)
        first = client.call(
            "PushRecords", entity="partner", idempotencyKey="push-1", records=records.to_zeep_records(pushed)
        )
        again = client.call(
            "PushRecords", entity="partner", idempotencyKey="push-1", records=records.to_zeep_records(pushed)
        )
        self.assertEqual(first, again)
        self.assertEqual(first["accepted"], 3)
        self.assertEqual(self.peer.received, {"partner": pushed}, "stored once")
        self.assertEqual(self.peer.push_calls, 2)
        other = client.call(
            "PushRecords", entity="partner", idempotencyKey="push-2", records=records.to_zeep_records([])
        )
        self.assertNotEqual(other["receipt"], first["receipt"])

    def test_push_batch_once_per_content(self):
        client = self.client()
        first = client.call("PushBatch", envelope=b"\x00sealed batch")
        self.assertEqual(client.call("PushBatch", envelope=b"\x00sealed batch"), first)
        self.assertEqual(self.peer.batches, [b"\x00sealed batch"])

    def test_basic_auth(self):
        self.peer.require = ("basic", "mis", PASSWORD)
        self.assertEqual(self.client(auth="basic", username="mis", password=PASSWORD).ping(), "1.0")
        endpoint = self.endpoint(auth="basic", username="mis", password="wrong-" + PASSWORD)
        error = self.assertFails(soap.PermanentError, "auth", soap.client(endpoint).ping)
        self.assertIn("HTTP 401", str(error))
        for text in (str(error), repr(error), repr(endpoint)):
            self.assertNotIn(PASSWORD, text)
        self.assertFails(soap.PermanentError, "auth", self.client().ping)

    def test_wsse_auth(self):
        self.peer.require = ("wsse", "mis", PASSWORD)
        self.assertEqual(self.client(auth="wsse", username="mis", password=PASSWORD).ping(), "1.0")
        endpoint = self.endpoint(auth="wsse", username="mis", password="wrong-" + PASSWORD)
        error = self.assertFails(soap.PermanentError, "auth", soap.client(endpoint).ping)
        self.assertNotIn(PASSWORD, str(error))
        self.assertNotIn(PASSWORD, repr(endpoint))
        self.assertFails(soap.PermanentError, "auth", self.client, auth="wsse")

    def test_timeout(self):
        client = self.client(timeout=0.5)
        self.peer.inject("timeout", "Ping")
        start = time.monotonic()
        error = self.assertFails(soap.TransientError, "timeout", client.ping)
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(str(error), f"Ping at {self.peer.url}: no answer within 0.5 s.")

    def test_slow_within_the_timeout(self):
        client = self.client(timeout=2)
        self.peer.inject("slow", "Ping", delay=0.5)
        start = time.monotonic()
        self.assertEqual(client.ping(), "1.0")
        self.assertGreaterEqual(time.monotonic() - start, 0.5)

    def test_http_500(self):
        client = self.client()
        self.peer.inject("http500", times=2)
        self.assertFails(soap.TransientError, "http_500", client.ping)
        self.assertFails(soap.TransientError, "http_500", client.call, "GetRecord", entity="partner", key="R000001")
        self.assertEqual(client.ping(), "1.0", "the faults are used up")

    def test_soap_faults(self):
        client = self.client()
        self.peer.inject("soap_fault_server", "Ping")
        self.peer.inject("soap_fault_client", "Ping")
        error = self.assertFails(soap.TransientError, "soap_fault", client.ping)
        self.assertIn("soap:Server: The service is busy; try again later.", str(error))
        self.assertFails(soap.PermanentError, "soap_fault", client.ping)
        self.assertEqual(client.ping(), "1.0")

    def test_malformed_answer(self):
        client = self.client()
        self.peer.inject("malformed", "Ping")
        self.assertFails(soap.PermanentError, "malformed", client.ping)

    def test_xxe_in_the_answer(self):
        client = self.client()
        self.peer.inject("xxe", "Ping", target=_secret_file(self).as_uri())
        error = self.assertFails(soap.PermanentError, "unsafe", client.ping)
        self.assertNotIn(SECRET, str(error))

    def test_connection_dropped_or_refused(self):
        client = self.client()
        self.peer.inject("drop", "Ping")
        self.assertFails(soap.TransientError, "connection", client.ping)
        self.assertEqual(client.ping(), "1.0")
        self.peer.stop()
        error = self.assertFails(soap.TransientError, "connection", client.ping)
        self.assertIn("Connection refused", str(error))
        self.assertFails(soap.TransientError, "connection", self.client)

    def test_request_errors(self):
        client = self.client()
        self.assertFails(soap.PermanentError, "operation", client.call, "DeleteEverything")
        self.assertFails(soap.PermanentError, "invalid", client.call, "ListRecords", entity="partner", bogus=1)
        error = self.assertFails(soap.PermanentError, "soap_fault", client.call, "ListRecords", entity="not a name")
        self.assertIn("does not follow the exchange schema", str(error), "the peer checks the schema")

    def test_bad_wsdl(self):
        self.peer.inject("malformed", "wsdl")
        self.assertFails(soap.PermanentError, "wsdl", self.client)
        self.peer.inject("http500", "wsdl")
        self.assertFails(soap.TransientError, "http_500", self.client)
        self.assertFails(soap.PermanentError, "wsdl", self.client, wsdl=str(xmlsafe.SCHEMA_PATH))

    def test_wsdl_is_read_once_per_cache_key(self):
        endpoint = self.endpoint()
        first = soap.client(endpoint)
        self.assertIs(soap.client(endpoint), first)
        self.assertEqual(self.peer.wsdl_requests, 1)
        self.client().ping()
        self.assertEqual(self.peer.wsdl_requests, 2, "another key reads the WSDL again")
        soap.forget(endpoint.cache_key)
        self.assertIsNot(soap.client(endpoint), first)
        self.assertEqual(self.peer.wsdl_requests, 3)

    def test_local_wsdl_with_address(self):
        client = self.client(wsdl=str(xmlsafe.SCHEMA_PATH.with_name("crm_exchange.wsdl")), address=self.peer.url)
        self.assertEqual(client.ping(), "1.0")
        self.assertEqual(self.peer.wsdl_requests, 0)

    def test_transport_can_be_swapped(self):
        endpoint = self.endpoint()
        transport = CountingTransport(timeout=5, operation_timeout=5)
        client = soap.client(endpoint, transport=transport)
        self.assertEqual(client.ping(), "1.0")
        self.assertEqual(transport.posts, [self.peer.url])
        self.assertIsNot(soap.client(endpoint), client, "a swapped transport is not cached")

    def test_endpoint_is_checked(self):
        for values in ({"timeout": 0}, {"timeout": -1}, {"auth": "kerberos"}, {"cache_key": ""}):
            with self.subTest(values=values), self.assertRaises(ValueError):
                self.endpoint(**values)

    def test_call_held_until_released(self):
        client = self.client()
        self.peer.hold("PushRecords")
        answers = []
        worker = threading.Thread(
            target=lambda: answers.append(
                client.call("PushRecords", entity="partner", idempotencyKey="held", records=records.to_zeep_records([]))
            )
        )
        worker.start()
        self.assertTrue(self.peer.wait_for("PushRecords", 1, timeout=5))
        self.assertEqual((answers, self.peer.push_calls), ([], 0), "arrived, not answered")
        self.peer.release()
        worker.join(5)
        self.assertEqual(answers[0]["accepted"], 0)
        self.assertFalse(self.peer.wait_for("PushRecords", 2, timeout=0.1))

    def test_peer_reset(self):
        client = self.client()
        pushed = records.to_zeep_records(sample_records(1))
        client.call("PushRecords", entity="partner", idempotencyKey="once", records=pushed)
        self.peer.inject("http500")
        self.peer.reset()
        self.assertEqual((self.peer.calls, self.peer.received, self.peer.push_calls), ([], {}, 0))
        client.call("PushRecords", entity="partner", idempotencyKey="once", records=pushed)
        self.assertEqual(self.peer.received, {"partner": sample_records(1)}, "no fault left, the key is new again")


class TestBackoffAndConverters(BaseCase):
    """The plain cores: when a failed message comes back, and how values are read."""

    def test_backoff_doubles_up_to_the_ceiling_with_a_spread_per_key(self):
        waits = [backoff.delay(attempt, 60, key="k") for attempt in range(1, 6)]
        self.assertEqual([w - w % 60 for w in waits], [60, 120, 240, 480, 960])
        self.assertTrue(all(60 * 2**i <= w < 60 * 2**i * 1.1 + 1 for i, w in enumerate(waits)))
        self.assertLessEqual(backoff.delay(40, 60, key="k"), backoff.CEILING * 1.1)
        self.assertNotEqual(backoff.delay(5, 60, key="a"), backoff.delay(5, 60, key="b"))
        self.assertEqual(backoff.delay(5, 60, key="a"), backoff.delay(5, 60, key="a"), "the same key, the same wait")
        now = datetime(2026, 12, 1, 8, 0)
        self.assertGreater(backoff.next_retry(now, 1, 60, "x"), now)
        with self.assertRaises(ValueError):
            backoff.delay(0, 60)

    def test_converters_read_the_contract_text(self):
        self.assertEqual(converters.to_odoo("integer", " 42 "), 42)
        self.assertEqual(converters.to_odoo("float", "1,250.5"), 1250.5)
        self.assertIs(converters.to_odoo("boolean", "Yes"), True)
        self.assertEqual(converters.to_odoo("date", "2026-11-30"), date(2026, 11, 30))
        self.assertEqual(converters.to_odoo("datetime", "2026-11-30T10:00:00+08:00"), datetime(2026, 11, 30, 2, 0))
        self.assertIs(converters.to_odoo("text", "  "), False, "empty means no value")
        self.assertEqual(converters.to_odoo("integer", ["1", "2"]), [1, 2])
        for converter, text in (("integer", "4.5"), ("float", "abc"), ("boolean", "maybe"), ("date", "30/11/2026")):
            with self.subTest(converter=converter), self.assertRaises(converters.ConversionError):
                converters.to_odoo(converter, text)
        self.assertEqual(converters.to_text("datetime", datetime(2026, 11, 30, 2, 0, 5, 7)), "2026-11-30T02:00:05Z")
        self.assertEqual(converters.to_text("float", 0.1), "0.1")
        self.assertEqual(converters.to_text("boolean", False), "false")
        self.assertEqual(converters.to_text("text", False), "")
