"""Benchmark: an XLSX of 1,000,000 rows written by ``crm_dss/lib/workbook.py``.

Plain Python (no database): ``python3 bench/crm_dss_xlsx.py [rows]`` writes a
"Receivable Lines"-like sheet of ``rows`` rows (10 columns: texts, a date, amounts,
integers) from a generator, once in xlsxwriter's ``constant_memory`` mode (what the
decision reports use) and once in its default in-memory mode, each in a process of its
own, and prints each one's peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), its
time and the file size. ``python3 bench/crm_dss_xlsx.py ROWS constant|memory`` runs one.
"""

import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent


def load_workbook_lib():
    """``crm_dss/lib/workbook.py`` alone (it imports nothing of Odoo)."""
    spec = importlib.util.spec_from_file_location("dss_workbook", ROOT / "addons/crm_dss/lib/workbook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(count):
    start = date(2026, 1, 1)
    for n in range(count):
        days = n % 120
        yield {
            "company": "HQ" if n % 3 else "Branch",
            "move": f"INV/2026/{n:07d}",
            "partner": f"Customer {n % 5000}",
            "salesperson": f"Salesperson {n % 40}",
            "date_maturity": start + timedelta(days=n % 365),
            "amount": 1000.0 + n % 997,
            "residual": 500.0 + n % 499,
            "overdue": 500.0 if days else 0.0,
            "days_overdue": days,
            "ageing": "1-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 else "91+",
        }


def run_one(count, mode):
    lib = load_workbook_lib()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.xlsx")
        started = time.perf_counter()
        book = xlsxwriter.Workbook(path, lib.workbook_options(constant_memory=mode == "constant"))
        writer = lib.DssWorkbook(book, {"symbol": "¥", "position": "before", "digits": 2})
        written = writer.write_rows("Receivable Lines", lib.RECEIVABLE_COLUMNS, rows(count))
        book.close()
        elapsed = time.perf_counter() - started
        size = os.path.getsize(path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"{mode}\t{written}\t{peak_mb:.1f}\t{elapsed:.1f}\t{size / 1024 / 1024:.1f}", flush=True)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    if len(sys.argv) > 2:
        run_one(count, sys.argv[2])
        return
    print("mode\trows\tpeak RSS (MB)\ttime (s)\tfile (MB)", flush=True)
    for mode in ("constant", "memory"):
        subprocess.run([sys.executable, __file__, str(count), mode], check=True)  # noqa: S603 - this very script


if __name__ == "__main__":
    main()
