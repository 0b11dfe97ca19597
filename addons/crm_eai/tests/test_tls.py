import base64
import ipaddress
import ssl
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from .peer import Peer


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, key, issuer, issuer_key, *, ca=False, server=False):
    now = datetime.utcnow()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256(), default_backend())


def _pem(certificate=None, key=None):
    if certificate is not None:
        return certificate.public_bytes(serialization.Encoding.PEM)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@tagged("post_install", "-at_install")
class TestTls(TransactionCase):
    """A system that speaks HTTPS and wants Odoo's client certificate, signed by the
    company's own authority: the administrator uploads the certificates on the backend."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_key = lambda: ec.generate_private_key(ec.SECP256R1(), default_backend())  # noqa: E731
        ca_key, server_key, client_key = make_key(), make_key(), make_key()
        ca = _certificate("Group CA", ca_key, "Group CA", ca_key, ca=True)
        server = _certificate("mis.group", server_key, "Group CA", ca_key, server=True)
        client = _certificate("odoo.group", client_key, "Group CA", ca_key)
        folder = tempfile.TemporaryDirectory(prefix="crm_eai_tls_")
        cls.addClassCleanup(folder.cleanup)
        paths = {name: Path(folder.name, f"{name}.pem") for name in ("ca", "server", "server_key")}
        paths["ca"].write_bytes(_pem(ca))
        paths["server"].write_bytes(_pem(server))
        paths["server_key"].write_bytes(_pem(key=server_key))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(paths["server"], paths["server_key"])
        context.load_verify_locations(paths["ca"])
        context.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no answer
        cls.peer = Peer().start(tls=context)
        cls.addClassCleanup(cls.peer.stop)
        cls.administrator = new_test_user(cls.env, login="eai_tls_admin", groups="crm_eai.group_crm_eai_manager")
        cls.backend = (
            cls.env["crm.eai.backend"]
            .with_user(cls.administrator)
            .create(
                {
                    "name": "Group MIS over TLS",
                    "kind": "mis",
                    "wsdl_url": cls.peer.wsdl_url,
                    "timeout": 5,
                    "ca_cert": base64.b64encode(_pem(ca)),
                }
            )
        )
        cls.client_pem, cls.client_key_pem = _pem(client), _pem(key=client_key)

    def test_client_certificate_opens_the_service(self):
        self.assertTrue(self.peer.url.startswith("https://"))
        with self.assertRaisesRegex(UserError, "did not answer"):
            self.backend.with_user(self.administrator).action_test_connection()
        self.backend.with_user(self.administrator).write(
            {"client_cert": base64.b64encode(self.client_pem), "client_key": base64.b64encode(self.client_key_pem)}
        )
        action = self.backend.with_user(self.administrator).action_test_connection()
        self.assertEqual(action["params"]["type"], "success")

    def test_unknown_authority_is_refused(self):
        self.backend.with_user(self.administrator).write(
            {
                "client_cert": base64.b64encode(self.client_pem),
                "client_key": base64.b64encode(self.client_key_pem),
                "ca_cert": False,
            }
        )
        with self.assertRaisesRegex(UserError, "did not answer"):
            self.backend.with_user(self.administrator).action_test_connection()
