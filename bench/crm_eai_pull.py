"""Benchmark: customers pulled from the loopback SOAP peer, records per second, in
bounded memory, against one call per record and against Odoo's own import screen.

1. Batched: the MIS customer flow's sync over 100,000 records in pages of 1,000 (the
   backend's batch size; the contract allows 10,000), each page run as its job would be.
2. One call per record: the same engine with pages of one record (a second backend of
   batch size 1 on the same peer: a ListRecords call, a message and its job for each
   record), for 2,000 other customers (new partners too), in ten slices of 200 run
   between the batched pages after every 10,000 records, so that both see the same
   machine (the suite's machines are shared). The batched path must be at least ten
   times faster. For information, a bare loop (GetRecord then the import, no message,
   no job) over 1,000 more customers shows what is left when only the calls differ.
3. Odoo's import screen (``base_import.import.execute_import``, which calls
   ``res.partner.load``) on 10,000 rows of the same shape, in the screen's batches of
   2,000, with its default (history not tracked) and with tracking on as ours runs.

Memory: the peer runs in this process and holds the records, so the baseline is the RSS
once it is loaded; the resident size is read every 10,000 records (after a garbage
collection, outside the timings) and its growth from the 20,000th to the last record
must stay flat. A worker runs each page in its own transaction; here the pages share
the shell's, and between pages the transaction is made what a fresh one would be:
pending writes flushed, the commit's pre-commit hooks run, the record cache emptied.

Run through ``python3 scripts/suite.py bench crm_eai`` (an Odoo shell script: ``env``
is given). Everything is rolled back at the end.
"""

import csv
import functools
import gc
import importlib.util
import io
import resource
import statistics
import time
from datetime import datetime, timedelta

from zeep.transports import Transport

import odoo

from odoo.addons import crm_eai
from odoo.addons.crm_eai.components.adapter import SoapAdapter, adapter_for
from odoo.addons.crm_eai.components.mapper import Mapper

N_PULLED = 100_000
BATCH_SIZE = 1_000
N_SINGLE = 2_000
N_BARE = 1_000
N_ODOO = 10_000
ODOO_SCREEN_BATCH = 2_000  # the import screen's default batch limit
MEMORY_STEP = 10_000  # RSS read, and a slice of the one-call-per-record path run, this often
MEMORY_FROM = 20_000
MIN_RATIO = 10
START = datetime(2026, 1, 1)

env = env  # noqa: F821, PLW0127 - provided by ``odoo shell``


def load_peer():
    """The tests' SOAP peer, without importing the test package (and Odoo's test framework)."""
    spec = importlib.util.spec_from_file_location(
        "odoo.addons.crm_eai.tests.peer", f"{crm_eai.__path__[0]}/tests/peer.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Peer


def customer(code, name, modified, credit_limit="1000", email="", country="CN"):
    """A customer of the MIS, as ``tests/engine_common.py`` makes them."""
    return {
        "key": code,
        "modified": modified,
        "fields": {"code": code, "name": name, "credit_limit": credit_limit, "email": email, "country": country},
    }


def customers(prefix, count):
    return [
        customer(
            f"{prefix}{i:06d}",
            f"Customer {prefix}{i}",
            START + timedelta(seconds=i),
            credit_limit=str(1000 + (i % 50) * 100),
            email=f"{prefix.lower()}{i}@example.com",
        )
        for i in range(count)
    ]


def rss_kib():
    """The resident set size now (``ru_maxrss`` is the peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def ms(seconds, count):
    return f"{seconds / max(count, 1) * 1000:.0f} ms"


def fresh_transaction():
    """Where a worker commits and its next job starts: pending writes flushed, the
    commit's pre-commit hooks run, an empty record cache (post-commit hooks follow a
    real commit only)."""
    env.flush_all()
    env.cr.precommit.run()
    env.cr.postcommit.clear()
    env.invalidate_all()
    env.transaction.clear()


# time spent in the adapter, the HTTP exchange and the import's parts, by phase
timings = {"a": {}, "b": {}, "bare": {}, "odoo": {}}
phase = "a"
restore = []


def instrument(owner, name, bucket):
    """Time ``owner.name`` into ``timings[phase][bucket]`` (undone at the end)."""
    original = getattr(owner, name)
    own = name in owner.__dict__

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent = timings[phase]
            spent[bucket] = spent.get(bucket, 0.0) + time.perf_counter() - started

    setattr(owner, name, timed)
    restore.append(lambda: setattr(owner, name, original) if own else delattr(owner, name))


def peer_calls(operation):
    return sum(1 for called, _params in peer.calls if called == operation)


pulled = customers("C", N_PULLED)
single = customers("S", N_SINGLE)
bare = customers("B", N_BARE)
screen = customers("O", 2 * N_ODOO)
peer = load_peer()().start()
results = {}
try:
    # the one-call-per-record customers under another entity of the same service, so
    # that the sync does not pull them
    peer.entities = {"customer": pulled, "customer_one_by_one": single, "customer_bare": bare}
    gc.collect()
    baseline = rss_kib()
    print(
        f"baseline, the peer loaded with {N_PULLED + N_SINGLE + N_BARE} records: "
        f"RSS {mib(baseline)}, peak {mib(peak_kib())}"
    )

    backend = env["crm.eai.backend"].create(
        {"name": "Bench MIS", "kind": "mis", "wsdl_url": peer.wsdl_url, "batch_size": BATCH_SIZE, "timeout": 60}
    )
    backend.action_create_standard_flows()
    mapping = backend.mapping_ids.filtered(lambda m: m.direction == "pull" and m.entity == "customer")
    single_backend = backend.copy({"name": "Bench MIS, one record a call", "batch_size": 1})
    single_mapping = mapping.copy({"backend_id": single_backend.id, "entity": "customer_one_by_one"})
    single_mapping.action_sync()
    Exchange = env["crm.eai.exchange"]
    instrument(SoapAdapter, "list_page", "soap")
    instrument(SoapAdapter, "get", "soap")
    instrument(Transport, "post_xml", "http")
    instrument(type(env["crm.eai.mapping"]), "_crm_eai_import", "import")
    instrument(type(env["res.partner"]), "create", "create")
    instrument(type(env["crm.eai.binding"]), "_crm_eai_bind", "bind")
    instrument(type(env["crm.eai.binding"]), "_crm_eai_find", "lookup")
    instrument(type(env["crm.eai.mapping"]), "_crm_eai_match", "lookup")
    instrument(Mapper, "to_odoo", "map")
    importing = mapping.sudo().with_company(backend.company_id)  # as the exchange runs it
    adapter = adapter_for(backend.sudo())
    fresh_transaction()

    slices = iter(range(0, N_SINGLE, N_SINGLE // (N_PULLED // MEMORY_STEP)))
    bare_slices = iter(range(0, N_BARE, N_BARE // (N_PULLED // MEMORY_STEP)))
    single_time, single_queries, single_done, bare_time, bare_done, refused, windows = 0.0, 0, 0, 0.0, 0, {}, []

    def one_by_one():
        """The next slice of the one-call-per-record path (and of the bare loop):
        ``(records, seconds)`` of the engine's path."""
        global phase, single_time, single_queries, single_done, bare_time, bare_done  # noqa: PLW0603
        start = next(slices, None)
        if start is None:
            return 0, 0.0
        size = N_SINGLE // (N_PULLED // MEMORY_STEP)
        phase, counter, began = "b", odoo.sql_db.sql_counter, time.perf_counter()
        for _record in range(size):
            page = Exchange.search([("mapping_id", "=", single_mapping.id), ("state", "=", "pending")], limit=1)
            page._crm_eai_run()
            fresh_transaction()  # each message is a job of its own
        spent = time.perf_counter() - began
        single_time += spent
        single_queries += odoo.sql_db.sql_counter - counter
        single_done += size
        bare_start = next(bare_slices, None)
        if bare_start is not None:
            chunk = bare[bare_start : bare_start + N_BARE // (N_PULLED // MEMORY_STEP)]
            phase, began = "bare", time.perf_counter()
            for record in chunk:
                refused.update(importing._crm_eai_import([adapter.get("customer_bare", record["key"])]))
                env.flush_all()
            fresh_transaction()
            bare_time += time.perf_counter() - began
            bare_done += len(chunk)
        phase = "a"
        return size, spent

    # 1. batched, with 2. interleaved ---------------------------------------------
    peer.calls.clear()
    wsdl_before = peer.wsdl_requests
    work, queries = 0.0, 0  # the batched path's own time and queries
    pages, page_times, page_queries, memory = 0, [], [], []
    window_time, window_done, next_mark = 0.0, 0, MEMORY_STEP
    counter, began = odoo.sql_db.sql_counter, time.perf_counter()
    mapping.action_sync()
    fresh_transaction()
    work += time.perf_counter() - began
    queries += odoo.sql_db.sql_counter - counter
    while True:
        counter, began = odoo.sql_db.sql_counter, time.perf_counter()
        exchange = Exchange.search([("mapping_id", "=", mapping.id), ("state", "=", "pending")], limit=1)
        if exchange:
            page_began = time.perf_counter()
            exchange._crm_eai_run()
            fresh_transaction()
            page_times.append(time.perf_counter() - page_began)
            page_queries.append(odoo.sql_db.sql_counter - counter)
            pages += 1
        spent = time.perf_counter() - began
        work += spent
        window_time += spent
        queries += odoo.sql_db.sql_counter - counter
        if not exchange:
            break
        done = mapping.sync_done
        if done >= next_mark:
            gc.collect()
            memory.append((done, rss_kib(), peak_kib()))
            count, seconds = one_by_one()
            if count:
                windows.append((done - window_done) / window_time / (count / seconds))
            window_time, window_done, next_mark = 0.0, done, next_mark + MEMORY_STEP
    states = dict(Exchange._read_group([("mapping_id", "=", mapping.id)], ["state"], ["__count"]))
    bound = env["crm.eai.binding"].search_count(
        [("backend_id", "=", backend.id), ("model", "=", "res.partner"), ("external_key", "=like", "C%")]
    )
    spent = timings["a"]
    rate_batched = bound / work
    print(
        f"batched: {bound} of {N_PULLED} records in {pages} pages of {BATCH_SIZE} in {work:.1f}s "
        f"= {rate_batched:.0f} records/s; pages {states}"
    )
    print(
        f"  SOAP calls: {pages} ListRecords, {peer.wsdl_requests - wsdl_before} WSDL download(s); "
        f"{queries} queries ({queries / max(pages, 1):.0f} a page, {queries / max(bound, 1):.2f} a record)"
    )
    print(
        f"  a page: median {statistics.median(page_times) * 1000:.0f} ms (first {page_times[0] * 1000:.0f}, "
        f"last {page_times[-1] * 1000:.0f}, max {max(page_times) * 1000:.0f}); "
        f"SOAP {ms(spent.get('soap', 0.0), pages)} (HTTP with the in-process peer {ms(spent.get('http', 0.0), pages)}, "
        f"the rest zeep), import {ms(spent.get('import', 0.0), pages)}, the rest (the message log, the next page's "
        f"job, the flush) {ms(sum(page_times) - spent.get('soap', 0.0) - spent.get('import', 0.0), pages)}"
    )
    print(
        "  the import of a page: res.partner create (Odoo's ORM) "
        f"{ms(spent.get('create', 0.0), pages)}, "
        f"bindings written {ms(spent.get('bind', 0.0), pages)}, bindings and keys looked up "
        f"{ms(spent.get('lookup', 0.0), pages)}, values mapped {ms(spent.get('map', 0.0), pages)}"
    )
    tenth = max(len(page_times) // 10, 1)
    print(
        f"  first tenth of the pages: median {statistics.median(page_times[:tenth]) * 1000:.0f} ms, "
        f"last tenth {statistics.median(page_times[-tenth:]) * 1000:.0f} ms; queries of the first page "
        f"{page_queries[0]}, of the last {page_queries[-1]}"
    )
    for done, now, peak in memory:
        print(f"  at {done:>6} records: RSS {mib(now)} ({now - baseline:+} KiB over the baseline), peak {mib(peak)}")
    marks = {done: now for done, now, _peak in memory}
    if MEMORY_FROM in marks and memory[-1][0] > MEMORY_FROM:
        last_done, last_rss, _peak = memory[-1]
        growth = (last_rss - marks[MEMORY_FROM]) / ((last_done - MEMORY_FROM) / MEMORY_STEP)
        print(f"  RSS growth from {MEMORY_FROM} to {last_done} records: {growth:+.0f} KiB per {MEMORY_STEP} records")

    spent = timings["b"]
    taken = env["res.partner"].search_count([("ref", "in", [record["key"] for record in single])])
    rate_single = taken / single_time if single_time else 0.0
    print(
        f"one call per record (the engine, a page of one): {taken} of {N_SINGLE} records in {single_time:.1f}s "
        f"= {rate_single:.0f} records/s; {peer_calls('ListRecords') - pages} ListRecords calls; a record: SOAP "
        f"{spent.get('soap', 0.0) / max(single_done, 1) * 1000:.1f} ms, import "
        f"{spent.get('import', 0.0) / max(single_done, 1) * 1000:.1f} ms, the message and its job "
        f"{(single_time - spent.get('soap', 0.0) - spent.get('import', 0.0)) / max(single_done, 1) * 1000:.1f} ms, "
        f"{single_queries / max(single_done, 1):.0f} queries"
    )
    spent = timings["bare"]
    taken_bare = env["res.partner"].search_count([("ref", "in", [record["key"] for record in bare])])
    rate_bare = taken_bare / bare_time if bare_time else 0.0
    print(
        f"  for information, a bare loop (GetRecord, then the import; no message, no job): {taken_bare} records "
        f"in {bare_time:.1f}s = {rate_bare:.0f} records/s ({len(refused)} refused), batched / bare = "
        f"{rate_batched / rate_bare if rate_bare else 0:.2f}x; a record: SOAP "
        f"{spent.get('soap', 0.0) / max(bare_done, 1) * 1000:.1f} ms, import "
        f"{spent.get('import', 0.0) / max(bare_done, 1) * 1000:.1f} ms (res.partner create "
        f"{spent.get('create', 0.0) / max(bare_done, 1) * 1000:.1f})"
    )
    ratio = rate_batched / rate_single if rate_single else float("inf")
    results["ratio"] = ratio
    verdict = "PASS" if ratio >= MIN_RATIO else "FAIL"
    print(
        f"{verdict}: batched / one call per record = {ratio:.2f}x (at least {MIN_RATIO}x required); "
        f"by 10,000-record window: median {statistics.median(windows):.2f}x, "
        f"from {min(windows):.2f}x to {max(windows):.2f}x"
        if windows
        else f"{verdict}: batched / one call per record = {ratio:.2f}x (at least {MIN_RATIO}x required)"
    )

    # 3. Odoo's import screen -------------------------------------------------------
    phase = "odoo"
    columns = ["ref", "name", "credit_limit", "email", "country_id"]
    options = {
        "has_headers": True,
        "quoting": '"',
        "separator": ",",
        "encoding": "utf-8",
        "date_format": "",
        "datetime_format": "",
        "float_thousand_separator": ",",
        "float_decimal_separator": ".",
        "advanced": False,
        "keep_matches": False,
        "name_create_enabled_fields": {},
        "import_set_empty_fields": [],
        "import_skip_records": [],
        "fallback_values": {},
    }
    for label, rows, tracking_disable in (
        ("history not tracked (the screen's default)", screen[:N_ODOO], True),
        ("history tracked (as ours runs)", screen[N_ODOO:], False),
    ):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for record in rows:
            values = record["fields"]
            writer.writerow(
                [values["code"], values["name"], values["credit_limit"], values["email"], values["country"]]
            )
        wizard = env["base_import.import"].create(
            {
                "res_model": "res.partner",
                "file": out.getvalue().encode(),
                "file_name": "customers.csv",
                "file_type": "text/csv",
            }
        )
        fresh_transaction()
        began = time.perf_counter()
        errors = []
        for skip in range(0, len(rows), ODOO_SCREEN_BATCH):
            answer = wizard.with_context(tracking_disable=tracking_disable).execute_import(
                columns, columns, {**options, "skip": skip, "limit": ODOO_SCREEN_BATCH}
            )
            errors += [message for message in answer.get("messages", []) if message.get("type") == "error"]
            fresh_transaction()
        elapsed = time.perf_counter() - began
        loaded = env["res.partner"].search_count([("ref", "in", [record["key"] for record in rows])])
        rate_odoo = loaded / elapsed
        refusals = f", {len(errors)} errors, the first: {errors[0].get('message')}" if errors else ""
        print(
            f"Odoo's import screen, {label}: {loaded} of {len(rows)} records in {elapsed:.1f}s = {rate_odoo:.0f} "
            f"records/s{refusals}; ours / Odoo's = {rate_batched / rate_odoo:.2f}x"
        )
    print(f"peak RSS at the end: {mib(peak_kib())} (baseline {mib(baseline)})")
finally:
    for undo in reversed(restore):
        undo()
    env.cr.rollback()
    peer.stop()

if "ratio" in results:
    assert results["ratio"] >= MIN_RATIO, f"batched pulling is only {results['ratio']:.2f}x one call per record"
