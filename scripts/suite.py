#!/usr/bin/env python3
"""Set up, run and test the CRM suite against an Odoo 18 that is already installed.

    python3 scripts/suite.py deps            install requirements.txt (test and run do it too)
    python3 scripts/suite.py test            every module alone, then all together
    python3 scripts/suite.py test crm_sfa    one module alone (and nothing else)
    python3 scripts/suite.py run             demo database on http://localhost:8069
    python3 scripts/suite.py i18n            regenerate every module's .pot

Odoo is found with ``import odoo``; PostgreSQL through the usual libpq variables
(PGHOST, PGPORT, PGUSER) or the local socket. Nothing else needs to be set.
"""

import argparse
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
SUITE_TESTS = ROOT / "tests"
MODULES = ["crm_workflow", "crm_sfa", "crm_marketing", "crm_service", "crm_eai", "crm_dss"]
SUITE_TEST_MODULE = "crm_suite_tests"
DEMO_DB = "crm_suite_demo"
# Installed with the demo only: the demo company is Chinese, and crm_sfa's demo data gives
# it the Chinese chart of accounts in yuan when l10n_cn is there. The add-ons never
# depend on it: a customer keeps the localisation of their own country.
DEMO_EXTRA_MODULES = ["l10n_cn"]
RESULT_RE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
SKIP_RE = re.compile(r" INFO \S+ \S+: skipped ")
ERROR_RE = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")


def die(message):
    print(f"suite: {message}", file=sys.stderr)
    sys.exit(2)


def find_odoo():
    """Return the Odoo 18 package, or stop with a message saying what is missing."""
    try:
        import odoo
    except ImportError:
        die(
            "Odoo 18 is not importable by this Python "
            f"({sys.executable}). Install Odoo 18.0 Community so that "
            "'python3 -c \"import odoo\"' works (pip install -e <odoo source>, "
            "or a .pth file naming its folder), then run this again."
        )
    if odoo.release.version_info[0] != 18:
        die(f"Odoo {odoo.release.version} found at {odoo.__file__}; the suite needs Odoo 18.0.")
    return odoo


def manifest(module):
    path = ADDONS / module / "__manifest__.py"
    if not path.exists():
        path = SUITE_TESTS / module / "__manifest__.py"
    return eval(path.read_text(), {})  # noqa: S307  (our own manifest: a dict literal)


def standard_dependencies(modules):
    """The stock Odoo modules our modules depend on, directly or through each other."""
    ours = set(MODULES) | {SUITE_TEST_MODULE}
    todo, seen, standard = list(modules), set(), set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for dep in manifest(module)["depends"]:
            if dep in ours:
                todo.append(dep)
            else:
                standard.add(dep)
    return sorted(standard)


def addons_path():
    """Our add-ons, the suite tests and any Odoo add-ons installed from PyPI."""
    paths = [str(ADDONS), str(SUITE_TESTS)]
    for entry in sys.path:
        candidate = Path(entry) / "odoo" / "addons"
        if candidate.is_dir() and not (Path(entry) / "odoo" / "__init__.py").exists():
            paths.append(str(candidate))
    return ",".join(paths)


# PostgreSQL ---------------------------------------------------------------


def pg_connect(dbname="postgres"):
    import psycopg2

    return psycopg2.connect(dbname=dbname, connect_timeout=5)


def ensure_postgres():
    """Use the PostgreSQL that libpq finds; start Debian's cluster if it is merely stopped."""
    try:
        pg_connect().close()
        return
    except Exception as first_error:  # noqa: BLE001
        if shutil.which("pg_ctlcluster") and os.geteuid() == 0:
            subprocess.run(["service", "postgresql", "start"], check=False)
            subprocess.run(
                ["su", "postgres", "-c", f"createuser -s {os.environ.get('USER', 'root')}"],
                check=False,
                capture_output=True,
            )
            try:
                pg_connect().close()
                return
            except Exception:  # noqa: BLE001, S110
                pass
        die(
            f"cannot reach PostgreSQL ({first_error}). Start it (for example "
            "'sudo service postgresql start') and create a role for your user "
            "('sudo -u postgres createuser -s $USER'), or set PGHOST/PGPORT/PGUSER."
        )


def sql(statement, params=(), names=()):
    """Run one statement on the maintenance database.

    ``params`` fill the ``%s`` placeholders; ``names`` fill ``{}`` as quoted identifiers.
    """
    from psycopg2 import sql as pgsql

    query = pgsql.SQL(statement).format(*map(pgsql.Identifier, names))
    conn = pg_connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None
    finally:
        conn.close()


def db_exists(name):
    return bool(sql("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def drop_db(name):
    sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
    sql("DROP DATABASE IF EXISTS {}", names=[name])
    shutil.rmtree(Path(filestore_root()) / "filestore" / name, ignore_errors=True)


def filestore_root():
    return str(Path(tempfile.gettempdir()) / "crm-suite-data")


def copy_db(template, name):
    drop_db(name)
    sql("CREATE DATABASE {} TEMPLATE {}", names=[name, template])
    source = Path(filestore_root()) / "filestore" / template
    if source.exists():
        shutil.copytree(source, Path(filestore_root()) / "filestore" / name, dirs_exist_ok=True)


# Odoo runs ---------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_command(dbname, *args, subcommand=None):
    return [
        sys.executable,
        "-m",
        "odoo",
        *([subcommand] if subcommand else []),
        f"--database={dbname}",
        f"--addons-path={addons_path()}",
        f"--data-dir={filestore_root()}",
        f"--db-filter=^{re.escape(dbname)}$",
        *args,
    ]


class Tally:
    """What the runs counted, for the closing line."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.problems = []

    def add_log(self, label, log_text, returncode):
        results = RESULT_RE.findall(log_text)
        run = failed = 0
        if results:
            failures, errors, run = map(int, results[-1])
            failed = failures + errors
        skipped = len(SKIP_RE.findall(log_text))
        stray_errors = [line for line in log_text.splitlines() if ERROR_RE.match(line)]
        if returncode != 0 or (stray_errors and not failed):
            failed = max(failed, 1)
            self.problems.append(f"{label}: exit {returncode}; {len(stray_errors)} error line(s) in the log")
        elif failed:
            self.problems.append(f"{label}: {failed} test(s) failed")
        self.passed += max(run - failed - skipped, 0)
        self.failed += failed
        self.skipped += skipped
        print(f"  {label}: {run} tests, {failed} failed, {skipped} skipped", flush=True)

    def check(self, label, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.problems.append(f"{label}: {detail}")
        print(f"  {label}: {'ok' if ok else 'FAILED ' + detail}", flush=True)

    def summary(self):
        for problem in self.problems:
            print(f"FAILED {problem}")
        return f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def run_odoo(label, dbname, args, logdir):
    logfile = logdir / f"{label}.log"
    started = time.time()
    with logfile.open("w") as log:
        proc = subprocess.run(
            odoo_command(dbname, *args),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            check=False,
        )
    text = logfile.read_text(errors="replace")
    print(f"  {label}: {time.time() - started:.0f}s, log {logfile}", flush=True)
    return proc.returncode, text


def build_template(modules, logdir, tally):
    """A database with the stock modules our modules need, built once per set of them."""
    odoo = find_odoo()
    standard = standard_dependencies(modules)
    key = hashlib.sha256(f"{odoo.release.version}|{','.join(standard)}".encode()).hexdigest()[:10]
    name = f"crm_suite_tmpl_{key}"
    if db_exists(name):
        print(f"template {name} reused ({', '.join(standard)})", flush=True)
        return name
    print(f"building template {name} with {', '.join(standard)}", flush=True)
    tmp = f"{name}_building_{os.getpid()}"
    drop_db(tmp)
    args = ["-i", ",".join(standard), "--without-demo=all", "--stop-after-init", "--no-http"]
    returncode, text = run_odoo("template", tmp, args, logdir)
    tally.check("template", returncode == 0, "could not install the stock modules")
    if returncode != 0:
        print(text[-3000:])
        sys.exit(1)
    if db_exists(name):  # another run built it meanwhile
        drop_db(tmp)
        return name
    sql("ALTER DATABASE {} RENAME TO {}", names=[tmp, name])
    store = Path(filestore_root()) / "filestore"
    if (store / tmp).exists():
        shutil.rmtree(store / name, ignore_errors=True)
        (store / tmp).rename(store / name)
    return name


UNINSTALL = """
import sys, odoo
from odoo.tools import config
config.parse_config(sys.argv[1:4])
names = sys.argv[4].split(",")
registry = odoo.modules.registry.Registry(config["db_name"])
with registry.cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    mods = env["ir.module.module"].search([("name", "in", names), ("state", "=", "installed")])
    mods.button_immediate_uninstall()
with odoo.modules.registry.Registry(registry.db_name).cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    left = env["ir.module.module"].search([("name", "in", names), ("state", "!=", "uninstalled")])
    sys.exit(1 if left else 0)
"""


def uninstall(label, dbname, modules, tally, logdir):
    logfile = logdir / f"{label}.log"
    with logfile.open("w") as log:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                UNINSTALL,
                f"--database={dbname}",
                f"--addons-path={addons_path()}",
                f"--data-dir={filestore_root()}",
                ",".join(modules),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            check=False,
        )
    text = logfile.read_text(errors="replace")
    errors = [line for line in text.splitlines() if ERROR_RE.match(line)]
    tally.check(label, proc.returncode == 0 and not errors, f"see {logfile}")


def test_tags(modules):
    return ",".join(f"/{module}" for module in modules)


def install_requirements():
    """Install requirements.txt into this Python: the libraries as usual, the Odoo add-ons
    from PyPI (odoo-addon-*) with --no-deps, since their wheels require a distribution
    named "odoo" that no registry has, next to the Odoo that is already importable."""
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    requirements = [line for line in lines if line]
    addons = [line for line in requirements if line.startswith("odoo-addon-")]
    libraries = [line for line in requirements if line not in addons]
    pip = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--root-user-action=ignore",
    ]
    for args in ([*libraries], ["--no-deps", *addons]):
        if args and args != ["--no-deps"]:
            proc = subprocess.run([*pip, *args], check=False)
            if proc.returncode:
                die(f"pip could not install {' '.join(args)}")


def cmd_deps(options):
    install_requirements()


def cmd_test(options):
    unknown = set(options.modules) - set(MODULES)
    if unknown:
        die(f"unknown module(s) {', '.join(sorted(unknown))}; choose among {', '.join(MODULES)}")
    find_odoo()
    install_requirements()
    ensure_postgres()
    if not shutil.which("chromium") and not shutil.which("google-chrome"):
        die("no Chromium on PATH: the tours need it (Debian: apt-get install chromium).")
    try:
        import websocket  # noqa: F401
    except ImportError:
        die("the tours need the Python package websocket-client: pip install -r requirements.txt")
    logdir = Path(tempfile.mkdtemp(prefix="crm-suite-logs-"))
    tally = Tally()
    started = time.time()
    alone = options.modules or MODULES
    template = build_template([*MODULES, SUITE_TEST_MODULE], logdir, tally)
    for module in alone:
        dbname = f"crm_suite_test_{module}_{os.getpid()}"
        print(f"{module} alone", flush=True)
        copy_db(template, dbname)
        args = [
            "-i",
            module,
            f"--test-tags={test_tags([module])}",
            "--without-demo=all",
            "--stop-after-init",
            f"--http-port={free_port()}",
            "--workers=0",
        ]
        returncode, text = run_odoo(f"{module}-alone", dbname, args, logdir)
        tally.add_log(f"{module} alone", text, returncode)
        uninstall(f"{module}-uninstall", dbname, [module], tally, logdir)
        if not options.keep:
            drop_db(dbname)
    if not options.modules:
        print("all modules together", flush=True)
        dbname = f"crm_suite_test_all_{os.getpid()}"
        copy_db(template, dbname)
        everything = [*MODULES, SUITE_TEST_MODULE]
        args = [
            "-i",
            ",".join(everything),
            f"--test-tags={test_tags(everything)}",
            "--without-demo=all",
            "--stop-after-init",
            f"--http-port={free_port()}",
            "--workers=0",
        ]
        returncode, text = run_odoo("all-together", dbname, args, logdir)
        tally.add_log("all together", text, returncode)
        uninstall("all-uninstall", dbname, everything, tally, logdir)
        if not options.keep:
            drop_db(dbname)
        print("demo data", flush=True)
        dbname = f"crm_suite_test_demo_{os.getpid()}"
        drop_db(dbname)
        args = ["-i", ",".join(MODULES + DEMO_EXTRA_MODULES), "--stop-after-init", "--no-http", "--workers=0"]
        returncode, text = run_odoo("demo", dbname, args, logdir)
        tally.add_log("demo install", text, returncode)
        if not options.keep:
            drop_db(dbname)
    print(f"wall time {time.time() - started:.0f}s, logs in {logdir}")
    line = tally.summary()
    print(line)
    return 1 if tally.failed else 0


def cmd_run(options):
    find_odoo()
    install_requirements()
    ensure_postgres()
    port = options.port
    if options.reset or not db_exists(DEMO_DB):
        drop_db(DEMO_DB)
        print(f"creating {DEMO_DB} with the suite and its demo data (a few minutes)...", flush=True)
        proc = subprocess.run(
            odoo_command(DEMO_DB, "-i", ",".join(MODULES + DEMO_EXTRA_MODULES), "--stop-after-init", "--no-http"),
            cwd=ROOT,
            check=False,
        )
        if proc.returncode:
            die("the demo database could not be created; see the log above.")
    print(
        f"\nOdoo with the CRM suite: http://localhost:{port}/web?db={DEMO_DB}\n"
        "  login admin / admin              (administrator)\n"
        "  login ceo / ceo                  (decision level: HQ and all branches)\n"
        "  login sales.manager / sales.manager  (management level: HQ sales department)\n"
        "  login sales.rep / sales.rep      (execution level: own records)\n"
        "  login service.agent / service.agent  (execution level: own service cases)\n"
        "  login portal / portal            (customer portal)\n",
        flush=True,
    )
    os.execv(sys.executable, odoo_command(DEMO_DB, f"--http-port={port}"))


def cmd_i18n(options):
    find_odoo()
    install_requirements()
    ensure_postgres()
    logdir = Path(tempfile.mkdtemp(prefix="crm-suite-i18n-"))
    tally = Tally()
    template = build_template(MODULES, logdir, tally)
    dbname = f"crm_suite_i18n_{os.getpid()}"
    copy_db(template, dbname)
    modules = options.modules or MODULES
    install = ["-i", ",".join(modules), "--without-demo=all", "--stop-after-init", "--no-http"]
    run_odoo("i18n-install", dbname, install, logdir)
    for module in modules:
        pot = ADDONS / module / "i18n" / f"{module}.pot"
        pot.parent.mkdir(exist_ok=True)
        args = [f"--i18n-export={pot}", f"--modules={module}", "--stop-after-init", "--no-http"]
        subprocess.run(odoo_command(dbname, *args), cwd=ROOT, check=True, capture_output=True)
        print(f"wrote {pot.relative_to(ROOT)}")
        for po in pot.parent.glob("*.po"):
            untranslated = merge_catalog(po, pot)
            print(f"merged {po.relative_to(ROOT)}: {untranslated} term(s) to translate")
    drop_db(dbname)
    return 0


def merge_catalog(po_path, pot_path):
    """Bring a translation in line with its template, as msgmerge does; count the gaps."""
    import polib

    catalog = polib.pofile(str(po_path))
    catalog.merge(polib.pofile(str(pot_path)))
    for entry in catalog.obsolete_entries():
        catalog.remove(entry)
    catalog.save()
    return len(catalog.untranslated_entries()) + len(catalog.fuzzy_entries())


def cmd_bench(options):
    """Install a module in a fresh database and run its benchmark scripts (bench/<module>_*.py)."""
    find_odoo()
    install_requirements()
    ensure_postgres()
    logdir = Path(tempfile.mkdtemp(prefix="crm-suite-bench-"))
    tally = Tally()
    template = build_template(MODULES, logdir, tally)
    for module in options.modules or MODULES:
        scripts = sorted((ROOT / "bench").glob(f"{module}_*.py"))
        if not scripts:
            continue
        dbname = f"crm_suite_bench_{module}_{os.getpid()}"
        copy_db(template, dbname)
        run_odoo(
            f"{module}-install", dbname, ["-i", module, "--without-demo=all", "--stop-after-init", "--no-http"], logdir
        )
        for script in scripts:
            print(f"== {script.relative_to(ROOT)}", flush=True)
            with script.open() as stdin:
                subprocess.run(
                    odoo_command(dbname, "--no-http", "--log-level=warn", subcommand="shell"),
                    stdin=stdin,
                    cwd=ROOT,
                    check=False,
                )
        drop_db(dbname)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("deps", help="install requirements.txt (the Odoo add-ons from PyPI with --no-deps)")
    test = sub.add_parser("test", help="run the suite's tests in real Odoo")
    test.add_argument("modules", nargs="*", help="only these modules, alone")
    test.add_argument("--keep", action="store_true", help="keep the test databases")
    run = sub.add_parser("run", help="create the demo database and start Odoo")
    run.add_argument("--port", type=int, default=8069)
    run.add_argument("--reset", action="store_true", help="recreate the demo database")
    i18n = sub.add_parser("i18n", help="regenerate the .pot files and merge them into the .po files")
    i18n.add_argument("modules", nargs="*")
    bench = sub.add_parser("bench", help="run the benchmarks of bench/ (figures go in the module READMEs)")
    bench.add_argument("modules", nargs="*")
    options = parser.parse_args()
    handler = {"deps": cmd_deps, "test": cmd_test, "run": cmd_run, "i18n": cmd_i18n, "bench": cmd_bench}[
        options.command
    ]
    return handler(options)


if __name__ == "__main__":
    sys.exit(main())
