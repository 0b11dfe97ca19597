import base64
import contextlib
import hashlib
import json
import logging
import time
import zlib
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, split_every

from ..components.adapter import adapter_for
from ..lib import backoff, converters, envelope, soap, xmlsafe
from ..lib import records as contract

_logger = logging.getLogger(__name__)

# a message whose job was lost (worker killed before it ran) is queued again after this
WATCHDOG = timedelta(minutes=10)
# done messages are kept this many days (ir.config_parameter crm_eai.exchange_retention_days)
RETENTION_DAYS = 90
PREVIEW_BYTES = 100_000
# refusals that no retry can cure: the message is given up at once and the responsible alerted
FINAL_ERRORS = {
    "unsafe",
    "tampered",
    "bad_signature",
    "replayed",
    "expired",
    "future",
    "wrong_recipient",
    "invalid_xml",
}
# errors that are the system's or the data's: recorded on the message, retried later
EXCHANGE_ERRORS = (
    soap.TransientError,
    soap.PermanentError,
    envelope.EnvelopeError,
    xmlsafe.UnsafeXmlError,
    xmlsafe.InvalidXmlError,
    converters.ConversionError,
    UserError,
    ValidationError,
)


class CrmEaiExchange(models.Model):
    """Every message to or from an external system, kept until it is done.

    Nothing is lost: a message is recorded before it travels (pushes are written in the
    transaction that changed the data, the outbox pattern) and it changes state only
    in the transaction that does its work, so a worker killed mid-way leaves it as it
    was, to be run again. Nothing is doubled: a message's idempotency key is unique per
    system, the system receives it with each push, and what comes in is matched through
    bindings and modification times.

    States: pending (to do), sent (handed over, the system has not taken it yet: a file
    in the drop folder), done, failed (to be retried at ``next_retry``, with backoff),
    dead (given up after the backend's attempts, the responsible alerted; an operator
    can retry it).
    """

    _name = "crm.eai.exchange"
    _description = "Integration Message"
    _order = "id desc"

    name = fields.Char(readonly=True, copy=False, index="trigram")
    backend_id = fields.Many2one("crm.eai.backend", required=True, readonly=True, ondelete="cascade", index=True)
    mapping_id = fields.Many2one("crm.eai.mapping", readonly=True, ondelete="set null", index="btree_not_null")
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    kind = fields.Selection(
        [
            ("pull", "Pulled page"),
            ("push", "Pushed batch"),
            ("receive", "Received push"),
            ("file", "Sealed file"),
        ],
        required=True,
        readonly=True,
    )
    direction = fields.Selection([("in", "In"), ("out", "Out")], required=True, readonly=True)
    entity = fields.Char(readonly=True)
    model = fields.Char(string="Odoo Model", readonly=True)
    request = fields.Text(readonly=True, help="What was asked of the system (page, watermark).")
    res_ids = fields.Text(string="Record IDs", readonly=True)
    payload = fields.Binary(attachment=False, readonly=True, help="The message, compressed.")
    payload_size = fields.Integer(string="Size (bytes)", readonly=True)
    payload_text = fields.Text(string="Content", compute="_compute_payload_text")
    record_count = fields.Integer(string="Records", readonly=True)
    rejected_count = fields.Integer(string="Refused", readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("done", "Done"), ("failed", "Failed"), ("dead", "Given up")],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_retry = fields.Datetime(readonly=True, index=True)
    error = fields.Text(readonly=True)
    error_kind = fields.Char(readonly=True)
    correlation_key = fields.Char(readonly=True, index=True, help="The messages of one sync share it.")
    idempotency_key = fields.Char(required=True, readonly=True)
    receipt = fields.Char(readonly=True)
    date_done = fields.Datetime(readonly=True, index=True)
    duration = fields.Integer(string="Duration (ms)", readonly=True)

    _sql_constraints = [
        (
            "idempotency_unique",
            "UNIQUE(backend_id, kind, idempotency_key)",
            "This message is already in the log: a message is taken once.",
        ),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        # the retry cron reads the due messages, oldest first
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS crm_eai_exchange_due_idx ON crm_eai_exchange (next_retry) "
                "WHERE state IN ('pending', 'failed', 'sent')"
            )
        )
        return result

    def _compute_payload_text(self):
        for exchange in self:
            exchange.payload_text = exchange._crm_eai_payload()[:PREVIEW_BYTES].decode(errors="replace")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Integration messages are written by the integration, not by hand."))
        exchanges = super().create(vals_list)
        for exchange in exchanges:
            exchange.name = f"EAI-{exchange.id:07d}"
        return exchanges

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._("Integration messages are written by the integration: retry them with the button.")
            )
        return super().write(vals)

    # actions -------------------------------------------------------------

    def action_retry(self):
        """Try the failed or given-up messages again now (integration operators)."""
        if not self.env.user.has_group("crm_eai.group_crm_eai_user"):
            raise AccessError(self.env._("Only integration operators retry messages."))
        self.check_access("read")
        retried = self.filtered(lambda e: e.state in ("failed", "dead"))
        if not retried:
            raise UserError(self.env._("Only failed or given-up messages can be retried."))
        # sudo: the log is written by the integration; the operator only asks for the retry
        retried.sudo().write({"state": "pending", "attempts": 0, "next_retry": fields.Datetime.now()})
        for backend, messages in retried.grouped("backend_id").items():
            backend.sudo().message_post(
                body=self.env._(
                    "%(user)s retried %(names)s.", user=self.env.user.name, names=", ".join(messages.mapped("name"))
                )
            )
        retried._crm_eai_enqueue()
        return True

    # creating messages -----------------------------------------------------

    @api.model
    def _crm_eai_create_pull(self, mapping, since, cursor):
        request = {
            "since": since and fields.Datetime.to_string(since),
            "cursor": cursor or None,
            "limit": mapping.backend_id.batch_size,
        }
        key = f"{mapping.sync_key}:{cursor or '-'}"
        return self._crm_eai_create_unique(
            {
                "backend_id": mapping.backend_id.id,
                "mapping_id": mapping.id,
                "kind": "pull",
                "direction": "in",
                "entity": mapping.entity,
                "model": mapping.model_name,
                "request": json.dumps(request),
                "correlation_key": mapping.sync_key,
                "idempotency_key": key,
            }
        )

    @api.model
    def _crm_eai_create_push(self, mapping, model, ids, records):
        """One outgoing batch; the same records with the same values make the same key."""
        content = json.dumps([[r["key"], r["fields"]] for r in records], sort_keys=True, default=str)
        key = hashlib.sha256(f"{mapping.id}|{content}".encode()).hexdigest()
        return self._crm_eai_create_unique(
            {
                "backend_id": mapping.backend_id.id,
                "mapping_id": mapping.id,
                "kind": "push",
                "direction": "out",
                "entity": mapping.entity,
                "model": model,
                "res_ids": json.dumps(ids),
                "record_count": len(records),
                "idempotency_key": key,
                **_payload_vals(contract.dumps(records)),
            }
        )

    @api.model
    def _crm_eai_receive(self, backend, kind, idempotency_key, payload, entity=None, record_count=0):
        """A message the system pushed to Odoo, stored before it is answered: the same key
        again returns the message already there."""
        mapping = (
            self.env["crm.eai.mapping"].search(
                [("backend_id", "=", backend.id), ("direction", "=", "pull"), ("entity", "=", entity)], limit=1
            )
            if entity
            else self.env["crm.eai.mapping"]
        )
        return self._crm_eai_create_unique(
            {
                "backend_id": backend.id,
                "mapping_id": mapping.id,
                "kind": kind,
                "direction": "in",
                "entity": entity,
                "model": mapping.model_name,
                "record_count": record_count,
                "idempotency_key": idempotency_key,
                **_payload_vals(payload),
            }
        )

    @api.model
    def _crm_eai_create_unique(self, vals):
        """Create the message, or return the one with the same key (two workers may try)."""
        Exchange = self.sudo()  # sudo: the log is the integration's
        domain = [(name, "=", vals[name]) for name in ("backend_id", "kind", "idempotency_key")]
        existing = Exchange.search(domain, limit=1)
        if existing:
            return existing
        vals = {**vals, "next_retry": fields.Datetime.now() + WATCHDOG}
        try:
            with self.env.cr.savepoint():
                exchange = Exchange.create(vals)
        except psycopg2.errors.UniqueViolation:
            self._crm_eai_concurrent_twin(vals)
            exchange = Exchange.create(vals)  # the other worker's transaction was rolled back
        exchange._crm_eai_enqueue()
        return exchange

    @api.model
    def _crm_eai_concurrent_twin(self, vals):
        """Another worker stored the same message after this transaction began: under
        REPEATABLE READ its row is invisible here. An upsert on it makes PostgreSQL say
        so as a serialization failure, which Odoo retries for a request and queue_job
        for a job; the retry then finds the message and returns it."""
        with contextlib.suppress(_NoTwin), self.env.cr.savepoint():
            self.env.cr.execute(
                SQL(
                    "INSERT INTO crm_eai_exchange (backend_id, kind, direction, state, idempotency_key) "
                    "VALUES (%s, %s, %s, 'pending', %s) ON CONFLICT (backend_id, kind, idempotency_key) "
                    "DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key",
                    vals["backend_id"],
                    vals["kind"],
                    vals["direction"],
                    vals["idempotency_key"],
                )
            )
            raise _NoTwin  # the row was inserted: no twin any more, undo it

    def _crm_eai_enqueue(self):
        """One background job per message, in its system's channel; a message already
        waiting in the queue is not queued twice."""
        for exchange in self:
            exchange.with_delay(
                # sudo: job channels are technical records only queue managers read
                channel=exchange.backend_id.sudo().channel_id.complete_name or "root.crm_eai",
                identity_key=f"crm_eai_exchange:{exchange.id}",
                description=self.env._("Integration message %s", exchange.name),
                max_retries=5,
            )._crm_eai_run()

    # running messages --------------------------------------------------------

    def _crm_eai_run(self):
        """Do the work of one message (the background job). Runs as the integration: the
        message's content came from the system or from the record that was changed, and
        the mapping an administrator set up decides what it may touch."""
        self.ensure_one()
        if not self._crm_eai_lock():
            return "taken by another worker or already done"
        # sudo: see above; in the company of the system
        exchange = self.sudo().with_company(self.backend_id.company_id)
        started = time.monotonic()
        try:
            with self.env.cr.savepoint():
                getattr(exchange, f"_crm_eai_process_{exchange.kind}")()
        except psycopg2.OperationalError:
            raise  # a concurrent update or a lock: queue_job runs the job again
        except EXCHANGE_ERRORS as error:
            exchange._crm_eai_fail(error, _error_kind(error))
        except Exception as error:  # any other failure is logged on the message, not lost
            _logger.exception("Integration message %s failed", exchange.name)
            exchange._crm_eai_fail(error, "internal")
        finally:
            exchange.duration = int((time.monotonic() - started) * 1000)
        return exchange.state

    def _crm_eai_lock(self):
        """Take the message for this transaction, if no other worker has it and it is still to do."""
        self.flush_recordset(["state"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM crm_eai_exchange WHERE id = %s AND state IN ('pending', 'failed') "
                "FOR UPDATE SKIP LOCKED",
                self.id,
            )
        )
        return bool(self.env.cr.fetchone())

    def _crm_eai_fail(self, error, kind):
        attempts = self.attempts + 1
        dead = attempts >= self.backend_id.max_attempts or kind in FINAL_ERRORS
        self.write(
            {
                "state": "dead" if dead else "failed",
                "attempts": attempts,
                "error": str(error) or type(error).__name__,
                "error_kind": kind,
                "next_retry": False
                if dead
                else backoff.next_retry(
                    fields.Datetime.now(), attempts, self.backend_id.retry_delay, self.idempotency_key
                ),
            }
        )
        if dead:
            if self.kind == "pull" and self.mapping_id.sync_state == "running":
                self.mapping_id.sync_state = "failed"
            self.backend_id._crm_eai_alert_dead(self)

    def _crm_eai_done(self, **vals):
        self.write(
            {
                "state": "done",
                "attempts": self.attempts + 1,
                "date_done": fields.Datetime.now(),
                "next_retry": False,
                "error": False,
                "error_kind": False,
                **vals,
            }
        )

    def _crm_eai_process_pull(self):
        mapping = self.mapping_id
        if self.payload:  # a page already fetched whose records were refused: take it in again
            records = contract.loads(self._crm_eai_payload())
            self._crm_eai_take_in(mapping, records)
            return
        request = json.loads(self.request)
        since = request["since"] and fields.Datetime.to_datetime(request["since"])
        records, cursor, total = adapter_for(self.backend_id).list_page(
            self.entity, since=since, cursor=request["cursor"], limit=request["limit"]
        )
        self.write({"record_count": len(records), **_payload_vals(contract.dumps(records))})
        modified = [r["modified"] for r in records if r.get("modified")]
        newest = max([*modified, *([mapping.sync_watermark] if mapping.sync_watermark else [])], default=False)
        progress = {
            "sync_done": mapping.sync_done + len(records),
            "sync_total": total or mapping.sync_total,
            "sync_watermark": newest,
        }
        if cursor:
            mapping.write({**progress, "sync_cursor": cursor})
            self._crm_eai_create_pull(mapping, since, cursor)
        else:
            mapping.write(
                {
                    **progress,
                    "sync_state": "idle",
                    "sync_cursor": False,
                    "sync_finished": fields.Datetime.now(),
                    "watermark": newest or mapping.watermark,
                }
            )
        self._crm_eai_take_in(mapping, records)

    def _crm_eai_process_receive(self):
        records = contract.loads(self._crm_eai_payload())
        if not self.mapping_id:
            raise UserError(
                self.env._(
                    "%(system)s has no mapping taking in %(entity)s.", system=self.backend_id.name, entity=self.entity
                )
            )
        self._crm_eai_take_in(self.mapping_id, records)

    def _crm_eai_process_file(self):
        """A sealed batch: verify, decrypt, validate, then take in like a pushed message."""
        Key = self.env["crm.eai.key"]
        opened = envelope.open_envelope(
            self._crm_eai_payload(),
            recipient=self.backend_id.code,
            keyring=Key._crm_eai_keyring(self.backend_id),
            seen=lambda message_id: message_id != self.idempotency_key
            and bool(
                self.search_count(
                    [
                        ("backend_id", "=", self.backend_id.id),
                        ("kind", "=", "file"),
                        ("idempotency_key", "=", message_id),
                    ]
                )
            ),
        )
        entity, _created, records = contract.parse_batch(opened.plaintext)
        mapping = self.env["crm.eai.mapping"].search(
            [("backend_id", "=", self.backend_id.id), ("direction", "=", "pull"), ("entity", "=", entity)], limit=1
        )
        if not mapping:
            raise UserError(
                self.env._(
                    "%(system)s has no mapping taking in %(entity)s.", system=self.backend_id.name, entity=entity
                )
            )
        self.write(
            {"entity": entity, "mapping_id": mapping.id, "model": mapping.model_name, "record_count": len(records)}
        )
        self._crm_eai_take_in(mapping, records)

    def _crm_eai_take_in(self, mapping, records):
        """Import the records; the refused ones fail the message (to be retried, then
        given up and alerted) while the others stay in."""
        errors = mapping._crm_eai_import(records)
        if not errors:
            self._crm_eai_done(rejected_count=0)
            return
        self.rejected_count = len(errors)
        details = "\n".join(f"{key}: {reason}" for key, reason in list(errors.items())[:50])
        self._crm_eai_fail(
            self.env._(
                "%(count)s of %(total)s records were refused (the others are in):\n%(details)s",
                count=len(errors),
                total=len(records),
                details=details,
            ),
            "data",
        )

    def _crm_eai_process_push(self):
        records = contract.loads(self._crm_eai_payload())
        accepted, receipt = adapter_for(self.backend_id).push(self.entity, self.idempotency_key, records)
        if self.backend_id.protocol == "folder":
            self.write({"state": "sent", "attempts": self.attempts + 1, "receipt": receipt, "next_retry": False})
        else:
            self._crm_eai_done(receipt=receipt)
        if accepted < len(records):
            _logger.warning("%s: the system accepted %s of %s records", self.name, accepted, len(records))

    def _crm_eai_payload(self):
        return zlib.decompress(base64.b64decode(self.payload)) if self.payload else b""

    # scheduled work --------------------------------------------------------

    @api.model
    def _cron_retry(self, limit=1000):
        """Queue the messages due again: failed ones whose backoff is over, and pending
        ones whose job was lost (worker killed before it ran)."""
        due = self.sudo().search(
            [("state", "in", ("pending", "failed")), ("next_retry", "<=", fields.Datetime.now())],
            limit=limit,
            order="next_retry",
        )
        for batch in split_every(200, due.ids, due.browse):
            batch.write({"next_retry": fields.Datetime.now() + WATCHDOG})
            batch._crm_eai_enqueue()
        return len(due)

    @api.model
    def _cron_vacuum(self, batch=10_000):
        """Forget the done messages older than the retention (90 days unless set); the
        failed and given-up ones stay until they are done. Returns how many went."""
        days = int(self.env["ir.config_parameter"].sudo().get_param("crm_eai.exchange_retention_days", RETENTION_DAYS))
        limit = fields.Datetime.now() - timedelta(days=max(days, 1))
        # sudo: the log is the integration's
        old = self.sudo().search([("state", "=", "done"), ("date_done", "<", limit)], limit=batch)
        old.unlink()
        return len(old)

    @api.model
    def _cron_poll_folders(self):
        """Take the sealed files the systems dropped; mark ours taken when they are gone."""
        backends = self.env["crm.eai.backend"].sudo().search([("protocol", "=", "folder"), ("active", "=", True)])
        for backend in backends:
            backend._crm_eai_poll_folder()


class _NoTwin(Exception):
    """The concurrent twin of a message was rolled back after all."""


def _error_kind(error):
    if isinstance(error, envelope.EnvelopeError):
        return error.reason
    if isinstance(error, xmlsafe.UnsafeXmlError):
        return "unsafe"
    if isinstance(error, xmlsafe.InvalidXmlError):
        return "invalid_xml"
    return getattr(error, "kind", None) or type(error).__name__


def _payload_vals(data):
    return {"payload": base64.b64encode(zlib.compress(data, 6)), "payload_size": len(data)}
