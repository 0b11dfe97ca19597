"""The SOAP adapter: the only code that talks to zeep.

An :class:`Endpoint` says how to reach a service; :func:`client` gives its
:class:`SoapClient`, built once per process for each ``cache_key`` (reading a WSDL costs
far more than a call). Every request, the WSDL's included, has the endpoint's timeout;
answers are parsed under :func:`.xmlsafe.zeep_settings` (no DTD, no entity).

A call raises only :class:`TransientError` (worth retrying later: timeouts, lost
connections, HTTP 5xx and 429, SOAP Server faults) or :class:`PermanentError` (retrying
changes nothing: Client faults, other HTTP 4xx, refused credentials, malformed or unsafe
answers, an unknown operation, a bad WSDL). Their messages say which operation failed
where and why, and never hold a credential.
"""

import base64
import threading
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import requests
from lxml import etree
from requests.auth import HTTPBasicAuth
from zeep import Client, Transport
from zeep import exceptions as zeep_errors
from zeep.helpers import serialize_object
from zeep.wsse.username import UsernameToken

from . import xmlsafe

AUTH_METHODS = ("none", "basic", "wsse")
CACHE_SIZE = 32
# The WS-Security fault codes (OASIS) saying the credentials were refused.
WSSE_AUTH_FAULTS = frozenset({"FailedAuthentication", "InvalidSecurityToken", "InvalidSecurity"})
# A fault's reason is quoted in messages up to this length.
MAX_REASON = 300


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """How to reach a SOAP service.

    ``wsdl`` is a URL or a local file; ``address`` overrides the WSDL's own; ``cert`` is
    ``(cert_path, key_path)`` (the key may be ``None`` when in the certificate file);
    ``verify`` is a boolean or the path of the CA bundle; ``timeout`` (seconds) applies
    to every request. ``cache_key`` identifies the WSDL version: a process builds one
    client per key.
    """

    wsdl: str
    address: str | None = None
    auth: str = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cert: tuple | None = None
    verify: bool | str = True
    timeout: float
    cache_key: str

    def __post_init__(self):
        if not (isinstance(self.timeout, int | float) and self.timeout > 0):
            raise ValueError(f"The timeout must be a positive number of seconds, not {self.timeout!r}.")
        if self.auth not in AUTH_METHODS:
            raise ValueError(f"Unknown authentication {self.auth!r}: use one of {', '.join(AUTH_METHODS)}.")
        if not self.cache_key:
            raise ValueError("An endpoint needs a cache key naming its WSDL version.")


class SoapError(Exception):
    """A SOAP exchange that failed; ``kind`` is a short code of the cause ("timeout", "http_500"...)."""

    def __init__(self, message, *, kind):
        super().__init__(message)
        self.kind = kind


class TransientError(SoapError):
    """A failure worth retrying later: timeout, lost connection, HTTP 5xx or 429, SOAP Server fault."""


class PermanentError(SoapError):
    """A failure a retry will not cure: Client fault, HTTP 4xx, credentials, bad XML, bad WSDL."""


def _where(url):
    """``url`` without the user information it may carry."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _reason(exc):
    """The innermost cause of ``exc`` as people read it ("[Errno 111] Connection refused")."""
    while exc.__cause__ or exc.__context__:
        exc = exc.__cause__ or exc.__context__
    return str(exc) or type(exc).__name__


def _http_error(status, what):
    if status in (401, 403):
        return PermanentError(f"{what}: the service refused the credentials (HTTP {status}).", kind="auth")
    if status == 429 or status >= 500:
        return TransientError(f"{what}: the service answered HTTP {status}.", kind=f"http_{status}")
    return PermanentError(f"{what}: the service answered HTTP {status}.", kind=f"http_{status}")


def _request_error(exc, what, timeout):
    """The error for a request that got no usable answer, or an HTTP error status."""
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return _http_error(exc.response.status_code, what)
    if isinstance(exc, requests.exceptions.SSLError):
        return PermanentError(f"{what}: the TLS handshake failed ({_reason(exc)}).", kind="tls")
    if isinstance(exc, requests.Timeout):
        return TransientError(f"{what}: no answer within {timeout:g} s.", kind="timeout")
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return TransientError(f"{what}: the connection failed or was cut ({_reason(exc)}).", kind="connection")
    return PermanentError(f"{what}: the request could not be sent ({type(exc).__name__}).", kind="request")


def _scrub(error, endpoint):
    """``error`` with the endpoint's secrets masked, should a service have echoed them."""
    secrets = [endpoint.password]
    if endpoint.password and endpoint.username:
        secrets.append(base64.b64encode(f"{endpoint.username}:{endpoint.password}".encode()).decode())
    message = str(error)
    for secret in filter(None, secrets):
        message = message.replace(secret, "***")
    return type(error)(message, kind=error.kind)


def _fault_error(fault, what):
    """SOAP 1.1 Server and SOAP 1.2 Receiver faults are transient, the others permanent."""
    code = fault.code or ""
    head = code.rpartition(":")[2].split(".")[0]
    reason = (fault.message or "no reason given")[:MAX_REASON]
    if head in WSSE_AUTH_FAULTS:
        return PermanentError(f"{what}: the service refused the credentials ({reason}).", kind="auth")
    message = f"{what}: the service answered the fault {code or '(no code)'}: {reason}"
    if head in ("Server", "Receiver"):
        return TransientError(message, kind="soap_fault")
    return PermanentError(message, kind="soap_fault")


def _unparsed_error(status, what):
    """zeep's TransportError: an answer it could not parse, and the HTTP status it came with."""
    if 200 <= status < 300:
        return PermanentError(f"{what}: the answer is not well-formed XML.", kind="malformed")
    return _http_error(status, what)


def _zeep_error(exc, what):
    """The error for what zeep raises while sending a request or reading its answer."""
    if isinstance(exc, zeep_errors.Fault):
        return _fault_error(exc, what)
    if isinstance(exc, zeep_errors.TransportError):
        return _unparsed_error(exc.status_code, what)
    if isinstance(exc, zeep_errors.DTDForbidden | zeep_errors.EntitiesForbidden):
        return PermanentError(f"{what}: the answer declares a DTD or entities; refused unread.", kind="unsafe")
    if isinstance(exc, zeep_errors.XMLParseError | zeep_errors.UnexpectedElementError | zeep_errors.XMLSyntaxError):
        return PermanentError(f"{what}: the answer does not follow the contract ({exc}).", kind="malformed")
    if isinstance(exc, zeep_errors.ValidationError):
        return PermanentError(f"{what}: the request does not follow the contract ({exc}).", kind="invalid")
    return PermanentError(f"{what}: {type(exc).__name__}: {exc}", kind="soap")


class SoapClient:
    """A service's operations, called with plain Python and answering plain Python."""

    def __init__(self, endpoint, binding, service, address):
        self.endpoint = endpoint
        self._binding = binding
        self._service = service
        self._where = _where(address)

    def __repr__(self):
        return f"<SoapClient {self._where} ({self.endpoint.cache_key})>"

    def _answer(self, operation, result):
        """The answer as a dict of its elements: zeep unwraps an answer of one element."""
        data = serialize_object(result, dict)
        answer_type = self._binding.get(operation).output.body.type
        if len(answer_type.elements) == 1 and not answer_type.attributes:
            return {answer_type.elements[0][0]: data}
        return data or {}

    def call(self, operation, **params):
        """Call ``operation`` with ``params``; its answer as a dict of plain values.

        Raises only :class:`TransientError` and :class:`PermanentError`.
        """
        what = f"{operation} at {self._where}"
        try:
            method = self._service[operation]
        except AttributeError:
            raise PermanentError(f"{what}: the service has no such operation.", kind="operation") from None
        try:
            return self._answer(operation, method(**params))
        except requests.RequestException as exc:
            raise _scrub(_request_error(exc, what, self.endpoint.timeout), self.endpoint) from exc
        except zeep_errors.Error as exc:
            raise _scrub(_zeep_error(exc, what), self.endpoint) from exc
        except (TypeError, ValueError) as exc:
            error = PermanentError(f"{what}: the request does not follow the contract ({exc}).", kind="invalid")
            raise _scrub(error, self.endpoint) from exc

    def ping(self):
        """The version the service speaks."""
        return self.call("Ping")["version"]


def _check_response(response, **kwargs):
    """Response hook: hold every answer to what a SOAP client can trust.

    A body shorter than its Content-Length is a connection cut short (urllib3 1.x reads
    it as if complete, and the truncated XML would pass for malformed); an error status
    whose body is not XML (a proxy's or a server's error page) is an HTTP error, as are
    401 and 403 whatever the body, rather than a fault without a code.
    """
    body = response.content  # read it all: requests would read it after the hooks
    expected = response.headers.get("Content-Length", "")
    received = response.raw.tell() if response.raw is not None else len(body)
    if expected.isdigit() and received < int(expected):
        raise requests.exceptions.ChunkedEncodingError(
            f"Connection broken: {received} of {expected} bytes received", response=response
        )
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if response.status_code in (401, 403) or (response.status_code >= 400 and not media_type.endswith("xml")):
        response.raise_for_status()


def _transport(endpoint):
    session = requests.Session()
    session.verify = endpoint.verify
    if endpoint.verify is not True:
        # requests lets REQUESTS_CA_BUNDLE override the session's own CA (psf/requests#3829):
        # a backend's explicit CA, or no check, must win; the proxies are kept by hand
        session.trust_env = False
        session.proxies.update(urllib.request.getproxies())
    if endpoint.cert:
        cert_path, key_path = endpoint.cert
        session.cert = (cert_path, key_path) if key_path else cert_path
    if endpoint.auth == "basic":
        session.auth = HTTPBasicAuth(endpoint.username, endpoint.password or "")
    session.hooks["response"].append(_check_response)
    return Transport(session=session, timeout=endpoint.timeout, operation_timeout=endpoint.timeout)


def _build(endpoint, transport):
    where = _where(endpoint.wsdl)
    if endpoint.auth != "none" and not endpoint.username:
        raise PermanentError(
            f"The service at {where} needs a user name for {endpoint.auth} authentication.", kind="auth"
        )
    what = f"Reading the WSDL {where}"
    wsse = UsernameToken(endpoint.username, endpoint.password or "") if endpoint.auth == "wsse" else None
    try:
        zeep_client = Client(endpoint.wsdl, transport=transport, settings=xmlsafe.zeep_settings(), wsse=wsse)
        ports = [port for service in zeep_client.wsdl.services.values() for port in service.ports.values()]
    except requests.RequestException as exc:
        raise _scrub(_request_error(exc, what, endpoint.timeout), endpoint) from exc
    except (zeep_errors.Error, etree.LxmlError, OSError, ValueError, NotImplementedError) as exc:
        raise _scrub(PermanentError(f"{what}: it is not a usable WSDL ({exc}).", kind="wsdl"), endpoint) from exc
    if not ports:
        raise PermanentError(f"{what}: it defines no service port.", kind="wsdl")
    binding = ports[0].binding
    address = endpoint.address or ports[0].binding_options.get("address")
    if not address:
        raise PermanentError(f"{what}: it gives no address; set the endpoint's address.", kind="wsdl")
    return SoapClient(endpoint, binding, zeep_client.create_service(binding.name, address), address)


_cache = OrderedDict()
_cache_lock = threading.Lock()


def client(endpoint, *, transport=None):
    """The :class:`SoapClient` of ``endpoint``, built once per process per ``cache_key``.

    A client cached under the key for a different endpoint (other credentials, say) is
    replaced; the cache keeps the :data:`CACHE_SIZE` keys used last. A ``transport``
    (a :class:`zeep.Transport`, used as given) builds an uncached client: tests swap
    the transport this way. Raises :class:`TransientError` or :class:`PermanentError`
    when the WSDL cannot be read.
    """
    if transport is not None:
        return _build(endpoint, transport)
    with _cache_lock:
        cached = _cache.get(endpoint.cache_key)
        if cached is not None and cached.endpoint == endpoint:
            _cache.move_to_end(endpoint.cache_key)
            return cached
    # built outside the lock: reading a WSDL must not hold up the other endpoints' calls
    built = _build(endpoint, _transport(endpoint))
    with _cache_lock:
        _cache[endpoint.cache_key] = built
        _cache.move_to_end(endpoint.cache_key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def forget(cache_key):
    """Drop the client cached under ``cache_key`` (its WSDL is read again next time)."""
    with _cache_lock:
        _cache.pop(cache_key, None)
