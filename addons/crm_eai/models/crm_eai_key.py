import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, index_exists

from ..lib import envelope

MANAGER = "crm_eai.group_crm_eai_manager"


class CrmEaiKey(models.Model):
    """The keys of the signed, encrypted files exchanged with one external system.

    A key is the pair both sides agree on under one key id (``name``): the AES key they
    share, this Odoo's Ed25519 key pair (the public half goes to the peer) and the peer's
    public key. Files are sealed with the system's only *active* key; a *retired* key still
    opens the files sealed before the rotation, a *revoked* one opens nothing.

    The cryptography itself is in ``lib/envelope.py``; this model keeps the material, checks
    it, and hands it to the exchange code through :meth:`_crm_eai_sealing_key` and
    :meth:`_crm_eai_keyring`. The secrets are readable by integration administrators only.
    The state moves only through the buttons (``crm.system.fields.mixin``), and the key id,
    system and secrets of a key never change: rotating gives a new key.
    """

    _name = "crm.eai.key"
    _description = "Exchange Key"
    _inherit = ["crm.system.fields.mixin"]
    _order = "backend_id, create_date desc, id desc"
    _crm_system_fields = ("state", "date_retired", "public_key", "fingerprint", "peer_fingerprint")
    # what identifies the key on both sides: changing it would make files already
    # exchanged unreadable, or let a key move to another system
    _crm_eai_immutable_fields = ("name", "backend_id", "aes_key", "signing_key")

    @api.model
    def _default_name(self):
        return f"KEY-{secrets.token_hex(4).upper()}"

    name = fields.Char(
        string="Key ID",
        required=True,
        copy=False,
        default=lambda self: self._default_name(),
        help="Written in each file sealed with this key; both sides keep the key under the same id. "
        "Generated, or given when the peer made the key.",
    )
    backend_id = fields.Many2one(
        "crm.eai.backend", string="External System", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    state = fields.Selection(
        [("active", "Active"), ("retired", "Retired (decrypts only)"), ("revoked", "Revoked")],
        required=True,
        default="active",
        copy=False,
    )
    date_retired = fields.Datetime(string="Retired On", copy=False)
    aes_key = fields.Char(
        string="Shared AES Key",
        groups=MANAGER,
        copy=False,
        help="256-bit key shared with the peer, in base64. Generated when left empty.",
    )
    signing_key = fields.Text(
        string="Our Private Key",
        groups=MANAGER,
        copy=False,
        help="Ed25519 private key (PEM) this Odoo signs its files with. Generated when left empty.",
    )
    public_key = fields.Text(
        string="Our Public Key",
        compute="_compute_public_key",
        store=True,
        help="Give it to the peer: it checks the signature of our files with it.",
    )
    peer_public_key = fields.Text(
        groups=MANAGER,
        help="The Ed25519 public key (PEM) the peer signs its files with: the files it sends are checked with it.",
    )
    fingerprint = fields.Char(
        compute="_compute_fingerprint",
        store=True,
        help="Short digest of our public key: read it to the peer to check they hold the right one.",
    )
    peer_fingerprint = fields.Char(compute="_compute_peer_fingerprint", store=True)

    _sql_constraints = [
        ("name_backend_unique", "UNIQUE(backend_id, name)", "Two keys of one external system cannot share a key id."),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        # at most one active key per system, also against two rotations in concurrent
        # transactions; create() says it in words before the database has to
        # (tools.create_unique_index takes no WHERE clause)
        if not index_exists(self.env.cr, "crm_eai_key_backend_active_uniq"):
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX %s ON %s (backend_id) WHERE state = 'active'",
                    SQL.identifier("crm_eai_key_backend_active_uniq"),
                    SQL.identifier(self._table),
                )
            )
        return result

    @api.depends("signing_key")
    def _compute_public_key(self):
        # compute_sudo (stored): the private key is read as superuser, only its public half is stored
        for key in self:
            try:
                key.public_key = envelope.public_pem_of(key.signing_key).decode() if key.signing_key else False
            except ValueError:
                key.public_key = False  # _check_pems refuses the record

    @api.depends("public_key")
    def _compute_fingerprint(self):
        for key in self:
            key.fingerprint = self._crm_eai_fingerprint(key.public_key)

    @api.depends("peer_public_key")
    def _compute_peer_fingerprint(self):
        for key in self:
            key.peer_fingerprint = self._crm_eai_fingerprint(key.peer_public_key)

    @api.model
    def _crm_eai_fingerprint(self, pem):
        try:
            return envelope.fingerprint(pem) if pem else False
        except ValueError:
            return False

    @api.constrains("name")
    def _check_name(self):
        for key in self:
            if not envelope.is_valid_key_id(key.name):
                raise ValidationError(
                    self.env._(
                        "The key id %(name)s cannot be written in a file: use 1 to 64 letters, digits "
                        "and . _ : - (starting with a letter or digit), for example KEY-1A2B3C4D.",
                        name=key.name,
                    )
                )

    @api.constrains("aes_key")
    def _check_aes_key(self):
        for key in self:
            try:
                envelope.decode_aes_key(key.aes_key or "")
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "The shared AES key of %(name)s must be 32 bytes (256 bits) written in base64, "
                        "as 44 characters: paste the peer's key again, or leave it empty to generate one.",
                        name=key.name,
                    )
                ) from None

    @api.constrains("signing_key", "peer_public_key")
    def _check_pems(self):
        for key in self:
            try:
                envelope.load_private(key.signing_key or "")
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "Our private key of %(name)s is not an unencrypted Ed25519 private key in PEM format "
                        "(-----BEGIN PRIVATE KEY-----): paste it again, or leave it empty to generate one.",
                        name=key.name,
                    )
                ) from None
            if key.peer_public_key:
                try:
                    envelope.load_public(key.peer_public_key)
                except ValueError:
                    raise ValidationError(
                        self.env._(
                            "The peer's public key of %(name)s is not an Ed25519 public key in PEM format "
                            "(-----BEGIN PUBLIC KEY-----): ask the peer for it again.",
                            name=key.name,
                        )
                    ) from None

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._crm_eai_with_secrets(vals) for vals in vals_list]
        self._crm_eai_check_one_active(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            changed = [self._fields[name].string for name in self._crm_eai_immutable_fields if name in vals]
            if changed and self:
                raise ValidationError(
                    self.env._(
                        "%(fields)s of an exchange key cannot be changed once it is created: use Rotate "
                        "to get a new key (the peer needs the new one), or Revoke this one.",
                        fields=", ".join(changed),
                    )
                )
        return super().write(vals)

    @api.model
    def _crm_eai_with_secrets(self, vals):
        """``vals`` with a fresh AES key and key pair where none is given."""
        vals = dict(vals)
        if not vals.get("aes_key"):
            vals["aes_key"] = envelope.encode_aes_key(envelope.generate_aes_key())
        if not vals.get("signing_key"):
            vals["signing_key"] = envelope.generate_signing_key()[0].decode()
        return vals

    @api.model
    def _crm_eai_check_one_active(self, vals_list):
        """Refuse, in words, the keys that would give a system a second active key.

        Checked before the insert: the unique index would refuse it first, as an
        IntegrityError, before an ``@api.constrains`` method could run. Its query flushes
        the pending changes of state (a key just revoked), so the index sees them too.
        """
        backend_ids = [vals.get("backend_id") for vals in vals_list if vals.get("state", "active") == "active"]
        if not all(backend_ids):
            return  # the required backend_id is reported by the ORM
        backends = self.env["crm.eai.backend"].browse(set(backend_ids))
        backends.check_access("read")  # a system the caller cannot see is not described
        # sudo: counting the active keys of the systems, whatever the caller's record rules show
        existing = dict(
            self.sudo()._read_group(
                [("backend_id", "in", backends.ids), ("state", "=", "active")], ["backend_id"], ["__count"]
            )
        )
        for backend in backends:
            if backend_ids.count(backend.id) + existing.get(backend, 0) > 1:
                raise ValidationError(
                    self.env._(
                        "%(backend)s already has an active exchange key: rotate it (Rotate on the key) "
                        "instead of creating another one, or revoke it first.",
                        backend=backend.display_name,
                    )
                )

    # actions -------------------------------------------------------------

    def action_rotate(self):
        """Retire this key (it still opens the files sealed with it) and make a new active
        key for the same system, keeping the peer's public key until the peer sends a new one."""
        self.ensure_one()
        self._crm_eai_check_manager()
        self.check_access("write")
        if self.state != "active":
            raise UserError(
                self.env._(
                    "%(name)s is not the active key of %(backend)s: only the active key can be rotated.",
                    name=self.name,
                    backend=self.backend_id.display_name,
                )
            )
        # sudo: state and date_retired are set by the system only (crm.system.fields.mixin),
        # here after the checks above; retired first, so the new key is the only active one
        self.sudo().write({"state": "retired", "date_retired": fields.Datetime.now()})
        # the new key's INSERT is immediate: the unique index must already see this one retired
        self.flush_recordset(["state"])
        new_key = self.create({"backend_id": self.backend_id.id, "peer_public_key": self.peer_public_key})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": new_key.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_revoke(self):
        """Stop using these keys: no file is sealed or opened with them any more."""
        self._crm_eai_check_manager()
        self.check_access("write")
        keys = self.filtered(lambda key: key.state != "revoked")
        # sudo: state and date_retired are set by the system only, here after the checks above
        keys.filtered(lambda key: not key.date_retired).sudo().date_retired = fields.Datetime.now()
        keys.sudo().state = "revoked"
        return True

    def _crm_eai_check_manager(self):
        if not (self.env.su or self.env.user.has_group(MANAGER)):
            raise AccessError(self.env._("Only integration administrators can rotate or revoke exchange keys."))

    # material for the exchange code ----------------------------------------

    @api.model
    def _crm_eai_sealing_key(self, backend):
        """The ``key_id``, ``aes_key`` and ``signing_key`` arguments of :func:`.envelope.seal`
        for files to ``backend``: its active key."""
        backend.ensure_one()
        backend.check_access("read")
        # sudo: sealing needs the secrets, readable by administrators only, yet every operator's
        # retry and every job seals files; they go to envelope.seal, never to a view or an RPC
        key = self.sudo().search([("backend_id", "=", backend.id), ("state", "=", "active")], limit=1)
        if not key:
            raise UserError(
                self.env._(
                    "Backend %s has no active exchange key: create one under Integration > Keys.",
                    backend.display_name,
                )
            )
        return {
            "key_id": key.name,
            "aes_key": envelope.decode_aes_key(key.aes_key),
            "signing_key": envelope.load_private(key.signing_key),
        }

    @api.model
    def _crm_eai_seal(self, backend, plaintext, message_id=None):
        """The envelope of ``plaintext`` (a batch's XML) for ``backend``, from this Odoo
        (``code``) to the system (``peer_code``), sealed with the system's active key; a
        message sent again carries the same ``message_id``, so the system takes it once."""
        if not backend.peer_code:
            raise UserError(
                self.env._(
                    "%s has no System Code: give the name the system calls itself in its files, "
                    "so that the files for it are addressed to it.",
                    backend.display_name,
                )
            )
        return envelope.seal(
            plaintext,
            sender=backend.code,
            recipient=backend.peer_code,
            message_id=message_id,
            **self._crm_eai_sealing_key(backend),
        )

    @api.model
    def _crm_eai_keyring(self, backend):
        """The ``keyring`` of :func:`.envelope.open_envelope` for files from ``backend``:
        its active and retired keys by key id; a revoked or unknown key gives ``None``."""
        backend.ensure_one()
        backend.check_access("read")
        # sudo: opening needs the secrets, readable by administrators only, yet every operator's
        # retry and every job opens files; the closure hands them to open_envelope only
        Key = self.sudo()

        def keyring(key_id):
            key = Key.search(
                [("backend_id", "=", backend.id), ("name", "=", key_id), ("state", "in", ("active", "retired"))],
                limit=1,
            )
            if not key:
                return None
            if not key.peer_public_key:
                raise envelope.EnvelopeError(
                    "unknown_key",
                    self.env._(
                        "Key %(name)s of %(backend)s has no public key of the peer, so the signature of its "
                        "files cannot be checked: ask the peer for it and paste it on the key.",
                        name=key.name,
                        backend=backend.display_name,
                    ),
                )
            return envelope.decode_aes_key(key.aes_key), envelope.load_public(key.peer_public_key)

        return keyring
