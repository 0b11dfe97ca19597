import base64
import contextlib
import functools
import hashlib
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import envelope, soap

# What a standard flow maps, by the kind of system: (name, direction, entity, model,
# lines as (external field, Odoo field, converter, key, source of truth, reference field)).
STANDARD_FLOWS = {
    "pdm": [
        (
            "Products from PDM",
            "pull",
            "product",
            "product.template",
            [
                ("code", "default_code", "text", True, "external", False),
                ("name", "name", "text", False, "external", False),
                ("price", "list_price", "float", False, "odoo", False),
                ("weight", "weight", "float", False, "external", False),
                ("description", "description_sale", "text", False, "external", False),
                ("attribute", "attribute_line_ids", "attributes", False, "external", False),
            ],
        ),
    ],
    "mis": [
        (
            "Customers and credit limits from MIS",
            "pull",
            "customer",
            "res.partner",
            [
                ("code", "ref", "text", True, "external", False),
                ("name", "name", "text", False, "external", False),
                ("email", "email", "text", False, "odoo", False),
                ("phone", "phone", "text", False, "odoo", False),
                ("vat", "vat", "text", False, "external", False),
                ("country", "country_id", "ref", False, "external", "code"),
                ("credit_limit", "credit_limit", "float", False, "external", False),
            ],
        ),
        (
            "Confirmed orders to MIS",
            "push",
            "order",
            "sale.order",
            [
                ("number", "name", "text", True, "odoo", False),
                ("customer", "partner_id.ref", "text", False, "odoo", False),
                ("date", "date_order", "datetime", False, "odoo", False),
                ("amount", "amount_total", "float", False, "odoo", False),
                ("currency", "currency_id.name", "text", False, "odoo", False),
                ("salesperson", "user_id.name", "text", False, "odoo", False),
            ],
        ),
        (
            "Case statuses to MIS",
            "push",
            "case",
            "crm.service.case",
            [
                ("number", "name", "text", True, "odoo", False),
                ("customer", "partner_id.ref", "text", False, "odoo", False),
                ("subject", "subject", "text", False, "odoo", False),
                ("status", "state", "text", False, "odoo", False),
                ("updated", "write_date", "datetime", False, "odoo", False),
            ],
        ),
    ],
}
STANDARD_FLOWS["erp"] = STANDARD_FLOWS["mis"]
# the domain of the records each pushing standard flow sends
STANDARD_PUSH_DOMAINS = {"sale.order": "[('state', '=', 'sale')]"}


class CrmEaiBackend(models.Model):
    """An external system the suite exchanges data with (MIS, PDM, another ERP).

    The backend holds how to reach the system; its mappings say what is exchanged, the
    exchange log what was. The ORM never talks to zeep: ``_crm_eai_endpoint`` gives the
    SOAP adapter (``lib/soap.py``) a plain description of the connection.
    """

    _name = "crm.eai.backend"
    _description = "External System"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.system.fields.mixin"]
    _order = "sequence, name"
    _crm_system_fields = ("channel_id",)

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(
        [
            ("mis", "Management Information System (MIS)"),
            ("pdm", "Product Data Management (PDM)"),
            ("erp", "Another ERP"),
            ("other", "Other"),
        ],
        required=True,
        default="mis",
        tracking=True,
    )
    protocol = fields.Selection(
        [("soap", "SOAP web service"), ("folder", "Encrypted XML files in a drop folder")],
        required=True,
        default="soap",
        tracking=True,
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Gets an activity when a message is given up (dead letter).",
    )
    code = fields.Char(
        required=True,
        copy=False,
        default=lambda self: f"odoo-{os.urandom(4).hex()}",
        help="How this Odoo names itself to the system: sender of the files it seals, "
        "recipient of those it accepts.",
    )
    peer_code = fields.Char(string="System Code", help="How the external system names itself in the files it sends.")
    note = fields.Html()

    # SOAP
    wsdl_url = fields.Char(string="WSDL Address", tracking=True)
    wsdl_file = fields.Binary(string="WSDL File", attachment=True)
    wsdl_filename = fields.Char()
    endpoint = fields.Char(
        string="Endpoint Override", tracking=True, help="Call this address instead of the one in the WSDL."
    )
    auth = fields.Selection(
        [("none", "None"), ("basic", "HTTP basic"), ("wsse", "WS-Security UsernameToken")],
        string="Authentication",
        required=True,
        default="none",
        tracking=True,
    )
    username = fields.Char(groups="crm_eai.group_crm_eai_manager")
    password = fields.Char(groups="crm_eai.group_crm_eai_manager", copy=False)
    client_cert = fields.Binary(
        string="Client Certificate (PEM)", groups="crm_eai.group_crm_eai_manager", attachment=True, copy=False
    )
    client_key = fields.Binary(
        string="Client Key (PEM)", groups="crm_eai.group_crm_eai_manager", attachment=True, copy=False
    )
    verify_tls = fields.Boolean(string="Verify TLS Certificate", default=True)
    ca_cert = fields.Binary(
        string="CA Certificate (PEM)",
        attachment=True,
        help="The authority the system's certificate is checked against, when it is not a public one.",
    )
    timeout = fields.Integer(string="Timeout (s)", default=30, required=True)

    seal_pushes = fields.Boolean(
        string="Sealed Batches",
        help="Send pushed records as a signed and encrypted XML batch (PushBatch) instead of plain SOAP.",
    )

    # drop folder
    folder_out = fields.Char(string="Outgoing Folder", help="Where the sealed XML files for the system are written.")
    folder_in = fields.Char(string="Incoming Folder", help="Where the system drops its sealed XML files.")

    # inbound SOAP service
    inbound_enabled = fields.Boolean(
        string="Accepts Pushes", help="The system may push records to Odoo through /crm_eai/soap/<id>."
    )
    inbound_username = fields.Char(groups="crm_eai.group_crm_eai_manager", copy=False)
    inbound_password = fields.Char(groups="crm_eai.group_crm_eai_manager", copy=False)

    # exchanges
    batch_size = fields.Integer(default=100, required=True, help="Records per message.")
    max_attempts = fields.Integer(default=8, required=True, help="Attempts before a message is given up.")
    retry_delay = fields.Integer(
        string="First Retry After (s)", default=60, required=True, help="Doubled at each further attempt."
    )
    channel_id = fields.Many2one("queue.job.channel", string="Job Channel", readonly=True, copy=False)
    mapping_ids = fields.One2many("crm.eai.mapping", "backend_id", string="Mappings")
    key_ids = fields.One2many("crm.eai.key", "backend_id", string="Keys")

    # dashboard
    exchange_backlog = fields.Integer(string="Backlog", compute="_compute_dashboard")
    exchange_failed = fields.Integer(string="Failing", compute="_compute_dashboard")
    exchange_dead = fields.Integer(string="Given Up", compute="_compute_dashboard")
    exchange_done_24h = fields.Integer(string="Records (24 h)", compute="_compute_dashboard")
    last_sync = fields.Datetime(compute="_compute_dashboard")
    health = fields.Selection(
        [("ok", "Healthy"), ("warning", "Retrying"), ("error", "Messages given up")], compute="_compute_dashboard"
    )

    _sql_constraints = [
        ("timeout_positive", "CHECK(timeout > 0 AND timeout <= 600)", "The timeout must be 1 to 600 seconds."),
        ("batch_size_positive", "CHECK(batch_size > 0 AND batch_size <= 10000)", "A batch holds 1 to 10,000 records."),
        ("max_attempts_positive", "CHECK(max_attempts > 0)", "A message is tried at least once."),
        ("retry_delay_positive", "CHECK(retry_delay > 0)", "The first retry waits at least one second."),
        ("code_unique", "UNIQUE(code)", "Two systems cannot share the code Odoo names itself with."),
    ]

    def _compute_dashboard(self):
        Exchange = self.env["crm.eai.exchange"]
        domain = [("backend_id", "in", self.ids)]
        states = {
            (backend.id, state): count
            for backend, state, count in Exchange._read_group(domain, ["backend_id", "state"], ["__count"])
        }
        since = fields.Datetime.now() - timedelta(hours=24)
        done = [*domain, ("state", "=", "done")]
        recent = dict(Exchange._read_group([*done, ("date_done", ">=", since)], ["backend_id"], ["record_count:sum"]))
        last_done = dict(Exchange._read_group(done, ["backend_id"], ["date_done:max"]))
        for backend in self:
            backend.exchange_backlog = states.get((backend.id, "pending"), 0) + states.get((backend.id, "sent"), 0)
            backend.exchange_failed = states.get((backend.id, "failed"), 0)
            backend.exchange_dead = states.get((backend.id, "dead"), 0)
            backend.exchange_done_24h = recent.get(backend._origin or backend, 0)
            backend.last_sync = last_done.get(backend._origin or backend, False)
            backend.health = "error" if backend.exchange_dead else "warning" if backend.exchange_failed else "ok"

    @api.constrains("protocol", "wsdl_url", "endpoint")
    def _check_addresses(self):
        for backend in self:
            for address in (backend.wsdl_url, backend.endpoint):
                if address:
                    parsed = urlparse(address)
                    if parsed.scheme not in ("http", "https") or not parsed.netloc:
                        raise ValidationError(
                            self.env._(
                                "%(address)s of %(name)s is not a web address: give it as http(s)://host/path, "
                                "for example https://mis.example.com/service?wsdl.",
                                address=address,
                                name=backend.name,
                            )
                        )

    @api.constrains("protocol", "folder_in", "folder_out")
    def _check_folders(self):
        for backend in self.filtered(lambda b: b.protocol == "folder"):
            for folder in (backend.folder_in, backend.folder_out):
                if folder and not os.path.isabs(folder):
                    raise ValidationError(
                        self.env._(
                            "The folder %(folder)s of %(name)s must be an absolute path.",
                            folder=folder,
                            name=backend.name,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        backends._crm_eai_ensure_channel()
        return backends

    def write(self, vals):
        result = super().write(vals)
        if "company_id" in vals:
            # record rules judge a system as it was: moved, it must still be the user's
            self.check_access("write")
        return result

    # actions -------------------------------------------------------------

    def action_test_connection(self):
        """Ask the system for its version; say what failed in words an operator can act on."""
        self.ensure_one()
        self.check_access("read")
        try:
            version = soap.client(self._crm_eai_endpoint()).ping()
        except (soap.TransientError, soap.PermanentError) as error:
            raise UserError(self.env._("%(name)s did not answer: %(error)s", name=self.name, error=error)) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Connection works"),
                "message": self.env._(
                    "%(name)s answered, speaking version %(version)s.", name=self.name, version=version
                ),
            },
        }

    def action_create_standard_flows(self):
        """Create the mappings a system of this kind usually needs (products from a PDM,
        customers and credit limits from an MIS, orders and case statuses to it): those
        of the installed add-ons, with the fields the user may exchange."""
        self.ensure_one()
        self.check_access("write")
        Mapping = self.env["crm.eai.mapping"]
        mappings = self.with_context(active_test=False).mapping_ids
        existing = set(mappings.mapped("name"))
        mapped = {(mapping.direction, mapping.entity) for mapping in mappings}
        vals_list = []
        for name, direction, entity, model, lines in STANDARD_FLOWS.get(self.kind, []):
            if name in existing or (direction, entity) in mapped or model not in self.env:
                continue  # already there, or a flow of an add-on that is not installed here
            if not Mapping._crm_eai_may_map(model, direction):
                continue  # a flow the user may not set up (their rights on the model)
            kept = [
                line
                for line in lines
                if line[1].split(".")[0] in self.env[model]._fields and Mapping._crm_eai_may_map_field(model, line[1])
            ]
            if not any(line[3] for line in kept):
                continue  # without its key, the flow cannot match records
            vals_list.append(
                {
                    "name": name,
                    "backend_id": self.id,
                    "direction": direction,
                    "entity": entity,
                    "model_id": self.env["ir.model"]._get_id(model),
                    "domain": STANDARD_PUSH_DOMAINS.get(model, "[]"),
                    "line_ids": [
                        Command.create(
                            {
                                "sequence": index,
                                "external_field": external,
                                "field_path": path,
                                "converter": converter,
                                "is_key": key,
                                "source_of_truth": truth,
                                "ref_field": ref_field,
                            }
                        )
                        for index, (external, path, converter, key, truth, ref_field) in enumerate(kept)
                    ],
                }
            )
        Mapping.create(vals_list)
        return self.action_open_mappings()

    def action_open_mappings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_eai.crm_eai_mapping_action")
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action

    def action_open_exchanges(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_eai.crm_eai_exchange_action")
        action["domain"] = [("backend_id", "=", self.id)]
        state = self.env.context.get("crm_eai_state")
        if state:
            action["context"] = {f"search_default_{state}": 1}
        return action

    # the connection, for the adapter ---------------------------------------

    def _crm_eai_cache_prefix(self):
        return f"{self.env.cr.dbname}:{self.id}:"

    def _crm_eai_endpoint(self):
        """The plain description of the connection the SOAP adapter works from."""
        self.ensure_one()
        # sudo: the credentials are readable by administrators only, yet every operator's
        # retry and every job has to connect; they go to the adapter, never to the caller
        secrets = self.sudo()
        if not (self.wsdl_url or self.wsdl_file):
            raise UserError(self.env._("%(name)s has no WSDL: give its address or upload the file.", name=self.name))
        wsdl, version = self.wsdl_url, self.wsdl_url
        if self.wsdl_file:
            content = base64.b64decode(secrets.wsdl_file)
            version = hashlib.sha256(content).hexdigest()
            wsdl = str(_materialise(f"wsdl-{version}.wsdl", content))
        cert = None
        if secrets.client_cert:
            cert_pem, key_pem = base64.b64decode(secrets.client_cert), base64.b64decode(secrets.client_key or b"")
            digest = hashlib.sha256(cert_pem + key_pem).hexdigest()
            cert = (
                str(_materialise(f"cert-{digest}.pem", cert_pem)),
                str(_materialise(f"key-{digest}.pem", key_pem)) if key_pem else None,
            )
            version += digest
        verify = self.verify_tls
        if self.verify_tls and self.ca_cert:
            ca_pem = base64.b64decode(self.ca_cert)
            verify = str(_materialise(f"ca-{hashlib.sha256(ca_pem).hexdigest()}.pem", ca_pem))
            version += verify
        return soap.Endpoint(
            wsdl=wsdl,
            address=self.endpoint or None,
            auth=self.auth,
            username=secrets.username or None,
            password=secrets.password or None,
            cert=cert,
            verify=verify,
            timeout=float(self.timeout),
            cache_key=self._crm_eai_cache_prefix()
            + hashlib.sha256(
                f"{version}|{self.endpoint}|{self.auth}|{secrets.username}|{secrets.password}|{self.timeout}".encode()
            ).hexdigest(),
        )

    def _crm_eai_ensure_channel(self):
        """One job channel per system, under root.crm_eai, so one system's backlog
        does not hold up another's (capacities are set in the server configuration)."""
        parent = self.env.ref("crm_eai.crm_eai_job_channel")
        Channel = self.env["queue.job.channel"].sudo()  # sudo: channels are technical records
        for backend in self.filtered(lambda b: not b.channel_id):
            channel = Channel.search([("name", "=", f"backend_{backend.id}"), ("parent_id", "=", parent.id)])
            backend.sudo().channel_id = channel or Channel.create(
                {"name": f"backend_{backend.id}", "parent_id": parent.id}
            )

    def _crm_eai_poll_folder(self, limit=500):
        """File the sealed files the system dropped (each once, under its message id), and
        mark done our files the system has taken away. A file leaves the folder only
        after the transaction that filed it is committed: a crash in between leaves it
        there, to be recognised as already filed the next time."""
        self.ensure_one()
        Exchange = self.env["crm.eai.exchange"].sudo()  # sudo: the log is the integration's
        incoming = Path(self.folder_in) if self.folder_in else None
        if incoming and incoming.is_dir():
            processed = incoming / "processed"
            processed.mkdir(exist_ok=True)
            for path in sorted(incoming.glob("*.xml"))[:limit]:
                data = path.read_bytes()
                try:
                    key = envelope.peek(data).message_id
                except envelope.EnvelopeError:
                    key = f"sha256:{hashlib.sha256(data).hexdigest()}"  # filed anyway: it fails visibly
                Exchange._crm_eai_receive(self, "file", key, data)
                self.env.cr.postcommit.add(functools.partial(_move, path, processed))
        outgoing = Path(self.folder_out) if self.folder_out else None
        sent = Exchange.search([("backend_id", "=", self.id), ("state", "=", "sent")])
        taken = sent.filtered(lambda e: outgoing and e.receipt and not (outgoing / e.receipt).exists())
        taken.write({"state": "done", "date_done": fields.Datetime.now()})

    def _crm_eai_alert_dead(self, exchanges):
        """A message was given up: tell the responsible (activity) and the followers (mail)."""
        self.ensure_one()
        names = ", ".join(exchanges[:10].mapped("name"))
        body = self.env._(
            "%(count)s message(s) to or from %(name)s were given up after their last attempt: %(names)s. "
            "Fix the cause, then retry them from the exchange log.",
            count=len(exchanges),
            name=self.name,
            names=names,
        )
        # sudo: the alert is the system's, posted whoever's job hit the last attempt
        backend = self.sudo()
        backend.message_post(body=body, subtype_xmlid="mail.mt_comment")
        if self.user_id:
            backend.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=self.env._("Integration messages given up"),
                note=body,
                user_id=self.user_id.id,
            )


def _move(path, folder):
    with contextlib.suppress(FileNotFoundError):
        os.replace(path, folder / path.name)


def _materialise(name, content):
    """Write ``content`` once per worker to a private file the SOAP libraries can open."""
    folder = Path(tempfile.gettempdir()) / f"crm_eai_{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / name
    if not path.exists():
        fd, partial = tempfile.mkstemp(dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(partial, path)
    return path
