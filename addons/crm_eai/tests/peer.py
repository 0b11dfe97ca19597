"""A real SOAP service on loopback that speaks the exchange contract, for tests and benchmarks.

    with Peer() as peer:
        peer.entities = {"partner": sample_records(250)}
        endpoint = soap.Endpoint(wsdl=peer.wsdl_url, timeout=5, cache_key="...")

It serves the contract's WSDL at ``GET /?wsdl`` (with its own address) and the five
operations over SOAP 1.1, from memory, checking every request against the schema. It is
a peer of our adapter, not a mock of it: it writes and reads XML itself, with lxml.

- ``entities``: ``{entity: [record dicts as in lib/records.py]}``, sorted and indexed on
  assignment; ListRecords pages the records modified after ``since`` with an opaque
  cursor (``limit`` 100 by default, at most 10,000); an unknown entity is a Client fault.
- ``received``: ``{entity: [records]}`` pushed by PushRecords, once per idempotency key
  (a repeated key answers the first receipt again); ``push_calls`` counts every push.
- ``batches``: the envelopes (bytes) of PushBatch, once per content.
- ``require = ("basic" | "wsse", user, password)``: HTTP 401, or the WS-Security fault
  ``wsse:FailedAuthentication``, for any other credentials (the WSDL stays public).
- ``inject(kind, operation=None, times=1, delay=None)``: faults, consumed in order by
  the calls they match (``operation=None`` matches every SOAP operation, ``"wsdl"`` the
  WSDL's download); kinds in :data:`FAULTS`.
- ``calls``: ``(operation, params)`` of every well-formed request, in order;
  ``wsdl_requests`` counts the WSDL's downloads; ``wait_for``, ``hold`` and ``release``
  synchronise a test with calls in flight; ``reset`` forgets all of it between tests.
"""

import base64
import contextlib
import hashlib
import socket
import sys
import threading
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from lxml import etree

from ..lib import xmlsafe

NS = xmlsafe.NAMESPACE
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSDL_PATH = xmlsafe.SCHEMA_PATH.with_name("crm_exchange.wsdl")
VERSION = "1.0"
OPERATIONS = ("Ping", "ListRecords", "GetRecord", "PushRecords", "PushBatch")
FAULTS = ("timeout", "slow", "http500", "soap_fault_server", "soap_fault_client", "malformed", "xxe", "drop")
DEFAULT_LIMIT = 100
MAX_LIMIT = 10000  # the schema's maxOccurs of a page
# "timeout" waits this long (or until stop()), longer than any client timeout of a test.
TIMEOUT_DELAY = 30.0
SLOW_DELAY = 0.2
XXE_TARGET = "file:///etc/passwd"

_T = f"{{{NS}}}"


def sample_records(count, *, start=datetime(2025, 1, 1), step=timedelta(seconds=1), prefix="R"):
    """``count`` records keyed ``R000001``..., modified ``step`` apart from ``start``."""
    return [
        {
            "key": f"{prefix}{number:06d}",
            "modified": start + step * number,
            "fields": {"name": f"Record {number}", "email": f"record{number}@example.com"},
        }
        for number in range(1, count + 1)
    ]


@dataclass
class _Fault:
    kind: str
    operation: str | None
    times: int
    delay: float | None
    target: str


class _Fail(Exception):
    """A SOAP fault to answer: ``code`` (a QName of the envelope) and a reason."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _utc_naive(text):
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def _record_from(element):
    fields = {}
    for field in element.iterchildren(f"{_T}field"):
        name, text = field.get("name"), field.text or ""
        if name not in fields:
            fields[name] = text
        elif isinstance(fields[name], list):
            fields[name].append(text)
        else:
            fields[name] = [fields[name], text]
    modified = element.findtext(f"{_T}modified")
    return {
        "key": element.findtext(f"{_T}key"),
        "modified": _utc_naive(modified) if modified else None,
        "fields": fields,
    }


def _record_to(parent, record):
    element = etree.SubElement(parent, f"{_T}record")
    etree.SubElement(element, f"{_T}key").text = record["key"]
    if record.get("modified"):
        etree.SubElement(element, f"{_T}modified").text = record["modified"].isoformat() + "Z"
    for name, value in record.get("fields", {}).items():
        for text in value if isinstance(value, list) else [value]:
            etree.SubElement(element, f"{_T}field", name=name).text = text


def _params(request):
    params = {}
    for child in request:
        name = etree.QName(child).localname
        if name == "records":
            params[name] = [_record_from(element) for element in child]
        elif name == "since":
            params[name] = _utc_naive(child.text)
        elif name == "limit":
            params[name] = int(child.text)
        elif name == "envelope":
            params[name] = base64.b64decode(child.text or "")
        else:
            params[name] = child.text or ""
    return params


def _envelope(answer, nsmap=None):
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "wsse": WSSE, **(nsmap or {})})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(answer)
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def _answer(operation, **values):
    """``<tns:{operation}Response>`` with one child per value (``None`` values left out)."""
    answer = etree.Element(f"{_T}{operation}Response", nsmap={"tns": NS})
    for name, value in values.items():
        if value is not None:
            etree.SubElement(answer, f"{_T}{name}").text = str(value)
    return answer


def _fault_body(code, reason):
    fault = etree.Element(f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = reason
    return _envelope(fault)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a benchmark pages without reconnecting
    server_version = "CrmExchangePeer/1.0"
    timeout = 60  # an idle kept-alive connection ends after this
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

    def log_message(self, *args):
        """Quiet: the tests' output is the tests'."""

    def do_GET(self):
        self.server.peer._get(self)

    def do_POST(self):
        self.server.peer._post(self)

    def send(self, status, body, content_type="text/xml; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, peer):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.peer = peer
        self.sockets = set()
        self.sockets_lock = threading.Lock()

    def process_request(self, request, client_address):
        with self.sockets_lock:
            self.sockets.add(request)
        return super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.sockets_lock:
            self.sockets.discard(request)
        return super().shutdown_request(request)

    def close_connections(self):
        with self.sockets_lock:
            sockets = list(self.sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request, client_address):
        """A client that gave up (a timeout test) is no error; anything else is reported."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return None
        return super().handle_error(request, client_address)


class Peer:
    """The exchange service on ``127.0.0.1`` (a free port), in a daemon thread."""

    def __init__(self, version=VERSION):
        self.version = version
        self.received = {}
        self.batches = []
        self.push_calls = 0
        self.calls = []
        self.wsdl_requests = 0
        self.require = None
        self._entities, self._modified, self._index = {}, {}, {}
        self._receipts, self._batch_receipts = {}, {}
        self._faults = []
        self._held, self._released = None, threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._called = threading.Condition(self._lock)
        self._server = self._thread = None
        self.url = self._wsdl = None

    # life ----------------------------------------------------------------

    def start(self, tls=None):
        """Serve on a free port; with ``tls`` (a server-side ``ssl.SSLContext``), over HTTPS."""
        self._server = _Server(self)
        if tls:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}/soap"
        wsdl = xmlsafe.parse(WSDL_PATH.read_bytes())
        for address in wsdl.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address"):
            address.set("location", self.url)
        self._wsdl = etree.tostring(wsdl, xml_declaration=True, encoding="utf-8")
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="crm-eai-peer", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        self.release()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def wsdl_url(self):
        return f"{self.url}?wsdl"

    # data ------------------------------------------------------------------

    @property
    def entities(self):
        return self._entities

    @entities.setter
    def entities(self, value):
        entities, modified, index = {}, {}, {}
        for entity, records in value.items():
            ordered = sorted(records, key=lambda record: (record.get("modified") or datetime.min, record["key"]))
            entities[entity] = ordered
            modified[entity] = [record.get("modified") or datetime.min for record in ordered]
            index[entity] = {record["key"]: record for record in ordered}
        with self._lock:
            self._entities, self._modified, self._index = entities, modified, index

    # test controls -----------------------------------------------------------

    def inject(self, kind, operation=None, *, times=1, delay=None, target=XXE_TARGET):
        """Make the next ``times`` calls of ``operation`` fail with ``kind``.

        ``delay``: how long "slow" waits before answering (and "timeout" before giving
        up); ``target``: the URL of the external entity an "xxe" answer declares.
        """
        if kind not in FAULTS:
            raise ValueError(f"Unknown fault {kind!r}: use one of {', '.join(FAULTS)}.")
        if operation not in (None, "wsdl", *OPERATIONS):
            raise ValueError(f"Unknown operation {operation!r}.")
        with self._lock:
            self._faults.append(_Fault(kind, operation, times, delay, target))

    def reset(self):
        """Forget what the last test did (calls, pushes, faults, credentials, holds); keep the entities."""
        self.release()
        with self._lock:
            self.received, self.batches, self.calls = {}, [], []
            self.push_calls = self.wsdl_requests = 0
            self.require = None
            self._receipts, self._batch_receipts = {}, {}
            self._faults = []

    def wait_for(self, operation, count=1, timeout=5.0):
        """Whether ``count`` calls of ``operation`` arrived within ``timeout`` seconds."""
        with self._called:
            return self._called.wait_for(
                lambda: sum(1 for called, _params in self.calls if called == operation) >= count, timeout
            )

    def hold(self, operation):
        """Keep the calls of ``operation`` waiting, once arrived, until :meth:`release`."""
        with self._lock:
            self._held, self._released = operation, threading.Event()

    def release(self):
        with self._lock:
            self._held = None
            self._released.set()

    def _take_fault(self, operation):
        with self._lock:
            for fault in self._faults:
                if fault.operation == operation or (fault.operation is None and operation != "wsdl"):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # HTTP ----------------------------------------------------------------------

    def _get(self, handler):
        if urlsplit(handler.path).query.lower() != "wsdl":
            handler.send(404, b"Not found: the WSDL is at ?wsdl", "text/plain")
            return
        with self._lock:
            self.wsdl_requests += 1
        if not self._fail(handler, self._take_fault("wsdl"), "wsdl"):
            handler.send(200, self._wsdl)

    def _post(self, handler):
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        try:
            envelope = xmlsafe.parse(body)
            request = envelope.find(f"{{{SOAP_ENV}}}Body/*")
            operation = etree.QName(request).localname if request is not None else None
            if request is None or etree.QName(request).namespace != NS or operation not in OPERATIONS:
                raise _Fail("soap:Client", "The request names no operation of the exchange service.")
            xmlsafe.validate(request)
        except xmlsafe.XmlError as error:
            handler.send(500, _fault_body("soap:Client", str(error)))
            return
        except _Fail as fail:
            handler.send(500, _fault_body(fail.code, fail.reason))
            return
        params = _params(request)
        with self._called:
            self.calls.append((operation, params))
            self._called.notify_all()
            held, released = self._held, self._released
        if held == operation:
            released.wait()
        if self._fail(handler, self._take_fault(operation), operation):
            return
        refusal = self._refusal(handler, envelope)
        if refusal:
            handler.send(*refusal)
            return
        try:
            answer = getattr(self, f"_op_{operation}")(**params)
        except _Fail as fail:
            handler.send(500, _fault_body(fail.code, fail.reason))
            return
        handler.send(200, _envelope(answer))

    def _fail(self, handler, fault, operation):
        """Answer as ``fault`` says; whether that was the answer (``slow`` answers normally)."""
        if fault is None:
            return False
        if fault.kind == "slow":
            self._stopping.wait(SLOW_DELAY if fault.delay is None else fault.delay)
            return False
        if fault.kind == "timeout":
            self._stopping.wait(TIMEOUT_DELAY if fault.delay is None else fault.delay)
            handler.close_connection = True
        elif fault.kind == "http500":
            handler.send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        elif fault.kind == "soap_fault_server":
            handler.send(500, _fault_body("soap:Server", "The service is busy; try again later."))
        elif fault.kind == "soap_fault_client":
            handler.send(500, _fault_body("soap:Client", "The request was refused."))
        elif fault.kind == "malformed":
            handler.send(200, _envelope(_answer(operation))[:-40])
        elif fault.kind == "xxe":
            handler.send(
                200,
                (
                    f'<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "{fault.target}">]>'
                    f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><PingResponse xmlns="{NS}">'
                    "<version>&xxe;</version></PingResponse></soap:Body></soap:Envelope>"
                ).encode(),
            )
        else:  # drop: the headers promise a body that stops halfway, then the socket closes
            body = _envelope(_answer("Ping", version="x" * 1000))
            handler.send_response(200)
            handler.send_header("Content-Type", "text/xml; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)
            handler.close_connection = True
        return True

    def _refusal(self, handler, envelope):
        """The answer refusing a request without the required credentials, or ``None``."""
        if not self.require:
            return None
        method, user, password = self.require
        if method == "basic":
            expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            if handler.headers.get("Authorization") != expected:
                return 401, b"Unauthorized", "text/plain", [("WWW-Authenticate", 'Basic realm="crm-exchange"')]
            return None
        token = envelope.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        if token is None or (token.findtext(f"{{{WSSE}}}Username"), token.findtext(f"{{{WSSE}}}Password")) != (
            user,
            password,
        ):
            return 500, _fault_body("wsse:FailedAuthentication", "The security token could not be authenticated.")
        return None

    # operations --------------------------------------------------------------------

    def _dataset(self, entity):
        """``(records, their modification times, records by key)`` of ``entity``, as one snapshot."""
        with self._lock:
            if entity not in self._entities:
                raise _Fail("soap:Client", f"Unknown entity {entity!r}.")
            return self._entities[entity], self._modified[entity], self._index[entity]

    def _op_Ping(self):
        return _answer("Ping", version=self.version)

    def _op_ListRecords(self, entity, since=None, cursor=None, limit=DEFAULT_LIMIT):
        records, modified, _index = self._dataset(entity)
        first = bisect_right(modified, since) if since else 0
        try:
            offset = int(base64.urlsafe_b64decode(cursor.encode()).decode()) if cursor else 0
        except ValueError:
            raise _Fail("soap:Client", f"Unknown cursor {cursor!r}.") from None
        start = first + offset
        end = start + min(limit, MAX_LIMIT)
        answer = _answer("ListRecords")
        page = etree.SubElement(answer, f"{_T}records")
        for record in records[start:end]:
            _record_to(page, record)
        if end < len(records):
            etree.SubElement(answer, f"{_T}cursor").text = base64.urlsafe_b64encode(str(end - first).encode()).decode()
        etree.SubElement(answer, f"{_T}total").text = str(len(records) - first)
        return answer

    def _op_GetRecord(self, entity, key):
        _records, _modified, index = self._dataset(entity)
        answer = _answer("GetRecord")
        if key in index:
            _record_to(answer, index[key])
        return answer

    def _op_PushRecords(self, entity, idempotencyKey, records):
        with self._lock:
            self.push_calls += 1
            if idempotencyKey not in self._receipts:
                self.received.setdefault(entity, []).extend(records)
                self._receipts[idempotencyKey] = (len(records), f"PR-{len(self._receipts) + 1:06d}")
            accepted, receipt = self._receipts[idempotencyKey]
        return _answer("PushRecords", accepted=accepted, receipt=receipt)

    def _op_PushBatch(self, envelope):
        digest = hashlib.sha256(envelope).hexdigest()
        with self._lock:
            if digest not in self._batch_receipts:
                self.batches.append(envelope)
                self._batch_receipts[digest] = f"PB-{digest[:16]}"
            receipt = self._batch_receipts[digest]
        return _answer("PushBatch", accepted=1, receipt=receipt)
