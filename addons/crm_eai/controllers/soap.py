"""The inbound SOAP service: external systems push their records to Odoo.

    GET  /crm_eai/soap/<backend id>[?wsdl]   the contract's WSDL, with this address
    POST /crm_eai/soap/<backend id>          SOAP 1.1, document/literal: Ping, PushRecords, PushBatch

Only a backend that exists, is active and accepts pushes answers (404 otherwise). A push
is taken in this order, and refused at the first failure with a SOAP fault, before
anything is stored: size (10 MB), safe XML (:func:`.xmlsafe.parse`: no DOCTYPE, no
entity, no network), a SOAP 1.1 envelope, the credentials (WS-Security UsernameToken
with a clear-text password, else HTTP basic; HTTP 401), one operation of the contract,
valid against its schema (crm_exchange.xsd). What is accepted is stored as an
integration message before the answer goes out and imported by its background job; the
receipt is the message's name, and the same idempotency key (the same envelope's
message id for a sealed batch) answers the same receipt again and stores nothing.

Faults say what the caller can fix and nothing more: never a credential, never the
content of what was refused; an unexpected error is a generic Server fault, its details
in the server log only.
"""

import base64
import binascii
import copy
import functools
import hashlib
import hmac
import logging

import psycopg2
from lxml import etree
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..lib import envelope, xmlsafe
from ..lib import records as contract

_logger = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
# the URI naming a clear-text password in a UsernameToken, not a password
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"  # noqa: S105
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_PATH = xmlsafe.SCHEMA_PATH.with_name("crm_exchange.wsdl")
# a push holds at most 10,000 records (the schema's limit); 10 MB is plenty for them
MAX_BODY = 10 * 1024 * 1024
OPERATIONS = ("Ping", "PushRecords", "PushBatch")
SERVICE_VERSION = "1"
CONTENT_TYPE = "text/xml; charset=utf-8"

_T = f"{{{xmlsafe.NAMESPACE}}}"
_S = f"{{{SOAP_ENV}}}"
_W = f"{{{WSSE}}}"


class _Fault(Exception):
    """A SOAP fault to answer: ``code`` is Client or Server, ``status`` the HTTP status."""

    def __init__(self, code, reason, status=500):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.status = status


@functools.cache
def _wsdl_template():
    """The contract's WSDL, read and parsed once per process."""
    return xmlsafe.parse(WSDL_PATH.read_bytes())


def _soap_envelope(content):
    root = etree.Element(f"{_S}Envelope", nsmap={"soap": SOAP_ENV})
    etree.SubElement(root, f"{_S}Body").append(content)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _answer(operation, **values):
    """``<tns:{operation}Response>`` with one child per value, in order."""
    answer = etree.Element(f"{_T}{operation}Response", nsmap={"tns": xmlsafe.NAMESPACE})
    for name, value in values.items():
        etree.SubElement(answer, f"{_T}{name}").text = str(value)
    return answer


def _fault_envelope(code, reason):
    fault = etree.Element(f"{_S}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{code}"
    etree.SubElement(fault, "faultstring").text = reason
    return _soap_envelope(fault)


def _digest(text):
    return hashlib.sha256(text.encode()).digest()


def _records_of(operation):
    """The record dicts of PushRecords' ``records`` (the shape of :mod:`.records`)."""
    # records.py reads a record element this way for the files' batches; the SOAP
    # operation carries the same Record type, so the same reading serves both
    return [contract.from_element(element) for element in operation.iterfind(f"{_T}records/{_T}record")]


class CrmEaiSoapController(http.Controller):
    """The exchange contract served by Odoo, one endpoint per external system."""

    # auth="public": the caller is an external system, not an Odoo user; it is
    # authenticated below by the credentials of its backend. Every read and write of
    # the integration's records is done with sudo, on the one backend the id names.

    @http.route(
        "/crm_eai/soap/<int:backend_id>",
        type="http",
        auth="public",
        methods=["GET"],
        save_session=False,
        readonly=True,
    )
    def crm_eai_soap_wsdl(self, backend_id, **kwargs):
        backend = self._crm_eai_backend(backend_id)
        wsdl = copy.deepcopy(_wsdl_template())
        for address in wsdl.iter(f"{{{WSDL_SOAP}}}address"):
            address.set("location", self._crm_eai_url(backend))
        body = etree.tostring(wsdl, xml_declaration=True, encoding="utf-8")
        return request.make_response(body, headers=[("Content-Type", CONTENT_TYPE)])

    @http.route(
        "/crm_eai/soap/<int:backend_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def crm_eai_soap_call(self, backend_id, **kwargs):
        backend = self._crm_eai_backend(backend_id)
        try:
            return self._crm_eai_answer(200, self._crm_eai_dispatch(backend))
        except _Fault as fault:
            return self._crm_eai_answer(fault.status, _fault_envelope(fault.code, fault.reason), fault.status == 401)
        except psycopg2.OperationalError:
            raise  # a concurrent update: Odoo runs the request again
        except Exception:  # any other failure is a Server fault, its details logged here only
            request.env.cr.rollback()
            _logger.exception("Inbound SOAP call to %s (backend %s) failed", backend.name, backend.id)
            return self._crm_eai_answer(
                500, _fault_envelope("Server", "The service could not take the request; try again later.")
            )

    # the steps of a call ----------------------------------------------------

    def _crm_eai_backend(self, backend_id):
        """The backend the URL names, if it takes pushes; 404 for any other id."""
        # sudo: the caller is no Odoo user; the id selects the backend and nothing else
        backend = request.env["crm.eai.backend"].sudo().browse(backend_id).exists()
        if not backend or not backend.active or not backend.inbound_enabled:
            raise NotFound()
        return backend

    def _crm_eai_url(self, backend):
        return f"{request.httprequest.url_root.rstrip('/')}/crm_eai/soap/{backend.id}"

    def _crm_eai_answer(self, status, body, challenge=False):
        headers = [("Content-Type", CONTENT_TYPE)]
        if challenge:
            headers.append(("WWW-Authenticate", 'Basic realm="crm_eai"'))
        return request.make_response(body, headers=headers, status=status)

    def _crm_eai_dispatch(self, backend):
        """The answer (bytes) to the call, or a :class:`_Fault`."""
        operation, header = self._crm_eai_read(backend)
        self._crm_eai_authenticate(backend, header)
        name = etree.QName(operation)
        if name.namespace != xmlsafe.NAMESPACE or name.localname not in OPERATIONS:
            raise _Fault(
                "Client",
                f"Unknown operation {name.localname[:64]!r}: this service takes {', '.join(OPERATIONS)} "
                f"in {xmlsafe.NAMESPACE}.",
            )
        try:
            xmlsafe.validate(operation)
        except xmlsafe.InvalidXmlError as error:
            raise _Fault("Client", str(error)) from None
        return _soap_envelope(getattr(self, f"_crm_eai_op_{name.localname}")(backend, operation))

    def _crm_eai_read(self, backend):
        """The operation element and the SOAP header (or ``None``) of the request."""
        length = request.httprequest.content_length
        if length and length > MAX_BODY:  # refused unread
            raise _Fault("Client", f"The request is too large: {length} bytes, more than the {MAX_BODY} accepted.")
        data = request.httprequest.get_data()
        if len(data) > MAX_BODY:
            raise _Fault("Client", f"The request is too large: more than the {MAX_BODY} bytes accepted.")
        try:
            root = xmlsafe.parse(data, max_bytes=MAX_BODY)
        except xmlsafe.UnsafeXmlError as error:
            # an attack, or a system to be fixed: the operators hear of it (the message is ours, not the request's)
            _logger.warning(
                "Inbound SOAP call to %s (backend %s) refused unread from %s: %s",
                backend.name,
                backend.id,
                request.httprequest.remote_addr,
                error,
            )
            raise _Fault("Client", str(error)) from None
        except xmlsafe.InvalidXmlError as error:
            raise _Fault("Client", str(error)) from None
        if root.tag != f"{_S}Envelope":
            raise _Fault("Client", f"The request is not a SOAP 1.1 envelope (of {SOAP_ENV}).")
        body = root.find(f"{_S}Body")
        operations = [child for child in body if isinstance(child.tag, str)] if body is not None else []
        if len(operations) != 1:
            raise _Fault("Client", "The SOAP body must hold exactly one operation.")
        return operations[0], root.find(f"{_S}Header")

    def _crm_eai_authenticate(self, backend, header):
        """Check the WS-Security UsernameToken, else the HTTP basic credentials."""
        method, username, password = self._crm_eai_credentials(header)
        # sudo: the inbound credentials are readable by integration administrators only;
        # they are compared here and go nowhere else
        secrets = backend.sudo()
        expected_username, expected_password = secrets.inbound_username or "", secrets.inbound_password or ""
        # both compared every time, in constant time and on digests of equal length: the
        # answer and its timing tell neither which one was wrong nor how long they are
        username_ok = hmac.compare_digest(_digest(username), _digest(expected_username))
        password_ok = hmac.compare_digest(_digest(password), _digest(expected_password))
        if username_ok and password_ok and expected_username and expected_password:
            return
        _logger.warning(
            "Inbound SOAP call to %s (backend %s) refused from %s: authentication failed (%s)",
            backend.name,
            backend.id,
            request.httprequest.remote_addr,
            method,
        )
        raise _Fault("Client", "The service refused the request: authentication failed.", status=401)

    def _crm_eai_credentials(self, header):
        """``(method, username, password)`` the caller gave; empty strings when none."""
        token = header.find(f"{_W}Security/{_W}UsernameToken") if header is not None else None
        if token is not None:
            password = token.find(f"{_W}Password")
            if password is not None and (password.get("Type") or PASSWORD_TEXT) != PASSWORD_TEXT:
                return "ws-security with an unsupported password type", "", ""
            text = (password.text or "") if password is not None else ""
            return "ws-security", token.findtext(f"{_W}Username") or "", text
        try:
            authorization = request.httprequest.authorization
        except (ValueError, binascii.Error):  # a header that does not decode
            authorization = None
        if authorization and authorization.type == "basic":
            return "http basic", authorization.username or "", authorization.password or ""
        return "no credentials", "", ""

    # the operations ----------------------------------------------------------

    def _crm_eai_op_Ping(self, backend, operation):
        return _answer("Ping", version=SERVICE_VERSION)

    def _crm_eai_op_PushRecords(self, backend, operation):
        entity = operation.findtext(f"{_T}entity")
        idempotency_key = operation.findtext(f"{_T}idempotencyKey")
        records = _records_of(operation)
        # sudo: the integration's configuration and log, for the backend authenticated above
        if (
            not request.env["crm.eai.mapping"]
            .sudo()
            .search_count(
                [("backend_id", "=", backend.id), ("direction", "=", "pull"), ("entity", "=", entity)], limit=1
            )
        ):
            raise _Fault("Client", f"No mapping takes in the entity {entity!r} from this system.")
        exchange = self._crm_eai_store(
            backend, "receive", idempotency_key, contract.dumps(records), entity=entity, record_count=len(records)
        )
        _logger.info(
            "%s: %s pushed %s record(s) of %s (idempotency key %r)",
            exchange.name,
            backend.name,
            exchange.record_count,
            entity,
            idempotency_key,
        )
        return _answer("PushRecords", accepted=exchange.record_count, receipt=exchange.name)

    def _crm_eai_op_PushBatch(self, backend, operation):
        try:
            data = base64.b64decode("".join((operation.findtext(f"{_T}envelope") or "").split()), validate=True)
        except (ValueError, binascii.Error):
            raise _Fault("Client", "The envelope is not valid base64.") from None
        try:
            # the header only, in clear text: the job verifies, decrypts and imports the batch
            header = envelope.peek(data)
        except envelope.EnvelopeError as error:
            raise _Fault("Client", str(error)) from None
        exchange = self._crm_eai_store(backend, "file", header.message_id, data)
        _logger.info("%s: %s pushed the sealed batch %s", exchange.name, backend.name, header.message_id)
        return _answer("PushBatch", accepted=0, receipt=exchange.name)

    def _crm_eai_store(self, backend, kind, idempotency_key, payload, **values):
        """The stored message (a new one, or the one already there with that key)."""
        # sudo: the log is written by the integration, in the company of the system
        Exchange = request.env["crm.eai.exchange"].sudo().with_company(backend.company_id)
        exchange = Exchange._crm_eai_receive(backend, kind, idempotency_key, payload, **values)
        if not exchange:
            # the same message, stored meanwhile by a concurrent call this transaction
            # cannot see yet: a new call finds it
            raise _Fault("Server", "The same message is being taken by another call; send it again.")
        return exchange
