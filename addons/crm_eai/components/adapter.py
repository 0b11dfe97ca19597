"""Adapters: how a backend's messages travel. The ORM asks for a page or hands over a
batch; only the adapter knows SOAP (through ``lib/soap.py``) or the drop folder."""

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

from ..lib import records as contract
from ..lib import soap

ADAPTERS = {}


def register(protocol, kind=None):
    """Class decorator: the adapter of ``protocol``, for backends of ``kind`` (all kinds
    when None); a system whose service does not speak the suite's contract registers its
    own adapter for its kind, as OCA connector does with its adapter components."""

    def decorator(cls):
        ADAPTERS[(kind, protocol)] = cls
        return cls

    return decorator


def adapter_for(backend):
    cls = ADAPTERS.get((backend.kind, backend.protocol)) or ADAPTERS[(None, backend.protocol)]
    return cls(backend)


@register("soap")
class SoapAdapter:
    """The contract's operations on the system's SOAP service."""

    def __init__(self, backend):
        self.backend = backend

    def _client(self):
        return soap.client(self.backend._crm_eai_endpoint())

    def list_page(self, entity, since=None, cursor=None, limit=100):
        """One page: ``(records, next cursor or None, total or None)``."""
        params = {"entity": entity, "limit": limit}
        if since:
            params["since"] = since.replace(tzinfo=timezone.utc)
        if cursor:
            params["cursor"] = cursor
        answer = self._client().call("ListRecords", **params)
        return contract.from_zeep(answer.get("records")), answer.get("cursor") or None, answer.get("total")

    def get(self, entity, key):
        answer = self._client().call("GetRecord", entity=entity, key=key)
        found = contract.from_zeep({"record": [answer["record"]]} if answer.get("record") else None)
        return found[0] if found else None

    def push(self, entity, idempotency_key, records):
        """Send records; the system counts a key it has seen once: ``(accepted, receipt)``.
        A backend with sealed batches gets them signed and encrypted, by PushBatch."""
        if self.backend.seal_pushes:
            return self.push_envelope(_sealed_batch(self.backend, entity, records, idempotency_key))
        answer = self._client().call(
            "PushRecords",
            entity=entity,
            idempotencyKey=idempotency_key,
            records=contract.to_zeep_records(records),
        )
        return int(answer["accepted"]), answer["receipt"]

    def push_envelope(self, envelope):
        answer = self._client().call("PushBatch", envelope=envelope)
        return int(answer["accepted"]), answer["receipt"]


@register("folder")
class FolderAdapter:
    """Sealed XML files in a drop folder: written whole under a temporary name, then
    renamed, so the other side never reads half a file."""

    def __init__(self, backend):
        self.backend = backend

    def push(self, entity, idempotency_key, records):
        sealed = _sealed_batch(self.backend, entity, records, idempotency_key)
        return len(records), self._drop(sealed, idempotency_key)

    def push_envelope(self, envelope):
        return 0, self._drop(envelope, None)

    def _drop(self, data, name):
        folder = Path(self.backend.folder_out or "")
        if not self.backend.folder_out or not folder.is_dir():
            raise soap.PermanentError(f"the outgoing folder {folder} does not exist", kind="folder")
        target = folder / f"{name or os.urandom(8).hex()}.xml"
        partial = folder / f".{target.name}.part"
        try:
            partial.write_bytes(data)
            os.replace(partial, target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise soap.TransientError(f"cannot write {target.name}: {error.strerror}", kind="folder") from error
        return target.name


def _sealed_batch(backend, entity, records, idempotency_key):
    """The records as a sealed batch whose message id derives from the message's key."""
    batch = contract.batch_xml(entity, records, datetime.now(timezone.utc))
    message_id = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return backend.env["crm.eai.key"]._crm_eai_seal(backend, batch, message_id=message_id)
